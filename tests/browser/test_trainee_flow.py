"""The whole trainee flow in Chromium: sign in, assess, reload half-way, submit, feedback, reflect."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from store import Store
import flow  # tests/browser/flow.py (pytest puts this folder on sys.path)

pytestmark = pytest.mark.browser
# README images are written here; `make screenshots` copies them to docs/screenshots (never make test).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "tests" / "artifacts" / "screenshots"

CASES = {
    "assi": dict(
        home=["brister_i_omsorg"], guardian=["kriminalitet"], child=["missbruk", "skolrelaterad"],
        risk={"substance-use": (4, 3)}, protective={},
        rating="hog", interventions=["strukturerat_program"], focus=["kanslor_och_beteende"],
    ),
    "jamila": dict(
        home=["fysiskt_vald"], guardian=["inga_svarigheter"], child=["annat"],
        risk={}, protective={},
        rating="nagot_forhojd", interventions=["annan_oppenvard"], focus=["stimulans_och_vagledning"],
    ),
}
TEXT = {
    "sv": dict(progress="Steg", restored="återställt", submitted="inlämnad", saved="sparad"),
    "en": dict(progress="Step", restored="restored", submitted="submitted", saved="saved"),
}


def first_factor(page, kind: str) -> str:
    cls = page.locator(f".samsyn-factors-{kind} .samsyn-factor").first.get_attribute("class")
    prefix = f"samsyn-factor-{kind}-"
    return next(c for c in cls.split() if c.startswith(prefix))[len(prefix):]


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("case_id", ["assi", "jamila"])
def test_whole_flow_with_a_reload_half_way(voila, page, case_id, lang):
    spec = CASES[case_id]
    text = TEXT[lang]
    if (case_id, lang) == ("assi", "sv"):  # README screenshot: the start page
        page.goto(voila.page("start.ipynb", lang="sv"))
        expect(page.locator(".samsyn-case-card").first).to_be_visible()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "start-sv.png"))
    code = flow.sign_in(page, voila.page("case.ipynb", case=case_id, lang=lang), f"Test {case_id} {lang}")
    assert f"code={code}" in page.url

    flow.step_exposure(page, spec["home"], spec["guardian"], spec["child"])
    flow.next_step(page, 2)
    risk = spec["risk"] or {}
    flow.step_factors(page, risk, spec["protective"])
    if not risk:  # use the case's own first factors
        flow.step_factors(page, {first_factor(page, "risk"): (3, 2)}, {first_factor(page, "protective"): (2, 3)})
    if (case_id, lang) == ("assi", "sv"):  # README screenshot: the factor grid
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "assi-factors-sv.png"))
    flow.next_step(page, 3)
    flow.step_risk(page, spec["rating"], 5)
    expect(page.locator(".samsyn-draft-saved")).to_be_visible()

    # Reload half-way: the draft, and the step, come back.
    page.reload()
    expect(page.locator(".samsyn-draft-restored")).to_contain_text(text["restored"])
    expect(page.locator(".samsyn-progress-text")).to_contain_text("3")
    expect(page.locator(".samsyn-risk input[type=radio]").nth(flow.RISK_INDEX[spec["rating"]])).to_be_checked()

    flow.next_step(page, 4)
    flow.step_mapping(page, steps="Möte med skolan på fredag.")
    flow.next_step(page, 5)
    flow.step_intervention(page, spec["interventions"], spec["focus"])
    flow.next_step(page, 6)
    flow.step_goals(page, "Skolnärvaro" if lang == "sv" else "School attendance")  # no baseline on purpose
    flow.next_step(page, 7)
    flow.step_motivation(page, "Riskfaktorerna väger tyngre än skydden i dag." if lang == "sv"
                         else "The risk factors outweigh the protection today.")
    page.locator(".samsyn-submit").dblclick()

    expect(page.locator(".samsyn-submitted")).to_contain_text(text["submitted"])
    expect(page.locator(".samsyn-panel-chart svg")).to_be_visible()
    expect(page.locator(".samsyn-key-box")).to_be_visible()
    expect(page.locator(".samsyn-missed-factor").first).to_be_visible()
    expect(page.locator('.samsyn-prompt[data-prompt="goal_baseline"]')).to_be_visible()
    assert Store(voila.database_url).count_answers(case_id) >= 1
    participant = Store(voila.database_url).participant_by_code(code)
    assert len(Store(voila.database_url).answers(participant_id=participant.id)) == 1  # the double-click stored one

    page.locator(".samsyn-prompt-box textarea").first.fill("Jag vägde skolan för lätt." if lang == "sv" else "I weighed school too lightly.")
    page.locator(".samsyn-save-reflection").click()
    expect(page.locator(".samsyn-reflection-status")).to_contain_text(text["saved"])
    assert page.js_errors == []


def test_max_rated_somewhat_elevated_gets_the_protective_factor_prompt(voila, page):
    """The README screenshot: what a trainee sees for Max after rating "något förhöjd risk"."""
    code = flow.sign_in(page, voila.page("case.ipynb", case="max", lang="sv"), "Skärmbild")
    flow.step_exposure(page, ["brister_i_omsorg"], ["psykisk_ohalsa"], ["ingen_svarighet"])
    flow.next_step(page, 2)
    # The same factors as the key, but weighed lightly, with the preschool trusted to protect.
    risk = ["unmet-health-care", "growth-faltering", "dental-caries", "language-delay", "indiscriminate-contact",
            "poor-routines", "low-emotional-support", "mother-ill-health", "housing-economy", "weak-network"]
    flow.step_factors(page, {fid: (2, 2) for fid in risk},
                      {"thrives-at-preschool": (3, 3), "preschool-staff": (3, 3), "mother-warmth": (2, 2),
                       "mother-accepts-help": (2, 2), "psychiatry-contact": (2, 2)})
    flow.next_step(page, 3)
    flow.step_risk(page, "nagot_forhojd", 6)
    flow.next_step(page, 4)
    flow.step_mapping(page, harm="Max har inte fått tandvård på två år",
                      danger="Förskolan är orolig att Max får ont i tänderna och inte kommer till tandläkaren.",
                      goal="Förskolan behöver se att Max kommer till tandläkaren och till BVC varje gång, i ett år.",
                      steps="Mamma bokar tandläkartid i veckan.")
    flow.next_step(page, 5)
    flow.step_intervention(page, ["annan_oppenvard"], ["grundlaggande_omsorg"])
    flow.next_step(page, 6)
    flow.step_goals(page, "Max går på tandvårdsbesök", "Inget besök på två år")
    flow.next_step(page, 7)
    flow.step_motivation(page, "Förskolan fungerar som skydd och mamman vill ta emot stöd.")
    page.locator(".samsyn-submit").click()
    expect(page.locator(".samsyn-panel-chart svg")).to_be_visible()
    prompt = page.locator('.samsyn-prompt[data-prompt="lower_same_factors"]')
    expect(prompt).to_contain_text("förskolan")  # can the preschool protect Max from missing health care?
    expect(page.locator('.samsyn-prompt[data-prompt="relative_assessment"]')).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1100, "height": 4200})  # the whole feedback, painted
    feedback = page.locator(".samsyn-feedback")
    expect(feedback).to_be_visible()
    feedback.screenshot(path=str(SCREENSHOTS / "max-feedback-sv.png"))

    # My progress on the start page: the case, the distance from the key, drift in words.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(voila.page("start.ipynb", lang="sv", code=code))
    table = page.locator(".samsyn-progress-table")
    expect(table).to_contain_text("Max")
    expect(table).to_contain_text("-2")
    expect(page.locator(".samsyn-drift").first).to_be_visible()
    expect(page.locator('.samsyn-case-card[data-case="max"] .samsyn-answered')).to_be_visible()
    expect(page.locator('.samsyn-case-card[data-case="assi"] a')).to_have_attribute("href", re.compile(f"code={code}"))
