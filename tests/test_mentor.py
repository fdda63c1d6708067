"""The mentor's facilitator view and the workshop record, without a browser."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from cases import load_library
from samsyn.charts import specs_in
from store import Store
from widgets import mentor_page
from widgets.answer_form import STEPS
from widgets.common import page_context
from widgets.trainee import TraineeLoop
from formfill import complete, html_of as text_of  # tests/formfill.py

XSS = '<img src=x onerror="window.__xss=1">'


@pytest.fixture
def library():
    return load_library()


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'mentor.sqlite3'}"
    monkeypatch.setenv("SAMSYN_DATABASE_URL", url)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    return Store(url)


def answer(store, library, workshop, pseudonym, risks: dict[str, str]):
    p = store.join_workshop(workshop.join_code, pseudonym)
    for case_id, risk in risks.items():
        loop = TraineeLoop(library.get(case_id), library, store, p, "sv", workshop=store.workshop(workshop.id))
        complete(loop, risk, f"{XSS} en motivering som är lång nog", goal=XSS, child="annat")
    return p


def test_create_gives_a_join_code_and_a_secret_link(store, library):
    create = mentor_page.CreateWorkshop(page_context("lang=sv"), store, library)
    create.create()
    assert "Ge workshopen ett namn" in create.status.value
    create.name.value = XSS
    create.cases["assi"].value = True
    create.min_group.value = 1  # raised to the floor
    create.create()
    assert "samsyn-facilitator-link" in create.status.value and XSS not in create.status.value
    (workshop,) = [store.workshop_by_code(c) for c in [create.status.value.split('samsyn-join-code">')[1].split("<")[0]]]
    assert workshop.min_group_size == mentor_page.MIN_GROUP_FLOOR


def test_facilitator_view_refuses_a_wrong_or_missing_secret(store, library):
    workshop, secret = store.create_workshop("W", ["assi"])
    for query in (f"workshop={workshop.id}", f"workshop={workshop.id}&secret=wrong", "workshop=abc&secret=x",
                  f"workshop={workshop.id + 1}&secret={secret}"):
        html = text_of(mentor_page.build(page_context(query), library, store))
        assert "samsyn-refused" in html and workshop.join_code not in html, query
    html = text_of(mentor_page.build(page_context(f"workshop={workshop.id}&secret={secret}"), library, store))
    assert "samsyn-refused" not in html and workshop.join_code in html


def test_hub_group_decides_the_mentor_role(store, library, monkeypatch):
    from samsyn import hub

    workshop, _secret = store.create_workshop("W", ["assi"], owner_hub_user="anna")
    monkeypatch.setenv("JUPYTERHUB_USER", "anna")
    monkeypatch.setenv("JUPYTERHUB_BASE_URL", "/")
    ctx = page_context(f"workshop={workshop.id}")
    trainee = hub.roles(ctx.settings, frozenset({"samsyn-trainees"}))
    mentor = hub.roles(ctx.settings, frozenset({"samsyn-trainees", "samsyn-mentors"}))
    assert "samsyn-refused" in text_of(mentor_page.build(ctx, library, store, roles=trainee))
    assert "samsyn-refused" in text_of(mentor_page.build(page_context(""), library, store, roles=trainee))
    assert "samsyn-refused" not in text_of(mentor_page.build(ctx, library, store, roles=mentor))
    assert "samsyn-refused" in text_of(mentor_page.build(ctx, library, store))  # the hub cannot be asked: closed
    # The link a hub mentor shares goes through the hub to each participant's own server, code filled in.
    create = mentor_page.CreateWorkshop(page_context("lang=sv"), store, library)
    create.name.value = "Hubbworkshop"
    create.cases["assi"].value = True
    create.create()
    code = create.status.value.split('samsyn-join-code">')[1].split("<")[0]
    assert f'href="/hub/user-redirect/voila/render/start.ipynb?join={code}&amp;lang=sv"' in create.status.value


def test_reveal_respects_the_minimum_and_escapes_text(store, library):
    workshop, secret = store.create_workshop("W", ["assi", "jamila"], min_group_size=3)
    for i, risk in enumerate(["hog", "mycket_hog", "mycket_hog"]):
        answer(store, library, workshop, f"P{i}", {"assi": risk, "jamila": "nagot_forhojd"} if i < 2 else {"assi": risk})
    f = mentor_page.Facilitator(page_context(f"workshop={workshop.id}&secret={secret}"), store, library, workshop.id)
    f.reveal("jamila")  # 2 answers < 3
    jamila = text_of(f.case_boxes["jamila"]["panel"])
    assert "samsyn-too-few" in jamila and "motivering" not in jamila
    f.reveal("assi")
    assi = text_of(f.case_boxes["assi"]["panel"])
    assert "samsyn-motivation-group" in assi
    group_chart = specs_in(f.case_boxes["assi"]["panel"])[0]
    assert sorted(r["n"] for r in group_chart["datasets"]["rows"] if r["n"]) == [1, 2]
    assert "&lt;img src=x" in assi and XSS not in assi


def test_second_round_convergence_and_record(store, library):
    workshop, secret = store.create_workshop("Kalibrering", ["assi", "max"], min_group_size=3)
    people = [answer(store, library, workshop, f"P{i}", {"assi": r, "max": "nagot_forhojd"})
              for i, r in enumerate(["hog", "mycket_hog", "hog"])]
    f = mentor_page.Facilitator(page_context(f"workshop={workshop.id}&secret={secret}"), store, library, workshop.id)
    f.open_round()
    for p, risk in zip(people, ["mycket_hog", "mycket_hog", "hog"]):
        for case_id, r in (("assi", risk), ("max", "mycket_hog")):
            loop = TraineeLoop(library.get(case_id), library, store, p, "sv", workshop=store.workshop(workshop.id))
            loop.form.risk.value = r
            loop.form.go(len(STEPS) - 1)
            loop.form.submit()
    f.refresh()
    assert "1 högre, 0 lägre, 2 oförändrade" in f.convergence.value
    f.prepare_record()
    assert all(cls in f.exports.value for cls in ("samsyn-download-html", "samsyn-download-pdf", "samsyn-download-excel"))

    from feedback import report
    from feedback.workshop import case_reveal, workshop_alpha

    reveal = case_reveal(library.get("assi"), library.variables, [], round=1, min_group=3)
    record = report.WorkshopRecord("<b>W</b>", "sv", 2, 3, (reveal,),
                                   workshop_alpha({}, library.variables, min_group=3), (), report.now())
    html = report.render_html(record, library)
    assert "&lt;b&gt;W&lt;/b&gt;" in html and "Dolt: 0 svar" in html
    assert report.render_pdf(record, library).startswith(b"%PDF")
    rows = store.export_rows(workshop_id=workshop.id)
    xlsx = report.render_excel({"assi": [{k: v for k, v in r.items() if k != "case_id"} for r in rows if r["case_id"] == "assi"]},
                               library, "sv")
    wb = load_workbook(io.BytesIO(xlsx))
    assert wb.sheetnames == ["Assi"]
    assert {c.value for c in wb["Assi"][1]} >= {"pseudonym", "risk", "round"}


def test_alpha_in_the_reveal_and_the_record_shows_the_share_of_inte_kant(store, library):
    workshop, secret = store.create_workshop("W", ["assi", "jamila"], min_group_size=3)
    for i, (a, j) in enumerate([("hog", "nagot_forhojd"), ("mycket_hog", "inte_kant"), ("mycket_hog", "hog")]):
        answer(store, library, workshop, f"P{i}", {"assi": a, "jamila": j})
    f = mentor_page.Facilitator(page_context(f"workshop={workshop.id}&secret={secret}"), store, library, workshop.id)
    f.reveal("assi")
    panel = text_of(f.case_boxes["assi"]["panel"])
    assert 'class="samsyn-alpha"' in panel and "Krippendorffs alfa" in panel
    assert "Inte känt: 16,7\xa0% av svaren (1 av 6)" in panel
    f.prepare_record()
    assert "samsyn-download-html" in f.exports.value
def test_the_participant_link_fills_in_the_join_code(store, library):
    from widgets.identity import SignIn

    create = mentor_page.CreateWorkshop(page_context("lang=en"), store, library)
    create.name.value = "Länken"
    create.cases["max"].value = True
    create.create()
    code = create.status.value.split('samsyn-join-code">')[1].split("<")[0]
    assert f'class="samsyn-participant-link" href="start.ipynb?join={code}&amp;lang=en"' in create.status.value
    assert SignIn(page_context(f"join={code}&lang=sv"), store, "start.ipynb", {}).workshop_code.value == code
