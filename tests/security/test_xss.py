"""XSS payloads in every free-text field, rendered in Chromium: none executes.

Each payload, if it ever reached the page as markup, would set
``window.__xss``. The trainee's own text goes in through the real UI
(pseudonym, own factor, goals, motivation, reflection); other trainees' text is
seeded through the store (that is how it reaches a trainee's feedback: group
goals appear from five answers). Every check asserts both that nothing ran and
that the payload is on the page *as text* — so a field that silently dropped
the text would not pass for a safe one.

To cover another view, seed its data with ``PAYLOADS``, open it, and call
``assert_inert(page)`` and ``expect(...).to_contain_text(payload)`` — as the
mentor test below does for the workshop name, pseudonyms, motivations and goals.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from store import AnswerIn, Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
import flow  # noqa: E402  (tests/browser/flow.py)

pytestmark = pytest.mark.browser

IMG = "<img src=x onerror=window.__xss=1>"
SCRIPT = "<script>window.__xss=1</script>"
SVG = '"><svg onload=window.__xss=1>'
PAYLOADS = (IMG, SCRIPT, SVG)


def assert_inert(page: Page) -> None:
    assert page.evaluate("typeof window.__xss") == "undefined", "an XSS payload ran"
    for tag in ("svg[onload]", "img[onerror]", "script:not([src]):not([type])"):
        for element in page.locator(f".samsyn-page {tag}").all():
            html = element.evaluate("e => e.outerHTML")
            assert "__xss" not in html, f"payload became markup: {html}"


def seeded_answer(case_id: str, i: int, **extra) -> AnswerIn:
    data = dict(
        case_id=case_id, risk=["hog", "mycket_hog", "nagot_forhojd"][i % 3], safety_scale=3,
        selections={"exposure.home": ["brister_i_omsorg"], "exposure.guardian": ["psykisk_ohalsa"],
                    "exposure.child": ["ingen_svarighet"], "intervention": ["annan_oppenvard"],
                    "focus": ["grundlaggande_omsorg"]},
        factors=[{"kind": "risk", "factor_id": "own:1", "own_text": PAYLOADS[i % 3], "severity": 3, "extent": 2}],
        goals=[{"goal": f"{PAYLOADS[i % 3]} mål {i}", "baseline": SVG, "change": IMG, "timeframe": SCRIPT}],
        motivation=f"{PAYLOADS[(i + 1) % 3]} motivering {i}", language="sv",
        mapping={"entries": [{"part": "harm", "text": f"{PAYLOADS[i % 3]} skada {i}"},
                             {"part": "steps", "text": f"{PAYLOADS[(i + 2) % 3]} steg {i}"}],
                 "danger_statement": f"{PAYLOADS[i % 3]} farhåga {i}", "safety_goal": f"{PAYLOADS[(i + 1) % 3]} mål {i}",
                 "why_not_lower": SVG, "one_step_up": IMG},
    )
    data.update(extra)
    return AnswerIn(**data)


def test_trainee_view_shows_every_payload_as_text(voila, page):
    store = Store(voila.database_url)
    for i in range(5):  # five earlier answers: the group's goals are shown
        other = store.create_participant(f"{PAYLOADS[i % 3]}{i}", self_paced=True)
        store.submit_answer(other.id, seeded_answer("max", i))

    # Pseudonym, through the sign-in.
    page.goto(voila.page("case.ipynb", case="max", lang="sv"))
    page.locator(".samsyn-pseudonym input").fill(IMG)
    page.locator(".samsyn-start-button").click()
    expect(page.locator(".samsyn-identity-status")).to_contain_text(IMG)
    assert_inert(page)
    page.locator(".samsyn-continue-link").click()
    expect(page.locator(".samsyn-signed-in")).to_contain_text(IMG)
    assert_inert(page)

    flow.step_exposure(page, ["brister_i_omsorg"], ["psykisk_ohalsa"], ["ingen_svarighet"])
    flow.next_step(page, 2)
    # An own factor without weights: the step's error names it — as text.
    flow.step_factors(page, {"unmet-health-care": (3, 2)}, {})
    page.locator(".samsyn-own-risk-own-r1 input").fill(SVG)
    page.locator(".samsyn-next").click()
    expect(page.locator(".samsyn-step-error")).to_contain_text(SVG)
    assert_inert(page)
    page.locator(".samsyn-own-risk-own-r1 input").fill("")  # (own factors cannot be submitted yet: see test_validation)
    flow.next_step(page, 3)
    flow.step_risk(page, "hog", 4)
    flow.next_step(page, 4)
    flow.step_mapping(page, harm=SCRIPT, danger=f"{IMG} farhåga", goal=f"{SVG} mål", steps=IMG, why=SCRIPT, step_up=SVG)
    page.locator(".samsyn-mapping-harm textarea").fill("x" * 301)  # a line too long: the error is text too
    page.locator(".samsyn-next").click()
    expect(page.locator(".samsyn-step-error")).to_contain_text("300")
    page.locator(".samsyn-mapping-harm textarea").fill(SCRIPT)
    flow.next_step(page, 5)
    flow.step_intervention(page, ["annan_oppenvard"], ["grundlaggande_omsorg"])
    flow.next_step(page, 6)
    page.locator(".samsyn-goal-1-goal textarea").fill(SCRIPT)
    page.locator(".samsyn-goal-1-baseline textarea").fill(IMG)
    page.locator(".samsyn-goal-1-change textarea").fill(SVG)
    page.locator(".samsyn-goal-1-timeframe input").fill(IMG)
    flow.next_step(page, 7)
    flow.step_motivation(page, f"{SVG} och förskolan skyddar inte mot det.")
    page.locator(".samsyn-submit").click()

    # Feedback: the trainee's own goal and the group's goals, as text.
    expect(page.locator(".samsyn-submitted")).to_be_visible()
    expect(page.locator(".samsyn-own-goal")).to_contain_text(SCRIPT)
    expect(page.locator(".samsyn-own-goal")).to_contain_text(IMG)
    expect(page.locator(".samsyn-own-goal")).to_contain_text(SVG)
    expect(page.locator(".samsyn-group-goal").first).to_be_visible()
    for payload in PAYLOADS:
        expect(page.locator(".samsyn-goal-list")).to_contain_text(payload)
    mapping = page.locator(".samsyn-feedback-mapping")
    expect(mapping.locator(".samsyn-mapping-own")).to_contain_text(SCRIPT)
    expect(mapping.locator(".samsyn-own-danger")).to_contain_text(f"{IMG} farhåga")
    expect(mapping.locator(".samsyn-own-goal-statement")).to_contain_text(f"{SVG} mål")
    assert_inert(page)

    # Reflection: saved, and back in its field after a reload.
    page.locator(".samsyn-prompt-box textarea").first.fill(SVG + IMG)
    page.locator(".samsyn-save-reflection").click()
    expect(page.locator(".samsyn-reflection-status")).to_contain_text("sparad")
    page.reload()
    expect(page.locator(".samsyn-prompt-box textarea").first).to_have_value(SVG + IMG)
    expect(page.locator(".samsyn-signed-in")).to_contain_text(IMG)
    assert_inert(page)

    # The start page: the pseudonym and the trainee's progress.
    code = page.locator(".samsyn-signed-in strong").inner_text()
    page.goto(voila.page("start.ipynb", lang="sv", code=code))
    expect(page.locator(".samsyn-signed-in")).to_contain_text(IMG)
    expect(page.locator('.samsyn-case-card[data-case="max"] .samsyn-answered')).to_be_visible()
    assert_inert(page)
    assert page.js_errors == []


def test_mentor_view_shows_every_payload_as_text(voila, page):
    store = Store(voila.database_url)
    workshop, secret = store.create_workshop(f"Workshop {SVG}", ["jamila"], language="sv", min_group_size=5)
    for i in range(5):
        p = store.create_participant(f"{PAYLOADS[i % 3]}{i}", workshop_id=workshop.id)
        store.submit_answer(p.id, seeded_answer("jamila", i, selections={
            "exposure.home": ["fysiskt_vald"], "exposure.guardian": ["inga_svarigheter"], "exposure.child": ["annat"],
            "intervention": ["annan_oppenvard"], "focus": ["stimulans_och_vagledning"]}), workshop_id=workshop.id)

    page.goto(voila.page("mentor.ipynb", workshop=str(workshop.id), secret=secret, lang="sv"))
    expect(page.locator(".samsyn-facilitator h1")).to_contain_text(SVG)
    expect(page.locator(".samsyn-joined-names")).to_contain_text(IMG)
    assert_inert(page)
    page.locator(".samsyn-reveal-jamila").click()
    panel = page.locator(".samsyn-reveal-panel-jamila")
    expect(panel.locator(".samsyn-reveal-chart svg")).to_be_visible()
    for payload in PAYLOADS:
        expect(panel).to_contain_text(f"{payload} motivering")
        expect(panel.locator(".samsyn-mapping-group-words")).to_contain_text(f"{payload} skada")
        expect(panel.locator(".samsyn-mapping-statements-table")).to_contain_text(f"{payload} farhåga")
    assert_inert(page)
    assert page.js_errors == []


@pytest.mark.parametrize("query", [{}, {"secret": "not-the-secret"}])
def test_facilitator_view_refuses_a_wrong_or_missing_secret(voila, page, query):
    store = Store(voila.database_url)
    workshop, _secret = store.create_workshop("Hemlig", ["assi"])
    page.goto(voila.page("mentor.ipynb", workshop=str(workshop.id), lang="sv", **query))
    expect(page.locator(".samsyn-refused")).to_be_visible()
    expect(page.locator(".samsyn-facilitator")).to_have_count(0)


@pytest.mark.parametrize("query", [{}, {"key": "not-the-key"}])
def test_manager_view_refuses_a_wrong_or_missing_key(voila, page, query):
    page.goto(voila.page("manager.ipynb", lang="en", **query))
    expect(page.locator(".samsyn-manager-refused")).to_be_visible()
    expect(page.locator(".samsyn-manager-view")).to_have_count(0)
