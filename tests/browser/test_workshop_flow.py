"""A whole calibration workshop in Chromium: one mentor and five participants.

join → blind answers → reveal → second round → convergence → report download,
and a participant's link cannot open the facilitator view.
"""

from __future__ import annotations

import io
import re

import flow  # tests/browser/flow.py
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

RISKS_ROUND_1 = ["ingen_lag", "nagot_forhojd", "nagot_forhojd", "hog", "nagot_forhojd"]
RISKS_ROUND_2 = ["nagot_forhojd", "nagot_forhojd", "nagot_forhojd", "hog", "nagot_forhojd"]
MOTIVATIONS = ["Svårigheter med gränssättning, annars god omsorg", "Hård uppfostran men trygga föräldrar",
               "Hård uppfostran, föräldrarna tar emot stöd", "Fysiskt våld som upprepas varje månad",
               '<img src=x onerror="window.__xss=1"> hård uppfostran']


def test_mentor_and_five_participants(voila, browser):
    mentor_ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    mentor = mentor_ctx.new_page()
    mentor.goto(voila.page("mentor.ipynb", lang="sv"))
    mentor.locator(".samsyn-workshop-name input").fill("Kalibrering <b>vecka 12</b>")
    mentor.locator(".samsyn-workshop-case-jamila input").check()
    mentor.locator(".samsyn-create-workshop").click()
    join_code = mentor.locator(".samsyn-join-code").inner_text()
    facilitator_url = mentor.locator(".samsyn-facilitator-link").get_attribute("href")
    assert "secret=" in facilitator_url
    mentor.locator(".samsyn-facilitator-link").click()
    expect(mentor.locator(".samsyn-facilitator h1")).to_have_text("Kalibrering <b>vecka 12</b>")
    workshop_id = re.search(r"workshop=(\d+)", mentor.url).group(1)

    participants = []
    for i in range(5):
        ctx = browser.new_context(viewport={"width": 1024, "height": 768})
        page = ctx.new_page()
        page.goto(voila.page("case.ipynb", case="jamila", lang="sv"))
        page.locator(".samsyn-pseudonym input").fill(f"Deltagare {i + 1}")
        page.locator(".samsyn-workshop-code input").fill(join_code.lower())
        page.locator(".samsyn-start-button").click()
        page.locator(".samsyn-continue-link").click()
        expect(page.locator(".samsyn-signed-in")).to_contain_text("Kalibrering")
        flow.complete_minimal(page, RISKS_ROUND_1[i], MOTIVATIONS[i])
        expect(page.locator(".samsyn-waiting")).to_be_visible()  # blind: nothing of anyone else's
        expect(page.locator(".samsyn-group-chart")).to_have_count(0)
        participants.append((ctx, page, re.search(r"code=([A-Z0-9-]+)", page.url).group(1)))

    # The live view counted them without a reload.
    expect(mentor.locator('.samsyn-answer-count[data-case="jamila"]')).to_have_attribute("data-n", "5")
    expect(mentor.locator(".samsyn-joined-names")).to_contain_text("Deltagare 5")

    # A participant's link does not open the facilitator view.
    _ctx, page, code = participants[0]
    page.goto(voila.page("mentor.ipynb", workshop=workshop_id, code=code))
    expect(page.locator(".samsyn-refused")).to_be_visible()
    expect(page.locator(".samsyn-facilitator")).to_have_count(0)
    page.goto(voila.page("mentor.ipynb", workshop=workshop_id, secret="not-the-secret"))
    expect(page.locator(".samsyn-refused")).to_be_visible()

    # Reveal.
    mentor.locator(".samsyn-reveal-jamila").click()
    panel = mentor.locator(".samsyn-reveal-panel-jamila")
    expect(panel.locator(".samsyn-reveal-chart svg")).to_be_visible()
    expect(panel.locator('.samsyn-motivation-group[data-risk="nagot_forhojd"]')).to_contain_text("Hård uppfostran")
    expect(panel.locator('.samsyn-motivation-group[data-risk="hog"]')).to_contain_text("Fysiskt våld")
    expect(panel.locator(".samsyn-option-table").first).to_be_visible()
    expect(panel).to_contain_text('<img src=x onerror="window.__xss=1">')  # shown as text
    # The group's mappings (issue 16): column by column, the scaling, the statements side by side.
    expect(panel.locator('.samsyn-mapping-group-words ul[data-part="harm"] li')).to_have_count(5)
    expect(panel.locator(".samsyn-mapping-statement-row")).to_have_count(5)
    expect(panel.locator(".samsyn-mapping-scale-chart svg")).to_be_visible()
    assert mentor.evaluate("window.__xss") is None

    # A participant now sees the group.
    page = participants[1][1]
    page.locator(".samsyn-check-reveal").click()
    expect(page.locator(".samsyn-group-chart svg")).to_be_visible()

    # Second round: everyone answers again, starting from their first answer.
    mentor.locator(".samsyn-next-round").click()
    expect(mentor.locator(".samsyn-current-round")).to_contain_text("2")
    for i, (_ctx, page, code) in enumerate(participants):
        page.goto(voila.page("case.ipynb", case="jamila", lang="sv", code=code))
        expect(page.locator(".samsyn-previous-round")).to_be_visible()
        flow.next_step(page, 2)
        flow.next_step(page, 3)
        page.locator(".samsyn-risk input[type=radio]").nth(flow.RISK_INDEX[RISKS_ROUND_2[i]]).check()
        for step in (4, 5, 6, 7):  # the mapping (step 4) comes back from round 1 too
            flow.next_step(page, step)
        page.locator(".samsyn-submit").click()
        expect(page.locator(".samsyn-waiting")).to_contain_text("2")

    # Convergence appears in the live view.
    row = mentor.locator('.samsyn-convergence-row[data-case="jamila"]')
    expect(row).to_contain_text("1 högre, 0 lägre, 4 oförändrade")

    # The record.
    mentor.locator(".samsyn-prepare-record").click()
    with mentor.expect_download() as download:
        mentor.locator(".samsyn-download-pdf").click()
    with open(download.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    with mentor.expect_download() as download:
        mentor.locator(".samsyn-download-html").click()
    html = open(download.value.path(), encoding="utf-8").read()
    assert "&lt;b&gt;vecka 12&lt;/b&gt;" in html and "<svg" in html
    with mentor.expect_download() as download:
        mentor.locator(".samsyn-download-excel").click()
    from openpyxl import load_workbook

    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as fh:
        wb = load_workbook(io.BytesIO(fh.read()))
    assert wb.sheetnames == ["Jamila"]
    pseudonyms = {row[0] for row in wb["Jamila"].iter_rows(min_row=2, values_only=True)}
    assert pseudonyms == {f"Deltagare {i + 1}" for i in range(5)}

    for ctx, _page, _code in participants:
        ctx.close()
    mentor_ctx.close()
