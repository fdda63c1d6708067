"""The mapping as HTML and text: the trainee's feedback section, the rules explained,
and the group's mappings for the mentor's reveal and the workshop record (HTML, PDF).

Every piece of trainee and author text is escaped here (ipywidgets ``HTML``
sets innerHTML; the record is a web page).
"""

from __future__ import annotations

from cases import Case, Variables
from cases.schema import MAPPING_COLUMNS
from feedback.mapping import FACTOR_PARTS, MappingFeedback, MappingReveal, rules
from samsyn.i18n import Messages
from samsyn.escape import esc
from samsyn.numbers import num


def number(value: float, lang: str) -> str:
    """A scale value or median (0–10) with at most one decimal: ``6,5`` in Swedish."""
    return num(value, lang, 1)


def _part_label(m: Messages, part: str | None) -> str:
    return m(f"mapping.part.{part}") if part else m("mapping.not_placed")


def rules_html(m: Messages, variables: Variables, lang: str) -> str:
    """The checks behind the prompts, explained (the numbers come from feedback/mapping.yaml)."""
    r = rules()
    ranges = "; ".join(m("mapping.range", risk=variables.risk_label(risk, lang), low=lo, high=hi)
                       for risk, (lo, hi) in r.scale_for_risk.items())
    examples = ", ".join([*r.abstract.get(lang, ())[:3], "BBIC"])
    items = [m("mapping.rule.words", examples=examples), m("mapping.rule.length", max=r.max_words),
             m("mapping.rule.counterpart", len=r.min_word_length, stem=r.stem_length, min=r.min_shared),
             m("mapping.rule.next_step"), m("mapping.rule.scale", ranges=ranges)]
    return (f'<details class="samsyn-mapping-rules"><summary>{esc(m("mapping.rules_heading"))}</summary><ul>'
            + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul></details>")


def _columns_html(m: Messages, entries_by_part: dict[str, list[str]], cls: str) -> str:
    out = [f'<div class="samsyn-mapping-sheet {cls}">']
    for column, parts in MAPPING_COLUMNS.items():
        out.append(f'<div class="samsyn-mapping-sheet-column" data-column="{esc(column)}">'
                   f"<h4>{esc(m(f'mapping.col.{column}'))}</h4>")
        for part in parts:
            items = entries_by_part.get(part, [])
            body = "".join(f"<li>{esc(t)}</li>" for t in items) or f"<li><em>{esc(m('mapping.empty_part'))}</em></li>"
            out.append(f'<p><strong>{esc(m(f"mapping.part.{part}"))}</strong></p><ul data-part="{esc(part)}">{body}</ul>')
        out.append("</div>")
    out.append("</div>")
    return "".join(out)


def feedback_html(fb: MappingFeedback, case: Case, variables: Variables, lang: str) -> str:
    m = Messages(lang)
    out = [f"<h3>{esc(m('mapping.feedback_heading'))}</h3>"]
    if fb.own is None:
        out.append(f"<p>{esc(m('mapping.no_mapping'))}</p>")
    else:
        mine: dict[str, list[str]] = {}
        for part, fid, text in fb.own.entries:
            factor = case.factor(fid) if fid else None
            mine.setdefault(part, []).append(factor.label.get(lang) if factor else text)
        out.append(f"<p><strong>{esc(m('mapping.your_mapping'))}</strong></p>")
        out.append(_columns_html(m, mine, "samsyn-mapping-own"))
        out.append(f'<p class="samsyn-own-danger"><strong>{esc(m("mapping.danger_statement"))}:</strong> '
                   f"{esc(fb.own.danger_statement)}</p>"
                   f'<p class="samsyn-own-goal-statement"><strong>{esc(m("mapping.safety_goal"))}:</strong> '
                   f"{esc(fb.own.safety_goal)}</p>")
    ref = case.mapping
    if ref is not None:
        entries: dict[str, list[str]] = {}
        for placement, _i, entry in ref.entries():
            entries.setdefault(placement.part, []).append(case.mapping_text(entry, lang))
        out.append(f'<div class="samsyn-mapping-reference"><p><strong>{esc(m("mapping.reference_heading"))}</strong></p>')
        out.append(_columns_html(m, entries, "samsyn-mapping-ref"))
        out.append(f'<p><strong>{esc(m("mapping.danger_statement"))}:</strong> {esc(ref.danger_statement.get(lang))}</p>'
                   f'<p><strong>{esc(m("mapping.safety_goal"))}:</strong> {esc(ref.safety_goal.get(lang))}</p></div>')
        rows = "".join(
            f'<tr data-factor="{esc(fid)}"><th scope="row">{esc(case.factor(fid).label.get(lang))}</th>'
            f"<td>{esc(_part_label(m, yours))}</td><td>{esc(_part_label(m, theirs))}</td></tr>"
            for fid, (yours, theirs) in fb.placements.items() if case.factor(fid))
        out.append(f'<table class="samsyn-table samsyn-mapping-placements"><caption>{esc(m("mapping.placements_caption"))}</caption>'
                   f'<thead><tr><th scope="col">{esc(m("mentor.factor"))}</th><th scope="col">{esc(m("mapping.col_yours"))}</th>'
                   f'<th scope="col">{esc(m("mapping.col_reference"))}</th></tr></thead><tbody>{rows}</tbody></table>')
    # scaling
    out.append(f'<div class="samsyn-mapping-scale"><h4>{esc(m("mapping.scaling_heading"))}</h4>')
    out.append(f"<p>{esc(m('mapping.scale_yours', scale=fb.own_scale) if fb.own_scale is not None else m('mapping.scale_none'))}</p>")
    if fb.group_shown and fb.group_scale_counts:
        counts = " · ".join(f"{s}: {n}" for s, n in fb.group_scale_counts.items())
        out.append(f'<p class="samsyn-mapping-group-scale">{esc(m("mapping.scale_group", n=sum(fb.group_scale_counts.values()), counts=counts, median=number(fb.group_scale_median, lang)))}</p>')
    elif not fb.group_shown:
        out.append(f'<p class="samsyn-notice samsyn-mapping-group-hidden">{esc(m("mapping.scale_group_hidden", n=fb.group_n, min=fb.min_group))}</p>')
    if fb.key_scale is not None:
        out.append(f'<p class="samsyn-mapping-key-scale">{esc(m("mapping.scale_key", scale=fb.key_scale))}</p>')
        if ref is not None:
            out.append(f"<p><strong>{esc(m('mapping.why_not_lower'))}</strong> {esc(ref.scaling_reasons.why_not_lower.get(lang))}</p>")
            if ref.scaling_reasons.one_step_up is not None:  # none at the top of the scale (10)
                out.append(f"<p><strong>{esc(m('mapping.one_step_up'))}</strong> {esc(ref.scaling_reasons.one_step_up.get(lang))}</p>")
    if fb.own is not None:
        out.append(f'<p class="samsyn-case-meta">{esc(m("mapping.your_reasons"))} {esc(fb.own.why_not_lower)} · '
                   f"{esc(fb.own.one_step_up)}</p>")
    out.append("</div>")
    out.append(rules_html(m, variables, lang))
    return "".join(out)


def scale_chart(r: MappingReveal, variables: Variables, lang: str) -> tuple[dict, str] | None:
    """The scaling distribution as a chart spec (``samsyn.charts``) and its description in words."""
    from samsyn import charts

    if not r.shown or not r.scale_counts:
        return None
    m = Messages(lang)
    pairs = [(str(s), r.scale_counts.get(s, 0)) for s in range(variables.safety_scale.min, variables.safety_scale.max + 1)]
    title = m("mapping.reveal_scale", n=sum(r.scale_counts.values()))
    desc = m("mentor.chart_description", title=title, counts="; ".join(f"{a}: {b}" for a, b in pairs))
    return charts.distribution(pairs, None, title=title, description=desc, count_title=m("feedback.count_axis"),
                               level_title=m("mapping.scaling_heading")), desc


def reveal_html(r: MappingReveal, case: Case, variables: Variables, lang: str, heading: str = "h3", *,
                svg_chart: bool = True) -> str:
    """The group's mappings: factors per part, own words column by column, the scaling, the statements.
    ``svg_chart``: the scaling chart as SVG (a file); a page draws it with ``scale_chart`` instead."""
    m = Messages(lang)
    out = [f'<div class="samsyn-mapping-reveal"><{heading}>{esc(m("mapping.reveal_heading"))}</{heading}>']
    if not r.shown:
        out.append(f'<p class="samsyn-notice samsyn-mapping-too-few">{esc(m("mapping.reveal_hidden", n=r.n, min=r.min_group))}</p></div>')
        return "".join(out)
    reference = {fid: (p.part if p else None) for fid, p in case.factor_placements().items()}
    head = "".join(f'<th scope="col">{esc(m(f"mapping.part.{p}"))}</th>' for p in FACTOR_PARTS)
    rows = []
    for fid, counts in r.factor_parts.items():
        factor = case.factor(fid)
        if factor is None:
            continue
        cells = "".join(f"<td>{counts[p]}{' ✓' if reference.get(fid) == p else ''}</td>" for p in FACTOR_PARTS)
        rows.append(f'<tr data-factor="{esc(fid)}"><th scope="row">{esc(factor.label.get(lang))}</th>{cells}'
                    f"<td>{counts['none']}</td></tr>")
    out.append(f'<table class="samsyn-table samsyn-mapping-reveal-factors"><caption>{esc(m("mapping.reveal_factors_caption", n=r.n))}</caption>'
               f'<thead><tr><th scope="col">{esc(m("mentor.factor"))}</th>{head}<th scope="col">{esc(m("mapping.not_placed"))}</th></tr></thead>'
               f'<tbody>{"".join(rows)}</tbody></table><p class="samsyn-case-meta">{esc(m("mapping.reference_mark_note"))}</p>')
    out.append(f"<p><strong>{esc(m('mapping.reveal_own_words'))}</strong></p>")
    out.append(_columns_html(m, {p: list(t) for p, t in r.own_words.items()}, "samsyn-mapping-group-words"))
    chart = scale_chart(r, variables, lang)
    if chart is not None:
        spec, desc = chart
        if svg_chart:
            from samsyn import charts

            out.append(f'<figure class="samsyn-chart samsyn-mapping-scale-chart" role="img" aria-label="{esc(desc)}">'
                       f'{charts.svg(spec)}<figcaption class="samsyn-case-meta">{esc(desc)}</figcaption></figure>')
        else:
            out.append(f'<p class="samsyn-case-meta samsyn-mapping-scale-counts">{esc(desc)}</p>')
        if r.key_scale is not None:
            out.append(f"<p>{esc(m('mapping.scale_key', scale=r.key_scale))}</p>")
    if r.statements:
        items = "".join(f'<tr class="samsyn-mapping-statement-row"><td>{esc(d)}</td><td>{esc(g)}</td></tr>' for d, g in r.statements)
        out.append(f'<table class="samsyn-table samsyn-mapping-statements-table"><caption>{esc(m("mapping.reveal_statements"))}</caption>'
                   f'<thead><tr><th scope="col">{esc(m("mapping.danger_statement"))}</th><th scope="col">{esc(m("mapping.safety_goal"))}</th>'
                   f"</tr></thead><tbody>{items}</tbody></table>")
    if case.mapping is not None:
        out.append(f'<p><strong>{esc(m("mapping.reference_heading"))}</strong></p>'
                   f'<p>{esc(m("mapping.danger_statement"))}: {esc(case.mapping.danger_statement.get(lang))}</p>'
                   f'<p>{esc(m("mapping.safety_goal"))}: {esc(case.mapping.safety_goal.get(lang))}</p>')
    out.append("</div>")
    return "".join(out)


def reveal_lines(r: MappingReveal, case: Case, lang: str) -> list[str]:
    """The same as plain text lines (the PDF record)."""
    m = Messages(lang)
    if not r.shown:
        return [m("mapping.reveal_hidden", n=r.n, min=r.min_group)]
    lines = [m("mapping.reveal_heading")]
    for fid, counts in r.factor_parts.items():
        factor = case.factor(fid)
        if factor is not None:
            lines.append(f"{factor.label.get(lang)}: " + ", ".join(
                f"{m(f'mapping.part.{p}')} {counts[p]}" for p in FACTOR_PARTS) + f", {m('mapping.not_placed')} {counts['none']}")
    for part, texts in r.own_words.items():
        lines.append(f"{m(f'mapping.part.{part}')}: " + " | ".join(texts))
    if r.scale_counts:
        lines.append(m("mapping.reveal_scale", n=sum(r.scale_counts.values())) + ": "
                     + " · ".join(f"{s}: {n}" for s, n in r.scale_counts.items()))
    for d, g in r.statements:
        lines.append(f"{m('mapping.danger_statement')}: {d} — {m('mapping.safety_goal')}: {g}")
    return lines
