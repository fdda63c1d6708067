"""Page benchmark: time to interactive and kernel memory, next to a bare notebook.

    .venv/bin/python benchmarks/pages.py [--rounds 5] [--open-pages 5]

In one run, on this machine, only on 127.0.0.1:

* three servers: Samsyn (``samsyn serve`` with the production ``training/voila.json``:
  preheated kernels), plain ``voila`` serving a one-button notebook with its
  defaults (no preheating), and the same bare notebook with a preheated kernel;
* time to interactive (TTI) in Debian's Chromium: from navigation start to the
  first rendered widget a user acts on — the bare button, the start page's case
  links, the case page's "Next" button (with a personal code, so the stepper
  shows). Measured in page time (``performance.now()`` when the element first
  has a size). Rounds interleave the four targets, and before each load the
  target's kernels must be idle, so every Samsyn load gets a preheated kernel;
* the case page without a preheated kernel (three pages opened back to back
  against a pool of two);
* server CPU per load: Voila + the page's kernel, from the request until idle;
* RSS (and USS, the memory unique to the process) of the kernel behind each
  open case page, found as ipykernel children of the Voila process and matched
  by the page's kernel id; the bare notebook's kernel for comparison.
"""

from __future__ import annotations

import argparse
import time

import psutil

from _harness import (
    PAGE_TIMEOUT_MS, launch_chromium, machine, median, page_kernel_id, remove, start_bare, start_samsyn,
    temp_dir, tti_script,
)

MB = 2**20


def cpu(proc) -> float:
    try:
        t = proc.cpu_times()
        return t.user + t.system
    except Exception:
        return 0.0


def rss_uss(proc) -> tuple[float, float, float]:
    info = proc.memory_full_info()
    return info.rss / MB, info.uss / MB, info.pss / MB


def wait_process_idle(proc, quiet_s: float = 0.5, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = proc.cpu_times()
        time.sleep(quiet_s)
        after = proc.cpu_times()
        if (after.user + after.system) - (before.user + before.system) < 0.05 * quiet_s:
            return


class Load:
    """One page load in a fresh browser context."""

    def __init__(self, browser, url: str, selector: str):
        self.context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="sv-SE")
        self.context.add_init_script(tti_script(selector))
        self.page = self.context.new_page()
        self.page.set_default_timeout(PAGE_TIMEOUT_MS)
        start = time.perf_counter()
        self.page.goto(url, wait_until="commit")
        self.page.wait_for_selector(selector, state="visible")
        self.wall = time.perf_counter() - start
        self.page.wait_for_function("window.__tti !== null")
        self.tti = self.page.evaluate("window.__tti") / 1000
        self.kernel_id = page_kernel_id(self.page)

    def close(self) -> None:
        # beforeunload lets Voila shut the page's kernel down, as when a trainee closes the tab
        self.page.close(run_before_unload=True)
        self.context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="loads of each page (default 5)")
    parser.add_argument("--open-pages", type=int, default=5, help="case pages held open for the memory figure")
    args = parser.parse_args()
    rounds = max(1, min(args.rounds, 50))
    open_pages = max(1, min(args.open_pages, 20))

    from playwright.sync_api import sync_playwright

    from store import Store

    tmp = temp_dir("samsyn-bench-pages-")
    servers = []
    try:
        (tmp / "samsyn").mkdir()
        samsyn = start_samsyn(tmp / "samsyn")
        servers.append(samsyn)
        bare = start_bare(tmp, preheat=False, name="bare")
        servers.append(bare)
        bare_hot = start_bare(tmp, preheat=True, name="bare-preheated")
        servers.append(bare_hot)
        store = Store(samsyn.database_url)
        codes = iter([store.create_participant(f"Bench {i}", self_paced=True).personal_code
                      for i in range(rounds + open_pages + 3)])
        samsyn_pool = 5  # start 1 + case 2 + mentor 1 + manager 1 in training/voila.json

        def case_url() -> str:
            return f"{samsyn.url}/voila/render/case.ipynb?case=assi&lang=sv&code={next(codes)}"

        targets = [
            ("bare notebook, plain voila", bare, lambda: f"{bare.url}/", ".bare-button", 0),
            ("bare notebook, preheated", bare_hot, lambda: f"{bare_hot.url}/", ".bare-button", 1),
            ("start page", samsyn, lambda: f"{samsyn.url}/voila/render/start.ipynb?lang=sv", ".samsyn-case-link", samsyn_pool),
            ("case page", samsyn, case_url, ".samsyn-next", samsyn_pool),
        ]
        tti: dict[str, list[float]] = {name: [] for name, *_ in targets}
        wall: dict[str, list[float]] = {name: [] for name, *_ in targets}
        memory: dict[str, list[tuple[float, float]]] = {name: [] for name, *_ in targets}
        server_cpu: dict[str, list[float]] = {name: [] for name, *_ in targets}
        preheat_cpu: list[float] = []

        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            warm = Load(browser, f"{bare.url}/", ".bare-button")  # Chromium's own first start, not counted
            warm.close()
            for _round in range(rounds):
                for name, server, url, selector, expected in targets:
                    # Samsyn's preheated kernels wait on a websocket for their request (counted); the bare
                    # notebook asks nothing of the request, so its preheated kernel just runs and idles
                    server.wait_preheated(expected) if server is samsyn else server.wait_idle(expected)
                    voila_proc = psutil.Process(server.proc.pid)
                    before = {p.pid: cpu(p) for p in server.kernels()}
                    if server is samsyn and _round == 0:
                        preheat_cpu.extend(before.values())  # what starting and preheating a kernel cost
                    voila_before = cpu(voila_proc)
                    load = Load(browser, url(), selector)
                    tti[name].append(load.tti)
                    wall[name].append(load.wall)
                    proc = server.kernel_process(load.kernel_id) if load.kernel_id else None
                    if proc is not None:
                        wait_process_idle(proc)
                        memory[name].append(rss_uss(proc))
                        server_cpu[name].append(cpu(proc) - before.get(proc.pid, 0.0) + cpu(voila_proc) - voila_before)
                    load.close()

            # Without a preheated kernel: three case pages back to back, pool of two.
            samsyn.wait_preheated(samsyn_pool)
            held = [Load(browser, case_url(), ".samsyn-next") for _ in range(3)]
            cold = held[-1].tti
            # Memory: case pages held open at once.
            held += [Load(browser, case_url(), ".samsyn-next") for _ in range(max(0, open_pages - len(held)))]
            samsyn.wait_idle(samsyn_pool + len(held))
            open_memory = []
            for load in held:
                proc = samsyn.kernel_process(load.kernel_id)
                if proc is not None:
                    open_memory.append(rss_uss(proc))
            pooled = [rss_uss(p) for p in samsyn.kernels()
                      if not any(load.kernel_id and load.kernel_id in " ".join(p.cmdline()) for load in held)]
            for load in held:
                load.close()
            browser.close()
    finally:
        for server in servers:
            server.stop()
        remove(tmp)

    base = median(tti["bare notebook, plain voila"])
    base_hot = median(tti["bare notebook, preheated"])
    print(f"Page benchmark — {machine()}")
    print(f"{rounds} rounds; TTI = navigation start → first rendered widget, in Chromium, seconds")
    print(f"{'target':<30} {'median':>7} {'min':>7} {'max':>7} {'wall med':>9} {'÷ bare':>7} {'÷ bare hot':>10}")
    for name, *_ in targets:
        values = tti[name]
        print(f"{name:<30} {median(values):7.2f} {min(values):7.2f} {max(values):7.2f} {median(wall[name]):9.2f} "
              f"{median(values) / base:7.2f} {median(values) / base_hot:10.2f}")
    print(f"{'case page, no preheated kernel':<30} {cold:7.2f} {'':>7} {'':>7} {'':>9} {cold / base:7.2f} {cold / base_hot:10.2f}")
    print()
    print("Server CPU seconds per page load (Voila + the page's kernel, from the request until the kernel is idle)")
    for name, *_ in targets:
        if server_cpu[name]:
            print(f"{name:<30} {median(server_cpu[name]):7.2f}")
    if preheat_cpu:
        print(f"{'starting + preheating a kernel':<30} {median(preheat_cpu):7.2f}   (paid again for every page: the pool refills)")
    print()
    print("Kernel memory, MB: RSS / USS (unique to the process) / PSS (unique + fair share of shared pages)")

    def row(label: str, values: list[tuple[float, float, float]]) -> None:
        rss, uss, pss = ([v[i] for v in values] for i in range(3))
        print(f"{label:<46} {median(rss):7.1f} / {median(uss):6.1f} / {median(pss):6.1f}   (max RSS {max(rss):.1f})")

    for name in ("bare notebook, plain voila", "start page", "case page"):
        if memory[name]:
            row(f"{name} (after load, median)", memory[name])
    if open_memory:
        row(f"case page, {len(open_memory)} open at once (median)", open_memory)
    if pooled:
        row("preheated, waiting in the pool (median)", pooled)
    print()
    ratio = median(tti["case page"]) / base
    ratio_hot = median(tti["case page"]) / base_hot
    cpu_ratio = (median(server_cpu["case page"]) / median(server_cpu["bare notebook, preheated"])
                 if server_cpu["case page"] and server_cpu["bare notebook, preheated"] else float("nan"))
    case_rss = max(r for r, _u, _p in open_memory) if open_memory else float("nan")
    print(f"case page TTI ÷ bare notebook (plain voila): {ratio:.2f} ×")
    print(f"target: case page TTI ≤ 1.2 × the bare preheated page: {ratio_hot:.2f} × — "
          f"{'met' if ratio_hot <= 1.2 else 'MISSED'}")
    print(f"target: case page server CPU ≤ 1.5 × the bare preheated page: {cpu_ratio:.2f} × — "
          f"{'met' if cpu_ratio <= 1.5 else 'MISSED'}")
    print(f"target: ≤ 90 MB RSS per case-page kernel (before feedback; after: benchmarks/load.py): max {case_rss:.1f} MB — "
          f"{'met' if case_rss <= 90 else 'MISSED'}")
    if pooled:
        heaviest = max(r for r, _u, _p in pooled)
        print(f"target: no pool kernel heavier than a case-page kernel: heaviest waiting {heaviest:.1f} MB RSS vs "
              f"case page {case_rss:.1f} MB — {'met' if heaviest <= case_rss else 'MISSED'}")


if __name__ == "__main__":
    main()
