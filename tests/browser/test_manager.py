"""The manager view in the browser, on demo data: every view, the minimum group, the key.

One Voila server on a database filled by ``samsyn demo`` (3,000 answers) plus a
team of three people, which must never be shown. Few page loads: each starts a kernel.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect


def _flow():
    import importlib.util

    spec = importlib.util.spec_from_file_location("samsyn_flow", Path(__file__).resolve().parent / "flow.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _shared():
    """tests/conftest.py's VoilaServer (conftest modules are not importable by name)."""
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "conftest.py"
    spec = importlib.util.spec_from_file_location("samsyn_tests_shared", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_conftest = _shared()
REPO, VoilaServer = _conftest.REPO, _conftest.VoilaServer

pytestmark = pytest.mark.browser

KEY = "browser-test-manager-key-7f3a"
# README images are written here; `make screenshots` copies them to docs/screenshots (never make test).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "tests" / "artifacts" / "screenshots"
TINY = "Team Tiny"


@pytest.fixture(scope="module")
def manager(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("manager")
    url = f"sqlite:///{tmp / 'demo.sqlite3'}"
    result = subprocess.run([sys.executable, "-m", "samsyn.cli", "demo", "--database-url", url, "--answers", "3000",
                             "--teams", "8", "--seed", "4"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    from cases import load_library
    from store import Store, validate_answer
    from store.db import dispose_all

    library = load_library()
    store = Store(url)
    for i in range(3):
        p = store.create_participant(f"Tiny {i}", self_paced=True, team=TINY, experience="<1 år")
        store.submit_answer(p.id, validate_answer({"case_id": "max", "risk": "ingen_lag", "safety_scale": 9},
                                                  library.get("max"), library.variables))
    dispose_all()
    server = VoilaServer(tmp, extra_env={"SAMSYN_MANAGER_KEY": KEY}, database_url=url)
    yield server
    server.stop()


def _tab(page, name: str):
    page.locator(".samsyn-manager-tabs .lm-TabBar-tab", has_text=name).click()


def test_a_wrong_key_gets_a_refusal_and_no_data(manager, page):
    page.goto(manager.page("manager.ipynb", key="not-the-key", lang="en"))
    expect(page.locator(".samsyn-manager-refused")).to_contain_text("needs a valid key")
    body = page.locator("body").inner_text()
    assert "Team 0" not in body and TINY not in body
    assert page.locator(".samsyn-manager-tabs").count() == 0 and page.locator("svg.marks").count() == 0


def test_every_view_on_demo_data_and_the_minimum_group(manager, page, tmp_path):
    page.goto(manager.page("manager.ipynb", key=KEY, lang="en"))
    # consistency over time (the first tab)
    view = page.locator(".samsyn-manager-view-consistency")
    expect(view.locator(".samsyn-manager-chart-alpha svg")).to_be_visible()
    expect(view.locator("table.samsyn-manager-tertials")).to_contain_text("T")
    expect(view.locator("table.samsyn-manager-tertials th", has_text="“Not known” left out of alpha")).to_be_visible()
    expect(page.locator(".samsyn-manager-counts")).to_contain_text("answers")
    # bias and drift: the three-person team is listed, hidden, without a number
    _tab(page, "Systematic deviation and change over time")
    bias = page.locator(".samsyn-manager-view-bias")
    expect(bias.locator(".samsyn-manager-chart-bias svg")).to_be_visible()
    tiny_row = bias.locator("table.samsyn-manager-teams tr", has_text=TINY)
    expect(tiny_row).to_contain_text("Hidden: fewer than 5 answers.")
    cells = tiny_row.locator("td").all_inner_texts()
    assert not any(re.search(r"\d", c) for c in cells if "Hidden" not in c), cells
    assert TINY not in bias.locator(".samsyn-manager-chart-bias").inner_text()
    # vignette quality and exposures
    _tab(page, "Vignette quality")
    expect(page.locator(".samsyn-manager-view-quality .samsyn-manager-chart-quality svg")).to_be_visible()
    expect(page.locator(".samsyn-manager-view-quality")).to_contain_text("Flagged as ambiguous: Alva")
    _tab(page, "Exposures and risk")
    exposures = page.locator(".samsyn-manager-view-exposures")
    expect(exposures.locator("table.samsyn-manager-crosstable")).to_be_visible()
    expect(exposures).to_contain_text("Spearman's rho = 0.")
    # scaling against risk (issue 16): negative rho, the cross-table, the small team hidden per team and tertial
    _tab(page, "Scaling and risk")
    scaling = page.locator(".samsyn-manager-view-scaling")
    expect(scaling.locator("table.samsyn-manager-scaling-crosstable")).to_be_visible()
    expect(scaling).to_contain_text("Spearman's rho between scaling and risk level: -0.")
    expect(scaling).to_contain_text("of the answers have a scale in the range")
    tiny_scaling = scaling.locator("table.samsyn-manager-scaling-groups tr", has_text=TINY)
    expect(tiny_scaling.first).to_contain_text("Hidden: fewer than 5 answers.")
    cells = tiny_scaling.first.locator("td").all_inner_texts()
    assert not any(re.search(r"\d", c) for c in cells[1:] if "Hidden" not in c), cells
    expect(scaling.locator("table.samsyn-manager-scaling-groups")).to_contain_text("-0.")
    # a case filter: the distribution per team against the panel
    page.locator(".samsyn-manager-filter-case select").select_option(label="Max, 4")
    _tab(page, "Systematic deviation and change over time")
    expect(bias.locator(".samsyn-manager-chart-distribution svg")).to_be_visible()
    expect(bias.locator("table.samsyn-manager-distribution")).to_contain_text("Webbkollen agreement test (SKL 2018)")
    # README screenshot: the team chart and Max's distributions
    page.set_viewport_size({"width": 1280, "height": 2400})
    box = bias.bounding_box()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "manager-bias-en.png"),
                    clip={"x": box["x"], "y": box["y"], "width": box["width"], "height": min(box["height"], 1500)})
    page.set_viewport_size({"width": 1280, "height": 800})
    # the small team alone: nothing but the refusal to show it, in every view
    page.locator(".samsyn-manager-filter-team select").select_option(label=TINY)
    expect(page.locator(".samsyn-manager-summary .samsyn-manager-hidden")).to_have_text("Hidden: fewer than 5 answers.")
    expect(bias.locator(".samsyn-manager-hidden")).to_be_visible()
    assert page.locator(".samsyn-manager-counts").count() == 0
    for name, cls in (("Consistency over time", "consistency"), ("Vignette quality", "quality"),
                      ("Exposures and risk", "exposures"), ("Scaling and risk", "scaling"),
                      ("Systematic deviation and change over time", "bias")):
        _tab(page, name)
        pane = page.locator(f".samsyn-manager-view-{cls}")
        expect(pane.locator(".samsyn-manager-hidden")).to_be_visible()
        assert pane.locator("table").count() == 0 and pane.locator("svg").count() == 0, name
    # back to all teams: the Excel export has the views and no row of the small team
    page.locator(".samsyn-manager-filter-team select").select_option(label="All teams")
    page.locator(".samsyn-manager-filter-case select").select_option(label="All cases")
    _tab(page, "Export")
    expect(page.locator(".samsyn-manager-export-html")).to_be_visible()
    assert _flow().labels_cut_off(page) == []  # "Printable report (HTML)" fits its button
    page.locator(".samsyn-manager-export-xlsx").click()
    link = page.locator("a.samsyn-manager-download-xlsx")
    with page.expect_download() as download:
        link.click()
    path = tmp_path / "report.xlsx"
    download.value.save_as(path)
    wb = load_workbook(path)
    raw = wb["Answers (coded)"]
    teams = {r[1].value for r in raw.iter_rows(min_row=2)}
    assert TINY not in teams and "Team 01" in teams and raw.max_row == 3001
    page.locator(".samsyn-manager-export-pdf").click()
    expect(page.locator("a.samsyn-manager-download-pdf")).to_have_attribute("href", re.compile(r"^data:application/pdf;base64,JVBER"))
    assert page.js_errors == []


def test_serve_without_a_key_makes_one_and_prints_it_once(voila, page, manager):
    found = re.findall(r"manager\.ipynb\?key=([\w-]{20,})", voila.log())
    assert len(found) == 1
    assert KEY not in manager.log()  # a key given by the operator is never printed
    page.goto(voila.page("manager.ipynb", key=found[0], lang="en"))
    expect(page.locator(".samsyn-manager-header h1")).to_have_text("Samsyn – manager view")
    assert page.locator(".samsyn-manager-refused").count() == 0


XSS_TEAM = '<img src=x onerror="window.__xss=1">'


def test_team_names_are_text_not_markup(manager, page):
    """Runs last: adds a team whose name is an XSS payload, large enough to be shown."""
    from cases import load_library
    from store import Store, validate_answer
    from store.db import dispose_all

    library = load_library()
    store = Store(manager.database_url)
    for i in range(6):
        p = store.create_participant(f"X {i}", self_paced=True, team=XSS_TEAM, experience="<1 år")
        store.submit_answer(p.id, validate_answer({"case_id": "assi", "risk": "hog"}, library.get("assi"),
                                                  library.variables))
    dispose_all()
    page.goto(manager.page("manager.ipynb", key=KEY, lang="en"))
    expect(page.locator(".samsyn-manager-view-consistency")).to_be_visible()
    _tab(page, "Systematic deviation and change over time")
    row = page.locator(".samsyn-manager-view-bias table.samsyn-manager-teams tr", has_text="onerror")
    expect(row.first).to_contain_text(XSS_TEAM)  # shown as text
    options = [o.replace("\xa0", " ") for o in page.locator(".samsyn-manager-filter-team select option").all_inner_texts()]
    assert XSS_TEAM in options
    assert page.evaluate("window.__xss") is None


def test_every_manager_view_is_accessible(manager, page, tmp_path):
    """axe (WCAG 2.1 A/AA) on each tab, a case filter, a hidden team, the exports and the HTML report;
    every chart carries a name (its text alternative) and every scrolling table can be reached."""
    import a11y  # tests/browser/a11y.py

    page.goto(manager.page("manager.ipynb", key="not-the-key", lang="sv"))
    expect(page.locator(".samsyn-manager-refused")).to_be_visible()
    a11y.assert_accessible(page, "manager, refused")
    page.goto(manager.page("manager.ipynb", key=KEY, lang="sv"))
    expect(page.locator(".samsyn-manager-view-consistency svg").first).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    assert "Samsyn" in page.title()
    # The browser draws the charts with Swedish numbers: 0,2 on the axis, never 0.2.
    axis = page.locator(".samsyn-manager-view-consistency svg.marks .role-axis-label text")
    expect(axis.filter(has_text=re.compile(r"^0,\d+$")).first).to_be_visible()
    assert not [t for t in axis.all_text_contents() if re.fullmatch(r"\d+\.\d+", t)], axis.all_text_contents()
    a11y.assert_accessible(page, "manager, consistency over time")
    for name, cls, drawn in (("Systematisk avvikelse och förändring över tid", "bias", "svg"),
                             ("Ärendenas kvalitet", "quality", "svg"), ("Utsatthet och risk", "exposures", "svg"),
                             ("Skalning och risk", "scaling", "table.samsyn-manager-scaling-crosstable")):
        _tab(page, name)
        expect(page.locator(f".samsyn-manager-view-{cls} {drawn}").first).to_be_visible()
        a11y.assert_accessible(page, f"manager, {name}")
    max_label = next(o for o in page.locator(".samsyn-manager-filter-case select option").all_inner_texts()
                     if o.startswith("Max"))
    page.locator(".samsyn-manager-filter-case select").select_option(label=max_label)
    _tab(page, "Systematisk avvikelse och förändring över tid")
    expect(page.locator(".samsyn-manager-chart-distribution svg")).to_be_visible()
    a11y.assert_accessible(page, "manager, bias and drift for one case")
    page.locator(".samsyn-manager-filter-team select").select_option(label=TINY)
    expect(page.locator(".samsyn-manager-summary .samsyn-manager-hidden")).to_be_visible()
    a11y.assert_accessible(page, "manager, a team below the minimum")
    page.locator(".samsyn-manager-filter-team select").select_option(label="Alla team")
    page.locator(".samsyn-manager-filter-case select").select_option(label="Alla ärenden")
    _tab(page, "Export")
    page.locator(".samsyn-manager-export-html").click()
    link = page.locator("a.samsyn-manager-download-html")
    expect(link).to_be_visible()
    a11y.assert_accessible(page, "manager, export ready")
    with page.expect_download() as download:
        link.click()
    report = tmp_path / "report.html"
    download.value.save_as(report)
    page.goto(report.as_uri())
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    violations = a11y.run_axe(page)
    assert not violations, a11y.format_violations(violations, "manager report (HTML)")
