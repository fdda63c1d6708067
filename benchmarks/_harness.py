"""Shared plumbing of the page benchmarks (not a benchmark itself: ``make bench``
runs ``benchmarks/[!_]*.py``).

Everything runs on this machine and talks only to 127.0.0.1: a Samsyn server
(``samsyn serve``, the production ``training/voila.json``), optionally a plain
``voila`` serving a bare one-widget notebook, and Debian's Chromium driven by
Playwright with the same launch flags as the browser tests.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CHROMIUM = os.environ.get("SAMSYN_CHROMIUM", "/usr/bin/chromium")
#: The same flags as tests/conftest.py (CHROMIUM_ARGS).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
PAGE_TIMEOUT_MS = 180_000

BARE_NOTEBOOK = {
    "cells": [{
        "cell_type": "code", "execution_count": None, "id": "bare", "metadata": {}, "outputs": [],
        "source": ["import ipywidgets as w\n", "b = w.Button(description='OK')\n", "b.add_class('bare-button')\n", "b"],
    }],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                 "language_info": {"name": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, log: Path, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early ({proc.returncode}):\n{log.read_text(errors='replace')}")
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listened on port {port} within {timeout:.0f} s")


class Server:
    """A Voila process on 127.0.0.1 (Samsyn's or a plain one) and its kernels."""

    def __init__(self, name: str, argv: list[str], port: int, tmp: Path, env: dict[str, str]):
        self.name, self.port, self.tmp = name, port, tmp
        self.log_path = tmp / f"{name}.log"
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(argv, cwd=tmp, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        wait_for_port(port, self.proc, self.log_path)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kernels(self) -> list[psutil.Process]:
        """The kernel processes: children of the Voila process running ipykernel."""
        out = []
        try:
            children = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        for child in children:
            try:
                if "ipykernel" in " ".join(child.cmdline()):
                    out.append(child)
            except psutil.Error:
                continue
        return out

    def kernel_process(self, kernel_id: str) -> psutil.Process | None:
        for proc in self.kernels():
            try:
                if any(kernel_id in part for part in proc.cmdline()):
                    return proc
            except psutil.Error:
                continue
        return None

    def wait_idle(self, expected_kernels: int, timeout: float = 180.0, quiet_s: float = 1.0) -> float:
        """Wait until at least ``expected_kernels`` kernels exist and all of them
        (and Voila itself) have been idle for ``quiet_s``: the preheated pool is
        full and every pooled notebook has run up to the request. Returns the wait."""
        start = time.monotonic()
        deadline = start + timeout
        while time.monotonic() < deadline:
            procs = self.kernels()
            if len(procs) >= expected_kernels:
                try:
                    watched = procs + [psutil.Process(self.proc.pid)]
                    before = [p.cpu_times() for p in watched]
                    time.sleep(quiet_s)
                    after = [p.cpu_times() for p in watched]
                except psutil.Error:
                    continue
                busy = [(a.user + a.system) - (b.user + b.system) for a, b in zip(after, before)]
                if max(busy) < 0.05 * quiet_s:
                    return time.monotonic() - start
            else:
                time.sleep(0.3)
        raise TimeoutError(f"{self.name}: kernels not ready within {timeout:.0f} s ({len(self.kernels())} running)")

    def preheated(self) -> int:
        """Kernels preheated and waiting for their request: each holds a websocket to this Voila
        (``voila/query/<id>``); a page's kernel has none."""
        count = 0
        for proc in self.kernels():
            try:
                conns = proc.net_connections(kind="tcp")
            except psutil.Error:
                continue
            if any(c.raddr and c.raddr.port == self.port and c.status == psutil.CONN_ESTABLISHED for c in conns):
                count += 1
        return count

    def wait_preheated(self, expected: int, timeout: float = 1200.0) -> float:
        """Wait until ``expected`` kernels are preheated and the server is quiet. Returns the wait."""
        start = time.monotonic()
        while self.preheated() < expected:
            if time.monotonic() - start > timeout:
                raise TimeoutError(f"{self.name}: {self.preheated()} of {expected} kernels preheated "
                                   f"within {timeout:.0f} s")
            time.sleep(1.0)
        self.wait_idle(expected, timeout=max(60.0, timeout - (time.monotonic() - start)))
        return time.monotonic() - start

    def stop(self, sig: int = 15) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait(10)
            except ProcessLookupError:
                pass
        self._log.close()


def start_samsyn(tmp: Path, voila_config: dict | None = None, extra_env: dict[str, str] | None = None,
                 name: str = "samsyn") -> Server:
    data = tmp / "data"
    env = {**os.environ, "SAMSYN_DATA_DIR": str(data), "SAMSYN_DATABASE_URL": f"sqlite:///{data / 'samsyn.sqlite3'}",
           "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"), "PYTHONUNBUFFERED": "1",
           # Every browser of a benchmark comes from 127.0.0.1: one client for the per-client kernel cap
           # (samsyn/guard.py). load.py gives each trainee an address of its own and keeps the default.
           "SAMSYN_MAX_KERNELS_PER_CLIENT": "400", **(extra_env or {})}
    if voila_config is not None:
        config_dir = tmp / "voila-config"
        config_dir.mkdir(exist_ok=True)
        (config_dir / "voila.json").write_text(json.dumps(voila_config))
        env["SAMSYN_VOILA_CONFIG_DIR"] = str(config_dir)
    port = free_port()
    server = Server(name, [sys.executable, "-m", "samsyn.cli", "serve", "--port", str(port)], port, tmp,
                    {**env, "PYTHONPATH": str(REPO)})
    server.database_url = env["SAMSYN_DATABASE_URL"]  # type: ignore[attr-defined]
    return server


def start_bare(tmp: Path, *, preheat: bool, name: str) -> Server:
    """Plain ``voila`` (no Samsyn code) serving a notebook with one button."""
    folder = tmp / name
    folder.mkdir()
    (folder / "bare.ipynb").write_text(json.dumps(BARE_NOTEBOOK))
    port = free_port()
    voila = str(Path(sys.executable).parent / "voila")
    argv = [voila, str(folder / "bare.ipynb"), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
            f"--Voila.config_file_paths={folder}"]
    if preheat:
        argv += ["--VoilaConfiguration.preheat_kernel=True", "--VoilaConfiguration.default_pool_size=1"]
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp / f"runtime-{name}"), "PYTHONUNBUFFERED": "1"}
    return Server(name, argv, port, folder, env)


def launch_chromium(pw):
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM}; `make setup-test` installs Debian's chromium")
    return pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def tti_script(selector: str) -> str:
    """An init script that records, in page time (ms since navigation start), when
    ``selector`` first matches a rendered (non-zero size) element: window.__tti."""
    return (
        "(() => {const sel = %s; window.__tti = null;"
        " const check = () => { if (window.__tti !== null) return true;"
        "  const el = document.querySelector(sel);"
        "  if (el) { const r = el.getBoundingClientRect();"
        "   if (r.width > 0 && r.height > 0) { window.__tti = performance.now(); return true; } }"
        "  return false; };"
        " const obs = new MutationObserver(() => { if (check()) obs.disconnect(); });"
        " const start = () => obs.observe(document, {childList: true, subtree: true, attributes: true});"
        " if (document) start();"
        "})();" % json.dumps(selector)
    )


def page_kernel_id(page) -> str | None:
    return page.evaluate(
        "() => { const el = document.getElementById('jupyter-config-data');"
        " if (!el) return null; try { return JSON.parse(el.textContent).kernelId || null; } catch (e) { return null; } }"
    )


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = psutil.virtual_memory().total / 2**30
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs ({cpu}), {mem:.0f} GiB RAM, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}; load average {load}")


def temp_dir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
