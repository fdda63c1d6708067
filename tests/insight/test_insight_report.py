"""Sections and their rendering: numbers in the reader's language, hidden groups as words."""

import pandas as pd
import pytest

from cases import load_library
from insight import Filters
from insight.report import Context, Table, build_section, fmt, section_html, table_html
from samsyn.i18n import Messages

from insight_data import frame, ratings


def test_numbers_follow_the_language():
    assert fmt(-0.5, "steps", "sv") == "-0,50" and fmt(0.25, "steps", "en") == "+0.25"
    assert fmt((-0.31, 0.48), "ci_steps", "sv") == "-0,31 … +0,48"
    assert fmt((0.31, 0.48), "ci", "en") == "0.31 … 0.48"
    assert fmt(0.884, "pct", "en") == "88%" and fmt(20000, "int", "sv") == "20\xa0000"
    assert fmt(float("nan"), "dec", "sv") == "–" and fmt(None, "pct", "en") == "–"
    assert fmt((float("nan"), 1.0), "ci", "en") == "–"


def test_table_cells_are_escaped_and_hidden_cells_are_words():
    t = Table("<cap>", ["Team", "n", "x"], ["text", "int", "steps"],
              [["<script>x</script>", 12, "hidden"], ["B", "small", 0.5]], "c")
    html = table_html(t, Messages("en"), "en", 5)
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;cap&gt;" in html
    assert ">hidden<" in html and "&lt;5" in html and "+0.50" in html


def test_a_section_of_a_tiny_selection_holds_no_numbers():
    library = load_library()
    rows = ratings("max", ["hog", "mycket_hog", "hog"])
    ctx = Context(frame(rows, {"max": "mycket_hog"}), Filters(), library, "sv", 5)
    for key in ("consistency", "bias", "quality", "exposures"):
        s = build_section(key, ctx)
        assert s.hidden == "Dolt: färre än 5 svar." and not s.tables and not s.charts
        html = section_html(s, ctx)
        assert "samsyn-manager-hidden" in html and "<table" not in html and "<svg" not in html


def test_bias_section_for_one_case_has_the_panel_and_the_key():
    library = load_library()
    levels = ["hog"] * 4 + ["mycket_hog"] * 4 + ["nagot_forhojd"] * 2
    rows = ratings("max", levels, team="Team A") + ratings("max", levels, team="Team B", start=100)
    df = frame(rows, {"max": "mycket_hog"}, panels={"max": 3.0})
    s = build_section("bias", Context(df, Filters(case="max"), library, "en", 5))
    assert "The reference assessment for Max: Very high risk." in s.facts
    dist = [t for t in s.tables if t.css == "samsyn-manager-distribution"][0]
    assert dist.rows[0][0] == "Webbkollen agreement test (SKL 2018)" and dist.rows[0][1] == 7
    assert [r[0] for r in dist.rows[1:]] == ["Team A", "Team B"]
    assert dist.rows[1][3:6] == [0.2, 0.4, 0.4]


def test_alpha_per_tertial_shows_the_share_of_inte_kant_it_left_out():
    library = load_library()
    rows = []
    for case, answers in {"max": ["hog"] * 4 + ["mycket_hog"] * 3 + ["inte_kant"] * 3,
                          "assi": ["mycket_hog"] * 6 + ["hog"] * 3 + ["inte_kant"]}.items():
        rows += ratings(case, answers)
    df = frame(rows, {"max": "mycket_hog", "assi": "mycket_hog"})
    for lang, share in (("sv", "20\xa0%"), ("en", "20%")):
        s = build_section("consistency", Context(df, Filters(), library, lang, 5, n_boot=50))
        table = [t for t in s.tables if t.css == "samsyn-manager-tertials"][0]
        column = table.columns.index(Messages(lang)("manager.col_alpha_not_known"))
        assert table.kinds[column] == "pct" and table.rows[0][column] == pytest.approx(0.2)
        assert f'<td class="samsyn-num">{share}</td>' in table_html(table, Messages(lang), lang, 5)


def test_the_level_count_comes_from_the_library():
    library = load_library()
    levels = ["hog"] * 4 + ["mycket_hog"] * 4 + ["nagot_forhojd"] * 2
    df = frame(ratings("max", levels) + ratings("max", levels, team="Team B", start=100), {"max": "mycket_hog"})
    ctx = Context(df, Filters(case="max"), library, "en", 5)
    assert ctx.levels == library.variables.risk_level_ids
    dist = [t for t in build_section("bias", ctx).tables if t.css == "samsyn-manager-distribution"][0]
    assert dist.columns[2:2 + len(ctx.levels)] == ctx.level_labels()
    cross = [t for t in build_section("exposures", ctx).tables if t.css == "samsyn-manager-crosstable"][0]
    assert cross.kinds == ["text", *["int"] * len(ctx.levels), "dec"]
