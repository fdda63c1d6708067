"""The manager's charts as Vega-Lite specs (Altair), rendered by vl-convert.

A spec is rendered to SVG for the page and the printable HTML report, and to
PNG for the PDF. Only rows that passed the privacy helper are drawn: hidden
groups are left out (the page says so under the chart). Teams are drawn in
name order, never ranked. Altair and vl-convert are imported inside the
functions so pages that never draw a chart never load them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

BLUE, ORANGE, GREY, RED = "#0b5394", "#d9822b", "#8a949c", "#b03a2e"
LEVEL_COLOURS = ["#c6dbef", "#6baed6", "#2171b5", "#08306b"]


def _visible(df: "pd.DataFrame") -> "pd.DataFrame":
    return df[~df["hidden"].astype(bool)] if "hidden" in df else df


def _records(df: "pd.DataFrame", cols: list[str]) -> list[dict]:
    import numpy as np

    out = []
    for row in df[cols].itertuples(index=False):
        rec = {}
        for c, v in zip(cols, row):
            if isinstance(v, (float, np.floating)) and np.isnan(v):
                v = None
            elif isinstance(v, np.generic):
                v = v.item()
            rec[c] = v
        out.append(rec)
    return out


def _steps_domain(*values) -> list[float]:
    """A fixed-step axis that holds every value: at least −1 … +1, whole steps."""
    import math

    flat = [v for v in values if v is not None]
    lo = min([-1.0, *flat])
    hi = max([1.0, *flat])
    return [float(math.floor(lo)), float(math.ceil(hi))]


def svg(spec: dict, lang: str | None = None) -> str:
    from samsyn import chart_text  # labels never clipped; axis numbers as ``lang`` writes them

    return chart_text.svg(spec, lang)


def png(spec: dict, scale: float = 2.0, lang: str | None = None) -> bytes:
    from samsyn import chart_text

    return chart_text.png(spec, scale=scale, lang=lang)


def alpha_over_time(per_tertial: "pd.DataFrame", *, title: str, y_title: str, description: str) -> dict:
    """Ordinal alpha per tertial with its 95 % interval."""
    import altair as alt

    rows = _records(_visible(per_tertial).dropna(subset=["alpha"]), ["tertial", "alpha", "low", "high", "n"])
    base = alt.Chart(alt.Data(values=rows)).encode(x=alt.X("tertial:O", title=None, axis=alt.Axis(labelAngle=0)))
    rule = base.mark_rule(color=BLUE).encode(y=alt.Y("low:Q", title=y_title, scale=alt.Scale(domain=[-0.2, 1])),
                                              y2="high:Q")
    point = base.mark_point(filled=True, size=60, color=BLUE).encode(y="alpha:Q")
    return (rule + point).properties(width=520, height=200, title=title, description=description).to_dict()


def within_one_step(per_tertial: "pd.DataFrame", *, title: str, key_label: str, panel_label: str,
                    y_title: str, description: str) -> dict:
    import altair as alt

    rows = []
    for r in _records(_visible(per_tertial), ["tertial", "within_key", "within_panel"]):
        if r["within_key"] is not None:
            rows.append({"tertial": r["tertial"], "share": r["within_key"], "reference": key_label})
        if r["within_panel"] is not None:
            rows.append({"tertial": r["tertial"], "share": r["within_panel"], "reference": panel_label})
    chart = alt.Chart(alt.Data(values=rows)).mark_line(point=True).encode(
        x=alt.X("tertial:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("share:Q", title=y_title, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=alt.Color("reference:N", title=None, scale=alt.Scale(range=[BLUE, ORANGE])),
    )
    return chart.properties(width=520, height=180, title=title, description=description).to_dict()


def team_bias(teams: "pd.DataFrame", *, title: str, x_title: str, flagged_label: str, other_label: str,
              description: str) -> dict:
    """Each team's mean distance from the key (steps) with its 95 % interval; flagged teams in red."""
    import altair as alt

    vis = _visible(teams).dropna(subset=["d_key"]).sort_values("team")
    rows = _records(vis, ["team", "d_key", "d_key_low", "d_key_high", "under_rating"])
    for r in rows:
        r["flag"] = flagged_label if r["under_rating"] else other_label
    order = [r["team"] for r in rows]
    base = alt.Chart(alt.Data(values=rows)).encode(
        y=alt.Y("team:N", sort=order, title=None, axis=alt.Axis(labelLimit=200)),
        color=alt.Color("flag:N", title=None, scale=alt.Scale(domain=[flagged_label, other_label], range=[RED, BLUE])),
    )
    domain = _steps_domain(*(r["d_key_low"] for r in rows), *(r["d_key_high"] for r in rows),
                           *(r["d_key"] for r in rows))
    ci = base.mark_rule().encode(x=alt.X("d_key_low:Q", title=x_title, scale=alt.Scale(domain=domain)),
                                 x2="d_key_high:Q")
    point = base.mark_point(filled=True, size=50).encode(x="d_key:Q")
    zero = alt.Chart(alt.Data(values=[{"x": 0}])).mark_rule(color=GREY).encode(x="x:Q")
    return (zero + ci + point).properties(width=440, height=max(60, 20 * len(rows)), title=title,
                                          description=description).to_dict()


def distribution(cells: "pd.DataFrame", panel: dict | None, *, level_labels: list[str], title: str,
                 panel_label: str, x_title: str, description: str) -> dict:
    """One case: each team's share of answers per level, the national panel on top."""
    import altair as alt

    rows = []
    order = []
    if panel:
        order.append(panel_label)
        for lv, label in enumerate(level_labels):
            rows.append({"group": panel_label, "level": label, "order": lv, "share": panel[f"share_{lv}"]})
    for r in _records(_visible(cells).sort_values("team"), ["team"] + [f"share_{lv}" for lv in range(4)]):
        order.append(r["team"])
        for lv, label in enumerate(level_labels):
            rows.append({"group": r["team"], "level": label, "order": lv, "share": r[f"share_{lv}"] or 0.0})
    chart = alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        y=alt.Y("group:N", sort=order, title=None, axis=alt.Axis(labelLimit=200)),
        x=alt.X("share:Q", title=x_title, stack="normalize", axis=alt.Axis(format="%")),
        color=alt.Color("level:N", title=None, sort=level_labels,
                        scale=alt.Scale(domain=level_labels, range=LEVEL_COLOURS),
                        legend=alt.Legend(orient="bottom", columns=2, labelLimit=240)),
        order=alt.Order("order:Q"),
    )
    return chart.properties(width=440, height=max(40, 18 * len(order)), title=title,
                            description=description).to_dict()


def drift_over_time(drift: "pd.DataFrame", *, title: str, y_title: str, description: str) -> dict:
    """Each team's mean distance from the key per tertial."""
    import altair as alt

    rows = _records(_visible(drift).dropna(subset=["d_key"]), ["team", "tertial", "d_key"])
    chart = alt.Chart(alt.Data(values=rows)).mark_line(point=True, strokeWidth=1.5).encode(
        x=alt.X("tertial:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("d_key:Q", title=y_title, scale=alt.Scale(domain=_steps_domain(*(r["d_key"] for r in rows)))),
        color=alt.Color("team:N", title=None, legend=alt.Legend(columns=2, symbolLimit=40)),
    )
    zero = alt.Chart(alt.Data(values=[{"y": 0}])).mark_rule(color=GREY).encode(y="y:Q")
    return (zero + chart).properties(width=440, height=220, title=title, description=description).to_dict()


def vignette_quality(cases: "pd.DataFrame", names: dict[str, str], *, title: str, x_title: str, y_title: str,
                     flagged_label: str, other_label: str, consensus_cut: float, not_known_cut: float,
                     description: str) -> dict:
    import altair as alt

    rows = _records(_visible(cases).dropna(subset=["consensus"]), ["case_id", "consensus", "not_known_share",
                                                                    "ambiguous"])
    for r in rows:
        r["name"] = names.get(r["case_id"], r["case_id"])
        r["flag"] = flagged_label if r["ambiguous"] else other_label
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("consensus:Q", title=x_title, scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("not_known_share:Q", title=y_title, axis=alt.Axis(format="%")),
    )
    points = base.mark_point(filled=True, size=70).encode(
        color=alt.Color("flag:N", title=None, scale=alt.Scale(domain=[flagged_label, other_label], range=[RED, BLUE])))
    labels = base.mark_text(align="left", dx=7, fontSize=11).encode(text="name:N")
    vrule = alt.Chart(alt.Data(values=[{"x": consensus_cut}])).mark_rule(color=GREY, strokeDash=[4, 3]).encode(x="x:Q")
    hrule = alt.Chart(alt.Data(values=[{"y": not_known_cut}])).mark_rule(color=GREY, strokeDash=[4, 3]).encode(y="y:Q")
    return (vrule + hrule + points + labels).properties(width=440, height=240, title=title,
                                                       description=description).to_dict()


def exposures_and_risk(rows_df: "pd.DataFrame", *, title: str, x_title: str, y_title: str, cap_label: str,
                       description: str) -> dict:
    """Mean risk level by number of identified exposures (rows that may be shown)."""
    import altair as alt

    rows = _records(_visible(rows_df).dropna(subset=["mean_level"]), ["n_exposures", "mean_level", "n"])
    top = int(rows_df["n_exposures"].max()) if len(rows_df) else 0
    for r in rows:
        r["label"] = cap_label if r["n_exposures"] == top else str(r["n_exposures"])
    order = [str(i) for i in range(top)] + [cap_label]
    chart = alt.Chart(alt.Data(values=rows)).mark_bar(color=BLUE).encode(
        x=alt.X("label:O", sort=order, title=x_title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("mean_level:Q", title=y_title, scale=alt.Scale(domain=[0, 3])),
    )
    return chart.properties(width=360, height=200, title=title, description=description).to_dict()


def warm_up() -> None:
    """Load what the manager page needs and draw one tiny chart (for preheated kernels).

    Importing pandas, scipy.stats and Altair and starting vl-convert takes
    seconds; a preheated kernel does it before the request arrives.
    """
    import altair as alt
    import pandas  # noqa: F401
    import scipy.stats  # noqa: F401

    import insight.report  # noqa: F401
    import scoring  # noqa: F401

    svg(alt.Chart(alt.Data(values=[{"x": 1}])).mark_point().encode(x="x:Q").to_dict())
