"""Behind JupyterHub, without a browser: the start page's roles and workshops, and whose identity a code opens.

The real hub is in tests/deploy/test_hub.py; here the hub's answer (the user's
groups) is given to the page as ``samsyn.hub.Roles``, the value the page would
have asked the hub for.
"""

from __future__ import annotations

import re

import pytest

from cases import load_library
from formfill import complete, html_of  # tests/formfill.py
from samsyn import hub
from store import Store
from widgets import case_page, start_page
from widgets.common import page_context
from widgets.hub_workshops import HubWorkshops
from widgets.identity import resolve
from widgets.trainee import TraineeLoop

XSS = '<img src=x onerror="window.__xss=1">'


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


def test_the_start_page_links_to_the_views_the_groups_allow(store, library):
    ctx = page_context("lang=sv")
    trainee = html_of(start_page.build(ctx, library, store, roles(ctx, "samsyn-trainees")))
    assert "samsyn-mentor-link" not in trainee and "samsyn-manager-link" not in trainee
    assert "samsyn-pseudonym" not in trainee and "samsyn-hub-join-code" not in trainee  # the field is a widget
    both = html_of(start_page.build(ctx, library, store, roles(ctx, "samsyn-mentors", "samsyn-managers")))
    assert 'class="samsyn-mentor-link" href="mentor.ipynb?lang=sv"' in both
    assert 'class="samsyn-manager-link" href="manager.ipynb?lang=sv"' in both
    unknown = html_of(start_page.build(ctx, library, store))  # the hub cannot be asked: no role, said so
    assert "samsyn-hub-problem" in unknown and "samsyn-manager-link" not in unknown


def test_joining_gives_an_own_identity_in_the_workshop(store, library):
    workshop, _secret = store.create_workshop(f"Vår {XSS}", ["assi"], min_group_size=3)
    own = resolve(page_context("lang=sv"), store)
    assert own.hub_user == "anna" and own.workshop_id is None
    join = HubWorkshops(page_context(f"join={workshop.join_code.lower()}&lang=sv"), store, "anna")
    assert join.code.value == workshop.join_code.lower()  # the mentor's link fills it in
    join.join()
    assert "samsyn-hub-workshop-link" in join.status.value and XSS not in join.status.value
    member = store.hub_workshops("anna")[0][0]
    assert member.hub_owner == "anna" and member.workshop_id == workshop.id
    # others (the mentor, the exports) see a pseudonym of its own, never the hub user name (issue 12)
    assert member.pseudonym.startswith("hub-") and "anna" not in member.pseudonym.lower()
    assert member.pseudonym != own.pseudonym  # one per workshop: not linkable to her own practice
    join.join()  # again: the same identity
    assert [p.id for p, _w in store.hub_workshops("anna")] == [member.id]

    # The link carries the member's code; on anna's server it opens her workshop identity.
    ctx = page_context(f"code={member.personal_code}&lang=sv")
    assert resolve(ctx, store).id == member.id
    page = html_of(start_page.build(ctx, library, store, roles(ctx)))
    assert "Vår &lt;img" in page and XSS not in page and "samsyn-hub-self-paced" in page
    case_html = html_of(case_page.build(page_context(f"case=assi&code={member.personal_code}"), library, store))
    shown = re.sub(r"<[^>]+>", "", case_html)  # the name sits in a <bdi> of its own
    assert "Du svarar som anna. Workshop: Vår" in shown and "Din personliga kod" not in shown  # no code to keep
    assert member.pseudonym not in shown  # she sees her own name; others see the pseudonym

    # A case practised alone and answered again in the workshop are two answers.
    complete(TraineeLoop(library.get("assi"), library, store, own, "sv"), "hog")
    complete(TraineeLoop(library.get("assi"), library, store, member, "sv", workshop=store.workshop(workshop.id)),
             "mycket_hog")
    assert store.answer_counts(workshop.id) == {("assi", 1): 1}
    assert {a.risk for a in store.answers(case_id="assi")} == {"hog", "mycket_hog"}


def test_someone_elses_workshop_code_opens_nothing_of_theirs(store, monkeypatch):
    workshop, _secret = store.create_workshop("W", ["assi"])
    bo = store.join_workshop_as_hub_user(workshop.join_code, "bo")
    standalone = store.join_workshop(workshop.join_code, "Lärkan")
    for code in (bo.personal_code, standalone.personal_code):
        assert resolve(page_context(f"code={code}"), store).hub_user == "anna"  # anna's own identity instead


def test_join_errors_are_explained_and_lose_nothing(store):
    workshop, _secret = store.create_workshop("W", ["assi"])
    store.join_workshop(workshop.join_code, "anna")  # a pseudonym joiner took the name
    join = HubWorkshops(page_context("lang=en"), store, "anna")
    join.join()
    assert "Type the workshop code first" in join.status.value
    join.code.value = "NOPE42"
    join.join()
    assert "no workshop with that code" in join.status.value.lower()
    assert join.code.value == "NOPE42"
    store.close_workshop(workshop.id)
    join.code.value = workshop.join_code
    join.join()
    assert "closed to new participants" in join.status.value
    assert join.code.value == workshop.join_code and store.hub_workshops("anna") == []
    # A pseudonym joiner who chose the hub user's name blocks nothing: the hub user has a pseudonym of its own.
    other, _secret = store.create_workshop("W2", ["assi"])
    store.join_workshop(other.join_code, "anna")
    join.code.value = other.join_code
    join.join()
    assert "samsyn-hub-workshop-link" in join.status.value
    (member, _w), = store.hub_workshops("anna")
    assert member.pseudonym.startswith("hub-")
    # Once in, a closed workshop still takes its members back.
    store.close_workshop(other.id)
    join.join()
    assert "samsyn-hub-workshop-link" in join.status.value
    assert [p.id for p, _w in store.hub_workshops("anna")] == [member.id]
