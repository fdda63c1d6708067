"""Scaling against risk for managers (issue 16): Spearman's rho checked against scipy's
published example, the cross-table and the team × tertial table with the minimum group."""

from __future__ import annotations

import math

import numpy as np

from cases import load_library
from feedback.mapping import rules
from insight.filters import Filters
from insight.report import Context, build_section, report_excel, section_html
from insight.views import scaling_risk
from insight_data import frame  # tests/insight/insight_data.py


def scaled(levels, scales, *, team="Team A", tertial="2026 T1", start=0):
    names = ("ingen_lag", "nagot_forhojd", "hog", "mycket_hog")
    rows = [{"participant_id": start + i, "case_id": "leo", "risk": names[lv], "team": team, "tertial": tertial,
             "safety_scale": float(s)} for i, (lv, s) in enumerate(zip(levels, scales))]
    return rows


def test_rho_matches_the_scipy_documentation_example():
    # scipy.stats.spearmanr's documented example: x = [1, 2, 3, 4, 5], y = [5, 6, 7, 8, 7] gives
    # rho = 0.8207826816681233, p = 0.0885870053135438. A rank correlation: y - 5 as levels 0..3.
    df = frame(scaled([0, 1, 2, 3, 2], [1, 2, 3, 4, 5]))
    result = scaling_risk(df, 5, scale_ranges=rules().scale_for_risk)
    assert math.isclose(result.spearman[0], 0.8207826816681233, rel_tol=1e-12)
    assert math.isclose(result.spearman[1], 0.0885870053135438, rel_tol=1e-9)


def test_below_the_minimum_nothing_is_shown():
    result = scaling_risk(frame(scaled([0, 1, 2, 3], [9, 6, 3, 1])), 5)
    assert result.hidden is not None and result.table is None and result.groups is None


def test_cross_table_and_groups_hide_small_cells_and_small_teams():
    rows = scaled([3] * 6 + [0] * 6, [1] * 6 + [9] * 6)  # Team A: 12 answers, two cells of 6
    rows += scaled([2, 2, 1], [8, 8, 5], team="Team B", start=100)  # Team B: 3 answers
    df = frame(rows)
    result = scaling_risk(df, 5, scale_ranges=rules().scale_for_risk)
    assert result.table.loc[1, 3] == 6 and result.table.loc[9, 0] == 6
    assert np.isnan(result.table.loc[8, 2]) and result.small.loc[8, 2]  # two answers: hidden
    groups = result.groups.set_index("team")
    assert not groups.loc["Team A", "hidden"] and groups.loc["Team A", "rho"] < -0.99
    assert groups.loc["Team A", "fit_share"] == 1.0
    assert groups.loc["Team B", "hidden"] and np.isnan(groups.loc["Team B", "rho"])
    # 8 of 10 with "hög risk" is outside the expected range: the overall share says so
    assert math.isclose(result.fit_share, 13 / 15)


def test_the_section_and_its_exports_show_no_small_group():
    library = load_library()
    rows = scaled([3] * 6 + [0] * 6, [1] * 6 + [9] * 6) + scaled([2, 2, 1], [8, 8, 5], team="Team B", start=100)
    ctx = Context(frame(rows), Filters(), library, "sv", 5, scale_ranges=rules().scale_for_risk)
    section = build_section("scaling", ctx)
    html = section_html(section, ctx)
    assert "Spearmans rho" in html and "Team B" in html
    team_b = next(r for r in section.tables[1].rows if r[0] == "Team B")
    assert team_b[2:6] == ["hidden"] * 4
    xlsx = report_excel(ctx, None, [section])
    assert xlsx[:2] == b"PK"
