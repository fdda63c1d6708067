"""Benchmark: the manager view on 100,000 demo answers.

Run from the repository root:

    .venv/bin/python benchmarks/manager.py [--answers 100000] [--teams 20] [--repeats 5]

Fills a fresh SQLite file in a temp folder with ``samsyn demo`` data (fixed
seed), then times, each as the best and the median of ``--repeats`` runs
(``time.perf_counter``):

  * the bulk insert of the demo data (once);
  * loading: the one SQL query into pandas (``insight.load_answers``) and
    ``insight.prepare`` (levels, tertials, key and panel);
  * each view's aggregation on all answers and on one team
    (``consistency`` with 500 resamples per tertial, ``bias``, ``vignette_quality``,
    ``exposures_risk``);
  * a filter change as the page does it: filter + the visible tab's section;
  * chart rendering: every chart of the four sections to SVG with vl-convert;
  * the whole page build in a kernel (access check, load, filters, first tab),
    and the three exports (Excel with all raw rows, HTML report, PDF report);
  * in the browser (skip with ``--no-browser``): ``samsyn serve`` on that
    database and Debian's Chromium — time from navigation to the first chart
    on a preheated kernel, a filter change until the new chart is drawn, and a
    tab switch until its chart is drawn.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.append(str(Path(__file__).resolve().parent))  # _harness; last, so benchmarks/scoring.py shadows nothing


def timed(fn, repeats: int):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def line(label: str, best: float, median: float) -> None:
    print(f"  {label:<52} best {best * 1000:9.1f} ms   median {median * 1000:9.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--answers", type=int, default=100_000)
    ap.add_argument("--teams", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--no-browser", action="store_true", help="skip the timings in Chromium")
    args = ap.parse_args()

    import numpy
    import pandas

    from cases import load_library
    from insight import Filters, apply_filters, bias, consistency, exposures_risk, load_answers, prepare, vignette_quality
    from samsyn.charts import svg
    from insight.demo import write
    from insight.report import SECTIONS, Context, build_section, report_excel, report_html, report_pdf, section_parts

    print(f"Samsyn manager benchmark — {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
          f"{platform.release()}; Python {platform.python_version()}, numpy {numpy.__version__}, pandas {pandas.__version__}")
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    library = load_library()
    tmp = Path(tempfile.mkdtemp(prefix="samsyn-bench-"))
    url = f"sqlite:///{tmp / 'demo.sqlite3'}"
    start = time.perf_counter()
    data = write(url, library, answers=args.answers, teams=args.teams, years=3, seed=1, end=date(2026, 11, 23))
    insert = time.perf_counter() - start
    print(f"demo data: {len(data.answers):,} answers, {len(data.participants):,} participants, "
          f"{len(data.selections):,} exposure selections, {args.teams} teams; bulk insert {insert:.2f} s "
          f"({(tmp / 'demo.sqlite3').stat().st_size / 1e6:.1f} MB)")
    svg(build_section("exposures", Context(prepare(load_answers(url), library), Filters(), library, "sv", 5)).charts[0].spec)  # imports, once
    r = args.repeats

    print("loading")
    b, m, raw = timed(lambda: load_answers(url), r)
    line("load_answers (one SQL query → DataFrame)", b, m)
    b, m, df = timed(lambda: prepare(raw, library), r)
    line("prepare (levels, tertials, key, panel)", b, m)
    team = sorted(df["team"].unique())[2]
    one = apply_filters(df, Filters(team=team))
    print(f"aggregations (all: {len(df):,} answers; one team, {team}: {len(one):,})")
    for name, fn in (("consistency (500 resamples per tertial)", lambda d: consistency(d, 5, n_boot=500)),
                     ("bias and drift", lambda d: bias(d, 5, reference=df)),
                     ("vignette quality", lambda d: vignette_quality(d, 5)),
                     ("exposures and risk", lambda d: exposures_risk(d, 5))):
        b, m, _ = timed(lambda: fn(df), r)
        line(f"{name}, all", b, m)
        b, m, _ = timed(lambda: fn(one), r)
        line(f"{name}, one team", b, m)

    print("a filter change (filter + the visible tab's section with its chart specs → HTML; the browser draws the charts)")
    for key in SECTIONS:
        def change(key=key):
            ctx = Context(df, Filters(team=team, case="max" if key == "bias" else None), library, "sv", 5)
            return section_parts(build_section(key, ctx), ctx)
        b, m, _ = timed(change, r)
        line(f"{key}", b, m)

    print("chart rendering for files (vl-convert → SVG: the HTML report), all answers")
    ctx = Context(df, Filters(), library, "sv", 5)
    sections = [build_section(k, ctx) for k in SECTIONS]
    sections.append(build_section("bias", Context(df, Filters(case="max"), library, "sv", 5)))
    sections[-1].charts = sections[-1].charts[1:2]  # the distribution for one case
    sections[-1].key = "bias, one case: distribution"
    total = []
    for s in sections:
        for i, c in enumerate(s.charts):
            b, m, _ = timed(lambda c=c: svg(c.spec), r)
            total.append(b)
            line(f"{s.key} chart {i + 1}", b, m)
    print(f"  all {len(total)} charts (sum of best): {sum(total) * 1000:.1f} ms")

    print("the whole page in a kernel and the exports")
    os.environ["SAMSYN_DATABASE_URL"] = url
    os.environ["SAMSYN_MANAGER_KEY"] = "bench"
    from widgets import manager_page
    from widgets.common import page_context

    b, m, _ = timed(lambda: manager_page.build(page_context("key=bench&lang=sv"), library), r)
    line("manager_page.build (load + first tab)", b, m)
    ctx = Context(df, Filters(), library, "sv", 5)
    sections = [build_section(k, ctx) for k in SECTIONS]
    exports = (("Excel (tables + raw answers)", lambda: report_excel(ctx, url, sections)),
               ("printable HTML report", lambda: report_html(ctx, sections)),
               ("PDF report", lambda: report_pdf(ctx, sections)))
    for name, fn in exports:
        b, m, out = timed(fn, max(1, r // 2))
        line(f"{name} ({len(out) / 1e6:.1f} MB)", b, m)
    if not args.no_browser:
        browser_timings(url, args.repeats)
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def browser_timings(url: str, repeats: int) -> None:
    """The page as a manager meets it: real Voila, real Chromium, 127.0.0.1 only."""
    from playwright.sync_api import sync_playwright

    import _harness as h

    tmp = h.temp_dir("samsyn-bench-manager-")
    server = h.start_samsyn(tmp, extra_env={"SAMSYN_DATABASE_URL": url, "SAMSYN_MANAGER_KEY": "bench"})
    first_chart = ".samsyn-manager-view-consistency .samsyn-manager-chart-alpha svg"
    loads, changes, switches = [], [], []
    try:
        with sync_playwright() as pw:
            browser = h.launch_chromium(pw)
            for _ in range(repeats):
                server.wait_idle(expected_kernels=5)  # start, 2 × case, mentor, manager: all preheated
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.set_default_timeout(h.PAGE_TIMEOUT_MS)
                page.add_init_script(h.tti_script(first_chart))
                page.goto(f"{server.url}/voila/render/manager.ipynb?key=bench&lang=sv")
                page.locator(first_chart).wait_for()
                loads.append(page.evaluate("window.__tti") / 1000)
                for label in ("Team 05", "Max, 4 år", "2026 T1"):
                    page.evaluate("document.querySelectorAll('section').forEach(s => s.setAttribute('data-old', '1'))")
                    name = "team" if label.startswith("Team") else "case" if "år" in label else "tertial"
                    start = time.perf_counter()
                    page.locator(f".samsyn-manager-filter-{name} select").select_option(label=label)
                    page.locator(".samsyn-manager-view-consistency section:not([data-old])").wait_for()
                    changes.append(time.perf_counter() - start)
                for index, chart in ((1, "bias"), (2, "quality"), (3, "exposures")):
                    start = time.perf_counter()
                    page.locator(".samsyn-manager-tabs .lm-TabBar-tab").nth(index).click()
                    page.locator(f".samsyn-manager-view-{chart} section").wait_for()
                    switches.append(time.perf_counter() - start)
                page.close()
            browser.close()
    finally:
        server.stop()
        h.remove(tmp)
    print("in the browser (samsyn serve + Chromium, preheated kernel)")
    for name, values in (("navigation → first chart", loads), ("filter change → consistency tab redrawn", changes),
                         ("tab switch → its section", switches)):
        print(f"  {name:<52} median {statistics.median(values) * 1000:9.1f} ms   max {max(values) * 1000:9.1f} ms"
              f"   (n = {len(values)})")


if __name__ == "__main__":
    main()
