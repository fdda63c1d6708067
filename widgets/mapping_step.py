"""The mapping step of the assessment (Signs of Safety, issue 16).

The three columns of the mapping sheet — *Vilken oro finns för barnet?*
(tidigare skada, komplicerande faktorer), *Vad fungerar bra?* (styrkor,
skydd), *Vad behöver hända?* (mål, nästa steg) — each part a text field with
one entry per line in the trainee's own words, and a place (or none) for each
of the case's factors. Then the danger statement and the safety goal with
guidance and a worked example beside them (``feedback/mapping.yaml``), and the
scaling: the assessment's own 0–10 safety scale (the same widget as in the
risk step) with the two questions of practice.

Plain data in and out like the rest of the form: ``payload()`` goes into the
draft, ``load()`` restores it (ignoring anything that does not fit),
``mapping_in()`` is the ``AnswerIn.mapping`` the store validates again.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from cases import Case
from cases.schema import MAPPING_COLUMNS, SAFETY_SCALE_MAX
from feedback.mapping import FACTOR_PARTS, PARTS, rules
from samsyn.i18n import Messages
from store.answer import MAX_MAPPING_LINES, MAX_SHORT, MAX_TEXT
from widgets.common import esc, html_widget

_BULLETS = "-–•*·"


def entry_lines(text: str) -> list[str]:
    """The entries of a part: one per non-empty line, a leading bullet dropped."""
    out = []
    for line in (text or "").splitlines():
        line = line.strip().lstrip(_BULLETS).strip()
        if line:
            out.append(line)
    return out


def _area(label: str, placeholder: str, cls: str, height: str = "5em") -> w.Textarea:
    area = w.Textarea(value="", description=label, placeholder=placeholder,
                      layout=w.Layout(width="100%", height=height), style={"description_width": "initial"})
    area.add_class(cls)
    return area


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    return value[:limit] if isinstance(value, str) else ""


class MappingStep:
    def __init__(self, case: Case, lang: str, m: Messages, safety: w.ToggleButtons, safety_help: str):
        self.case, self.lang, self.m = case, lang, m
        self.safety = safety
        self.parts: dict[str, w.Textarea] = {}
        columns = []
        for column, parts in MAPPING_COLUMNS.items():
            children: list[w.Widget] = [html_widget(f"<h3>{esc(m(f'mapping.col.{column}'))}</h3>", "samsyn-mapping-col-title")]
            for part in parts:
                area = _area(m(f"mapping.part.{part}"), m(f"mapping.placeholder.{part}"), f"samsyn-mapping-{part}")
                self.parts[part] = area
                children.append(area)
            col = w.VBox(children, layout=w.Layout(flex="1 1 16rem", min_width="14rem", margin="0 1em 0 0"))
            col.add_class("samsyn-mapping-column")
            col.add_class(f"samsyn-mapping-column-{column}")
            columns.append(col)
        grid = w.HBox(columns, layout=w.Layout(flex_flow="row wrap", align_items="flex-start"))
        grid.add_class("samsyn-mapping-columns")

        place_options = [(m("mapping.not_placed"), "")] + [(m(f"mapping.part.{p}"), p) for p in FACTOR_PARTS]
        self.factors: dict[str, w.Dropdown] = {}
        for factor in (*case.factors.risk, *case.factors.protective):
            dd = w.Dropdown(options=place_options, value="", description=factor.label.get(lang),
                            style={"description_width": "initial"}, layout=w.Layout(width="auto"))
            dd.add_class("samsyn-mapping-factor")
            dd.add_class(f"samsyn-mapping-factor-{factor.id}")
            self.factors[factor.id] = dd
        factor_box = w.VBox([html_widget(f'<p class="samsyn-legend"><strong>{esc(m("mapping.factors_heading"))}</strong></p>'
                                         f"<p>{esc(m('mapping.factors_help'))}</p>"), *self.factors.values()])
        factor_box.add_class("samsyn-fieldset")
        factor_box.add_class("samsyn-mapping-factors")

        example = rules().example
        ex = lambda key: example[key][lang if lang in example[key] else "sv"]  # noqa: E731
        example_html = (f'<details class="samsyn-mapping-example"><summary>{esc(m("mapping.example_heading"))}</summary>'
                        f'<p><strong>{esc(m("mapping.example_situation"))}</strong> {esc(ex("situation"))}</p>'
                        f'<p><strong>{esc(m("mapping.danger_statement"))}:</strong> {esc(ex("danger_statement"))}</p>'
                        f'<p><strong>{esc(m("mapping.safety_goal"))}:</strong> {esc(ex("safety_goal"))}</p></details>')
        self.danger = _area(m("mapping.danger_statement"), m("mapping.danger_placeholder"), "samsyn-mapping-danger", "6em")
        self.goal = _area(m("mapping.safety_goal"), m("mapping.goal_placeholder"), "samsyn-mapping-goal", "6em")
        statements = []
        for area, guidance in ((self.danger, m("mapping.danger_guidance", max=rules().max_words)),
                               (self.goal, m("mapping.goal_guidance"))):
            field = w.VBox([area], layout=w.Layout(flex="2 1 22rem"))
            aside = html_widget(f'<aside class="samsyn-mapping-guidance"><p>{esc(guidance)}</p></aside>',
                                "samsyn-mapping-guidance-box")
            aside.layout = w.Layout(flex="1 1 14rem")
            row = w.HBox([field, aside], layout=w.Layout(flex_flow="row wrap", align_items="flex-start"))
            row.add_class("samsyn-mapping-statement")
            statements.append(row)
        statement_box = w.VBox([html_widget(f'<p class="samsyn-legend"><strong>{esc(m("mapping.statements_heading"))}</strong></p>'),
                                *statements, html_widget(example_html, "samsyn-mapping-example-box")])
        statement_box.add_class("samsyn-fieldset")
        statement_box.add_class("samsyn-mapping-statements")

        self.why_not_lower = _area(m("mapping.why_not_lower"), "", "samsyn-mapping-why-not-lower", "4em")
        self.one_step_up = _area(m("mapping.one_step_up"), "", "samsyn-mapping-one-step-up", "4em")
        scaling = w.VBox([html_widget(f'<p class="samsyn-legend"><strong>{esc(m("mapping.scaling_heading"))}</strong></p>'
                                      f"<p>{esc(safety_help)} {esc(m('mapping.scaling_same_scale'))}</p>"),
                          safety, self.why_not_lower, self.one_step_up])
        scaling.add_class("samsyn-fieldset")
        scaling.add_class("samsyn-mapping-scaling")

        self.children: list[w.Widget] = [html_widget(f"<p>{esc(m('mapping.intro'))}</p><p>{esc(m('mapping.lines_help'))}</p>"),
                                         grid, factor_box, statement_box, scaling]

    # -- data -----------------------------------------------------------------------
    def inputs(self) -> list[w.Widget]:
        """The widgets whose changes save the draft (the scale is observed by the form)."""
        return [*self.parts.values(), *self.factors.values(), self.danger, self.goal, self.why_not_lower, self.one_step_up]

    def payload(self) -> dict[str, Any]:
        return {
            "parts": {p: area.value for p, area in self.parts.items()},
            "factors": {fid: dd.value for fid, dd in self.factors.items() if dd.value},
            "danger_statement": self.danger.value,
            "safety_goal": self.goal.value,
            "why_not_lower": self.why_not_lower.value,
            "one_step_up": self.one_step_up.value,
        }

    def load(self, data: Any) -> None:
        d = clean(data, self.case)
        for p, area in self.parts.items():
            area.value = d["parts"][p]
        for fid, dd in self.factors.items():
            dd.value = d["factors"].get(fid, "")
        self.danger.value = d["danger_statement"]
        self.goal.value = d["safety_goal"]
        self.why_not_lower.value = d["why_not_lower"]
        self.one_step_up.value = d["one_step_up"]


TEXT_FIELDS = ("danger_statement", "safety_goal", "why_not_lower", "one_step_up")


def clean(data: Any, case: Case) -> dict[str, Any]:
    """A draft's mapping as the step's data: wrong types emptied, texts clipped, unknown factors and places dropped."""
    data = data if isinstance(data, dict) else {}
    parts = data.get("parts") if isinstance(data.get("parts"), dict) else {}
    factors = data.get("factors") if isinstance(data.get("factors"), dict) else {}
    ids = [f.id for f in (*case.factors.risk, *case.factors.protective)]
    out: dict[str, Any] = {"parts": {p: _text(parts.get(p)) for p in PARTS},
                           "factors": {fid: factors[fid] for fid in ids
                                       if isinstance(factors.get(fid), str) and factors[fid] in FACTOR_PARTS}}
    for name in TEXT_FIELDS:
        out[name] = _text(data.get(name))
    return out


def mapping_in(d: dict[str, Any]) -> dict[str, Any]:
    """The step's data as ``AnswerIn.mapping``: placed factors first, then each part's lines."""
    entries: list[dict[str, Any]] = [{"part": part, "factor_id": fid} for fid, part in d["factors"].items()]
    for p in PARTS:
        entries += [{"part": p, "text": line} for line in entry_lines(d["parts"][p])]
    return {"entries": entries, **{name: d[name].strip() for name in TEXT_FIELDS}}


def problems(d: dict[str, Any], scale: int | None, m: Messages) -> list[str]:
    """What the step still needs, from its data (the step need not be built)."""
    out: list[str] = []
    worries = any(entry_lines(d["parts"][p]) for p in MAPPING_COLUMNS["worries"]) or any(
        part in MAPPING_COLUMNS["worries"] for part in d["factors"].values())
    if not worries:
        out.append(m("form.error.mapping_no_worry", column=m("mapping.col.worries")))
    for p in PARTS:
        lines = entry_lines(d["parts"][p])
        if len(lines) > MAX_MAPPING_LINES:
            out.append(m("form.error.mapping_lines", part=m(f"mapping.part.{p}"), max=MAX_MAPPING_LINES))
        if any(len(line) > MAX_SHORT for line in lines):
            out.append(m("form.error.mapping_line_long", part=m(f"mapping.part.{p}"), max=MAX_SHORT))
    if not d["danger_statement"].strip():
        out.append(m("form.error.mapping_danger"))
    if not d["safety_goal"].strip():
        out.append(m("form.error.mapping_goal"))
    if scale is None:
        out.append(m("form.error.mapping_scale"))
    if not d["why_not_lower"].strip() and scale != 0:  # at 0 there is nothing lower
        out.append(m("form.error.mapping_why"))
    if not d["one_step_up"].strip() and scale != SAFETY_SCALE_MAX:  # at 10 there is no step up
        out.append(m("form.error.mapping_step_up"))
    labels = {"danger_statement": m("mapping.danger_statement"), "safety_goal": m("mapping.safety_goal"),
              "why_not_lower": m("mapping.why_not_lower"), "one_step_up": m("mapping.one_step_up")}
    for name in TEXT_FIELDS:
        if len(d[name]) > MAX_TEXT:
            out.append(m("form.error.too_long", field=labels[name], max=MAX_TEXT))
    return out
