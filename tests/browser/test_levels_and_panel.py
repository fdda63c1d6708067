"""In Chromium: a trainee opens the level definitions while rating (with the
keyboard), sees other cases as worked examples but never the case being rated,
and after submitting sees the Webbkollen panel's exposure shares beside their
own choices in the feedback, with the definitions next to the reference assessment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cases import load_library
import a11y  # tests/browser/a11y.py
import flow  # tests/browser/flow.py

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "tests" / "artifacts" / "screenshots"


def test_trainee_sees_level_definitions_while_rating_and_panel_shares_in_the_feedback(voila, page):
    library = load_library()
    high = library.variables.risk_anchor("hog", "sv")
    flow.sign_in(page, voila.page("case.ipynb", case="tobias", lang="sv"), "Nivåer Tobias")
    flow.step_exposure(page, ["brister_i_omsorg"], ["missbruk"], ["missbruk", "skolrelaterad"])
    flow.next_step(page, 2)
    flow.step_factors(page, {"drug-use": (4, 3)}, {})
    flow.next_step(page, 3)

    # The definitions are there, closed (not in the way) until the trainee opens them.
    anchors = page.locator(".samsyn-risk-anchors details.samsyn-anchors")
    expect(anchors).to_be_visible()
    definition = anchors.locator('.samsyn-anchor[data-risk="hog"] dd > p').first
    expect(definition).to_be_hidden()
    summary = anchors.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")  # keyboard-usable: a native disclosure
    expect(definition).to_be_visible()
    expect(definition).to_have_text(high.definition)
    a11y.assert_accessible(page, "rating step, the level definitions open")
    for rid in library.variables.risk_answer_ids:
        expect(anchors.locator(f'.samsyn-anchor[data-risk="{rid}"] dt')).to_contain_text(
            library.variables.risk_label(rid, "sv"))
    # Worked examples from other cases, never the case being rated.
    expect(anchors.locator('li[data-case="tobias"]')).to_have_count(0)
    leo = anchors.locator('.samsyn-anchor[data-risk="ingen_lag"] li[data-case="leo"]')
    expect(leo).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(".samsyn-risk-group").screenshot(path=str(ARTIFACTS / "tobias-levels-sv.png"))
    page.keyboard.press("Enter")  # and closed again
    expect(definition).to_be_hidden()

    flow.step_risk(page, "hog", 3)
    flow.next_step(page, 4)
    flow.step_mapping(page, harm="Tobias har tagit tabletter", danger="Mamma är rädd att Tobias tar tabletter igen.",
                      goal="Mamma ser att Tobias går till skolan och kommer hem varje kväll.",
                      steps="Möte med mamma och skolan på fredag.")
    flow.next_step(page, 5)
    flow.step_intervention(page, ["strukturerat_program"], ["halsa"])
    flow.next_step(page, 6)
    flow.step_goals(page, "Tobias går till skolan varje dag", "Tre dagar av fem i dag")
    flow.next_step(page, 7)
    flow.step_motivation(page, "Missbruket och självmordsavsikten väger tyngst.")
    page.locator(".samsyn-submit").click()

    # The feedback: the panel beside the trainee's choices on every variable it has.
    feedback = page.locator(".samsyn-feedback")
    expect(feedback).to_be_visible(timeout=60_000)
    guardian = page.locator('.samsyn-panel-table[data-variable="exposure.guardian"]')
    expect(guardian).to_be_visible()
    row = guardian.locator("tr", has_text="Risk-/missbruk")
    expect(row).to_contain_text("✓ valt")
    expect(row).to_contain_text(re.compile(r"14 av 15 \(93\s%\)"))
    home = page.locator('.samsyn-panel-table[data-variable="exposure.home"]')
    expect(home.locator("tr", has_text="Brister i omsorg")).to_contain_text(re.compile(r"12 av 15 \(80\s%\)"))
    child = page.locator('.samsyn-panel-table[data-variable="exposure.child"]')
    expect(child.locator("tr", has_text="Skolrelaterad")).to_contain_text("✓ valt")
    expect(page.locator('.samsyn-panel-table[data-variable="intervention"]')).to_be_visible()
    expect(page.locator(".samsyn-feedback-panel")).to_contain_text("Webbkollens samstämmighetstest (SKL 2018")
    expect(page.locator(".samsyn-feedback-panel")).to_contain_text("n = 15")
    # Next to the reference assessment: its level's definition, and all levels with the marks.
    key = page.locator(".samsyn-key-box")
    expect(key).to_contain_text("Referensbedömning: Mycket hög risk")
    expect(key.locator(".samsyn-level-definition")).to_contain_text(
        library.variables.risk_anchor("mycket_hog", "sv").definition[:60])
    page.locator(".samsyn-feedback-anchors summary").click()
    expect(page.locator('.samsyn-feedback-anchors .samsyn-anchor[data-risk="hog"] dt')).to_contain_text("ditt svar")
    expect(page.locator('.samsyn-feedback-anchors .samsyn-anchor[data-risk="mycket_hog"] dt')).to_contain_text(
        "referensbedömningen")
    page.locator(".samsyn-feedback-panel").screenshot(path=str(ARTIFACTS / "tobias-feedback-panel-sv.png"))
