"""Nothing from a CDN, and a Content-Security-Policy that holds (issue 12), in Debian's Chromium.

Every request the pages make to another origin is blocked and recorded; the
pages must make none, break no rule of their CSP, and still show their icons
(Font Awesome comes with Voila's own bundle) and charts. A page with a
vega-lite output — how the charts will be drawn in the browser — renders under
the CSP of the chart pages (Vega needs 'unsafe-eval', see samsyn/guard.py).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import expect

from rawclient import fetch
from servers import VoilaServer, free_port, wait_for_port
from samsyn.guard import CSP, CSP_CHARTS

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
    page.goto(app.page("mentor.ipynb", lang="sv"))
    expect(page.locator(".samsyn-create-workshop")).to_be_visible()
    page.goto(app.page("manager.ipynb", key=KEY, lang="en"))
    expect(page.locator(".samsyn-manager-summary")).to_contain_text("answers")
    assert "key=" not in page.url  # moved into a cookie
    page.locator(".samsyn-manager-tabs .lm-TabBar-tab, .samsyn-manager-tabs .p-TabBar-tab").nth(4).click()
    icon = page.locator(".samsyn-manager-export-xlsx i.fa-download")
    expect(icon).to_be_visible()
    assert font_awesome_loaded(page), "Font Awesome did not load (the download icons would be empty)"
    assert page.evaluate("e => getComputedStyle(e, '::before').content", icon.element_handle()) not in ("none", "")
    assert external == [], external
    assert violations(page) == []
    assert not page.js_errors, page.js_errors


def test_every_page_sends_the_policy(app):
    for path, policy in (("/voila/render/start.ipynb?lang=sv", CSP), ("/voila/render/case.ipynb?case=assi", CSP_CHARTS),
                         ("/voila/render/mentor.ipynb", CSP_CHARTS), ("/voila/render/manager.ipynb", CSP_CHARTS)):
        status, headers, body = fetch(app.port, path)
        assert status == 200 and headers["content-security-policy"] == policy, path
        assert b"cdn." not in body and b"https://" not in body.split(b'type="application/vnd.voila.cell-output+json"')[0]
    for directive in ("default-src 'none'", "script-src 'self'", "connect-src 'self'", "font-src 'self'",
                      "img-src 'self' data:", "style-src 'self' 'unsafe-inline'", "frame-ancestors 'self'"):
        assert directive in CSP
    assert "unsafe-inline" not in CSP.split("script-src")[1].split(";")[0]


VEGA_CELL = '''import altair as alt, pandas as pd
from IPython.display import display
df = pd.DataFrame({"risk": ["ingen/låg", "något förhöjd", "hög", "mycket hög"], "n": [3, 9, 12, 4]})
chart = (alt.Chart(df).mark_bar().encode(x=alt.X("risk:N", sort=None), y="n:Q", tooltip=["risk", "n"])
         .transform_calculate(share="datum.n / 28").properties(title="Gruppens bedömningar", width=300))
display({"application/vnd.vegalite.v5+json": chart.to_dict(), "text/plain": "diagram"}, raw=True)'''


@pytest.fixture(scope="module")
def vega_app(tmp_path_factory):
    """Samsyn's server (guard, template, CSP) serving one chart page named like a chart page."""
    folder = tmp_path_factory.mktemp("vega")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(VEGA_CELL)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "case.ipynb")
    config = json.loads((REPO / "training" / "voila.json").read_text())
    config["VoilaConfiguration"]["preheat_kernel"] = False
    (folder / "voila.json").write_text(json.dumps(config))
    port = free_port()
    log = (folder / "voila.log").open("w")
    proc = subprocess.Popen([sys.executable, "-c", "import sys; from pathlib import Path; "
                             "from samsyn.config import Settings; from samsyn.server import run_voila; "
                             f"run_voila(Settings.from_env().replace(port={port}, ip='127.0.0.1'), notebooks=Path(sys.argv[1]))",
                             str(folder)], cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def test_a_vega_lite_chart_renders_under_the_chart_csp(vega_app, page):
    external = guard_page(page, vega_app)
    response = page.goto(vega_app + "/voila/render/case.ipynb")
    assert response.headers["content-security-policy"] == CSP_CHARTS
    drawing = page.locator(".vega-embed svg.marks, .vega-embed canvas.marks").first
    expect(drawing).to_be_visible()
    assert drawing.bounding_box()["height"] > 100
    # How a renderer the CSP blocks shows. (Voila 0.5.13 also prints "e.setData is not a function" under a
    # vega-lite output, with or without a CSP: not a policy matter.)
    text = page.locator("body").inner_text()
    assert "Content Security Policy" not in text and "unsafe-eval" not in text
    assert external == [], external
    assert violations(page) == []
