"""Accessibility checks for the browser tests: axe-core against WCAG 2.1 A and AA, and keyboard helpers.

``assert_accessible(page, "case page, step 2")`` runs axe-core (installed from npm by
``make setup-test`` under ``.venv/axe``, pinned by ``tests/browser/axe/package-lock.json``)
in the page as it is now and fails with every violation: the rule, its impact, what to
fix and the nodes (CSS selector and a bit of their HTML). Call it for every page and
state a user reaches — new views too.

How axe gets into the page: the app sends a Content-Security-Policy (samsyn/guard.py,
``script-src 'self'``) that blocks any injected ``<script>`` tag, so ``add_script_tag``
does not work and ``bypass_csp`` would test a page with a different policy. Instead
axe's source is evaluated with ``page.evaluate`` (the DevTools protocol's evaluation is
not subject to the page's CSP): the page keeps its real policy.
"""

from __future__ import annotations

import time

import os
import sys
from pathlib import Path

from playwright.sync_api import Page

#: The WCAG 2.1 levels A and AA (axe's tags); best-practice rules are not part of the check.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_VERSION = "4.14.1"  # tests/browser/axe/package.json


def axe_path() -> Path:
    """axe.min.js as ``make setup-test`` installs it (``SAMSYN_AXE_JS`` names another copy)."""
    found = os.environ.get("SAMSYN_AXE_JS")
    return Path(found) if found else Path(sys.prefix) / "axe" / "node_modules" / "axe-core" / "axe.min.js"


_SOURCE: str | None = None


def _axe_source() -> str:
    global _SOURCE
    if _SOURCE is None:
        path = axe_path()
        if not path.exists():
            raise AssertionError(f"axe-core is not installed at {path}; `make setup-test` installs it with npm")
        _SOURCE = path.read_text(encoding="utf-8")
    return _SOURCE


def inject_axe(page: Page) -> str:
    """axe-core in the page (once per document); returns its version."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source() + "\n;undefined")
    return page.evaluate("() => window.axe.version")


#: Quiet for this long: the kernel's last widget update has been drawn.
SETTLE_MS = 500


def wait_until_rendered(page: Page, timeout_ms: int = 10_000) -> None:
    """Voila shows the cells once every output is rendered; widgets render right after, and a
    click's effects arrive as widget updates a moment later: wait until the page has not
    changed for SETTLE_MS (at most ``timeout_ms``; a live view may never be quiet)."""
    if page.locator("#rendered_cells").count():
        page.wait_for_selector("#rendered_cells", state="visible")
        page.wait_for_function("() => !document.getElementById('loading')")
    page.evaluate("""() => {
        if (window.__samsynQuiet) return;
        window.__samsynQuiet = {last: performance.now()};
        new MutationObserver(() => { window.__samsynQuiet.last = performance.now(); })
            .observe(document.documentElement, {childList: true, subtree: true, attributes: true, characterData: true});
    }""")
    try:
        page.wait_for_function(f"() => performance.now() - window.__samsynQuiet.last > {SETTLE_MS}",
                               timeout=timeout_ms, polling=100)
    except Exception:  # a page that keeps changing is checked as it is
        pass


def run_axe(page: Page, include: str | None = None) -> list[dict]:
    """axe's violations of WCAG 2.1 A/AA on the page (or on the part ``include`` selects)."""
    inject_axe(page)
    return page.evaluate(
        """async ([include, tags]) => {
            const result = await window.axe.run(include ? {include: [include]} : document,
                {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, tags: v.tags,
                nodes: v.nodes.map(n => ({target: n.target.map(String).join(" "), html: n.html.slice(0, 200),
                                          summary: n.failureSummary || ""})),
            }));
        }""",
        [include, WCAG_TAGS],
    )


def format_violations(violations: list[dict], context_label: str) -> str:
    lines = [f"{context_label}: {len(violations)} WCAG 2.1 A/AA rule(s) violated (axe-core {AXE_VERSION})"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
        for node in v["nodes"][:8]:
            lines.append(f"    at {node['target']}: {node['html']}")
            for detail in node["summary"].splitlines():
                if detail.strip():
                    lines.append(f"        {detail.strip()}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more node(s)")
    return "\n".join(lines)


#: Each drawn chart with the text that stands for it: its name (role=img, or the SVG's own label or
#: labelling element), its
#: caption and what it points at (aria-details, aria-describedby, a link in its box to "#id").
#: A chart is an SVG at least 100 px wide.
#: How long a chart may take to get its name after being drawn (see assert_charts_have_numbers).
CHART_NAME_WAIT_MS = 5_000
CHART_TEXTS = r"""() => [...document.querySelectorAll("svg")].filter(svg => svg.getBoundingClientRect().width >= 100)
    .map(svg => {
        const named = svg.closest("[role=img][aria-label]");
        const box = svg.closest(".samsyn-chart, figure");
        let caption = box ? [...box.querySelectorAll("figcaption, .samsyn-chart-caption")].map(c => c.innerText).join(" ") : "";
        for (const attr of ["aria-details", "aria-describedby"]) {  // the table or text the chart points at
            const ids = ((named || svg).getAttribute(attr) || "").split(/\s+/).filter(Boolean);
            caption += " " + ids.map(id => (document.getElementById(id) || {}).textContent || "").join(" ");
        }
        if (box) {  // a caption's link to the table with the numbers (href="#id")
            for (const a of box.querySelectorAll("a[href^='#']")) {
                caption += " " + ((document.getElementById(a.getAttribute("href").slice(1)) || {}).textContent || "");
            }
        }
        const labelledby = (svg.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean)
            .map(id => (document.getElementById(id) || {}).textContent || "").join(" ");
        return {name: (named ? named.getAttribute("aria-label") : svg.getAttribute("aria-label") || labelledby) || "",
                caption, cls: box ? String(box.className) : String(svg.className.baseVal || "")};
    })"""


def assert_charts_have_numbers(page: Page, context_label: str) -> None:
    """Every chart has a text alternative (its name or its caption) with numbers in it.

    Vega names its SVG when it draws it; a chart being drawn again (a resize, a busy machine) is
    given up to CHART_NAME_WAIT_MS to get its name back before it counts as nameless."""
    deadline = time.monotonic() + CHART_NAME_WAIT_MS / 1000
    charts = page.evaluate(CHART_TEXTS)
    while any(not c["name"].strip() for c in charts) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
        charts = page.evaluate(CHART_TEXTS)
    for chart in charts:
        text = f"{chart['name']} {chart['caption']}"
        assert chart["name"].strip(), f"{context_label}: a chart without a name: {chart}"
        assert any(ch.isdigit() for ch in text), f"{context_label}: a chart whose text alternative has no numbers: {chart}"


def assert_accessible(page: Page, context_label: str, include: str | None = None) -> None:
    """Fail with a readable list of every WCAG 2.1 A/AA violation axe finds on the page as it is now.

    axe judges colour contrast only of what is inside the viewport (it asks the browser what is
    painted where); the window is made as tall as the page for the check, then put back."""
    wait_until_rendered(page)
    size = page.viewport_size
    height = page.evaluate("() => Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)")
    tall = size is not None and height > size["height"]
    if tall:
        page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 16000)})
    try:
        violations = run_axe(page, include)
    finally:
        if tall:
            page.set_viewport_size(size)
    assert not violations, format_violations(violations, context_label)
    assert_charts_have_numbers(page, context_label)


# -- keyboard ---------------------------------------------------------------------------------
#: What the focused element looks like: enough to find it again and to see its focus style.
FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const label = el.getAttribute("aria-label") || (el.labels && el.labels[0] && el.labels[0].innerText)
        || el.innerText || el.value || "";
    return {tag: el.tagName.toLowerCase(), type: el.type || "", cls: String(el.className || ""),
            text: String(label).trim().slice(0, 80),
            outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
            outlineWidth: style.outlineWidth, outlineStyle: style.outlineStyle, outlineColor: style.outlineColor,
            boxShadow: style.boxShadow,
            visible: !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)};
}"""


#: Where Tab took the focus, in document order: "forward", "backward", "same" (nothing moved) or "ok"
#: (from or to the document itself, or the last element is gone or hidden), "wrap" (from the end round to the start).
STEP = """() => {
    const el = document.activeElement, prev = window.__samsynPrevFocus;
    window.__samsynPrevFocus = el;
    if (!prev || !prev.isConnected || !prev.getClientRects().length || !el || el === document.body
        || prev === document.body) return "ok";
    if (prev === el) return "same";
    const forward = !!(prev.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
    const all = [...document.querySelectorAll(
        'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), '
        + 'summary, [tabindex]:not([tabindex="-1"])')].filter(e => e.getClientRects().length);
    // round the end of the page to its start (or the other way)
    if ((!forward && el === all[0]) || (forward && el === all[all.length - 1])) return "wrap";
    return forward ? "forward" : "backward";
}"""


def focused(page: Page) -> dict | None:
    return page.evaluate(FOCUSED)


def assert_focus_visible(page: Page, where: str = "") -> dict:
    """The focused element shows a focus ring: a solid outline of at least 2 px (samsyn STYLE)."""
    info = focused(page)
    assert info is not None, f"nothing has the focus {where}"
    assert info["visible"], f"the focused element is not visible {where}: {info}"
    assert info["outline"], f"the focused element shows no focus outline {where}: {info}"
    return info


def tab_to(page: Page, predicate: str, *, limit: int = 200, backwards: bool = False, where: str = "") -> list[dict]:
    """Press Tab (Shift+Tab) until ``predicate`` (a JS function of the focused element) is true.

    Every element passed on the way must show a visible focus ring; returns them in order.
    Fails when the predicate is never met within ``limit`` presses (a trap, or not reachable)."""
    seen: list[dict] = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        info = focused(page)
        if info is not None:
            assert info["visible"] and info["outline"], f"no visible focus on {info} {where}"
            seen.append(info)
        step = page.evaluate(STEP)
        assert step != "same", f"Tab left the focus where it was (a trap) on {info} {where}"
        assert step != ("forward" if backwards else "backward"), \
            f"Tab moved against the page order to {info} {where} (after {seen[-2] if len(seen) > 1 else None})"
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!el && ({predicate})(el); }}"):
            return seen
    trail = ", ".join(f"{s['tag']}.{s['cls'][:40]}:{s['text'][:20]}" for s in seen[-12:])
    raise AssertionError(f"Tab never reached {predicate} {where} in {limit} presses; last: {trail}")
