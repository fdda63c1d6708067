"""A case's reveal as HTML: one rendering for the mentor's page and the workshop record.

:func:`reveal_html` writes what the group answered on one case (a
:class:`feedback.workshop.CaseReveal`, already anonymised and hidden below the
minimum group): the reference assessment, the consensus, the reference panel,
the motivations by level, the goals and the group's mappings. The record
(``feedback.report``) draws the charts into the file (``svg_chart=True``); the
page draws them as chart widgets (``svg_chart=False``) and adds what only the
discussion needs — the levels' definitions, the workshop's alpha, the panel's
tables, the agreement per option and per factor (``discussion=True``), given to
it as ready HTML where a page's part renders it. Everything is escaped; numbers
are written as the language writes them.
"""

from __future__ import annotations

from cases import Case, Variables
from cases.variables import EXPOSURE, EXPOSURE_VARIABLES, FACTOR_DIMENSIONS, INTERVENTION, exposure_group
from feedback.mapping import MappingReveal
from feedback.mapping_report import reveal_html as mapping_reveal_html
from feedback.workshop import CaseReveal
from samsyn import charts
from samsyn.escape import esc
from samsyn.i18n import Messages
from samsyn.numbers import dec, num, pct


def risk_pairs(reveal: CaseReveal, variables: Variables, lang: str) -> list[tuple[str, int]]:
    """(label, count) of every risk answer, "inte känt" included, in the variables' order."""
    counts = dict(reveal.risk_counts)
    counts[variables.risk.not_assessable.id] = reveal.not_known
    return [(variables.risk_label(r, lang), int(counts.get(r, 0))) for r in variables.risk_answer_ids]


def _distribution(pairs: list[tuple[str, int]], title: str, lang: str) -> tuple[dict, str]:
    m = Messages(lang)
    description = m("mentor.chart_description", title=title, counts="; ".join(f"{a}: {b}" for a, b in pairs))
    spec = charts.distribution(pairs, None, title=title, description=description,
                               count_title=m("feedback.count_axis"), level_title=m("chart.level"))
    return spec, description


def group_chart(reveal: CaseReveal, variables: Variables, lang: str) -> tuple[dict, str]:
    """The group's risk answers as a chart spec and its text alternative (with the counts)."""
    return _distribution(risk_pairs(reveal, variables, lang), Messages(lang)("report.group_chart", n=reveal.n), lang)


def panel_chart(reveal: CaseReveal, variables: Variables, lang: str) -> tuple[dict, str] | None:
    """The reference panel's risk answers as a chart spec and its text alternative, or None without a panel."""
    panel = reveal.panel
    if panel is None:
        return None
    pairs = [(variables.risk_label(rid, lang), panel.risk.get(rid, 0)) for rid in variables.risk_answer_ids]
    return _distribution(pairs, Messages(lang)("feedback.panel_chart", n=num(panel.n, lang), year=panel.year), lang)


def weight_cell(row: dict, dim: str, lang: str = "sv") -> str:
    """"median (consensus)" of one weighting dimension, or empty; numbers as ``lang`` writes them."""
    median, cns = row.get(f"{dim}_median"), row.get(f"{dim}_consensus")
    if median is None:
        return ""
    return num(median, lang) + (f" ({dec(cns, lang)})" if cns is not None else "")


def _option_tables(r: CaseReveal, variables: Variables, lang: str) -> str:
    m = Messages(lang)
    out = [f"<h3>{esc(m('mentor.option_agreement'))}</h3>"]
    for variable in (*EXPOSURE_VARIABLES, INTERVENTION):
        shares = r.option_shares.get(variable, {})
        if not shares:
            continue
        group = exposure_group(variable)
        label = variables.group(EXPOSURE, group).label.get(lang) if group is not None else variables.intervention.label.get(lang)
        rows = "".join(f"<tr><td>{esc(variables.option_label(variable, o, lang))}</td><td>{esc(pct(s, lang))}</td></tr>"
                       for o, s in sorted(shares.items(), key=lambda kv: -kv[1]))
        out.append(f'<table class="samsyn-table samsyn-option-table"><caption>{esc(label)}</caption><tbody>{rows}</tbody></table>')
    return "".join(out)


def _factor_table(r: CaseReveal, case: Case, lang: str) -> str:
    m = Messages(lang)
    out = [f"<h3>{esc(m('feedback.factors_heading'))}</h3>"]
    if r.factor_pattern and r.factor_pattern != "undefined":
        out.append(f'<p class="samsyn-factor-pattern" data-pattern="{esc(r.factor_pattern)}">'
                   f'{esc(m(f"feedback.verdict.{r.factor_pattern}"))}</p>')
    rows = []
    for row in r.factor_rows:
        factor = case.factor(row["factor"])
        if factor is None:
            continue
        cells = "".join(f"<td>{esc(weight_cell(row, d, lang))}</td>" for d in FACTOR_DIMENSIONS[row["kind"]])
        rows.append(f"<tr><td>{esc(factor.label.get(lang))}</td><td>{esc(pct(row['share_named'], lang))}</td>{cells}</tr>")
    if rows:
        out.append(f'<table class="samsyn-table samsyn-factor-table"><thead><tr><th scope="col">{esc(m("mentor.factor"))}</th>'
                   f'<th scope="col">{esc(m("mentor.named_by"))}</th><th scope="col">{esc(m("mentor.weight_1"))}</th>'
                   f'<th scope="col">{esc(m("mentor.weight_2"))}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
                   f'<p class="samsyn-case-meta">{esc(m("mentor.factor_table_note"))}</p>')
    return "".join(out)


def reveal_html(r: CaseReveal, case: Case | None, variables: Variables, lang: str, *,
                mapping: MappingReveal | None = None, svg_chart: bool = True, discussion: bool = False,
                alpha: str | None = None, anchors: str = "", panel_tables: str | None = None) -> str:
    """One case's reveal (without its title).

    ``svg_chart``: the group's chart (and the mapping's scaling chart) as SVG in the HTML; a page
    draws them with :func:`group_chart`, :func:`panel_chart` and ``mapping_report.scale_chart`` instead.
    ``discussion``: the agreement per option and per factor. ``alpha``: the workshop's alpha as a
    sentence (``report.alpha_text``). ``anchors``: the levels' definitions (HTML, a page's part).
    ``panel_tables``: the panel's tables (HTML) in place of the one-sentence summary.
    A case answered by fewer than the minimum group shows only the count.
    """
    m = Messages(lang)
    if not r.shown:
        return f'<p class="samsyn-notice samsyn-too-few">{esc(m("report.hidden", n=r.n, min=r.min_group))}</p>'
    out: list[str] = []
    if svg_chart:  # the chart's text alternative carries its counts (the spec's description)
        spec, alt = group_chart(r, variables, lang)
        out.append(f'<figure class="samsyn-chart" role="img" aria-label="{esc(alt)}">{charts.svg(spec, lang)}</figure>')
    if r.key_risk:
        out.append(f'<p class="samsyn-key"><strong>{esc(m("feedback.key", rating=variables.risk_label(r.key_risk, lang)))}</strong></p>')
    out.append(anchors)
    if r.consensus is not None:
        out.append(f'<p class="samsyn-consensus">{esc(m("feedback.consensus", value=dec(r.consensus, lang)))}</p>')
    if alpha is not None:
        out.append(f'<p class="samsyn-alpha">{esc(alpha)}</p>')
    if discussion:
        out.append(_option_tables(r, variables, lang))
    if r.panel is not None:
        if panel_tables is not None:
            if r.panel_shares:
                out.append(f'<div class="samsyn-reveal-panel">{panel_tables}</div>')
        else:
            counts = ", ".join(f"{variables.risk_label(rid, lang)}: {n}" for rid, n in r.panel.risk.items())
            out.append(f'<p class="samsyn-panel-summary">{esc(m("report.panel", n=num(r.panel.n, lang), year=r.panel.year, counts=counts))}</p>')
    if discussion and case is not None:
        out.append(_factor_table(r, case, lang))
    out.append(f"<h3>{esc(m('mentor.motivations'))}</h3>")
    for rid in variables.risk_answer_ids:
        texts = r.motivations.get(rid)
        if texts:
            items = "".join(f'<li class="samsyn-motivation-item">{esc(t)}</li>' for t in texts)
            out.append(f'<div class="samsyn-motivation-group" data-risk="{esc(rid)}"><p><strong>'
                       f'{esc(variables.risk_label(rid, lang))}</strong></p><ul>{items}</ul></div>')
    if r.goals:
        items = "".join(f'<li class="samsyn-group-goal"><p>{esc(g.get("goal", ""))}</p><p class="samsyn-case-meta">'
                        f'{esc(m("form.baseline"))}: {esc(g.get("baseline", "") or "–")}</p></li>' for g in r.goals)
        out.append(f"<h3>{esc(m('feedback.group_goals'))}</h3><ul>{items}</ul>")
    if mapping is not None and case is not None:
        out.append(mapping_reveal_html(mapping, case, variables, lang, svg_chart=svg_chart))
    return "".join(out)
