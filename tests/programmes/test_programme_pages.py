"""The programme pages without a browser: a mentor creates a programme, trainees join and answer,
the start page shows their programme and figures, the cohort view their progress; the certificate
and the tertial checklist (escaped, formula-guarded, small groups hidden)."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from cases import load_library
from store import Store
from widgets import programme_page, start_page
from widgets.common import page_context
from widgets.programme_view import ProgrammeSection
from widgets.trainee import TraineeLoop
from formfill import complete, html_of  # tests/formfill.py

XSS = '=HYPERLINK("http://x")<img src=x onerror=alert(1)>'
TODAY = date(2026, 9, 15)  # week 2 of a programme starting 2026-09-07


@pytest.fixture
def library():
    return load_library()


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'programmes.sqlite3'}"
    monkeypatch.setenv("SAMSYN_DATABASE_URL", url)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    return Store(url)


def create(store, library, name=XSS, steps=(("1", "cases", ("assi", "max")), ("2", "cases", ("tobias",))), **criterion):
    form = programme_page.CreateProgramme(page_context("lang=sv"), store, library, today=date(2026, 9, 9))
    assert form.start.value == date(2026, 9, 7)  # the Monday of the week
    form.name.value = name
    while len(form.rows) < len(steps):
        form.add_step()
    for row, (week, kind, cases) in zip(form.rows, steps):
        row.week.value = int(week)
        row.kind.value = kind
        row.cases.value = cases
    for field, value in criterion.items():
        getattr(form, field).value = value
    form.create()
    code = re.search(r'samsyn-programme-join-code">([A-Z0-9-]+)<', form.status.value).group(1)
    secret = re.search(r"secret=([^&\"]+)", form.status.value).group(1)
    return store.programme_by_code(code), code, secret


def join(store, library, pseudonym, code):
    p = store.create_participant(pseudonym, self_paced=True)
    ctx = page_context(f"lang=sv&code={p.personal_code}")
    section = ProgrammeSection(ctx, store, library, p, today=TODAY)
    section.code.value = code
    section.join()
    return p, section


def answer(store, library, p, case_id, risk):
    loop = TraineeLoop(library.get(case_id), library, store, p, "sv")
    complete(loop, risk, "En motivering som räcker.")


def test_the_form_refuses_what_is_missing(store, library):
    form = programme_page.CreateProgramme(page_context("lang=sv"), store, library)
    form.create()
    assert "samsyn-notice" in form.status.value and store.programmes() == []
    assert "Välj minst ett ärende" in form.status.value


def test_mentor_creates_trainees_join_and_work_and_the_mentor_sees_it(store, library):
    programme, code, secret = create(store, library)
    assert [(s.week, s.case_ids) for s in programme.steps] == [(1, ["assi", "max"]), (2, ["tobias"])]
    assert programme.criterion["kind"] == "share_lean" and programme.criterion["window"] == 5
    ek, ek_view = join(store, library, "Ek", code)
    html = html_of(ek_view.widget)
    assert "Ditt program" in html and "&lt;img" in html and "<img src=x" not in html
    assert 'data-step="1" data-state="now"' in html and 'data-step="2" data-state="now"' in html
    # the latest started step (this week's, week 2) comes first
    assert html.index('data-step="2"') < html.index('data-step="1"')
    later = html_of(ProgrammeSection(page_context("lang=sv"), store, library, ek, today=date(2026, 10, 1)).widget)
    assert "Programmet slutade 2026-09-20." in later
    before = html_of(ProgrammeSection(page_context("lang=sv"), store, library, ek, today=date(2026, 9, 1)).widget)
    assert "Programmet börjar 2026-09-07." in before
    lind, _ = join(store, library, "Lind", code)
    answer(store, library, ek, "assi", "mycket_hog")
    answer(store, library, ek, "max", "hog")
    answer(store, library, lind, "assi", "hog")
    ek_view = ProgrammeSection(page_context(f"lang=sv&code={ek.personal_code}"), store, library, ek, today=TODAY).widget
    html = html_of(ek_view)
    assert 'data-step="1" data-state="done"' in html
    assert "Av dina 2 bedömda ärenden låg 100 % högst ett steg från referensbedömningen." in html.replace("\xa0", " ")
    from samsyn import charts

    [spec] = charts.specs_in(ek_view)  # the chart, with its numbers in words as its label and caption
    assert "ärende 1 (Assi, 15 år): referensbedömningen ±0,0, gruppen –" in spec["description"]
    assert "samsyn-chart-caption" in html and "ärende 2 (Max, 4 år): referensbedömningen −1,0, gruppen –" in html
    assert "För få bedömda ärenden" in html and "3 kvar" in html  # never a figure on fewer cases
    assert "samsyn-certificate" not in html
    cohort = html_of(programme_page.build(page_context(f"programme={programme.id}&secret={secret}&lang=sv"), library,
                                          store, today=TODAY))
    assert 'data-member="Ek" data-steps-done="1" data-answers="2"' in cohort
    assert 'data-member="Lind" data-steps-done="0" data-answers="1"' in cohort
    assert 'class="samsyn-divergent-case" data-case="assi"' in cohort  # Ek and Lind differ on Assi
    refused = html_of(programme_page.build(page_context(f"programme={programme.id}&secret=wrong&lang=sv"), library, store))
    assert "samsyn-refused" in refused and "Lind" not in refused


def test_one_programme_at_a_time_and_wrong_codes(store, library):
    _p1, code1, _ = create(store, library, name="Första")
    _p2, code2, _ = create(store, library, name="Andra")
    p, section = join(store, library, "Ek", code1)
    again = ProgrammeSection(page_context("lang=sv"), store, library, store.create_participant("Al", self_paced=True))
    again.code.value = "AAAAA-AAAAA"
    again.join()
    assert "Koden stämmer inte" in again.status.value
    store.join_programme_by_code(code1, p.id, TODAY)
    from store import AlreadyInProgramme

    with pytest.raises(AlreadyInProgramme):
        store.join_programme_by_code(code2, p.id, TODAY)
    assert store.membership(p.id).programme_id == _p1.id
    view = html_of(section.widget)  # a running programme: no field to join another
    assert "Första" in view and "Gå med i ett introduktionsprogram" not in view


def test_after_a_programme_has_ended_the_next_one_can_be_joined(store, library):
    first, _code1, _ = create(store, library, name="Första")  # weeks 1–2 from 2026-09-07: ends 2026-09-20
    p, section = join(store, library, "Ek", _code1)
    assert store.membership(p.id).programme_id == first.id
    assert "Gå med i ett introduktionsprogram" not in html_of(section.widget)  # running: no join field
    form = programme_page.CreateProgramme(page_context("lang=sv"), store, library, today=date(2026, 9, 30))
    form.name.value = "Fortsättning"
    form.rows[0].week.value, form.rows[0].cases.value = 1, ("tobias",)
    form.create()
    code2 = re.search(r'samsyn-programme-join-code">([A-Z0-9-]+)<', form.status.value).group(1)
    after = ProgrammeSection(page_context("lang=sv"), store, library, p, today=date(2026, 9, 21))
    view = html_of(after.widget)
    assert "Första" in view and "Gå med i ett introduktionsprogram" in view  # the ended programme, and a join field
    after.code.value = code2
    after.join()
    second = store.programme_by_code(code2)
    assert store.membership(p.id).programme_id == second.id
    view = html_of(after.widget)
    assert "Fortsättning" in view and "Gå med i ett introduktionsprogram" not in view
    assert [q.pseudonym for _m, q in store.programme_members(first.id)] == ["Ek"]  # the first one's record stays


def _backdate(store, participant_id, when):
    from sqlalchemy import update

    from store.models import Answer, ProgrammeMember

    with store.session() as s, s.begin():
        s.execute(update(ProgrammeMember).where(ProgrammeMember.participant_id == participant_id)
                  .values(joined_at=when - timedelta(days=1)))
        s.execute(update(Answer).where(Answer.participant_id == participant_id).values(submitted_at=when))


def test_the_certificate_comes_when_the_goal_is_met(store, library):
    steps = (("1", "cases", ("assi", "max", "tobias")), ("2", "cases", ("jamila", "alva", "hanna")))
    programme, code, _ = create(store, library, name="Hösten 2026", steps=steps)
    p, _ = join(store, library, "Ek", code)
    for case_id, risk in (("assi", "mycket_hog"), ("max", "hog"), ("tobias", "inte_kant"), ("jamila", "nagot_forhojd"),
                          ("alva", "nagot_forhojd")):
        answer(store, library, p, case_id, risk)
    view = html_of(ProgrammeSection(page_context("lang=sv"), store, library, p, today=TODAY).widget)
    assert "För få bedömda ärenden" in view and "inte känt" in view  # 4 rated + 1 not known: not enough
    answer(store, library, p, "hanna", "hog")
    section = ProgrammeSection(page_context("lang=sv"), store, library, p, today=TODAY)
    view = html_of(section.widget)
    assert 'data-met="1"' in view and "samsyn-certificate-sv" in view and "samsyn-certificate-en" in view
    pdf = re.search(r'samsyn-certificate-en" download="[^"]+" href="data:application/pdf;base64,([^"]+)"', view).group(1)
    import base64

    data = base64.b64decode(pdf)
    assert data.startswith(b"%PDF")
    from pypdf import PdfReader

    text = " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())
    assert "Certificate of calibrated risk assessment" in text and "Hösten 2026" in text and "Participant: Ek" in text
    assert "Within one step of the key: 100% of the last 5 rated cases" in text
    assert '1 "not known" answers are not counted' in text


def test_certificate_in_swedish_carries_programme_period_and_figures():
    from pypdf import PdfReader

    from programmes import CaseResult, Criterion, evaluate
    from programmes.records import certificate, certificate_pdf

    levels = ("ingen_lag", "nagot_forhojd", "hog", "mycket_hog")
    t0 = datetime(2026, 9, 7, 9, tzinfo=timezone.utc)
    results = [CaseResult(f"c{i}", t0 + timedelta(days=i), "hog", "hog", False, 0.0, None, None, None) for i in range(4)]
    results.append(CaseResult("c4", t0 + timedelta(days=9), "mycket_hog", "hog", False, 1.0, None, None, None))
    e = evaluate(Criterion(kind="share_lean"), results, levels)
    c = certificate("Introduktion Skärholmen", "Björk", date(2026, 9, 7), e, "sv", issued=date(2026, 9, 20))
    text = " ".join(PdfReader(io.BytesIO(certificate_pdf(c))).pages[0].extract_text().split())
    assert "Intyg om kalibrerad riskbedömning" in text
    assert "Introduktion Skärholmen" in text and "Björk" in text
    assert "2026-09-07 – 2026-09-16" in text  # from the start to the answer that met the goal
    assert "100 %" in text and "+0,2 steg" in text  # Swedish numbers
    with pytest.raises(ValueError):
        certificate("x", "y", date(2026, 9, 7), evaluate(Criterion(), results[:4], levels), "sv")


def test_tertial_checklist_hides_small_groups_and_guards_formulas(store, library):
    from programmes.records import checklist_excel, checklist_html
    from programmes.service import checklist

    programme, code, _ = create(store, library)
    people = [join(store, library, f"P{i}", code)[0] for i in range(5)]
    when = datetime(2026, 9, 20, 10, tzinfo=timezone.utc)
    for i, p in enumerate(people):
        answer(store, library, p, "assi", "mycket_hog" if i % 2 else "hog")
        if i < 2:
            answer(store, library, p, "max", "hog")
        _backdate(store, p.id, when)
    c = checklist(store, library, programme, "2026 T3", "sv", today=TODAY)
    assert c.members == 5 and c.met == 0
    rows = {r.label: r for r in c.cases}
    assert not rows["Assi, 15 år"].hidden and rows["Assi, 15 år"].n == 5 and rows["Assi, 15 år"].share_within_one == 1.0
    assert rows["Max, 4 år"].hidden and rows["Max, 4 år"].share_within_one is None  # 2 answers: below the minimum of 5
    html = checklist_html(c)
    assert "&lt;img" in html and "<img" not in html
    assert "färre än 5 svar eller personer" in html
    wb = load_workbook(io.BytesIO(checklist_excel(c)))
    cells = [v for row in wb.active.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert all(not v.startswith("=") for v in cells)
    assert any(v.startswith("'=HYPERLINK") for v in cells)
    empty = checklist(store, library, programme, "2026 T2", "sv", today=TODAY)
    assert empty.cases == () and empty.alpha is None


def test_programme_answers_reach_the_manager_view_like_any_other(store, library):
    from insight.data import load_answers

    programme, code, _ = create(store, library)
    p, _ = join(store, library, "Ek", code)
    answer(store, library, p, "assi", "hog")
    frame = load_answers(store.url)
    assert len(frame) == 1 and frame.iloc[0]["case_id"] == "assi"


def test_wrong_programme_codes_are_throttled_like_join_codes(store, library, monkeypatch):
    monkeypatch.setenv("SAMSYN_THROTTLE_FREE_FAILURES", "3")
    _programme, code, _ = create(store, library)
    p = store.create_participant("Ek", self_paced=True)
    section = ProgrammeSection(page_context("lang=sv"), store, library, p, today=TODAY)
    for _ in range(3):
        section.code.value = "AAAAA-AAAAA"
        section.join()
        assert "Koden stämmer inte" in section.status.value
    section.code.value = code  # the right code, but while the client must wait: not even checked
    section.join()
    assert "För många försök" in section.status.value
    assert store.membership(p.id) is None


def test_the_pages_in_english(store, library):
    from programmes.records import checklist_html
    from programmes.service import checklist

    programme, code, secret = create(store, library, name="Autumn intake",
                                      steps=(("1", "cases", ("assi",)), ("2", "workshop", ("max",))))
    p, _ = join(store, library, "Oak", code)
    answer(store, library, p, "assi", "inte_kant")
    view = html_of(ProgrammeSection(page_context("lang=en"), store, library, p, today=TODAY).widget)
    assert "Your programme: Autumn intake" in view and "Step 2: workshop" in view
    assert 'You answered "not known" in 1 cases' in view.replace("&quot;", '"')
    assert "Your mentor opens the workshop when it is time." in view
    cohort = html_of(programme_page.build(page_context(f"programme={programme.id}&secret={secret}&lang=en"),
                                          library, store, today=TODAY))
    assert "The participants (1)" in cohort and "Workshop steps" in cohort
    assert "Tertial checklist" in cohort
    html = checklist_html(checklist(store, library, programme, "2026 T3", "en", today=TODAY))
    assert "Autumn intake – tertial checklist 2026 T3" in html and "Week 1 (cases at your own pace): Assi, 15" in html
    form = html_of(programme_page.build(page_context("lang=en"), library, store))
    assert "Create an onboarding programme" in form
