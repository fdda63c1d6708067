"""Nothing from a CDN, and a Content-Security-Policy that holds (issue 12), in Debian's Chromium.

Every request the pages make to another origin is blocked and recorded; the
pages must make none, break no rule of their CSP, and still show their icons
(Font Awesome comes with Voila's own bundle) and charts. No page allows
'unsafe-eval' or inline script: the charts (a trainee's feedback, the manager
view) are drawn by Voila's bundled Vega with its AST expression interpreter
(samsyn/charts.py), and a chart that needed eval would show here as a
violation of ``script-src``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from rawclient import fetch
from servers import VoilaServer
from samsyn.guard import CSP

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]
KEY = "csp-test-manager-key-0123456789"

WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));
"""


def guard_page(page, origin: str) -> list[str]:
    """Block (and record) every request that leaves the app's origin."""
    external: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(origin) or url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            external.append(url)
            r.abort()

    page.route("**/*", route)
    page.add_init_script(WATCH)
    return external


def _flow():
    """tests/browser/flow.py: the trainee's steps."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("samsyn_flow", REPO / "tests" / "browser" / "flow.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def violations(page) -> list[str]:
    return page.evaluate("window.__violations")


def font_awesome_loaded(page) -> bool:
    return page.evaluate("""async () => { await document.fonts.ready;
        return [...document.fonts].some(f => /FontAwesome|Font Awesome/i.test(f.family) && f.status === 'loaded'); }""")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from cases import load_library
    from insight.demo import write

    folder = tmp_path_factory.mktemp("csp")
    url = f"sqlite:///{folder / 'data' / 'samsyn.sqlite3'}"
    write(url, load_library(), answers=400, teams=4, years=1, seed=3)
    server = VoilaServer(folder, {"SAMSYN_MANAGER_KEY": KEY, "SAMSYN_MAX_KERNELS_PER_CLIENT": "40"}, database_url=url)
    yield server
    server.stop()


def test_the_pages_load_nothing_from_elsewhere_and_keep_their_csp(app, page):
    external = guard_page(page, app.url)
    page.goto(app.page("start.ipynb", lang="sv"))
    expect(page.locator(".samsyn-pseudonym input")).to_be_visible()
    page.locator(".samsyn-pseudonym input").fill("Lönn")
    page.locator(".samsyn-start-button").click()
    page.locator(".samsyn-continue-link").click()
    page.locator(".samsyn-case-link[data-case='assi']").click()
    expect(page.locator(".samsyn-form")).to_be_visible()
    # The trainee's feedback: charts drawn in the browser under the same policy as every page.
    _flow().complete_minimal(page, "hog", "Riskerna väger tyngre än skydden.")
    chart = page.locator(".samsyn-panel-chart .vega-embed svg.marks").first
    expect(chart).to_be_visible()
    assert chart.bounding_box()["height"] > 50
    assert violations(page) == [], "the feedback page broke its CSP"
    page.goto(app.page("mentor.ipynb", lang="sv"))
    expect(page.locator(".samsyn-create-workshop")).to_be_visible()
    page.goto(app.page("manager.ipynb", key=KEY, lang="en"))
    expect(page.locator(".samsyn-manager-summary")).to_contain_text("answers")
    assert "key=" not in page.url  # moved into a cookie
    expect(page.locator(".samsyn-manager-chart-alpha .vega-embed svg.marks")).to_be_visible()
    assert violations(page) == [], "the manager page broke its CSP"
    page.locator(".samsyn-manager-tabs .lm-TabBar-tab, .samsyn-manager-tabs .p-TabBar-tab").nth(1).click()
    expect(page.locator(".samsyn-manager-chart-bias .vega-embed svg.marks")).to_be_visible()
    page.locator(".samsyn-manager-tabs .lm-TabBar-tab, .samsyn-manager-tabs .p-TabBar-tab").filter(has_text="Export").click()  # the last tab, after the scaling tab
    icon = page.locator(".samsyn-manager-export-xlsx i.fa-download")
    expect(icon).to_be_visible()
    assert font_awesome_loaded(page), "Font Awesome did not load (the download icons would be empty)"
    assert page.evaluate("e => getComputedStyle(e, '::before').content", icon.element_handle()) not in ("none", "")
    assert external == [], external
    assert violations(page) == []
    text = page.locator("body").inner_text()
    assert "Content Security Policy" not in text and "unsafe-eval" not in text
    assert not page.js_errors, page.js_errors


def test_every_page_sends_the_policy(app):
    for path in ("/voila/render/start.ipynb?lang=sv", "/voila/render/case.ipynb?case=assi",
                 "/voila/render/mentor.ipynb", "/voila/render/manager.ipynb"):
        status, headers, body = fetch(app.port, path)
        assert status == 200 and headers["content-security-policy"] == CSP, path
        assert b"cdn." not in body and b"https://" not in body.split(b'type="application/vnd.voila.cell-output+json"')[0]
    for directive in ("default-src 'none'", "script-src 'self'", "connect-src 'self'", "font-src 'self'",
                      "img-src 'self' data:", "style-src 'self' 'unsafe-inline'", "frame-ancestors 'self'"):
        assert directive in CSP
    scripts = CSP.split("script-src")[1].split(";")[0]
    assert "unsafe-inline" not in scripts and "unsafe-eval" not in scripts and "unsafe-eval" not in CSP
