"""The manager's views as language-ready sections, and their exports.

:func:`build_section` turns one view (consistency, bias, quality, exposures)
into a :class:`Section`: a title, an explanation, charts (Vega-Lite specs)
and tables whose hidden rows carry their reason instead of numbers. The page
renders a section as HTML with SVG charts; :func:`report_html` and
:func:`report_pdf` print every section; :func:`report_excel` writes one sheet
per table and the pseudonymous raw answers. All of them get their numbers
from the same sections, so an export can never show more than the page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from insight import charts, views
from insight.filters import Filters, apply_filters
from insight.privacy import check_group
from samsyn.i18n import Messages

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from cases import Library

SECTIONS = ("consistency", "bias", "quality", "exposures")
#: Formula-like text in spreadsheets is neutralised (as ``samsyn export`` does).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass
class Table:
    """``kinds``: ``text``, ``int``, ``dec`` (2 decimals), ``steps`` (signed), ``pct``, ``ci`` / ``ci_steps`` (pairs)."""

    caption: str
    columns: list[str]
    kinds: list[str]
    rows: list[list[Any]]
    css: str = ""


@dataclass
class Chart:
    spec: dict
    note: str = ""
    css: str = ""


@dataclass
class Section:
    key: str
    title: str
    intro: list[str] = field(default_factory=list)
    hidden: str | None = None  # the message when the whole view is hidden
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)  # shown above the charts
    notes: list[str] = field(default_factory=list)  # shown under the tables


@dataclass
class Context:
    """What every section needs: the prepared data, the filters, language and the minimum group."""

    data: "pd.DataFrame"
    filters: Filters
    library: "Library"
    lang: str
    min_group: int
    n_boot: int = 500
    seed: int = 0

    @property
    def m(self) -> Messages:
        return Messages(self.lang)

    @property
    def view(self) -> "pd.DataFrame":
        return apply_filters(self.data, self.filters)

    @property
    def reference(self) -> "pd.DataFrame":
        """The national comparison: the same filters without the team."""
        return apply_filters(self.data, Filters(**{**self.filters.active(), "team": None}))

    def case_name(self, case_id: str) -> str:
        case = self.library.get(case_id)
        return case.name if case else case_id

    def team_name(self, team: str) -> str:
        return team if team else self.m("manager.no_team")

    @property
    def levels(self) -> tuple[str, ...]:
        """The risk level ids, lowest first, from the library's variables."""
        return tuple(self.library.variables.risk_level_ids)

    def level_labels(self) -> list[str]:
        v = self.library.variables
        return [v.risk_label(lv, self.lang) for lv in v.risk_level_ids]


# -- formatting ------------------------------------------------------------------------
def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def fmt(value, kind: str, lang: str) -> str:
    from babel.numbers import format_decimal, format_percent

    if _missing(value):
        return "–"
    locale = "sv_SE" if lang == "sv" else "en_GB"
    if kind == "int":
        return format_decimal(int(value), locale=locale)
    if kind == "dec":
        return format_decimal(float(value), format="0.00", locale=locale)
    if kind == "steps":
        return format_decimal(float(value), format="+0.00;-0.00", locale=locale)
    if kind == "pct":
        return format_percent(float(value), locale=locale)
    if kind in ("ci", "ci_steps"):
        lo, hi = value
        if _missing(lo) or _missing(hi):
            return "–"
        f = "+0.00;-0.00" if kind == "ci_steps" else "0.00"
        return f"{format_decimal(lo, format=f, locale=locale)} … {format_decimal(hi, format=f, locale=locale)}"
    return str(value)


def hidden_text(m: Messages, reason: str, min_group: int) -> str:
    return m(reason, min=min_group)


def _note(row, m: Messages, min_group: int) -> str:
    return hidden_text(m, row["hidden_reason"], min_group) if row.get("hidden") else ""


def filter_summary(ctx: Context) -> str:
    m = ctx.m
    f = ctx.filters
    parts = [ctx.team_name(f.team) if f.team is not None else m("manager.all_teams"),
             ctx.case_name(f.case) if f.case is not None else m("manager.all_cases"),
             f.tertial if f.tertial is not None else m("manager.all_tertials"),
             m("manager.language_name_sv") if f.language == "sv" else m("manager.language_name_en")
             if f.language == "en" else m("manager.all_languages"),
             (f.experience or m("manager.not_stated")) if f.experience is not None else m("manager.all_experience")]
    return " · ".join(parts)


# -- the sections -----------------------------------------------------------------------
def build_section(key: str, ctx: Context) -> Section:
    return {"consistency": _consistency, "bias": _bias, "quality": _quality, "exposures": _exposures}[key](ctx)


def _consistency(ctx: Context) -> Section:
    m = ctx.m
    s = Section("consistency", m("manager.tab_consistency"), [m("manager.consistency_intro")])
    result = views.consistency(ctx.view, ctx.min_group, n_boot=ctx.n_boot, seed=ctx.seed, levels=ctx.levels)
    if result.hidden:
        s.hidden = hidden_text(m, result.hidden.reason, ctx.min_group)
        return s
    pt = result.per_tertial
    shown = pt[~pt["hidden"].astype(bool)]
    if len(shown) and shown["alpha"].isna().all():
        s.facts.append(m("manager.alpha_undefined"))
    else:
        s.charts.append(Chart(charts.alpha_over_time(pt, title=m("manager.alpha_chart"), y_title=m("manager.alpha_axis"),
                                                     description=m("manager.alpha_chart_description")),
                              css="samsyn-manager-chart-alpha"))
    s.charts.append(Chart(charts.within_one_step(pt, title=m("manager.within_chart"), key_label=m("manager.vs_key"),
                                                 panel_label=m("manager.vs_panel"), y_title=m("manager.share_axis"),
                                                 description=m("manager.within_chart_description"))))
    rows = []
    for r in pt.to_dict("records"):
        rows.append([r["tertial"], r["n"], r["people"], r["alpha"], (r["low"], r["high"]), r["not_known_share"],
                     r["within_key"], r["within_panel"], _note(r, m, ctx.min_group)])
    s.tables.append(Table(m("manager.per_tertial_caption"),
                          [m("manager.col_tertial"), m("manager.col_answers"), m("manager.col_people"),
                           m("manager.col_alpha"), m("manager.col_ci"), m("manager.col_alpha_not_known"),
                           m("manager.col_within_key"), m("manager.col_within_panel"), m("manager.col_note")],
                          ["text", "int", "int", "dec", "ci", "pct", "pct", "pct", "text"], rows,
                          "samsyn-manager-tertials"))
    rows = []
    for r in result.per_case.to_dict("records"):
        rows.append([ctx.case_name(r["case_id"]), r["n"], r["consensus"], r["within_key"], r["within_panel"],
                     r["not_known_share"], _note(r, m, ctx.min_group)])
    s.tables.append(Table(m("manager.per_case_caption"),
                          [m("manager.col_case"), m("manager.col_answers"), m("manager.col_consensus"),
                           m("manager.col_within_key"), m("manager.col_within_panel"), m("manager.col_not_known"),
                           m("manager.col_note")],
                          ["text", "int", "dec", "pct", "pct", "pct", "text"], rows, "samsyn-manager-cases"))
    return s


def _panel_shares(ctx: Context) -> dict[str, list[int]]:
    out = {}
    if ctx.library.panels:
        for p in ctx.library.panels.panels:
            out[p.case] = [p.risk.get(lv, 0) for lv in ctx.library.variables.risk_level_ids]
    return out


def _bias(ctx: Context) -> Section:
    m = ctx.m
    s = Section("bias", m("manager.tab_bias"), [m("manager.bias_intro", steps=fmt(views.UNDER_RATING_STEPS, "dec", ctx.lang))])
    result = views.bias(ctx.view, ctx.min_group, reference=ctx.reference, panels=_panel_shares(ctx), levels=ctx.levels)
    if result.hidden:
        s.hidden = hidden_text(m, result.hidden.reason, ctx.min_group)
        return s
    teams = result.teams.copy()
    teams["team"] = teams["team"].map(ctx.team_name)
    s.charts.append(Chart(charts.team_bias(teams, title=m("manager.bias_chart"), x_title=m("manager.steps_axis"),
                                           flagged_label=m("manager.flag_under"), other_label=m("manager.flag_none"),
                                           description=m("manager.bias_chart_description")),
                          css="samsyn-manager-chart-bias"))
    rows = []
    for r in teams.sort_values("team").to_dict("records"):
        flag = "" if r["hidden"] else (m("manager.flag_under") if r["under_rating"] else "")
        rows.append([r["team"], r["n"], r["people"], r["d_key"], (r["d_key_low"], r["d_key_high"]), r["d_panel"],
                     r["d_national"], (r["d_national_low"], r["d_national_high"]), flag, _note(r, m, ctx.min_group)])
    s.tables.append(Table(m("manager.teams_caption"),
                          [m("manager.col_team"), m("manager.col_answers"), m("manager.col_people"),
                           m("manager.col_vs_key"), m("manager.col_ci"), m("manager.col_vs_panel"),
                           m("manager.col_vs_all"), m("manager.col_ci"), m("manager.col_flag"), m("manager.col_note")],
                          ["text", "int", "int", "steps", "ci_steps", "steps", "steps", "ci_steps", "text", "text"], rows,
                          "samsyn-manager-teams"))
    cells = result.cells.copy()
    cells["team"] = cells["team"].map(ctx.team_name)
    if ctx.filters.case is not None:
        case_id = ctx.filters.case
        mine = cells[cells["case_id"] == case_id]
        panel = result.panel[result.panel["case_id"] == case_id].to_dict("records") if len(result.panel) else []
        case = ctx.library.get(case_id)
        key = ctx.library.variables.risk_label(case.key.risk, ctx.lang) if case and case.key else "–"
        s.facts.append(m("manager.key_is", case=ctx.case_name(case_id), level=key))
        s.charts.append(Chart(charts.distribution(mine, panel[0] if panel else None, level_labels=ctx.level_labels(),
                                                  title=m("manager.distribution_chart", case=ctx.case_name(case_id)),
                                                  panel_label=m("manager.panel_row"), x_title=m("manager.share_axis"),
                                                  description=m("manager.distribution_chart_description")),
                              css="samsyn-manager-chart-distribution"))
        rows = []
        for r in mine.sort_values("team").to_dict("records"):
            rows.append([r["team"], r["n"], *(r[f"share_{lv}"] for lv in range(len(ctx.levels))),
                         r["not_known_share"], r["d_key"], _note(r, m, ctx.min_group)])
        for p in panel:
            rows.insert(0, [m("manager.panel_row"), p["n"], *(p[f"share_{lv}"] for lv in range(len(ctx.levels))),
                            None, None, ""])
        s.tables.append(Table(m("manager.distribution_caption", case=ctx.case_name(case_id)),
                              [m("manager.col_team"), m("manager.col_answers"), *ctx.level_labels(),
                               m("manager.col_not_known"), m("manager.col_vs_key"), m("manager.col_note")],
                              ["text", "int", *["pct"] * len(ctx.levels), "pct", "steps", "text"], rows,
                              "samsyn-manager-distribution"))
    else:
        case_ids = sorted(cells["case_id"].unique(), key=ctx.case_name)
        wide = {}
        for r in cells.to_dict("records"):
            wide.setdefault(r["team"], {})[r["case_id"]] = "hidden" if r["hidden"] else r["d_key"]
        rows = []
        for team in sorted(wide):
            rows.append([team] + [wide[team].get(c) for c in case_ids])
        s.tables.append(Table(m("manager.cells_caption"), [m("manager.col_team")] + [ctx.case_name(c) for c in case_ids],
                              ["text"] + ["steps"] * len(case_ids), rows, "samsyn-manager-cells"))
        s.notes.append(m("manager.cells_hidden_note", min=ctx.min_group))
    s.charts.append(Chart(charts.drift_over_time(result.drift.assign(team=result.drift["team"].map(ctx.team_name)),
                                                 title=m("manager.drift_chart"), y_title=m("manager.steps_axis"),
                                                 description=m("manager.drift_chart_description"))))
    return s


def _quality(ctx: Context) -> Section:
    m = ctx.m
    s = Section("quality", m("manager.tab_quality"),
                [m("manager.quality_intro", consensus=fmt(views.AMBIGUOUS_CONSENSUS, "dec", ctx.lang),
                   share=fmt(views.AMBIGUOUS_NOT_KNOWN, "pct", ctx.lang))])
    result = views.vignette_quality(ctx.view, ctx.min_group, levels=ctx.levels)
    if result.hidden:
        s.hidden = hidden_text(m, result.hidden.reason, ctx.min_group)
        return s
    q = result.cases
    names = {c: ctx.case_name(c) for c in q["case_id"]}
    s.charts.append(Chart(charts.vignette_quality(q, names, title=m("manager.quality_chart"),
                                                  x_title=m("manager.col_consensus"), y_title=m("manager.col_not_known"),
                                                  flagged_label=m("manager.flag_ambiguous"),
                                                  other_label=m("manager.flag_none"),
                                                  consensus_cut=views.AMBIGUOUS_CONSENSUS,
                                                  not_known_cut=views.AMBIGUOUS_NOT_KNOWN,
                                                  description=m("manager.quality_chart_description")),
                          css="samsyn-manager-chart-quality"))
    rows = []
    for r in q.to_dict("records"):
        verdict = "" if r["hidden"] else (m("manager.flag_ambiguous") if r["ambiguous"] else
                                          m("manager.flag_low_agreement") if r["low_agreement"] else
                                          m("manager.flag_many_not_known") if r["many_not_known"] else "")
        rows.append([names[r["case_id"]], r["n"], r["consensus"], r["not_known_share"], verdict,
                     _note(r, m, ctx.min_group)])
    s.tables.append(Table(m("manager.quality_caption"),
                          [m("manager.col_case"), m("manager.col_answers"), m("manager.col_consensus"),
                           m("manager.col_not_known"), m("manager.col_flag"), m("manager.col_note")],
                          ["text", "int", "dec", "pct", "text", "text"], rows, "samsyn-manager-quality"))
    flagged = [names[c] for c in q.loc[q["ambiguous"], "case_id"]]
    s.facts.append(m("manager.ambiguous_list", cases=", ".join(flagged)) if flagged else m("manager.ambiguous_none"))
    return s


def _exposures(ctx: Context) -> Section:
    m = ctx.m
    s = Section("exposures", m("manager.tab_exposures"), [m("manager.exposures_intro", n=views.WEBBKOLLEN_N)])
    result = views.exposures_risk(ctx.view, ctx.min_group, levels=ctx.levels)
    if result.hidden:
        s.hidden = hidden_text(m, result.hidden.reason, ctx.min_group)
        return s
    if result.reason:
        s.facts.append(m(result.reason))
    else:
        rho, p_rho = result.spearman
        tau, p_tau = result.kendall
        s.facts.append(m("manager.spearman", rho=fmt(rho, "dec", ctx.lang), p=_p(p_rho, ctx.lang),
                         n=fmt(result.n, "int", ctx.lang)))
        s.facts.append(m("manager.kendall", tau=fmt(tau, "dec", ctx.lang), p=_p(p_tau, ctx.lang)))
    cap = f"{views.EXPOSURE_CAP}+"
    s.charts.append(Chart(charts.exposures_and_risk(result.rows, title=m("manager.exposures_chart"),
                                                    x_title=m("manager.col_exposures"), y_title=m("manager.level_axis"),
                                                    cap_label=cap, description=m("manager.exposures_chart_description")),
                          css="samsyn-manager-chart-exposures"))
    rows = []
    per_row = result.rows.set_index("n_exposures")
    for n_exp, counts in result.table.iterrows():
        label = cap if n_exp == views.EXPOSURE_CAP else str(n_exp)
        cells = ["small" if result.small.loc[n_exp, lv] else counts[lv] for lv in range(len(ctx.levels))]
        rows.append([label, *cells, per_row.loc[n_exp, "mean_level"]])
    s.tables.append(Table(m("manager.crosstable_caption"),
                          [m("manager.col_exposures"), *ctx.level_labels(), m("manager.col_mean_level")],
                          ["text", *["int"] * len(ctx.levels), "dec"], rows, "samsyn-manager-crosstable"))
    s.notes.append(m("manager.small_cells_note", min=ctx.min_group))
    return s


def _p(p: float, lang: str) -> str:
    if _missing(p):
        return "–"
    return "< 0,001" if p < 0.001 and lang == "sv" else "< 0.001" if p < 0.001 else fmt(p, "dec", lang)


# -- rendering -----------------------------------------------------------------------------
def render_value(value, kind: str, m: Messages, lang: str, min_group: int) -> str:
    if value == "hidden":
        return m("manager.hidden_cell")
    if value == "small":
        return m("manager.small_cell", min=min_group)
    return fmt(value, kind, lang)


def table_html(t: Table, m: Messages, lang: str, min_group: int) -> str:
    from widgets.common import esc

    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in t.columns)
    body = []
    for row in t.rows:
        cells = []
        for i, (v, kind) in enumerate(zip(row, t.kinds)):
            text = esc(render_value(v, kind, m, lang, min_group))
            cells.append(f'<th scope="row">{text}</th>' if i == 0 else
                         f'<td class="{"samsyn-num" if kind != "text" else ""}">{text}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f'<table class="samsyn-table samsyn-manager-table {esc(t.css)}"><caption>{esc(t.caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def section_html(s: Section, ctx: Context, *, heading: str = "h2") -> str:
    from widgets.common import esc

    m = ctx.m
    out = [f'<section class="samsyn-manager-section samsyn-manager-{esc(s.key)}"><{heading}>{esc(s.title)}</{heading}>']
    out += [f"<p>{esc(p)}</p>" for p in s.intro]
    if s.hidden:
        out.append(f'<p class="samsyn-notice samsyn-manager-hidden">{esc(s.hidden)}</p></section>')
        return "".join(out)
    out += [f'<p class="samsyn-manager-fact">{esc(f)}</p>' for f in s.facts]
    for c in s.charts:
        out.append(f'<figure class="samsyn-chart samsyn-manager-chart {esc(c.css)}" role="img">{charts.svg(c.spec, ctx.lang)}</figure>')
    for t in s.tables:
        out.append(f'<div class="samsyn-manager-table-wrap">{table_html(t, m, ctx.lang, ctx.min_group)}</div>')
    out += [f'<p class="samsyn-manager-note">{esc(n)}</p>' for n in s.notes]
    out.append("</section>")
    return "".join(out)


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def report_html(ctx: Context, sections: list[Section] | None = None) -> str:
    from widgets.common import esc

    m = ctx.m
    sections = sections or [build_section(k, ctx) for k in SECTIONS]
    style = ("body{font-family:system-ui,sans-serif;max-width:56rem;margin:2rem auto;line-height:1.45;color:#1d2327}"
             "table{border-collapse:collapse;margin:.6em 0}td,th{border-bottom:1px solid #ccc;padding:.2em .7em .2em 0;"
             "text-align:left;font-size:.9em}caption{text-align:left;font-weight:600;padding:.3em 0}"
             ".samsyn-num{text-align:right}.samsyn-notice{background:#fff6e0;padding:.4em}"
             "section{break-inside:avoid-page}svg{max-width:100%;height:auto}@media print{a{display:none}}")
    out = ["<!doctype html>", f'<html lang="{esc(ctx.lang)}"><head><meta charset="utf-8">',
           f"<title>{esc(m('manager.report_title'))}</title><style>{style}</style></head><body>",
           f"<h1>{esc(m('manager.report_title'))}</h1>",
           f"<p>{esc(m('manager.report_meta', date=_stamp(), min=ctx.min_group))}</p>",
           f"<p>{esc(m('manager.selection', filters=filter_summary(ctx)))}</p>",
           f"<p>{esc(m('manager.privacy_note', min=ctx.min_group))}</p>"]
    out += [section_html(s, ctx) for s in sections]
    out.append("</body></html>")
    return "".join(out)


def _font() -> str | None:
    from pathlib import Path

    for path in (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),):
        if path.exists():
            return str(path)
    return None


def report_pdf(ctx: Context, sections: list[Section] | None = None) -> bytes:
    """The same report as a PDF (fpdf2): text, tables and the charts as PNG."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    m = ctx.m
    sections = sections or [build_section(k, ctx) for k in SECTIONS]
    pdf = FPDF(format="A4", orientation="landscape")
    pdf.set_auto_page_break(True, margin=14)
    font = _font()
    family = "Helvetica"
    if font:
        pdf.add_font("Body", "", font)
        pdf.add_font("Body", "B", font.replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"))
        family = "Body"

    def clean(text: str) -> str:
        if font:
            return text
        text = text.replace("–", "-").replace("…", "...").replace("≥", ">=").replace("\u00a0", " ").replace("\u202f", " ")
        return text.encode("latin-1", "replace").decode("latin-1")

    def para(text: str, size: float = 10, gap: float = 2, style: str = "") -> None:
        pdf.set_font(family, style=style, size=size)
        pdf.multi_cell(0, size * 0.5, clean(text))
        pdf.ln(gap)

    pdf.add_page()
    para(m("manager.report_title"), 18, 3, "B")
    para(m("manager.report_meta", date=_stamp(), min=ctx.min_group))
    para(m("manager.selection", filters=filter_summary(ctx)))
    para(m("manager.privacy_note", min=ctx.min_group), 9, 3)
    for s in sections:
        pdf.add_page()
        para(s.title, 14, 2, "B")
        for p in s.intro:
            para(p, 9, 2)
        if s.hidden:
            para(s.hidden, 11, 3)
            continue
        for f in s.facts:
            para(f, 10, 1)
        for c in s.charts:
            png_bytes = charts.png(c.spec, lang=ctx.lang)
            from PIL import Image

            w, h = Image.open(io.BytesIO(png_bytes)).size
            width = min(180.0, w * 0.2)
            if pdf.get_y() + width * h / w > pdf.h - 16:
                pdf.add_page()
            pdf.image(io.BytesIO(png_bytes), w=width)
            pdf.ln(2)
        for t in s.tables:
            if pdf.get_y() > pdf.h - 50:  # keep a caption with its table
                pdf.add_page()
            para(t.caption, 10, 1, "B")
            pdf.set_font(family, size=7.5)
            with pdf.table(text_align="LEFT", line_height=4, headings_style=FontFace(emphasis="BOLD")) as table:
                table.row([clean(c) for c in t.columns])
                for row in t.rows:
                    table.row([clean(render_value(v, k, m, ctx.lang, ctx.min_group)) for v, k in zip(row, t.kinds)])
            pdf.ln(3)
        for n in s.notes:
            para(n, 8, 1)
    return bytes(pdf.output())


def raw_answers(ctx: Context, url: str) -> tuple["pd.DataFrame", int]:
    """Pseudonymous raw answers of the current selection, without small teams.

    Returns the rows and how many were withheld: answers of a team (or of the
    whole selection) with fewer than ``min_group`` answers or people are left
    out, so the raw sheet never shows a small group either.
    """
    from insight.data import load_export_rows

    view = ctx.view
    if check_group(len(view), ctx.min_group, int(view["participant_id"].nunique())):
        return load_export_rows(url, answer_ids=[]), len(view)
    sizes = view.groupby("team").agg(n=("answer_id", "size"), people=("participant_id", "nunique"))
    ok = sizes[(sizes["n"] >= ctx.min_group) & (sizes["people"] >= ctx.min_group)].index
    keep = view[view["team"].isin(ok)]
    rows = load_export_rows(url, answer_ids=keep["answer_id"])
    rows = rows.merge(keep[["answer_id", "tertial"]], on="answer_id", how="left")
    return rows, len(view) - len(keep)


def report_excel(ctx: Context, url: str | None = None, sections: list[Section] | None = None) -> bytes:
    """One sheet per table, an "about" sheet, and the pseudonymous raw answers."""
    from openpyxl import Workbook

    m = ctx.m
    sections = sections or [build_section(k, ctx) for k in SECTIONS]
    wb = Workbook(write_only=True)
    about = wb.create_sheet(m("manager.sheet_about")[:31])
    for line in (m("manager.report_title"), m("manager.report_meta", date=_stamp(), min=ctx.min_group),
                 m("manager.selection", filters=filter_summary(ctx)), m("manager.privacy_note", min=ctx.min_group)):
        about.append([_cell(line)])
    used: set[str] = set()
    for s in sections:
        if s.hidden:
            about.append([_cell(f"{s.title}: {s.hidden}")])
            continue
        for i, t in enumerate(s.tables, 1):
            name = f"{s.title[:26]} {i}".replace("/", "-").replace("&", "och" if ctx.lang == "sv" else "and")
            while name[:31] in used:
                name += "'"
            used.add(name[:31])
            ws = wb.create_sheet(name[:31])
            ws.append([_cell(t.caption)])
            ws.append([_cell(c) for c in t.columns])
            for row in t.rows:
                out = []
                for v, kind in zip(row, t.kinds):
                    if v in ("hidden", "small"):
                        out.append(render_value(v, kind, m, ctx.lang, ctx.min_group))
                    elif kind in ("ci", "ci_steps"):
                        out.append(fmt(v, kind, ctx.lang))
                    elif _missing(v):
                        out.append(None)
                    elif kind == "text":
                        out.append(_cell(str(v)))
                    else:
                        out.append(round(float(v), 4) if kind != "int" else int(v))
                ws.append(out)
            for f in [*s.facts, *s.notes]:
                ws.append([_cell(f)])
    if url is not None:
        rows, withheld = raw_answers(ctx, url)
        ws = wb.create_sheet(m("manager.sheet_raw")[:31])
        columns = ["participant", "team", "experience", "workshop", "case_id", "round", "risk", "language",
                   "tertial", "submitted_at", "exposures"]
        ws.append(columns)
        out = rows.reindex(columns=columns)
        out["submitted_at"] = out["submitted_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        for col in ("team", "experience", "workshop"):  # text people typed: neutralise formulas, column at once
            text = out[col].fillna("").astype(str)
            out[col] = text.where(~text.str.startswith(FORMULA_PREFIXES), "'" + text)
        out = out.astype(object).where(out.notna(), None)
        for rec in out.itertuples(index=False, name=None):
            ws.append(rec)
        about.append([_cell(m("manager.raw_note", n=len(rows), withheld=withheld, min=ctx.min_group))])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
