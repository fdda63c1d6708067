"""Behind JupyterHub, without a browser: joining a programme by hub group, the mentor's cohort view
under hub names for the programme's creator only, and the workshop of a workshop step."""

from __future__ import annotations

from datetime import date

import pytest

from cases import load_library
from formfill import complete, html_of  # tests/formfill.py
from samsyn import hub
from store import StepIn, Store
from widgets import programme_page, start_page
from widgets.common import page_context
from widgets.identity import resolve
from widgets.trainee import TraineeLoop

TODAY = date(2026, 9, 15)


@pytest.fixture
def library():
    return load_library()


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    monkeypatch.setenv("SAMSYN_DATABASE_URL", url)
    monkeypatch.setenv("JUPYTERHUB_USER", "anna")
    return Store(url)


def roles(ctx, *groups):
    return hub.roles(ctx.settings, frozenset(groups))


def test_a_hub_group_puts_the_trainee_in_the_programme(store, library, monkeypatch):
    programme, _ = store.create_programme(
        "Nya hösten", [StepIn(1, ("assi",)), StepIn(2, ("max",), "workshop")], starts_on=date(2026, 9, 7),
        criterion={"kind": "share_lean"}, owner_hub_user="mentor1", hub_group="nya-2026")
    ctx = page_context("lang=sv")
    plain = html_of(start_page.build(ctx, library, store, roles(ctx, "samsyn-trainees")))
    assert "Gå med i ett introduktionsprogram" in plain and "Ditt program" not in plain
    page = html_of(start_page.build(ctx, library, store, roles(ctx, "nya-2026")))
    assert "Ditt program: Nya hösten" in page
    anna = resolve(ctx, store)
    assert store.membership(anna.id).programme_id == programme.id
    # the mentor who created it sees her under her hub name (mentors know their mentees)
    complete(TraineeLoop(library.get("assi"), library, store, anna, "sv"), "hog")
    monkeypatch.setenv("JUPYTERHUB_USER", "mentor1")
    mentor_ctx = page_context(f"programme={programme.id}&lang=sv")
    cohort = html_of(programme_page.build(mentor_ctx, library, store, roles(mentor_ctx, "samsyn-mentors"), today=TODAY))
    assert '<bdi class="samsyn-name">anna</bdi>' in cohort and 'data-answers="1"' in cohort
    monkeypatch.setenv("JUPYTERHUB_USER", "mentor2")
    other = page_context(f"programme={programme.id}&lang=sv")
    refused = html_of(programme_page.build(other, library, store, roles(other, "samsyn-mentors")))
    assert "samsyn-refused" in refused and "anna" not in refused
    trainee = html_of(programme_page.build(other, library, store, roles(other, "samsyn-trainees")))
    assert "samsyn-refused" in trainee


def test_a_workshop_step_gives_the_member_an_identity_in_its_workshop(store, library):
    programme, _ = store.create_programme(
        "Nya hösten", [StepIn(1, ("assi",)), StepIn(2, ("max",), "workshop")], starts_on=date(2026, 9, 7),
        criterion={"kind": "share_lean"}, hub_group="nya-2026")
    ctx = page_context("lang=sv")
    anna = resolve(ctx, store)
    store.join_programme(programme.id, anna.id)
    workshop, _secret = store.open_step_workshop(programme.steps[1].id)
    from widgets.programme_view import ProgrammeSection

    section = ProgrammeSection(ctx, store, library, anna, today=TODAY)
    button = next(w for w in _walk(section.widget) if "samsyn-programme-workshop" in getattr(w, "_dom_classes", ()))
    button.click()
    link = html_of(section.widget)
    member = store.hub_workshops("anna")[0][0]
    assert member.workshop_id == workshop.id and member.hub_owner == "anna"
    assert f"code={member.personal_code}" in link
    assert resolve(page_context(f"code={member.personal_code}"), store).id == member.id
    complete(TraineeLoop(library.get("max"), library, store, member, "sv", workshop=store.workshop(workshop.id)), "hog")
    from programmes.service import trainee_state

    state = trainee_state(store, library, anna.id, TODAY)
    assert [r.case_id for r in state.results] == ["max"]
    assert [s.state for s in state.steps] == ["now", "done"]


def _walk(widget):
    stack = [widget]
    while stack:
        w = stack.pop()
        yield w
        stack.extend(getattr(w, "children", ()))


def test_a_hub_user_who_joined_the_steps_workshop_by_code_keeps_that_identity(store, library):
    programme, _ = store.create_programme("Nya", [StepIn(1, ("max",), "workshop")], starts_on=date(2026, 9, 7),
                                          criterion={"kind": "share_lean"})
    anna = resolve(page_context("lang=sv"), store)
    member = store.join_programme(programme.id, anna.id)
    workshop, _ = store.open_step_workshop(programme.steps[0].id)
    direct = store.join_workshop_as_hub_user(workshop.join_code, "anna")
    assert store.join_step_workshop(member.id, workshop.id).id == direct.id
    assert store.join_step_workshop(member.id, workshop.id).id == direct.id
