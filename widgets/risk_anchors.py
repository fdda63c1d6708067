"""The anchored risk levels: what each level (and "inte känt") means, what
typically places a case there, and the library's cases whose reference
assessment sits there (worked examples).

One rendering for the three places it appears: where the trainee rates (a
closed ``<details>`` disclosure, keyboard-usable, not in the way; the case being
rated is never listed, so the lists do not give its reference assessment
away), next to the reference assessment in the feedback, and in the mentor's
reveal (the reference assessment's level and the trainee's own marked).
The texts are data (``cases/variables.yaml``: ``risk.anchors``); the words
around them come from the catalogs. Everything is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import ipywidgets as w

from cases import Case, Variables
from samsyn.i18n import Messages
from widgets.common import esc, html_widget

ANCHOR_STYLE = (
    "<style>.samsyn-anchors{margin:.5em 0;border:1px solid #c9d1d8;border-radius:6px;padding:.2em .8em;background:#fbfcfd}"
    ".samsyn-anchors>summary{cursor:pointer;font-weight:600;padding:.2em 0}"
    ".samsyn-anchors>summary:focus-visible{outline:3px solid #f0a400;outline-offset:2px}"
    ".samsyn-anchor{border-top:1px dotted #c9d1d8;padding:.3em 0}.samsyn-anchor dt{font-weight:700}"
    ".samsyn-anchor dd{margin:0 0 0 .8em}.samsyn-anchor-mark{font-weight:400;font-size:.9em;background:#e8eef4;"
    "border-radius:1em;padding:0 .5em;margin-left:.4em}</style>"
)


def anchors_html(variables: Variables, lang: str, worked_examples: Mapping[str, Sequence[Case]] | None = None, *,
                 exclude_case: str | None = None, current_case: str | None = None,
                 marks: Mapping[str, Sequence[str]] | None = None, open_: bool = False,
                 summary: str | None = None) -> str:
    """Every risk answer's anchor as a ``<details>`` disclosure.

    ``worked_examples``: risk id → the cases keyed there (``Library.worked_examples_by_level()``);
    None leaves the example lists out. ``exclude_case`` is never listed (the case being
    rated); ``current_case`` is listed and named as this case (after the reveal).
    ``marks``: risk id → short marks shown beside the level ("the reference assessment").
    """
    m = Messages(lang)
    marks = marks or {}
    items = []
    for anchor in variables.risk_anchors(lang):
        tags = "".join(f'<span class="samsyn-anchor-mark">{esc(t)}</span>' for t in marks.get(anchor.id, ()))
        typical = "".join(f"<li>{esc(t)}</li>" for t in anchor.typical)
        body = [f"<p>{esc(anchor.definition)}</p>",
                f'<p class="samsyn-anchor-typical-head">{esc(m("anchors.typical"))}</p><ul>{typical}</ul>']
        if worked_examples is not None:
            cases = [c for c in worked_examples.get(anchor.id, ()) if c.id != exclude_case]
            if cases:
                names = "".join(
                    f'<li data-case="{esc(c.id)}">{esc(c.title.get(lang))}'
                    + (f" ({esc(m('anchors.this_case'))})" if c.id == current_case else "") + "</li>"
                    for c in cases)
                body.append(f'<p>{esc(m("anchors.examples"))}</p><ul class="samsyn-anchor-examples">{names}</ul>')
            else:
                body.append(f'<p class="samsyn-anchor-examples-none">{esc(m("anchors.no_examples"))}</p>')
        items.append(f'<div class="samsyn-anchor" data-risk="{esc(anchor.id)}"><dt>{esc(anchor.label)}{tags}</dt>'
                     f'<dd>{"".join(body)}</dd></div>')
    note = esc(variables.risk.anchor_note.get(lang))
    excluded = f'<p class="samsyn-case-meta">{esc(m("anchors.excluded_note"))}</p>' if exclude_case and worked_examples else ""
    return (f'{ANCHOR_STYLE}<details class="samsyn-anchors"{" open" if open_ else ""}>'
            f'<summary>{esc(summary or m("anchors.summary"))}</summary>'
            f'<p class="samsyn-case-meta samsyn-anchor-note">{note}</p>{excluded}'
            f'<dl class="samsyn-anchor-list">{"".join(items)}</dl></details>')


def level_definition_html(variables: Variables, risk_id: str, lang: str) -> str:
    """One answer's definition, as a sentence beside the reference assessment."""
    m = Messages(lang)
    anchor = variables.risk_anchor(risk_id, lang)
    return (f'<p class="samsyn-level-definition" data-risk="{esc(risk_id)}">'
            f'<em>{esc(m("anchors.level_means", level=anchor.label))}</em> {esc(anchor.definition)}</p>')


def risk_anchors_widget(variables: Variables, lang: str, worked_examples: Mapping[str, Sequence[Case]] | None = None,
                        *, exclude_case: str | None = None) -> w.HTML:
    """The disclosure where the trainee rates: closed, the case being rated left out of the examples."""
    return html_widget(anchors_html(variables, lang, worked_examples, exclude_case=exclude_case),
                       "samsyn-risk-anchors")
