"""Guessing codes is throttled, and errors stay on the server (issue 12).

Driven as the issue's prober did, without a browser: a plain GET opens the
page, then widget messages on its kernel's websocket type a code and click the
button, as fast as the server answers. Failed personal-code, join-code and
manager-key attempts are counted per client (in the database, across pages)
and per kernel; after the free ones each attempt waits, and an attempt while
waiting is not even checked — the right code does not get in either.
"""

from __future__ import annotations

import json

import pytest

from rawclient import PageSocket
from servers import server_factory  # noqa: F401 - fixture
from store import Store
from store.repository import WorkshopClosed

START = "/voila/render/start.ipynb?lang=en"


@pytest.fixture(scope="module")
def server(server_factory):
    # Each test plays another client (the address a trusted proxy would pass on).
    return server_factory({"SAMSYN_THROTTLE_FREE_FAILURES": "3", "SAMSYN_MANAGER_KEY": "right-key-0123456789",
                           "SAMSYN_CLIENT_IP_HEADER": "X-Forwarded-For"})


def client(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def guess(page: PageSocket, text_comm: str, button_comm: str, status_comm: str, value: str) -> str:
    page.set(text_comm, value=value)
    page.done(page.click(button_comm))
    return page.value(status_comm)


def test_personal_codes_cannot_be_guessed_fast(server):
    store = Store(server.database_url)
    real = store.create_participant("Planterad", self_paced=True)
    replies = []
    with PageSocket(server.port, START, headers=client("10.1.0.1")) as page:
        page.request_states()
        code, resume, status = (page.find(c) for c in ("samsyn-code-input", "samsyn-resume-button",
                                                       "samsyn-identity-status"))
        for i in range(8):
            replies.append(guess(page, code, resume, status, f"WRNG-CODE-{i:04d}"))
        right = guess(page, code, resume, status, real.personal_code)
    assert all("not found" in r for r in replies[:3]), replies[:3]
    assert all("Too many attempts" in r for r in replies[3:]), replies[3:]
    assert "Too many attempts" in right and "Planterad" not in right  # not even checked while waiting
    assert server.log().count("throttling client 10.1.0.1") == 1  # one line for the burst
    # A second page of the same client is throttled too (the count is per client, in the database).
    with PageSocket(server.port, START, headers=client("10.1.0.1")) as page:
        page.request_states()
        code, resume, status = (page.find(c) for c in ("samsyn-code-input", "samsyn-resume-button",
                                                       "samsyn-identity-status"))
        assert "Too many attempts" in guess(page, code, resume, status, real.personal_code)


def test_join_codes_are_throttled_and_a_taken_pseudonym_looks_like_a_wrong_code(server):
    store = Store(server.database_url)
    workshop, _secret = store.create_workshop("Kalibrering", ["assi"])
    store.join_workshop(workshop.join_code, "Kim")
    replies = {}
    with PageSocket(server.port, START, headers=client("10.1.0.2")) as page:
        page.request_states()
        name, join, start, status = (page.find(c) for c in ("samsyn-pseudonym", "samsyn-workshop-code",
                                                            "samsyn-start-button", "samsyn-identity-status"))
        for label, pseudonym, code in (("wrong code", "Robin", "NOPE2-NOPE3"), ("taken", "kim", workshop.join_code),
                                       ("look-alike", "K\u200bim", workshop.join_code),
                                       ("throttled", "Robin", workshop.join_code)):
            page.set(name, value=pseudonym)
            page.set(join, value=code)
            page.done(page.click(start))
            replies[label] = page.value(status)
    assert replies["wrong code"] == replies["taken"] == replies["look-alike"]
    assert "Could not join" in replies["taken"] and "taken" not in replies["taken"].lower()
    assert "Too many attempts" in replies["throttled"]
    assert [p.pseudonym for p in store.workshop_participants(workshop.id)] == ["Kim"]


def test_a_closed_workshop_refuses_joins(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'w.sqlite3'}")
    workshop, _secret = store.create_workshop("W", ["assi"])
    store.join_workshop(workshop.join_code, "Först")
    store.close_workshop(workshop.id)
    with pytest.raises(WorkshopClosed):
        store.join_workshop(workshop.join_code, "Sen")
    late, _secret = store.create_workshop("Förra veckan", ["assi"])
    with pytest.raises(WorkshopClosed):
        store.join_workshop(late.join_code, "Sen", join_hours=0)
    assert store.join_workshop(late.join_code, "I tid", join_hours=24).pseudonym == "I tid"


def test_manager_keys_are_throttled(server):
    def open_manager(address: str, key: str) -> str:
        with PageSocket(server.port, "/voila/render/manager.ipynb?lang=en",
                        headers={**client(address), "Cookie": f"samsyn_manager={key}"}) as page:
            return json.dumps(page.request_states())

    for i in range(3):
        assert "samsyn-manager-refused" in open_manager("10.1.0.3", f"guess-{i}")
    text = open_manager("10.1.0.3", "right-key-0123456789")
    assert "Too many attempts" in text and "samsyn-manager-intro" not in text
    assert "samsyn-manager-intro" in open_manager("10.1.0.4", "right-key-0123456789")  # another client gets in


def test_no_traceback_reaches_the_browser(server):
    """A modified browser sends a number where the page expects text: a plain message, the traceback in the log."""
    with PageSocket(server.port, START, headers=client("10.1.0.5")) as page:
        page.request_states()
        code = page.find("samsyn-code-input")
        banner = page.find("samsyn-error-banner")
        page.set(code, value=12345)
        page.set(page.find("samsyn-pseudonym"), value={"not": "text"})
        message = page.value_after(banner, 60)
        page.receive(3)
        frames = "\n".join(page.frames)
    assert "Something went wrong on the server" in message
    for leak in ("Traceback", "TraitError", "site-packages", ".py\"", "File \\\""):
        assert leak not in frames, leak
    assert '"msg_type": "error"' not in frames and '"name": "stderr"' not in frames
    log = server.log()
    assert "a page handler failed" in log and "TraitError" in log
