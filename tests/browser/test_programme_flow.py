"""An onboarding programme in Chromium: a mentor creates it, two trainees join with its code and
work through its two steps, and the mentor sees their progress; the tertial checklist downloads."""

from __future__ import annotations

import re

import a11y  # tests/browser/a11y.py
import flow  # tests/browser/flow.py
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NAME = "Introduktion <b>hösten</b>"
#: As tests/conftest.py: a page kernel that is not preheated takes many seconds on a busy machine.
PAGE_TIMEOUT_MS = 120_000


def test_mentor_two_trainees_two_steps(voila, browser, tmp_path):
    mentor_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    mentor = mentor_ctx.new_page()
    mentor.set_default_timeout(PAGE_TIMEOUT_MS)  # the programme page is not preheated: its kernel starts on demand
    errors: list[str] = []
    mentor.on("pageerror", lambda exc: errors.append(str(exc)))
    mentor.goto(voila.page("programme.ipynb", lang="sv"))
    expect(mentor.locator(".samsyn-programme-name input")).to_be_visible()
    a11y.assert_accessible(mentor, "programme, create form")
    expect(mentor.locator("html")).to_have_attribute("lang", "sv")
    assert mentor.title().endswith("Samsyn") and mentor.title() != "Samsyn", mentor.title()
    mentor.locator(".samsyn-programme-name input").fill(NAME)
    mentor.locator(".samsyn-step-1-cases select").select_option(label="Jamila, 4 år")
    mentor.locator(".samsyn-step-2-week input").fill("2")
    mentor.locator(".samsyn-step-2-cases select").select_option(label="Alva, 5 år")
    mentor.locator(".samsyn-create-programme").click()
    code = mentor.locator(".samsyn-programme-join-code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", code)
    a11y.assert_accessible(mentor, "programme, created")
    cohort_url = mentor.locator(".samsyn-cohort-link").get_attribute("href")
    assert "secret=" in cohort_url
    mentor.locator(".samsyn-cohort-link").click()
    expect(mentor.locator(".samsyn-cohort-header h1")).to_have_text(NAME)  # as text, not markup
    assert "secret=" not in mentor.url  # the secret went into a cookie
    expect(mentor.locator(".samsyn-cohort-members")).to_contain_text("Ingen har gått med än")
    a11y.assert_accessible(mentor, "programme, cohort view without members")
    cohort_page = mentor.url

    trainees = []
    for pseudonym, risks in (("Björk", ("nagot_forhojd", "nagot_forhojd")), ("Lind", ("hog", "ingen_lag"))):
        ctx = browser.new_context(viewport={"width": 1024, "height": 900})
        page = ctx.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        page.goto(voila.page("start.ipynb", lang="sv"))
        page.locator(".samsyn-pseudonym input").fill(pseudonym)
        page.locator(".samsyn-start-button").click()
        personal = page.locator(".samsyn-personal-code").inner_text()
        page.locator(".samsyn-continue-link").click()
        page.locator(".samsyn-programme-code input").fill(code.lower())
        page.locator(".samsyn-programme-join").click()
        programme = page.locator(".samsyn-programme")
        expect(programme.locator("#samsyn-programme-heading")).to_contain_text("hösten")
        # This week's step first, the next week's step under "coming next".
        expect(page.locator('.samsyn-programme-now [data-step="1"]')).to_contain_text("Jamila")
        expect(page.locator('.samsyn-programme-next [data-step="2"]')).to_contain_text("Alva")
        if not trainees:
            a11y.assert_accessible(page, "start page, programme joined")
        for step, (case_id, risk) in enumerate(zip(("jamila", "alva"), risks), start=1):
            page.locator(f'.samsyn-programme-case[data-case="{case_id}"] a').click()
            expect(page.locator(".samsyn-form")).to_be_visible()
            flow.complete_minimal(page, risk, f"{pseudonym} väger förskolans oro")
            expect(page.locator(".samsyn-submitted")).to_be_visible()
            page.goto(voila.page("start.ipynb", lang="sv", code=personal))
            expect(page.locator(f'.samsyn-programme-done [data-step="{step}"]')).to_be_visible()
        figures = page.locator(".samsyn-programme-figures")
        expect(figures).to_contain_text("Av dina 2 bedömda ärenden")
        chart = page.locator(".samsyn-programme-chart")
        expect(chart.locator("svg").first).to_be_visible()  # drawn by the page's Vega renderer
        expect(chart.locator(".samsyn-chart-caption")).to_contain_text("ärende 1 (Jamila, 4 år): referensbedömningen")
        expect(page.locator(".samsyn-criterion-too-few")).to_be_visible()  # 2 of 5 cases: no goal figure yet
        expect(page.locator(".samsyn-programme-status")).to_contain_text("3 kvar")
        if not trainees:
            a11y.assert_accessible(page, "start page, programme with figures and chart")
        trainees.append((ctx, page))

    # The mentor sees both, with their progress.
    mentor.goto(cohort_page)
    for pseudonym in ("Björk", "Lind"):
        row = mentor.locator(f'.samsyn-member[data-member="{pseudonym}"]')
        expect(row).to_have_attribute("data-steps-done", "2")
        expect(row).to_have_attribute("data-answers", "2")
    expect(mentor.locator('.samsyn-member[data-member="Björk"]')).to_contain_text("100 %")
    expect(mentor.locator('.samsyn-divergent-case[data-case="alva"]')).to_be_visible()  # Björk and Lind differ most there
    a11y.assert_accessible(mentor, "programme, cohort view with progress")

    mentor.locator(".samsyn-prepare-checklist").click()
    with mentor.expect_download() as download:
        mentor.locator(".samsyn-checklist-html").click()
    html = open(download.value.path(), encoding="utf-8").read()
    assert "&lt;b&gt;hösten&lt;/b&gt;" in html and "<b>hösten" not in html
    assert "färre än 5 svar eller personer" in html  # two trainees: below the minimum group
    saved = tmp_path / "checklist.html"
    download.value.save_as(saved)
    record = mentor_ctx.new_page()
    record.goto(saved.as_uri())
    expect(record.locator("html")).to_have_attribute("lang", "sv")
    violations = a11y.run_axe(record)
    assert not violations, a11y.format_violations(violations, "tertial checklist (HTML)")
    record.close()
    with mentor.expect_download() as download:
        mentor.locator(".samsyn-checklist-pdf").click()
    with open(download.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"

    # A trainee's own link does not open the cohort view.
    page = trainees[0][1]
    page.goto(cohort_page)
    expect(page.locator(".samsyn-refused")).to_be_visible()
    expect(page.locator(".samsyn-cohort")).to_have_count(0)
    a11y.assert_accessible(page, "programme, cohort view refused")
    assert errors == []
    for ctx, _page in trainees:
        ctx.close()
    mentor_ctx.close()
