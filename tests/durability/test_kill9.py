"""kill -9 the server mid-workshop: every submitted answer and saved draft survives.

SQLite runs in WAL mode with ``synchronous=NORMAL``: a committed transaction is
in the WAL (the operating system's file cache) before the page hears about it,
so killing the server — or any kernel — cannot lose it. (Power loss can lose
the last transactions with NORMAL; that is the documented trade-off.)
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import psutil
import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from store import Store
from store.db import dispose_all, engine_for

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
import flow  # noqa: E402  (tests/browser/flow.py)

pytestmark = pytest.mark.browser


def wait_for(predicate, timeout: float = 60.0, what: str = "condition"):
    """Poll the database (bounded) for something the page has already confirmed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def kill_9(server) -> None:
    """SIGKILL the server's process group; its kernels (own sessions) lose their parent and exit."""
    kernels = [p for p in psutil.Process(server.proc.pid).children(recursive=True)]
    os.killpg(server.proc.pid, 9)
    server.proc.wait(30)
    gone, alive = psutil.wait_procs(kernels, timeout=30)
    for proc in alive:  # ipykernel polls its parent once a second; do not leave strays
        proc.kill()


def test_answers_and_drafts_survive_kill_9_and_restart(voila_factory, page, tmp_path):
    server = voila_factory(tmp_path)
    store = Store(server.database_url)
    trainee = store.create_participant("Varaktig", self_paced=True)
    code = trainee.personal_code

    # 1. An answer for Jamila, submitted through the page.
    page.goto(server.page("case.ipynb", case="jamila", lang="sv", code=code))
    expect(page.locator(".samsyn-form")).to_be_visible()
    flow.step_exposure(page, ["fysiskt_vald"], ["inga_svarigheter"], ["annat"])
    flow.next_step(page, 2)
    risk_factor = page.locator(".samsyn-factors-risk .samsyn-factor").first.get_attribute("class")
    risk_id = next(c for c in risk_factor.split() if c.startswith("samsyn-factor-risk-"))[len("samsyn-factor-risk-"):]
    flow.step_factors(page, {risk_id: (3, 2)}, {})
    flow.next_step(page, 3)
    flow.step_risk(page, "hog", 3)
    flow.next_step(page, 4)
    flow.step_mapping(page)
    flow.next_step(page, 5)
    flow.step_intervention(page, ["annan_oppenvard"], ["stimulans_och_vagledning"])
    flow.next_step(page, 6)
    flow.step_goals(page, "Jamila känner sig trygg hemma", "Slag minst en gång i månaden")
    flow.next_step(page, 7)
    flow.step_motivation(page, "Upprepat våld och en förälder som förnekar det.")
    page.locator(".samsyn-submit").click()
    expect(page.locator(".samsyn-submitted")).to_be_visible()

    # 2. A half-finished draft for Max: step 2, one factor weighed.
    page.goto(server.page("case.ipynb", case="max", lang="sv", code=code))
    expect(page.locator(".samsyn-form")).to_be_visible()
    flow.step_exposure(page, ["brister_i_omsorg"], ["psykisk_ohalsa"], ["ingen_svarighet"])
    flow.next_step(page, 2)
    flow.step_factors(page, {"unmet-health-care": (3, 2)}, {})
    expect(page.locator(".samsyn-draft-saved")).to_be_visible()

    def draft_complete():
        draft = store.load_draft(trainee.id, "max")
        factor = (draft or {}).get("factors", {}).get("unmet-health-care", {})
        return draft if draft and draft.get("step") == 1 and factor.get("extent") else None

    draft_before = wait_for(draft_complete, what="the last change of the draft to be saved")
    answer_before = store.answer_for(trainee.id, "jamila")
    assert answer_before is not None

    # 3. Mid-workshop: kill -9, no chance to flush or shut down.
    kill_9(server)
    dispose_all()

    # 4. Restart on the same SQLite file.
    restarted = voila_factory(tmp_path)
    assert restarted.database_url == server.database_url
    with engine_for(restarted.database_url).connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    store = Store(restarted.database_url)
    answer_after = store.answer_for(trainee.id, "jamila")
    assert answer_after is not None and answer_after.id == answer_before.id
    assert (answer_after.risk, answer_after.safety_scale, answer_after.motivation) == (
        answer_before.risk, answer_before.safety_scale, answer_before.motivation)
    assert [(s.variable, s.option_id) for s in answer_after.selections] == \
        [(s.variable, s.option_id) for s in answer_before.selections]
    assert [(f.factor_id, f.severity, f.extent) for f in answer_after.factors] == \
        [(f.factor_id, f.severity, f.extent) for f in answer_before.factors]
    assert [g.goal for g in answer_after.goals] == ["Jamila känner sig trygg hemma"]
    assert store.load_draft(trainee.id, "max") == draft_before

    # 5. The page restores the draft where the trainee left it.
    page.goto(restarted.page("case.ipynb", case="max", lang="sv", code=code))
    expect(page.locator(".samsyn-draft-restored")).to_be_visible()
    expect(page.locator(".samsyn-progress-text")).to_contain_text("2")
    expect(page.locator(".samsyn-factor-risk-unmet-health-care input[type=checkbox]")).to_be_checked()
    assert page.js_errors == []
