"""The reference panel (the Webbkollen agreement test) on every variable it has:
exposure (home, guardian, child), intervention and focus, as shares beside the
trainee's choices in the feedback and the group's in the mentor reveal."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from cases import load_library
from feedback import build_feedback
from feedback.model import Response
from feedback.panel_shares import PANEL_VARIABLES, panel_comparison, panel_rows, panel_variables
from feedback.workshop import case_reveal
from formfill import html_of
from widgets.feedback_view import FeedbackView
from widgets.panel_view import panel_tables_html


@pytest.fixture(scope="module")
def library():
    return load_library()


def _own(**selections) -> Response:
    sel = {k.replace("_", ".", 1) if k.startswith("exposure") else k: tuple(v) for k, v in selections.items()}
    return Response(risk="hog", selections=sel, factors={"risk": {}, "protective": {}})


def _rows(markup: str, variable: str) -> dict[str, tuple[str, str]]:
    """A panel table's rows: label → (second column, panel column), unescaped."""
    table = re.search(rf'<table class="samsyn-table samsyn-panel-table" data-variable="{re.escape(variable)}">(.*?)</table>',
                      markup, flags=re.S)
    assert table, f"no panel table for {variable}"
    out = {}
    for label, second, panel in re.findall(r'<th scope="row">(.*?)</th><td[^>]*>(.*?)</td><td>(.*?)</td>', table.group(1)):
        out[htmllib.unescape(label)] = (htmllib.unescape(second), htmllib.unescape(panel))
    return out


def test_every_published_variable_has_rows_and_every_count_is_used(library):
    v = library.variables
    tobias = library.panels.for_case("tobias")
    assert panel_variables(tobias) == PANEL_VARIABLES[:4]  # test 2: no focus published for Tobias
    assert panel_variables(library.panels.for_case("jamila")) == PANEL_VARIABLES
    assert panel_variables(library.panels.for_case("assi")) == ()  # test 1: the risk rating only
    home = panel_rows(tobias, v, "exposure.home")
    assert [(r.options, r.kind, r.panel.low) for r in home] == [
        (("brister_i_omsorg", "annat"), "combined", 12), (("psykiskt_vald",), "option", 1),
        (("tidigare_vald",), "option", 4), (("familjekonflikter",), "option", 1)]
    guardian = {r.options: r.panel.low for r in panel_rows(tobias, v, "exposure.guardian")}
    assert guardian == {("missbruk",): 14, ("annat",): 1}
    interventions = panel_rows(tobias, v, "intervention")
    groups = {r.group: r.panel.low for r in interventions if r.kind == "group"}
    assert groups == {"outpatient": 15, "out_of_home": 3}
    assert sum(r.panel.low for r in interventions if r.kind == "option") == 4 + 6 + 12 + 5 + 3 + 1 + 1 + 1
    focus = panel_rows(library.panels.for_case("jamila"), v, "focus")
    spans = [r for r in focus if r.kind == "range"]
    assert len(spans) == 1 and (spans[0].panel.low, spans[0].panel.high) == (7, 9) and len(spans[0].options) == 9
    # an option the trainee chose but the report gives no figure for: shown, without a number (never a zero)
    extra = panel_rows(tobias, v, "exposure.home", include=frozenset({"sexuella_overgrepp"}))
    assert [r.panel for r in extra if r.options == ("sexuella_overgrepp",)] == [None]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_feedback_shows_the_panel_beside_the_trainees_choices_on_every_variable(library, lang):
    case = library.get("jamila")
    panel = library.panels.for_case("jamila")
    own = _own(exposure_home=["fysiskt_vald"], exposure_guardian=["annat"], exposure_child=["ingen_svarighet"],
               intervention=["kontaktfamilj"], focus=["stimulans_och_vagledning"])
    fb = build_feedback(case, library.variables, own, [], panel=panel)
    markup = html_of(FeedbackView(fb, case, library.variables, lang).widget)
    chosen = "✓ valt" if lang == "sv" else "✓ chosen"
    of = "av" if lang == "sv" else "of"
    pct = (lambda p: f"{p}\xa0%") if lang == "sv" else (lambda p: f"{p}%")
    home = _rows(markup, "exposure.home")
    v = library.variables
    assert home[v.option_label("exposure.home", "fysiskt_vald", lang)] == (chosen, f"13 {of} 16 ({pct(81)})")
    assert home[v.option_label("exposure.home", "brister_i_omsorg", lang)] == ("", f"6 {of} 16 ({pct(38)})")
    guardian = _rows(markup, "exposure.guardian")
    assert guardian[v.option_label("exposure.guardian", "annat", lang)] == (chosen, f"3 {of} 16 ({pct(19)})")
    child = _rows(markup, "exposure.child")
    assert child[v.option_label("exposure.child", "ingen_svarighet", lang)] == (chosen, f"7 {of} 16 ({pct(44)})")
    interventions = _rows(markup, "intervention")
    assert interventions[v.option_label("intervention", "kontaktfamilj", lang)] == (chosen, f"2 {of} 16 ({pct(13)})")
    outpatient = next(k for k in interventions if k.startswith(v.group("intervention", "outpatient").label.get(lang)))
    assert interventions[outpatient] == (chosen, f"13 {of} 16 ({pct(81)})")
    focus = _rows(markup, "focus")
    assert focus[v.bbic_area_label("stimulans_och_vagledning", lang)] == (chosen, f"12 {of} 16 ({pct(75)})")
    span = next(k for k in focus if v.bbic_area_label("halsa", lang) in k)
    assert focus[span][1] == f"7–9 {of} 16 ({'44–56' + chr(0xa0) + '%' if lang == 'sv' else '44–56%'})"
    # what the panel is, with the case's respondents from the data
    source = "Webbkollens samstämmighetstest (SKL 2018" if lang == "sv" else "Webbkollen agreement test (SKL 2018"
    assert source in htmllib.unescape(markup) and "n = 16" in htmllib.unescape(markup)


def test_a_case_without_panel_figures_beyond_the_risk_shows_no_tables(library):
    case = library.get("assi")
    fb = build_feedback(case, library.variables, _own(), [], panel=library.panels.for_case("assi"))
    assert fb.panel_shares == {}
    assert "samsyn-panel-table" not in html_of(FeedbackView(fb, case, library.variables, "sv").widget)


def test_the_reveal_puts_the_groups_shares_beside_the_panels(library):
    case = library.get("tobias")
    panel = library.panels.for_case("tobias")
    answers = [_own(exposure_home=h, exposure_guardian=["missbruk"], exposure_child=["missbruk"], intervention=i, focus=[])
               for h, i in ((["brister_i_omsorg"], ["hvb"]), (["annat"], ["kontaktperson"]), (["familjekonflikter"], ["hvb"]),
                            (["tidigare_vald"], ["kontaktperson", "strukturerat_program"]))]
    reveal = case_reveal(case, library.variables, answers, round=1, min_group=3, panel=panel)
    assert set(reveal.panel_shares) == set(panel_variables(panel))
    home = {row.options: share for row, share in reveal.panel_shares["exposure.home"]}
    assert home[("brister_i_omsorg", "annat")] == 0.5  # 2 of 4 chose either of the options counted together
    interventions = {(row.kind, row.group or row.options): share for row, share in reveal.panel_shares["intervention"]}
    assert interventions[("group", "out_of_home")] == 0.5 and interventions[("group", "outpatient")] == 0.5
    markup = panel_tables_html(panel, library.variables, "sv", reveal.panel_shares, group_n=reveal.n)
    assert "Gruppen (n = 4)" in markup and "Webbkollen (n = 15)" in markup
    rows = _rows(markup, "exposure.guardian")
    assert rows["Risk-/missbruk"] == ("100\xa0%", "14 av 15 (93\xa0%)")
    # hidden below the minimum: no shares at all
    assert case_reveal(case, library.variables, answers[:2], round=1, min_group=3, panel=panel).panel_shares == {}


def test_panel_comparison_is_empty_without_a_panel(library):
    assert panel_comparison(None, library.variables, {}) == {}
