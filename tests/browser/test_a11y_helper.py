"""The accessibility helper itself fails on what it guards against (no server needed)."""

from __future__ import annotations

import a11y  # tests/browser/a11y.py
import pytest

pytestmark = pytest.mark.browser

GOOD = ('<!doctype html><html lang="sv"><head><title>Prov – Samsyn</title></head><body><main><h1>Prov</h1>'
        '<a href="#x">In English<span style="position:absolute;left:-9999px"> (byt språk)</span></a>'
        '<figure role="img" aria-label="Fördelning: låg 3, hög 2"><svg width="200" height="50"></svg></figure>'
        '</main></body></html>')


def test_a_clean_page_passes(page):
    page.set_content(GOOD)
    a11y.assert_accessible(page, "clean page")


@pytest.mark.parametrize("broken, rule", [
    ('<a href="#x" aria-label="Byt språk till engelska">In English</a>', "label-content-name-mismatch"),
    ('<button style="background:#43a047;color:#fff">Lämna in</button>', "color-contrast"),
    ('<figure role="img"><svg width="200" height="50"></svg></figure>', "role-img-alt"),
    ('<div style="overflow:auto;width:50px"><p style="width:400px">bred tabell</p></div>', "scrollable-region-focusable"),
    ('<input type="text">', "label"),
])
def test_each_violation_is_reported_with_its_rule_and_node(page, broken, rule):
    page.set_content(GOOD.replace("</main>", broken + "</main>"))
    with pytest.raises(AssertionError) as failed:
        a11y.assert_accessible(page, "broken page")
    assert f"- {rule} (" in str(failed.value) and "broken page" in str(failed.value)


def test_a_chart_without_numbers_fails(page):
    page.set_content(GOOD.replace("Fördelning: låg 3, hög 2", "Fördelning"))
    with pytest.raises(AssertionError, match="no numbers"):
        a11y.assert_accessible(page, "chart")


def test_a_missing_focus_ring_fails(page):
    page.set_content('<html lang="sv"><body><main><button style="outline:none">A</button>'
                     '<button>B</button></main></body></html>')
    with pytest.raises(AssertionError, match="no visible focus"):
        a11y.tab_to(page, "el => el.textContent === 'B'")
