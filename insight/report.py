"""The manager's views as language-ready sections, and their exports.

:func:`build_section` turns one view (consistency, bias, quality, exposures)
into a :class:`Section`: a title, an explanation, charts (Vega-Lite specs)
and tables whose hidden rows carry their reason instead of numbers. The page
draws a section's charts in the browser (:mod:`samsyn.charts`); :func:`report_html` and
:func:`report_pdf` print every section with the same charts as SVG / PNG; :func:`report_excel` writes one sheet
per table and the pseudonymous raw answers. All of them get their numbers
from the same sections, so an export can never show more than the page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable

from insight import views
from samsyn import charts
from insight.filters import Filters, apply_filters
from insight.privacy import check_group
from samsyn.documents import PdfDocument
from samsyn.escape import FORMULA_PREFIXES, esc, spreadsheet_cell
from samsyn.i18n import Messages
from store.exports import MANAGER_AGGREGATE

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from cases import Library

SECTIONS = ("consistency", "bias", "quality", "exposures", "scaling")


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
    """``numbers``: the table next to the chart that has every number it draws (its text alternative)."""

    spec: dict
    note: str = ""
    css: str = ""
    numbers: Table | None = None


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
    #: The safety scale values that fit each risk level (``feedback/mapping.yaml``; the page passes them:
    #: insight does not import feedback). None: the share within the range is not shown.
    scale_ranges: dict | None = None

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


# -- chart data: only rows that passed the privacy helper; teams in name order, never ranked -----------
def _visible(df: "pd.DataFrame") -> "pd.DataFrame":
    return df[~df["hidden"].astype(bool)] if "hidden" in df else df


def _records(df: "pd.DataFrame", cols: list[str]) -> list[dict]:
    return [dict(zip(cols, row)) for row in df[cols].itertuples(index=False)]


def _steps_domain(*values) -> tuple[float, float]:
    """A fixed-step axis that holds every value: at least −1 … +1, whole steps."""
    import math

    flat = [float(v) for v in values if not _missing(v)]
    return float(math.floor(min([-1.0, *flat]))), float(math.ceil(max([1.0, *flat])))


def _tooltips(m: Messages) -> dict[str, str]:
    return {"tertial_title": m("chart.tertial"), "low_title": m("chart.low"), "high_title": m("chart.high"),
            "n_title": m("chart.answers"), "team_title": m("chart.team"), "group_title": m("chart.group"),
            "case_title": m("chart.case"), "level_title": m("chart.level"), "reference_title": m("chart.reference")}


def _pick(values: dict[str, str], *names: str) -> dict[str, str]:
    return {k: values[k] for k in names}


def _alpha_chart(pt: "pd.DataFrame", m: Messages) -> dict:
    rows = _records(_visible(pt).dropna(subset=["alpha"]), ["tertial", "alpha", "low", "high", "n"])
    return charts.spec("alpha", rows, title=m("manager.alpha_chart"), y_title=m("manager.alpha_axis"),
                       description=m("manager.alpha_chart_description"),
                       **_pick(_tooltips(m), "tertial_title", "low_title", "high_title", "n_title"))


def _within_chart(pt: "pd.DataFrame", m: Messages) -> dict:
    rows = []
    for r in _records(_visible(pt), ["tertial", "within_key", "within_panel"]):
        for field_, label in (("within_key", m("manager.vs_key")), ("within_panel", m("manager.vs_panel"))):
            if not _missing(r[field_]):
                rows.append({"tertial": r["tertial"], "share": r[field_], "reference": label})
    return charts.spec("within", rows, title=m("manager.within_chart"), y_title=m("manager.share_axis"),
                       description=m("manager.within_chart_description"),
                       **_pick(_tooltips(m), "tertial_title", "reference_title"))


def _team_bias_chart(teams: "pd.DataFrame", m: Messages) -> dict:
    vis = _visible(teams).dropna(subset=["d_key"]).sort_values("team")
    rows = _records(vis, ["team", "d_key", "d_key_low", "d_key_high", "under_rating"])
    flagged, other = m("manager.flag_under"), m("manager.flag_none")
    for i, r in enumerate(rows):
        r["order"] = i
        r["flag"] = flagged if r.pop("under_rating") else other
    lo, hi = _steps_domain(*(r[k] for r in rows for k in ("d_key", "d_key_low", "d_key_high")))
    return charts.spec("team_bias", rows, title=m("manager.bias_chart"), x_title=m("manager.steps_axis"),
                       flagged=flagged, other=other, lo=lo, hi=hi, description=m("manager.bias_chart_description"),
                       **_pick(_tooltips(m), "team_title", "low_title", "high_title"))


def _team_shares_chart(cells: "pd.DataFrame", panel: dict | None, ctx: "Context", case_id: str) -> dict:
    m = ctx.m
    levels = ctx.level_labels()
    rows, groups = [], []
    if panel:
        groups.append((m("manager.panel_row"), [panel[f"share_{lv}"] for lv in range(len(levels))]))
    for r in _records(_visible(cells).sort_values("team"), ["team"] + [f"share_{lv}" for lv in range(len(levels))]):
        groups.append((r["team"], [r[f"share_{lv}"] for lv in range(len(levels))]))
    for g, (group, shares) in enumerate(groups):
        for lv, (label, share) in enumerate(zip(levels, shares)):
            rows.append({"group": group, "group_order": g, "level": label, "order": lv,
                         "share": 0.0 if _missing(share) else share})
    return charts.spec("team_shares", rows, title=m("manager.distribution_chart", case=ctx.case_name(case_id)),
                       x_title=m("manager.share_axis"), levels=levels,
                       description=m("manager.distribution_chart_description"),
                       **_pick(_tooltips(m), "group_title", "level_title"))


def _drift_chart(drift: "pd.DataFrame", m: Messages) -> dict:
    rows = _records(_visible(drift).dropna(subset=["d_key"]), ["team", "tertial", "d_key"])
    lo, hi = _steps_domain(*(r["d_key"] for r in rows))
    return charts.spec("drift", rows, title=m("manager.drift_chart"), y_title=m("manager.steps_axis"), lo=lo, hi=hi,
                       description=m("manager.drift_chart_description"),
                       **_pick(_tooltips(m), "team_title", "tertial_title"))


def _quality_chart(q: "pd.DataFrame", names: dict[str, str], m: Messages) -> dict:
    rows = _records(_visible(q).dropna(subset=["consensus"]), ["case_id", "consensus", "not_known_share", "ambiguous"])
    flagged, other = m("manager.flag_ambiguous"), m("manager.flag_none")
    for r in rows:
        r["name"] = names.get(r["case_id"], r["case_id"])
        r["flag"] = flagged if r.pop("ambiguous") else other
    return charts.spec("quality", rows, title=m("manager.quality_chart"), x_title=m("manager.col_consensus"),
                       y_title=m("manager.col_not_known"), flagged=flagged, other=other,
                       consensus_cut=views.AMBIGUOUS_CONSENSUS, not_known_cut=views.AMBIGUOUS_NOT_KNOWN,
                       description=m("manager.quality_chart_description"), **_pick(_tooltips(m), "case_title"))


def _exposures_chart(rows_df: "pd.DataFrame", cap: str, m: Messages) -> dict:
    rows = _records(_visible(rows_df).dropna(subset=["mean_level"]), ["n_exposures", "mean_level", "n"])
    top = int(rows_df["n_exposures"].max()) if len(rows_df) else 0
    for r in rows:
        r["order"] = int(r["n_exposures"])
        r["label"] = cap if r["n_exposures"] == top else str(r["n_exposures"])
    return charts.spec("exposures", rows, title=m("manager.exposures_chart"), x_title=m("manager.col_exposures"),
                       y_title=m("manager.level_axis"), description=m("manager.exposures_chart_description"),
                       **_pick(_tooltips(m), "n_title"))


# -- the sections -----------------------------------------------------------------------
def build_section(key: str, ctx: Context) -> Section:
    return {"consistency": _consistency, "bias": _bias, "quality": _quality, "exposures": _exposures,
            "scaling": _scaling}[key](ctx)


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
        s.charts.append(Chart(_alpha_chart(pt, m), css="samsyn-manager-chart-alpha"))
    s.charts.append(Chart(_within_chart(pt, m), css="samsyn-manager-chart-within"))
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
    for c in s.charts:  # alpha with its interval and the shares within one step: per tertial
        c.numbers = s.tables[0]
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
    s.charts.append(Chart(_team_bias_chart(teams, m), css="samsyn-manager-chart-bias"))
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
    s.charts[-1].numbers = s.tables[-1]
    cells = result.cells.copy()
    cells["team"] = cells["team"].map(ctx.team_name)
    if ctx.filters.case is not None:
        case_id = ctx.filters.case
        mine = cells[cells["case_id"] == case_id]
        panel = result.panel[result.panel["case_id"] == case_id].to_dict("records") if len(result.panel) else []
        case = ctx.library.get(case_id)
        key = ctx.library.variables.risk_label(case.key.risk, ctx.lang) if case and case.key else "–"
        s.facts.append(m("manager.key_is", case=ctx.case_name(case_id), level=key))
        s.charts.append(Chart(_team_shares_chart(mine, panel[0] if panel else None, ctx, case_id),
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
        s.charts[-1].numbers = s.tables[-1]
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
    drift = result.drift.assign(team=result.drift["team"].map(ctx.team_name))
    s.charts.append(Chart(_drift_chart(drift, m), css="samsyn-manager-chart-drift", numbers=_drift_table(drift, m)))
    s.tables.append(s.charts[-1].numbers)
    return s


def _drift_table(drift: "pd.DataFrame", m: Messages) -> Table:
    """The drift chart's numbers: each team's distance from the key per tertial (hidden cells say so)."""
    tertials = sorted(drift["tertial"].unique()) if len(drift) else []
    wide: dict[str, dict[str, Any]] = {}
    for r in drift.to_dict("records"):
        wide.setdefault(r["team"], {})[r["tertial"]] = "hidden" if r.get("hidden") else r["d_key"]
    rows = [[team] + [wide[team].get(t) for t in tertials] for team in sorted(wide)]
    return Table(m("manager.drift_caption"), [m("manager.col_team"), *tertials], ["text"] + ["steps"] * len(tertials),
                 rows, "samsyn-manager-drift")


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
    s.charts.append(Chart(_quality_chart(q, names, m), css="samsyn-manager-chart-quality"))
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
    s.charts[-1].numbers = s.tables[-1]
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
    s.charts.append(Chart(_exposures_chart(result.rows, cap, m), css="samsyn-manager-chart-exposures"))
    rows = []
    per_row = result.rows.set_index("n_exposures")
    for n_exp, counts in result.table.iterrows():
        label = cap if n_exp == views.EXPOSURE_CAP else str(n_exp)
        cells = ["small" if result.small.loc[n_exp, lv] else counts[lv] for lv in range(len(ctx.levels))]
        rows.append([label, *cells, per_row.loc[n_exp, "mean_level"]])
    s.tables.append(Table(m("manager.crosstable_caption"),
                          [m("manager.col_exposures"), *ctx.level_labels(), m("manager.col_mean_level")],
                          ["text", *["int"] * len(ctx.levels), "dec"], rows, "samsyn-manager-crosstable"))
    s.charts[-1].numbers = s.tables[-1]
    s.notes.append(m("manager.small_cells_note", min=ctx.min_group))
    return s


def _scaling(ctx: Context) -> Section:
    """Scaling against risk (issue 16): rho, the share in the expected range, the cross-table, team × tertial."""
    m = ctx.m
    ranges = ctx.scale_ranges or {}
    s = Section("scaling", m("manager.tab_scaling"), [m("manager.scaling_intro")])
    result = views.scaling_risk(ctx.view, ctx.min_group, levels=ctx.levels, scale_ranges=ranges)
    if result.hidden:
        s.hidden = hidden_text(m, result.hidden.reason, ctx.min_group)
        return s
    if result.reason:
        s.facts.append(m(result.reason))
    else:
        rho, p_rho = result.spearman
        s.facts.append(m("manager.scaling_spearman", rho=fmt(rho, "dec", ctx.lang), p=_p(p_rho, ctx.lang),
                         n=fmt(result.n, "int", ctx.lang)))
    v = ctx.library.variables
    expected = "; ".join(f"{v.risk_label(r, ctx.lang)} {lo}–{hi}" for r, (lo, hi) in ranges.items())
    if ranges:
        s.facts.append(m("manager.scaling_fit", share=fmt(result.fit_share, "pct", ctx.lang), ranges=expected))
    rows = []
    for value, counts in result.table.iterrows():
        rows.append([str(value), *["small" if result.small.loc[value, lv] else counts[lv] for lv in range(len(ctx.levels))]])
    s.tables.append(Table(m("manager.scaling_crosstable_caption"), [m("manager.col_scale"), *ctx.level_labels()],
                          ["text", *["int"] * len(ctx.levels)], rows, "samsyn-manager-scaling-crosstable"))
    group_rows = []
    for rec in result.groups.to_dict("records"):
        hide = "hidden" if rec["hidden"] else None
        group_rows.append([ctx.team_name(rec["team"]), rec["tertial"], hide or rec["n"], hide or rec["people"],
                           hide or rec["rho"], hide or rec["fit_share"], _note(rec, m, ctx.min_group)])
    s.tables.append(Table(m("manager.scaling_groups_caption"),
                          [m("manager.col_team"), m("manager.col_tertial"), m("manager.col_answers"),
                           m("manager.col_people"), m("manager.col_rho"), m("manager.col_fit"), m("manager.col_note")],
                          ["text", "text", "int", "int", "dec", "pct", "text"], group_rows, "samsyn-manager-scaling-groups"))
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


def chart_alt(c: Chart, m: Messages) -> str:
    """A chart's text alternative: its title, what it shows, and the table with its numbers."""
    title = c.spec.get("title", "")
    title = title.get("text", "") if isinstance(title, dict) else title
    parts = [f"{title}." if title else "", c.spec.get("description", "")]
    if c.numbers is not None:
        parts.append(m("manager.chart_numbers", table=c.numbers.caption))
    return " ".join(p for p in parts if p)


def table_id(t: Table) -> str:
    """The id of a table's box on the page (a chart's aria-details points at it)."""
    import re

    return "samsyn-numbers-" + (t.css.removeprefix("samsyn-manager-") or re.sub(r"\W+", "-", t.caption).strip("-").lower())


def table_wrap(t: Table, m: Messages, lang: str, min_group: int) -> str:
    """A table in a box that scrolls sideways when narrow: a named region in the Tab order, so a
    keyboard can scroll it (WCAG 2.1.1)."""
    return (f'<div class="samsyn-manager-table-wrap" id="{esc(table_id(t))}" role="region" tabindex="0" '
            f'aria-label="{esc(t.caption)}">'
            f"{table_html(t, m, lang, min_group)}</div>")


def section_parts(s: Section, ctx: Context, *, heading: str = "h2") -> tuple[str, list[Chart], str]:
    """A section as the HTML above its charts, the charts, and the HTML under them (tables, notes).

    Empty charts list when the section is hidden. The page puts the charts between the two as
    widgets the browser draws; a file (:func:`section_html`) puts SVG there."""
    m = ctx.m
    head = [f'<{heading}>{esc(s.title)}</{heading}>']
    head += [f"<p>{esc(p)}</p>" for p in s.intro]
    if s.hidden:
        head.append(f'<p class="samsyn-notice samsyn-manager-hidden">{esc(s.hidden)}</p>')
        return "".join(head), [], ""
    head += [f'<p class="samsyn-manager-fact">{esc(f)}</p>' for f in s.facts]
    tail = [table_wrap(t, m, ctx.lang, ctx.min_group) for t in s.tables]
    tail += [f'<p class="samsyn-manager-note">{esc(n)}</p>' for n in s.notes]
    return "".join(head), list(s.charts), "".join(tail)


def chart_figure(c: Chart, m: Messages, lang: str | None = None) -> str:
    """A chart for a file: SVG, named by its text alternative, pointing at its numbers table."""
    details = f' aria-details="{esc(table_id(c.numbers))}"' if c.numbers is not None else ""
    return (f'<figure class="samsyn-chart samsyn-manager-chart {esc(c.css)}" role="img" '
            f'aria-label="{esc(chart_alt(c, m))}"{details}>{charts.svg(c.spec, lang)}</figure>')


def section_html(s: Section, ctx: Context, *, heading: str = "h2") -> str:
    """A section for a file: its charts as SVG (vl-convert)."""
    head, figures, tail = section_parts(s, ctx, heading=heading)
    svgs = "".join(chart_figure(c, ctx.m, ctx.lang) for c in figures)
    return f'<section class="samsyn-manager-section samsyn-manager-{esc(s.key)}">{head}{svgs}{tail}</section>'


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def report_html(ctx: Context, sections: list[Section] | None = None,
                progress: Callable[[float, str], None] | None = None) -> str:
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
    for i, s in enumerate(sections):
        if progress is not None:
            progress(i / len(sections), m("manager.progress_chart", n=i + 1, total=len(sections)))
        out.append(section_html(s, ctx))
    out.append("</body></html>")
    return "".join(out)


def report_pdf(ctx: Context, sections: list[Section] | None = None,
               progress: Callable[[float, str], None] | None = None) -> bytes:
    """The same report as a PDF (fpdf2): text, tables and the charts as PNG."""
    from fpdf.fonts import FontFace

    m = ctx.m
    sections = sections or [build_section(k, ctx) for k in SECTIONS]
    n_charts, drawn = sum(len(s.charts) for s in sections if not s.hidden), 0
    doc = PdfDocument(landscape=True, margin=14, title=m("manager.report_title"))
    pdf, clean = doc.pdf, doc.clean

    def para(text: str, size: float = 10, gap: float = 2, style: str = "") -> None:
        doc.para(text, size, gap, bold=style == "B")

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
            drawn += 1
            if progress is not None:
                progress(drawn / max(1, n_charts), m("manager.progress_chart", n=drawn, total=n_charts))
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
            doc.font(7.5)
            with pdf.table(text_align="LEFT", line_height=4, headings_style=FontFace(emphasis="BOLD")) as table:
                table.row([clean(c) for c in t.columns])
                for row in t.rows:
                    table.row([clean(render_value(v, k, m, ctx.lang, ctx.min_group)) for v, k in zip(row, t.kinds)])
            pdf.ln(3)
        for n in s.notes:
            para(n, 8, 1)
    return doc.output()


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


def build_sections(ctx: Context, progress: Callable[[float, str], None] | None = None) -> list[Section]:
    """Every section, telling ``progress`` which one is being computed."""
    m = ctx.m
    names = {"consistency": m("manager.tab_consistency"), "bias": m("manager.tab_bias"),
             "quality": m("manager.tab_quality"), "exposures": m("manager.tab_exposures"),
             "scaling": m("manager.tab_scaling")}
    out = []
    for i, key in enumerate(SECTIONS):
        if progress is not None:
            progress(i / len(SECTIONS), m("manager.progress_section", section=names[key]))
        out.append(build_section(key, ctx))
    return out


class _Sheet:
    """A worksheet written row by row (XlsxWriter keeps every sheet open, so rows can go to any of them)."""

    def __init__(self, workbook, name: str):
        self.ws, self.row = workbook.add_worksheet(name), 0

    def append(self, values) -> None:
        self.ws.write_row(self.row, 0, values)
        self.row += 1


def report_excel(ctx: Context, url: str | None = None, sections: list[Section] | None = None,
                 progress: Callable[[float, str], None] | None = None) -> bytes:
    """One sheet per table, an "about" sheet, and the pseudonymous raw answers.

    Written with XlsxWriter (1.7–2.3× faster than openpyxl on 100,000 raw rows: benchmarks/manager.py),
    strings never turned into formulas or links. ``progress(fraction, text)`` is told how far it is."""
    import xlsxwriter

    m = ctx.m

    def tick(fraction: float, text: str) -> None:
        if progress is not None:
            progress(fraction, text)

    if sections is None:
        sections = build_sections(ctx, lambda f, text: tick(0.3 * f, text))
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False})
    about = _Sheet(wb, m("manager.sheet_about")[:31])
    for line in (m("manager.report_title"), m("manager.report_meta", date=_stamp(), min=ctx.min_group),
                 m("manager.selection", filters=filter_summary(ctx)), m("manager.privacy_note", min=ctx.min_group)):
        about.append([spreadsheet_cell(line)])
    used: set[str] = set()
    for s in sections:
        if s.hidden:
            about.append([spreadsheet_cell(f"{s.title}: {s.hidden}")])
            continue
        for i, t in enumerate(s.tables, 1):
            name = f"{s.title[:26]} {i}".replace("/", "-").replace("&", "och" if ctx.lang == "sv" else "and")
            while name[:31] in used:
                name += "'"
            used.add(name[:31])
            ws = _Sheet(wb, name[:31])
            ws.append([spreadsheet_cell(t.caption)])
            ws.append([spreadsheet_cell(c) for c in t.columns])
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
                        out.append(spreadsheet_cell(str(v)))
                    else:
                        out.append(round(float(v), 4) if kind != "int" else int(v))
                ws.append(out)
            for f in [*s.facts, *s.notes]:
                ws.append([spreadsheet_cell(f)])
    if url is not None:
        tick(0.3, m("manager.progress_reading"))
        rows, withheld = raw_answers(ctx, url)
        ws = _Sheet(wb, m("manager.sheet_raw")[:31])
        columns = list(MANAGER_AGGREGATE.columns)
        ws.append(columns)
        out = MANAGER_AGGREGATE.frame(rows)
        out["submitted_at"] = out["submitted_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        for col in ("team", "experience", "workshop"):  # text people typed: neutralise formulas, column at once
            text = out[col].fillna("").astype(str)
            out[col] = text.where(~text.str.startswith(FORMULA_PREFIXES), "'" + text)
        out = out.astype(object).where(out.notna(), None)
        total = len(out)
        step = max(1, total // 20)
        for i, rec in enumerate(out.itertuples(index=False, name=None)):
            if i % step == 0:
                tick(0.4 + 0.5 * i / max(1, total), m("manager.progress_rows", done=_thousands(i, ctx.lang),
                                                         total=_thousands(total, ctx.lang)))
            ws.append(rec)
        about.append([spreadsheet_cell(m("manager.raw_note", n=len(rows), withheld=withheld, min=ctx.min_group))])
    tick(0.9, m("manager.progress_saving"))
    wb.close()
    tick(1.0, m("manager.progress_done"))
    return buf.getvalue()


def _thousands(n: int, lang: str) -> str:
    return fmt(n, "int", lang)
