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


def test_start_page_sign_in_puts_the_code_in_every_link(voila, page):
    page.goto(voila.page("start.ipynb", lang="en"))
    page.locator(".samsyn-pseudonym input").fill('<img src=x onerror="window.__xss=1">')
    page.locator(".samsyn-start-button").click()
    code = page.locator(".samsyn-personal-code").inner_text()
    expect(page.locator(".samsyn-identity-status")).to_contain_text('<img src=x onerror="window.__xss=1">')
    page.locator(".samsyn-continue-link").click()
    expect(page.locator(".samsyn-signed-in")).to_contain_text("<img")  # shown as text, not markup
    assert page.evaluate("window.__xss") is None
    expect(page.locator(".samsyn-progress-view")).to_contain_text("My progress")
    href = page.locator('.samsyn-case-card[data-case="jamila"] a').get_attribute("href")
    assert f"code={code}" in href and "lang=en" in href


def test_keyboard_reaches_the_case_links_and_the_form(voila, page):
    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet-sized window
    page.goto(voila.page("start.ipynb", lang="sv"))
    expect(page.locator(".samsyn-case-card").first).to_be_visible()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.classList.contains('samsyn-case-link')"):
            break
    else:
        pytest.fail("Tab never reached a case link")
    page.keyboard.press("Enter")
    expect(page.locator(".samsyn-case-title")).to_be_visible()
    expect(page.locator(".samsyn-pseudonym input")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "no horizontal scrolling"
