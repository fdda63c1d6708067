"""The manager page and its exports, built without a browser on demo data."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from cases import load_library
from insight.demo import write
from store import Store, validate_answer
from store.db import dispose_all
from samsyn.charts import specs_in
from widgets import manager_page
from widgets.common import page_context

KEY = "test-manager-key"


def _all_html(widget) -> str:
    out, stack = [], [widget]
    while stack:
        w = stack.pop()
        if hasattr(w, "value") and isinstance(w.value, str):
            out.append(w.value)
        stack.extend(getattr(w, "children", ()))
    return "\n".join(out)


def _find(widget, cls):
    stack = [widget]
    while stack:
        w = stack.pop()
        if cls in getattr(w, "_dom_classes", ()):
            return w
        stack.extend(getattr(w, "children", ()))
    raise LookupError(cls)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('manager') / 'demo.sqlite3'}"
    library = load_library()
    write(url, library, answers=2500, teams=6, seed=9, end=date(2026, 11, 23))
    store = Store(url)
    case = library.get("assi")
    # a team whose name is a spreadsheet formula, big enough to be shown …
    for i in range(6):
        p = store.create_participant(f"x{i}", self_paced=True, team="=HYPERLINK(\"http://x\")")
        store.submit_answer(p.id, validate_answer({"case_id": "assi", "risk": "hog"}, case, library.variables))
    # … and a team of three, which must never be shown
    for i in range(3):
        p = store.create_participant(f"<b>Liten {i}</b>", self_paced=True, team="<b>Team Liten</b>")
        store.submit_answer(p.id, validate_answer({"case_id": "assi", "risk": "ingen_lag"}, case, library.variables))
    yield url, library
    dispose_all()


def _page(url, query, monkeypatch, library):
    monkeypatch.setenv("SAMSYN_DATABASE_URL", url)
    monkeypatch.setenv("SAMSYN_MANAGER_KEY", KEY)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    return manager_page.build(page_context(query), library)


def test_wrong_key_gets_a_refusal_and_no_data(demo_db, monkeypatch):
    url, library = demo_db
    for query in ("lang=sv", "key=nope&lang=sv", f"key={KEY}x"):
        page = _page(url, query, monkeypatch, library)  # once each: wrong keys count towards the throttle
        html = _all_html(page)
        assert "samsyn-manager-refused" in html
        assert "Team 0" not in html and "Assi" not in html and not specs_in(page)


def test_every_view_renders_and_small_teams_are_hidden(demo_db, monkeypatch):
    url, library = demo_db
    page = _page(url, f"key={KEY}&lang=en", monkeypatch, library)
    tabs = _find(page, "samsyn-manager-tabs")
    for i, cls in enumerate(("consistency", "bias", "quality", "exposures")):
        tabs.selected_index = i
        pane = _find(page, f"samsyn-manager-view-{cls}")
        assert f"samsyn-manager-{cls}" in pane.children[0]._dom_classes and specs_in(pane), cls
    tabs.selected_index = 1
    bias_html = _all_html(_find(page, "samsyn-manager-view-bias"))
    bias_charts = specs_in(_find(page, "samsyn-manager-view-bias"))
    teams_drawn = {r["team"] for r in bias_charts[0]["datasets"]["rows"]}
    assert "Team 01" in teams_drawn and "<b>Team Liten</b>" not in teams_drawn  # a small team is never drawn
    assert "Team 01" in bias_html
    # the three-person team is listed as a group but without numbers
    assert "&lt;b&gt;Team Liten&lt;/b&gt;" in bias_html and "<b>Team Liten" not in bias_html
    assert "Hidden: fewer than 5 answers." in bias_html
    # choosing it hides everything
    _find(page, "samsyn-manager-filter-team").value = "<b>Team Liten</b>"
    summary = _find(page, "samsyn-manager-summary").value
    assert "Hidden: fewer than 5 answers." in summary and "samsyn-manager-counts" not in summary
    pane = _find(page, "samsyn-manager-view-bias")
    html = _all_html(pane)
    assert "samsyn-manager-hidden" in html and not specs_in(pane) and "<table" not in html


def test_exports_hold_the_views_and_no_small_group(demo_db, monkeypatch):
    url, library = demo_db
    page = _page(url, f"key={KEY}&lang=sv", monkeypatch, library)
    for kind in ("xlsx", "html", "pdf"):
        _find(page, f"samsyn-manager-export-{kind}").click()
    # the last click replaced the link; build all three directly from the view object
    from insight.report import Context, report_excel, report_html, report_pdf
    from insight import Filters, load_answers, prepare

    ctx = Context(prepare(load_answers(url), library), Filters(), library, "sv", 5, n_boot=100)
    wb = load_workbook(io.BytesIO(report_excel(ctx, url)))
    raw = wb["Svar (kodade)"]
    header = [c.value for c in raw[1]]
    rows = [dict(zip(header, [c.value for c in r])) for r in raw.iter_rows(min_row=2)]
    assert len(rows) == 2506 and all(r["participant"].startswith("P") for r in rows)
    assert "<b>Team Liten</b>" not in {r["team"] for r in rows}
    assert "'=HYPERLINK(\"http://x\")" in {r["team"] for r in rows}  # formula neutralised
    assert not {"pseudonym", "motivation"} & set(header)
    every_cell = [str(c.value) for ws in wb.worksheets for r in ws.iter_rows() for c in r if c.value is not None]
    assert not any(v.startswith("=") for v in every_cell)
    small_rows = [[c.value for c in r] for ws in wb.worksheets for r in ws.iter_rows()
                  if any(c.value == "<b>Team Liten</b>" for c in r)]
    assert small_rows, "the small team is listed by name in the team tables"
    for row in small_rows:  # … but never with a number
        assert not [v for v in row if isinstance(v, (int, float))], row
        assert any(isinstance(v, str) and v.startswith(("Dolt", "dold")) for v in row), row
    about = " ".join(str(c.value) for r in wb["Om rapporten"].iter_rows() for c in r if c.value)
    assert "3 svar är utelämnade" in about
    html = report_html(ctx)
    assert html.count("<svg") >= 6 and "&lt;b&gt;Team Liten&lt;/b&gt;" in html and "<b>Team" not in html
    pdf = report_pdf(ctx)
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    link = _find(page, "samsyn-manager-downloads").value
    assert 'download="samsyn-chefsrapport.pdf"' in link and 'href="data:application/pdf;base64,' in link


def test_long_exports_report_their_progress(demo_db):
    from insight import Filters, load_answers, prepare
    from insight.report import SECTIONS, Context, report_excel, report_pdf

    url, library = demo_db
    ctx = Context(prepare(load_answers(url), library), Filters(), library, "sv", 5, n_boot=50)
    seen: list[tuple[float, str]] = []
    report_excel(ctx, url, progress=lambda f, text: seen.append((f, text)))
    fractions = [f for f, _t in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(seen) > 10
    texts = [t for _f, t in seen]
    assert sum(t.startswith("Beräknar ") for t in texts) == len(SECTIONS)  # every view (five with scaling)
    assert "Skriver svar: 0 av 2\xa0506" in texts and texts[-1] == "Klart."
    charts: list[str] = []
    report_pdf(ctx, progress=lambda f, text: charts.append(text))
    assert charts and charts[-1].startswith("Ritar diagram")
