"""The mapping exercise in Chromium (issue 16): fill the mapping step, reload half-way,
submit, and the feedback with the reference mapping and the prompts; the mentor's view of
the group's mappings, hidden below the minimum group."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

import flow  # tests/browser/flow.py
from store import AnswerIn, Store

pytestmark = pytest.mark.browser

IMG = "<img src=x onerror=window.__xss=1>"


def test_mapping_fill_reload_submit_and_prompts(voila, page):
    flow.sign_in(page, voila.page("case.ipynb", case="leo", lang="sv"), "Kartläggare")
    flow.step_exposure(page, ["brister_i_omsorg"], ["inga_svarigheter"], ["annat"])
    flow.next_step(page, 2)
    first = page.locator(".samsyn-factors-risk .samsyn-factor").first.get_attribute("class")
    fid = next(c for c in first.split() if c.startswith("samsyn-factor-risk-"))[len("samsyn-factor-risk-"):]
    flow.step_factors(page, {fid: (3, 2)}, {})
    flow.next_step(page, 3)
    flow.step_risk(page, "hog", 8)  # 8 of 10 with "hög risk": the two instruments disagree
    flow.next_step(page, 4)

    # The step explains itself: the three columns, guidance beside the statements, a worked example.
    step = page.locator(".samsyn-step-mapping")
    for heading in ("Vilken oro finns för barnet?", "Vad fungerar bra?", "Vad behöver hända?"):
        expect(step).to_contain_text(heading)
    expect(step.locator(".samsyn-mapping-guidance").first).to_contain_text("femårigt barn")
    step.locator(".samsyn-mapping-example summary").click()
    expect(step.locator(".samsyn-mapping-example")).to_contain_text("Elin")
    # Nothing written yet: the step says what is missing.
    page.locator(".samsyn-next").click()
    expect(page.locator(".samsyn-step-error")).to_contain_text("Skriv en farhåga")

    flow.step_mapping(page, harm=f"Pappa har slagit mamma {IMG}", factors={fid: "complicating"},
                      danger="Vårdnadshavarna brister i omsorgen och barnets psykosociala situation är bristande.",
                      goal="Familjen mår bättre.", steps="")
    expect(page.locator(".samsyn-draft-saved")).to_be_visible()
    page.wait_for_timeout(1500)  # the last keystrokes' draft

    # Reload half-way: the mapping and the step come back.
    page.reload()
    expect(page.locator(".samsyn-draft-restored")).to_be_visible()
    expect(page.locator(".samsyn-progress-text")).to_contain_text("4")
    expect(page.locator(".samsyn-mapping-harm textarea")).to_have_value(f"Pappa har slagit mamma {IMG}")
    expect(page.locator(".samsyn-mapping-goal textarea")).to_have_value("Familjen mår bättre.")
    expect(page.locator(".samsyn-mapping-one-step-up textarea")).to_have_value("Ett möte med nätverket.")
    expect(page.locator(f".samsyn-mapping-factor-{fid} select")).to_have_value(
        page.locator(f".samsyn-mapping-factor-{fid} select option").nth(flow.PLACE_INDEX["complicating"]).get_attribute("value"))

    flow.next_step(page, 5)
    flow.step_intervention(page, ["annan_oppenvard"], ["stimulans_och_vagledning"])
    flow.next_step(page, 6)
    flow.step_goals(page, "Inga slag hemma", "Slag en gång i månaden")
    flow.next_step(page, 7)
    flow.step_motivation(page, "Våldet upprepas och pappa förnekar det.")
    page.locator(".samsyn-submit").click()

    fb = page.locator(".samsyn-feedback-mapping")
    expect(fb).to_contain_text("Ärendeförfattarens kartläggning")
    expect(fb.locator(".samsyn-mapping-own")).to_contain_text(f"Pappa har slagit mamma {IMG}")  # text, not markup
    expect(fb.locator(".samsyn-mapping-key-scale")).to_contain_text("av 10")
    expect(fb.locator(".samsyn-mapping-group-hidden")).to_be_visible()  # first to answer: no group
    expect(fb.locator(f'.samsyn-mapping-placements tr[data-factor="{fid}"]')).to_contain_text("Komplicerande faktorer")
    for prompt in ("mapping_danger_words", "mapping_not_counterpart", "mapping_no_next_step", "mapping_scale_risk"):
        expect(page.locator(f'.samsyn-prompt[data-prompt="{prompt}"]')).to_be_visible()
    expect(page.locator('.samsyn-prompt[data-prompt="mapping_danger_words"]')).to_contain_text("Vårdnadshavarna")
    expect(page.locator('.samsyn-prompt[data-prompt="mapping_scale_risk"]')).to_contain_text("8 av 10")
    fb.locator(".samsyn-mapping-rules summary").click()
    expect(fb.locator(".samsyn-mapping-rules")).to_contain_text("färre än 2 är gemensamma")  # the rules, explained
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.js_errors == []


def _answer(case_id: str, i: int, mapped: bool) -> AnswerIn:
    return AnswerIn(
        case_id=case_id, risk="hog", safety_scale=3 + i % 3, motivation=f"Motivering {i}", language="sv",
        selections={"exposure.home": ["fysiskt_vald"], "exposure.guardian": ["inga_svarigheter"],
                    "exposure.child": ["annat"], "intervention": ["annan_oppenvard"], "focus": ["stimulans_och_vagledning"]},
        goals=[{"goal": f"Mål {i}"}],
        mapping={"entries": [{"part": "strengths", "text": f"Styrka {i}"}],
                 "danger_statement": f"Farhåga {i}", "safety_goal": f"Säkerhetsmål {i}"} if mapped else None,
    )


def test_the_group_mappings_need_the_minimum_group(voila, page):
    """Five answers, four with a mapping: the reveal shows the answers but not the mappings;
    a fifth mapping shows them, column by column, with the scaling and the statements."""
    store = Store(voila.database_url)
    workshop, secret = store.create_workshop("Kartläggningsövning", ["jamila"], language="sv", min_group_size=5)
    for i in range(5):
        p = store.create_participant(f"Deltagare {i}", workshop_id=workshop.id)
        store.submit_answer(p.id, _answer("jamila", i, mapped=i < 4), workshop_id=workshop.id)
    page.goto(voila.page("mentor.ipynb", workshop=str(workshop.id), secret=secret, lang="sv"))
    page.locator(".samsyn-reveal-jamila").click()
    panel = page.locator(".samsyn-reveal-panel-jamila")
    expect(panel.locator(".samsyn-reveal-chart svg")).to_be_visible()
    expect(panel.locator(".samsyn-mapping-too-few")).to_contain_text("minst 5")
    assert panel.locator(".samsyn-mapping-statements-table").count() == 0
    assert "Farhåga 1" not in panel.inner_text() and "Styrka 2" not in panel.inner_text()

    p = store.create_participant("Deltagare 5", workshop_id=workshop.id)
    store.submit_answer(p.id, _answer("jamila", 5, mapped=True), workshop_id=workshop.id)
    page.locator(".samsyn-reveal-jamila").click()
    expect(panel.locator(".samsyn-mapping-statements-table tr.samsyn-mapping-statement-row")).to_have_count(5)
    expect(panel.locator('.samsyn-mapping-group-words ul[data-part="strengths"] li')).to_have_count(5)
    expect(panel.locator(".samsyn-mapping-scale-chart svg")).to_be_visible()
    expect(panel.locator(".samsyn-mapping-reveal-factors")).to_be_visible()
    assert page.js_errors == []
