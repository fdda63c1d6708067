"""The walking skeleton in the browser: start page in both languages, into a case."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_root_redirects_to_the_swedish_start_page(voila, page):
    page.goto(voila.url + "/")
    expect(page).to_have_url(re.compile(r"/voila/render/start\.ipynb"))
    expect(page.locator(".samsyn-start h1")).to_have_text("Samsyn")
    expect(page.locator(".samsyn-cases h2")).to_have_text("Ärenden")
    assert page.js_errors == []


@pytest.mark.parametrize(
    "lang, heading, age_text, back_text",
    [("sv", "Ärenden", "15 år", "Till alla ärenden"), ("en", "Cases", "age 15", "Back to all cases")],
)
def test_start_page_lists_cases_and_opens_one(voila, page, lang, heading, age_text, back_text):
    page.goto(voila.page("start.ipynb", lang=lang))
    expect(page.locator(".samsyn-cases h2")).to_have_text(heading)
    cards = page.locator(".samsyn-case-card")
    expect(cards.first).to_be_visible()
    assert cards.count() >= 1
    assi = page.locator('.samsyn-case-card[data-case="assi"]')
    expect(assi.locator(".samsyn-case-age")).to_have_text(age_text)
    assi.locator("a.samsyn-case-link").click()
    expect(page).to_have_url(re.compile(r"case\.ipynb\?case=assi&lang=" + lang))
    expect(page.locator(".samsyn-case-title")).to_contain_text("Assi")
    expect(page.locator('.samsyn-side[data-side="foraldrarnas_formaga"]')).to_be_visible()
    expect(page.locator(".samsyn-back-link")).to_have_text(back_text)
    assert page.js_errors == []


def test_language_switch_keeps_the_case(voila, page):
    page.goto(voila.page("case.ipynb", case="assi", lang="sv"))
    expect(page.locator(".samsyn-case-title")).to_be_visible()
    page.locator(".samsyn-lang-link").click()
    expect(page).to_have_url(re.compile(r"case=assi.*lang=en"))
    expect(page.locator(".samsyn-back-link")).to_have_text("Back to all cases")


def test_unknown_case_says_so(voila, page):
    page.goto(voila.page("case.ipynb", case="nobody", lang="en"))
    expect(page.locator(".samsyn-case-missing")).to_contain_text("not found")


def test_no_sources_or_files_are_served(voila, page):
    page.goto(voila.page("start.ipynb"))
    expect(page.locator(".samsyn-start")).to_be_visible()
    content = page.content()
    assert "load_library(" not in content  # sources stripped
    for path in ("/voila/files/voila.json", "/voila/files/start.ipynb", "/voila/api/contents/"):
        response = page.request.get(voila.url + path)
        assert response.status in (403, 404), path
