"""Pseudonyms, codes, the throttle's arithmetic, hub workshop ownership and exports (issue 12), in-process."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from cases import load_library
from samsyn.cli import main
from store import Store
from store import pseudonym as pseudonyms
from store.repository import (CODE_ALPHABET, JOIN_CODE_LENGTH, PERSONAL_CODE_LENGTH, PseudonymTaken, new_code,
                              normalise_code)
from store.throttle import BASE_WAIT_S, WINDOW_S, Throttle, backoff, reset_kernel_failures
from widgets import mentor_page
from widgets.common import page_context
from formfill import html_of as text_of  # tests/formfill.py

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path):
    return Store(f"sqlite:///{tmp_path / 'rules.sqlite3'}")


# -- pseudonyms ---------------------------------------------------------------------------------------
LOOK_ALIKES = ["Kim", "kim", "KIM", "Kim\u200b", "K\u200dim", "\u202eKim\u202c", "Ｋｉｍ", " Kim  "]


def test_look_alike_pseudonyms_are_one(store):
    workshop, _secret = store.create_workshop("W", ["assi"])
    store.join_workshop(workshop.join_code, "Kim")
    for name in LOOK_ALIKES[1:]:
        with pytest.raises(PseudonymTaken):
            store.join_workshop(workshop.join_code, name)
    with pytest.raises(pseudonyms.PseudonymInvalid):
        store.join_workshop(workshop.join_code, "Кim")  # Cyrillic К: refused as a mix of alphabets
    assert [p.pseudonym for p in store.workshop_participants(workshop.id)] == ["Kim"]
    assert len({pseudonyms.key(n) for n in LOOK_ALIKES}) == 1
    assert pseudonyms.key("Кіт") == pseudonyms.key("Kit")  # all Cyrillic letters that look Latin
    assert pseudonyms.key("Åsa") != pseudonyms.key("Asa")  # Swedish letters are letters of their own


def test_a_name_mixing_alphabets_is_refused():
    with pytest.raises(pseudonyms.PseudonymInvalid) as refused:
        pseudonyms.check("Кim")  # Cyrillic К, Latin im
    assert refused.value.reason == pseudonyms.MIXED_SCRIPTS
    assert pseudonyms.check("Åsa-Li Öberg 2") == "Åsa-Li Öberg 2"
    assert pseudonyms.check("Ким") == "Ким"


def test_format_and_control_characters_are_removed():
    assert pseudonyms.display_form("Anna\u202egnp.exe\u202c") == "Annagnp.exe"
    assert pseudonyms.display_form("Bo\u200b\u2066\u2069\x07\tBerg\u2028") == "Bo Berg"
    assert pseudonyms.display_form("ﬁ\u00a0Ｌｏ") == "fi Lo"  # NFKC


def test_the_facilitator_sees_names_isolated_and_escaped(store):
    library = load_library()
    workshop, secret = store.create_workshop("W", ["assi"])
    store.join_workshop(workshop.join_code, "Anna\u202egnp.exe\u202c")
    store.join_workshop(workshop.join_code, "<b>Bo</b>")
    f = mentor_page.Facilitator(page_context(f"workshop={workshop.id}&secret={secret}"), store, library, workshop.id)
    assert "<bdi>Annagnp.exe</bdi>" in f.live.value and "\u202e" not in f.live.value
    assert "<bdi>&lt;b&gt;Bo&lt;/b&gt;</bdi>" in f.live.value


# -- codes ------------------------------------------------------------------------------------------------
def test_codes_are_long_and_read_back_in_any_spelling():
    personal, join = new_code(), new_code(JOIN_CODE_LENGTH)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", personal)
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", join)
    assert normalise_code(personal.lower().replace("-", " ")) == personal
    assert normalise_code("abcd-efgh") == "ABCD-EFGH" and normalise_code("k7xq2m") == "K7XQ2M"  # earlier codes


def attempts_per_day(free: int = 5, max_wait_s: int = 3600) -> int:
    """The most attempts one client can make in 24 h: the free ones, then one after each wait."""
    n, elapsed = free, 0.0
    while elapsed + backoff(n, free, max_wait_s) <= WINDOW_S:
        elapsed += backoff(n, free, max_wait_s)
        n += 1
    return n


def sci(p: float) -> str:
    mantissa, exponent = f"{p:.1e}".split("e")
    return f"{mantissa} × 10^{int(exponent)}"


def test_the_readme_arithmetic_matches_the_code():
    """README, Security: at the throttled rate, guessing one code in a year is improbable."""
    readme = (REPO / "README.md").read_text()
    per_day = attempts_per_day()
    assert BASE_WAIT_S == 30 and per_day == 34
    yearly = per_day * 365
    personal = len(CODE_ALPHABET) ** PERSONAL_CODE_LENGTH
    join = len(CODE_ALPHABET) ** JOIN_CODE_LENGTH
    for text in (f"31^{PERSONAL_CODE_LENGTH}", f"31^{JOIN_CODE_LENGTH}", f"{math.log2(personal):.0f} bits",
                 f"{math.log2(join):.0f} bits", f"{per_day} attempts", f"{yearly:,}".replace(",", " "),
                 sci(yearly * 100_000 / personal), sci(yearly * 50 / join)):
        assert text in readme, text
    assert yearly * 100_000 / personal < 1e-8 and yearly * 50 / join < 1e-8


# -- throttle ----------------------------------------------------------------------------------------------
def test_the_throttle_counts_per_client_and_per_kernel(store):
    now = [1_000_000.0]
    limiter = Throttle(store, free=3, max_wait_s=600, clock=lambda: now[0])
    reset_kernel_failures()
    for _ in range(3):
        assert limiter.wait("10.0.0.1") == 0
        limiter.failed("10.0.0.1", "code")
    assert limiter.wait("10.0.0.1") == pytest.approx(30)
    now[0] += 31
    assert limiter.wait("10.0.0.1") == 0
    limiter.failed("10.0.0.1", "code")
    assert limiter.wait("10.0.0.1") == pytest.approx(60)  # doubling
    # Another client from this kernel (page) waits too: the kernel's own count.
    assert limiter.wait("10.0.0.2") == pytest.approx(60)
    reset_kernel_failures()  # a new page, same client: the database count
    assert limiter.wait("10.0.0.1") == pytest.approx(60)
    assert limiter.wait("10.0.0.2") == 0
    now[0] += WINDOW_S + 1
    assert limiter.wait("10.0.0.1") == 0
    assert [backoff(n, 5, 3600) for n in (4, 5, 6, 12, 40)] == [0, 30, 60, 3600, 3600]


# -- hub -------------------------------------------------------------------------------------------------
@pytest.fixture
def hub_mentor(monkeypatch):
    """Become a hub user in the mentors' group; returns the roles the page would have asked the hub for."""
    from samsyn import hub

    def become(user: str):
        monkeypatch.setenv("JUPYTERHUB_USER", user)
        return hub.roles(page_context("").settings, frozenset({"samsyn-mentors"}))
    return become


def test_a_hub_mentor_opens_only_their_own_or_granted_workshops(store, hub_mentor, tmp_path):
    library = load_library()
    roles = hub_mentor("anna")
    create = mentor_page.CreateWorkshop(page_context("lang=sv"), store, library)
    create.name.value = "Annas workshop"
    create.cases["assi"].value = True
    create.create()
    (workshop,) = [w for w in (store.workshop(i) for i in range(1, 5)) if w]
    assert workshop.owner_hub_user == "anna"
    page = page_context(f"workshop={workshop.id}")
    assert workshop.join_code in text_of(mentor_page.build(page, library, store, roles=roles))
    roles = hub_mentor("bo")
    page = page_context(f"workshop={workshop.id}")
    refused = text_of(mentor_page.build(page, library, store, roles=roles))
    assert "samsyn-refused" in refused and workshop.join_code not in refused
    assert page.messages("mentor.refused_not_yours") in refused
    result = CliRunner().invoke(main, ["workshops", "grant", str(workshop.id), "bo", "--database-url", store.url])
    assert result.exit_code == 0, result.output
    assert workshop.join_code in text_of(mentor_page.build(page, library, store, roles=roles))


def test_exports_carry_no_hub_user_names(store, tmp_path):
    from store.answer import AnswerIn

    old = store.create_participant("anna", hub_user="anna")  # as stored before: the name as pseudonym
    new = store.create_participant("bo", hub_user="bo")
    assert new.pseudonym != "bo" and new.pseudonym.startswith("hub-")
    workshop, _secret = store.create_workshop("W", ["assi"])
    member = store.join_workshop_as_hub_user(workshop.join_code, "cecilia")  # her identity in a workshop
    assert member.pseudonym.startswith("hub-") and member.hub_owner == "cecilia"
    from store.models import Participant

    with store.session() as s, s.begin():  # a workshop identity stored before hub pseudonyms: the name
        s.add(Participant(pseudonym="dora", pseudonym_key="dora", hub_owner="dora", workshop_id=workshop.id,
                          personal_code="LEGA-CYDO-RA23"))
    legacy = store.participant_by_code("LEGA-CYDO-RA23")
    for p in (old, new, member, legacy):
        store.submit_answer(p.id, AnswerIn(case_id="assi", round=1, risk="hog", motivation="m", language="sv",
                                           selections={}, factors=[], goals=[]))
    out = tmp_path / "answers.xlsx"
    assert CliRunner().invoke(main, ["export", "-o", str(out), "--database-url", store.url]).exit_code == 0
    cells = {str(c.value) for row in load_workbook(out).active.iter_rows() for c in row}
    assert not {"anna", "bo", "cecilia", "dora"} & cells
    assert CliRunner().invoke(main, ["export", "-o", str(out), "--database-url", store.url,
                                     "--hub-usernames"]).exit_code == 0
    cells = {str(c.value) for row in load_workbook(out).active.iter_rows() for c in row}
    assert {"anna", "bo", "cecilia", "dora"} <= cells


def test_language_switches_carry_no_secret(store):
    """The manager key and the facilitator secret come from the server (a cookie), never into a link."""
    from dataclasses import replace

    from widgets import manager_page

    library = load_library()
    workshop, secret = store.create_workshop("W", ["assi"])
    ctx = replace(page_context(f"workshop={workshop.id}&lang=sv"), secrets={"secret": secret})
    html = text_of(mentor_page.build(ctx, library, store))
    assert workshop.join_code in html  # the secret from the server opened the facilitator view
    links = re.findall(r'class="samsyn-lang-link" href="([^"]+)"', html)
    assert links and all(secret not in link and "secret" not in link for link in links), links
    key = "manager-key-for-the-switch-test"
    ctx = replace(page_context("lang=en"), secrets={"key": key})
    ctx = replace(ctx, settings=replace(ctx.settings, manager_key=key, database_url=store.url))
    html = text_of(manager_page.build(ctx, library))
    links = re.findall(r'class="samsyn-lang-link" href="([^"]+)"', html)
    assert "samsyn-manager-refused" not in html and links and all("key" not in link for link in links), links
