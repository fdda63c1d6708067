"""Shared fixtures: a real Voila server, Debian's Chromium, a real PostgreSQL.

Nothing a user would run for real is mocked. ``make test`` installs Chromium
and PostgreSQL from Debian's packages; these fixtures start them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Pages and the CLI default to an SQLite file in the user's data folder; tests
# (and every process they start) use a throwaway folder instead.
os.environ.setdefault("SAMSYN_DATA_DIR", tempfile.mkdtemp(prefix="samsyn-test-data-"))
os.environ.setdefault("SAMSYN_CACHE_DIR", tempfile.mkdtemp(prefix="samsyn-test-cache-"))  # chart templates
os.environ.pop("SAMSYN_DATABASE_URL", None)
CHROMIUM = os.environ.get("SAMSYN_CHROMIUM", "/usr/bin/chromium")
#: How long a page may take to render: a Voila page waits for its kernel, and on
#: a busy 2-core machine a kernel that is not preheated takes many seconds.
PAGE_TIMEOUT_MS = 120_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listened on port {port} within {timeout:.0f} s")


# -- Voila ---------------------------------------------------------------------
class VoilaServer:
    """``samsyn serve`` on a free port: this checkout's by default, or ``command`` (an installed one)
    run in ``cwd`` with ``env`` instead of this process's environment."""

    def __init__(self, tmp: Path, extra_env: dict[str, str] | None = None, database_url: str | None = None,
                 command: list[str] | None = None, cwd: Path | None = None, env: dict[str, str] | None = None):
        self.port = free_port()
        self.data_dir = tmp / "data"
        self.database_url = database_url or f"sqlite:///{self.data_dir / 'samsyn.sqlite3'}"
        self.log_path = tmp / "voila.log"
        env = {**(os.environ if env is None else env), "SAMSYN_DATA_DIR": str(self.data_dir),
               "SAMSYN_DATABASE_URL": self.database_url, "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
               "PYTHONUNBUFFERED": "1",
               # Every test page comes from one client (127.0.0.1) and most stay open until culled:
               # the kernel caps (samsyn.guard) are tested on their own, with small values.
               "SAMSYN_MAX_KERNELS": "400", "SAMSYN_MAX_KERNELS_PER_CLIENT": "400", **(extra_env or {})}
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [*(command or [sys.executable, "-m", "samsyn.cli", "serve"]), "--port", str(self.port)],
            cwd=cwd or REPO, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            wait_for_port(self.port, self.proc)
        except Exception:
            self.stop()
            raise RuntimeError(f"Voila did not start; log:\n{self.log()}") from None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def page(self, notebook: str, **params: str) -> str:
        from urllib.parse import urlencode

        query = urlencode(params)
        return f"{self.url}/voila/render/{notebook}" + (f"?{query}" if query else "")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kernel_ids(self) -> set[str]:
        """The ids of the kernels alive now (ipykernel children of this Voila, by connection file)."""
        import re

        import psutil

        ids = set()
        try:
            children = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.Error:
            return ids
        for child in children:
            try:
                found = re.search(r"kernel-([0-9a-f-]{36})\.json", " ".join(child.cmdline()))
            except psutil.Error:
                continue
            if found:
                ids.add(found.group(1))
        return ids

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
        self._log.close()


@pytest.fixture(scope="session")
def voila(tmp_path_factory) -> VoilaServer:
    server = VoilaServer(tmp_path_factory.mktemp("voila"))
    yield server
    server.stop()


@pytest.fixture
def voila_factory(tmp_path):
    """Start your own Voila servers: ``voila_factory(folder=None, extra_env=None, voila_config=None,
    command=…, cwd=…, env=…)`` (the last three as for ``VoilaServer``).

    Servers started on the same folder share its SQLite file (a restart);
    ``voila_config`` is a dict written as a ``voila.json`` that overrides
    ``training/voila.json`` (``SAMSYN_VOILA_CONFIG_DIR``). All are stopped at the end.
    """
    import json

    servers: list[VoilaServer] = []

    def start(folder: Path | None = None, extra_env: dict[str, str] | None = None,
              voila_config: dict | None = None, **server) -> VoilaServer:
        folder = folder or tmp_path
        env = dict(extra_env or {})
        if voila_config is not None:
            config_dir = folder / "voila-config"
            config_dir.mkdir(parents=True, exist_ok=True)
            (config_dir / "voila.json").write_text(json.dumps(voila_config))
            env["SAMSYN_VOILA_CONFIG_DIR"] = str(config_dir)
        started = VoilaServer(folder, env, **server)
        servers.append(started)
        return started

    yield start
    for server in servers:
        server.stop()


# -- Chromium --------------------------------------------------------------------
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}; `make test` installs Debian's chromium package")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=PAGE_TIMEOUT_MS)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # type: ignore[attr-defined]
    yield page
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        artifacts = REPO / "tests" / "artifacts"
        artifacts.mkdir(exist_ok=True)
        page.screenshot(path=str(artifacts / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


# -- PostgreSQL --------------------------------------------------------------------
def _pg_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for c in candidates:
        if (c / "initdb").exists():
            return c
    return Path(found).parent if found and (Path(found).parent / "initdb").exists() else None


class PostgresServer:
    """A throwaway PostgreSQL cluster on loopback, in a temp folder."""

    def __init__(self, tmp: Path):
        bindir = _pg_bin()
        if bindir is None:
            raise RuntimeError("PostgreSQL server binaries not found; `make test` installs Debian's postgresql package")
        self.port = free_port()
        self.dir = tmp / "pgdata"
        self.sockdir = tmp / "pgsock"
        self.sockdir.mkdir()
        as_user: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            shutil.chown(tmp, "postgres")
            shutil.chown(self.sockdir, "postgres")
            as_user = ["runuser", "-u", "postgres", "--"]
        self.as_user = as_user
        self.pg_ctl = str(bindir / "pg_ctl")
        subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(self.dir), "-U", "samsyn", "--auth=trust",
                        "-E", "UTF8", "--locale=C.UTF-8"], check=True, capture_output=True)
        subprocess.run([*as_user, self.pg_ctl, "-D", str(self.dir), "-w", "-l", str(tmp / "pg.log"), "-o",
                        f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.sockdir} -c fsync=off", "start"],
                       check=True, capture_output=True)
        self.url = f"postgresql+psycopg://samsyn@127.0.0.1:{self.port}/postgres"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=samsyn dbname=postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://samsyn@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        subprocess.run([*self.as_user, self.pg_ctl, "-D", str(self.dir), "-m", "fast", "stop"], capture_output=True)


@pytest.fixture(scope="session")
def postgres():
    # Not under pytest's own temp folder: that is private to root, and the
    # server runs as the postgres user when the tests run as root.
    tmp = Path(tempfile.mkdtemp(prefix="samsyn-pg-"))
    server = PostgresServer(tmp)
    yield server
    server.stop()
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_attempt_throttle():
    """The throttle counts failed attempts per process (a kernel is one page); a test run is one process."""
    from store.throttle import reset_kernel_failures

    reset_kernel_failures()
    yield


# -- The tree stays clean ----------------------------------------------------------
# Test output goes under tests/artifacts/ (git-ignored); no test may write into the
# tracked tree (the README's images among it: `make screenshots` refreshes those).
def _tree_state() -> dict[str, str | None] | None:
    import hashlib

    listed = subprocess.run(["git", "status", "--porcelain", "-z", "--untracked-files=all"], cwd=REPO,
                            capture_output=True)
    if listed.returncode != 0:
        return None  # not a git checkout: nothing to compare
    paths = {entry[3:] for entry in listed.stdout.decode(errors="replace").split("\0") if len(entry) > 3}
    paths |= {str(p.relative_to(REPO)) for p in (REPO / "docs").rglob("*") if p.is_file()}
    return {p: hashlib.sha256((REPO / p).read_bytes()).hexdigest() if (REPO / p).is_file() else None
            for p in sorted(paths)}


def pytest_sessionstart(session):
    session.config._samsyn_tree = _tree_state()


def pytest_sessionfinish(session, exitstatus):
    before, after = getattr(session.config, "_samsyn_tree", None), _tree_state()
    if before is None or after is None or before == after:
        return
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line("The tests changed files in the tree (write under tests/artifacts/ instead): "
                            + ", ".join(changed), red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
