"""My progress, on the start page: earlier cases, distances over time, drift in words."""

from __future__ import annotations

import ipywidgets as w

from cases import Library
from samsyn.i18n import Messages
from store import Participant, Store
from samsyn.numbers import dec, num
from widgets.common import esc, html_widget, page_url


def _steps(value: float | None, lang: str = "sv") -> str:
    """Signed steps as the language writes them (+1,5 in Swedish)."""
    if value is None:
        return "–"
    return ("+" if value > 0 else "") + num(value, lang)


def _drift_text(m: Messages, estimate, reference: str) -> str:
    if not estimate.defined:
        return m("progress.drift_none", reference=reference)
    direction = estimate.direction
    value = dec(abs(estimate.value), m.lang, 1)
    if direction == "higher":
        return m("progress.drift_higher", steps=value, reference=reference, n=estimate.n)
    if direction == "lower":
        return m("progress.drift_lower", steps=value, reference=reference, n=estimate.n)
    if direction == "no_clear_tendency":
        return m("progress.drift_unclear", reference=reference, n=estimate.n)
    return m("progress.drift_few", reference=reference, n=estimate.n)


def build(store: Store, participant: Participant, library: Library, lang: str, min_group: int = 5) -> w.Widget:
    from feedback.progress import build_progress

    m = Messages(lang)
    answers = sorted(store.answers(participant_id=participant.id, round=1), key=lambda a: a.submitted_at)
    answers = [a for a in answers if a.case_id in library.cases]
    heading = f"<h2>{esc(m('progress.heading'))}</h2>"
    if not answers:
        return html_widget(heading + f"<p>{esc(m('progress.none_yet'))}</p>", "samsyn-progress-view")
    ratings = store.risk_ratings({a.case_id for a in answers}, round=1)  # one query, ratings only
    own_ids = {a.id for a in answers}
    others = {case_id: [risk for answer_id, risk in rows if answer_id not in own_ids] for case_id, rows in ratings.items()}
    keys = {cid: (c.key.risk if c.key else None) for cid, c in library.cases.items()}
    progress = build_progress([(a.case_id, a.submitted_at, a.risk) for a in answers], others, keys,
                              library.variables.risk_level_ids, min_group)
    rows = []
    for row in progress.cases:
        case = library.cases[row.case_id]
        href = page_url("case.ipynb", case=case.id, lang=lang, code=participant.personal_code)
        rows.append(
            f"<tr><td><a href=\"{esc(href)}\">{esc(case.title.get(lang))}</a></td>"
            f"<td>{esc(row.submitted_at.strftime('%Y-%m-%d'))}</td>"
            f"<td>{esc(library.variables.risk_label(row.risk, lang))}</td>"
            f"<td>{esc(_steps(row.steps_from_group, lang))}</td><td>{esc(_steps(row.steps_from_key, lang))}</td></tr>")
    table = (f'<table class="samsyn-table samsyn-progress-table"><thead><tr>'
             f'<th scope="col">{esc(m("progress.case"))}</th><th scope="col">{esc(m("progress.date"))}</th>'
             f'<th scope="col">{esc(m("progress.rating"))}</th><th scope="col">{esc(m("progress.vs_group"))}</th>'
             f'<th scope="col">{esc(m("progress.vs_key"))}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
             f'<p class="samsyn-case-meta">{esc(m("progress.steps_note"))}</p>')
    words = "".join(f'<p class="samsyn-drift">{esc(t)}</p>' for t in (
        _drift_text(m, progress.vs_group, m("progress.ref_group")),
        _drift_text(m, progress.vs_key, m("progress.ref_key"))))
    parts = [html_widget(heading + words + table, "samsyn-progress-view")]
    points = [(i + 1, r.steps_from_key, r.steps_from_group) for i, r in enumerate(progress.cases)]
    if sum(1 for p in points if p[1] is not None or p[2] is not None) >= 2:
        from samsyn import charts

        # the text alternative carries the chart's numbers, case by case
        description = " ".join([m("progress.chart_description"), "; ".join(
            m("progress.chart_point", n=n, key=_steps(k), group=_steps(g)) for n, k, g in points) + "."])
        spec = charts.distance(points, title=m("progress.chart_title"), description=description,
                               x_title=m("progress.case_number"), y_title=m("progress.steps_axis"),
                               key_label=m("progress.ref_key"), group_label=m("progress.ref_group"),
                               reference_title=m("chart.reference"))
        parts.append(charts.chart_widget(spec, description, "samsyn-progress-chart", lang=m.lang))
    box = w.VBox(parts)
    box.add_class("samsyn-progress-box")
    return box
