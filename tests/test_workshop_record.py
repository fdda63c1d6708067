"""The workshop record and the reveal section as pure functions: no page, no widget."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from cases import load_library
from feedback import reveal
from feedback.report import render_html
from feedback.workshop_record import case_reveal_of, record_files, workshop_record
from store import Store, validate_answer
from store.exports import MENTOR_RECORD

XSS = '<img src=x onerror="window.__xss=1">'


@pytest.fixture
def library():
    return load_library()


@pytest.fixture
def store(tmp_path):
    return Store(f"sqlite:///{tmp_path / 'record.sqlite3'}")


def seed(store, library, workshop, case_risks: dict[str, list[str]], *, round: int = 1, people=None):
    """Answers as the page stores them; ``case_risks``: case → one risk per participant."""
    n = max(len(r) for r in case_risks.values())
    people = people or [store.join_workshop(workshop.join_code, f"Deltagare {i}") for i in range(n)]
    for case_id, risks in case_risks.items():
        for p, risk in zip(people, risks):
            answer = validate_answer({"case_id": case_id, "risk": risk, "round": round,
                                      "motivation": f"{XSS} motivering {case_id} {p.pseudonym}",
                                      "selections": {"exposure.home": ["fysiskt_vald"]},
                                      "goals": [{"goal": f"mål {case_id}", "baseline": "varje vecka"}]},
                                     library.get(case_id), library.variables)
            store.submit_answer(p.id, answer, workshop_id=workshop.id)
    return people


def test_a_case_round_below_the_minimum_is_absent_from_the_records_html_and_rows(store, library):
    workshop, _secret = store.create_workshop("<b>W</b>", ["assi", "jamila"], min_group_size=3)
    seed(store, library, workshop, {"assi": ["hog", "mycket_hog", "hog"], "jamila": ["hog", "hog"]})
    record = workshop_record(store, library, workshop.id)

    assert set(record.rows) == {"assi"}  # jamila: 2 answers < 3
    assert len(record.rows["assi"]) == 3
    assert all(list(row) == list(MENTOR_RECORD.columns) for row in record.rows["assi"])
    by_case = {r.case_id: r for r in record.reveals}
    assert by_case["assi"].shown and not by_case["jamila"].shown

    html = render_html(record, library)
    assert "motivering assi" in html and "motivering jamila" not in html and "mål jamila" not in html
    assert "Dolt: 2 svar" in html and "&lt;b&gt;W&lt;/b&gt;" in html and XSS not in html

    files = record_files(record, library, "rec")
    assert files.html == html.encode("utf-8") and files.pdf.startswith(b"%PDF")
    wb = load_workbook(io.BytesIO(files.xlsx))
    assert wb.sheetnames == ["Assi"]
    sheet = list(wb["Assi"].iter_rows(values_only=True))
    assert len(sheet) == 4 and {r[0] for r in sheet[1:]} == {"Deltagare 0", "Deltagare 1", "Deltagare 2"}


def test_the_record_takes_each_cases_latest_round_and_tells_the_progress(store, library):
    workshop, _secret = store.create_workshop("W", ["assi"], min_group_size=3)
    people = seed(store, library, workshop, {"assi": ["hog", "hog", "hog"]})
    store.open_round(workshop.id)
    seed(store, library, workshop, {"assi": ["mycket_hog", "hog"]}, round=2, people=people)  # 2 < 3 in round 2
    record = workshop_record(store, library, workshop.id)
    (r,) = record.reveals
    assert r.round == 2 and not r.shown
    # the spreadsheet holds every case-round the minimum answered: round 1, not round 2
    assert sorted(row["round"] for row in record.rows["assi"]) == [1, 1, 1]
    (conv,) = record.convergence
    assert not conv.shown
    steps = []
    record_files(record, library, "rec", lambda fraction, message: steps.append((fraction, message)))
    assert [s[1] for s in steps] == ["mentor.progress_html", "mentor.progress_pdf", "mentor.progress_excel"]


def test_the_reveal_renders_the_same_for_the_page_and_the_record(store, library):
    workshop, _secret = store.create_workshop("W", ["jamila"], min_group_size=3)
    seed(store, library, workshop, {"jamila": ["hog", "nagot_forhojd", "hog"]})
    r = case_reveal_of(store, library, workshop.id, "jamila", 1, min_group=3)
    case, v = library.get("jamila"), library.variables
    record = reveal.reveal_html(r, case, v, "sv")
    page = reveal.reveal_html(r, case, v, "sv", svg_chart=False, discussion=True, alpha="alfa", anchors="<p>ankare</p>")
    assert "<svg" in record and "<svg" not in page
    for html in (record, page):
        assert html.count('class="samsyn-motivation-group"') == 2 and XSS not in html
        assert html.count('class="samsyn-group-goal"') == 3
    assert "samsyn-option-table" in page and "samsyn-option-table" not in record
    assert '<p class="samsyn-alpha">alfa</p>' in page and "<p>ankare</p>" in page
    # the chart's text alternative carries the counts
    spec, desc = reveal.group_chart(r, v, "sv")
    assert f"{v.risk_label('hog', 'sv')}: 2" in desc and spec["description"] == desc


def test_the_reveal_of_too_few_shows_only_the_count(store, library):
    workshop, _secret = store.create_workshop("W", ["jamila"], min_group_size=3)
    seed(store, library, workshop, {"jamila": ["hog", "hog"]})
    r = case_reveal_of(store, library, workshop.id, "jamila", 1, min_group=3)
    html = reveal.reveal_html(r, library.get("jamila"), library.variables, "sv", discussion=True)
    assert "samsyn-too-few" in html and "motivering" not in html and "mål" not in html
