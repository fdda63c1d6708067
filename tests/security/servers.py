"""Servers for the security tests: the real app (``samsyn serve``), with small caps where a test needs them.

Import the fixture into a test module: ``from servers import server_factory``.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

def _root_conftest():
    """tests/conftest.py as a module (under its own name: every folder's conftest is "conftest")."""
    import importlib.util
    import sys

    name = "samsyn_tests_root_conftest"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().parents[1] / "conftest.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


_root = _root_conftest()
VoilaServer, free_port, wait_for_port = _root.VoilaServer, _root.free_port, _root.wait_for_port

#: Small pools so the tests can count kernels; the cap tests set their own caps.
SMALL_POOLS = {"VoilaKernelManager": {"kernel_pools_config": {
    "start.ipynb": {"pool_size": 1}, "case.ipynb": {"pool_size": 1}, "mentor.ipynb": {"pool_size": 0},
    "manager.ipynb": {"pool_size": 0}, "default": {"pool_size": 0}}, "fill_delay": 0}}


def start_server(folder: Path, env: dict[str, str] | None = None, voila_config: dict | None = None) -> VoilaServer:
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(env or {})
    if voila_config is not None:
        (folder / "voila-config").mkdir(exist_ok=True)
        (folder / "voila-config" / "voila.json").write_text(json.dumps(voila_config))
        env["SAMSYN_VOILA_CONFIG_DIR"] = str(folder / "voila-config")
    return VoilaServer(folder, env)


@pytest.fixture(scope="module")
def server_factory(tmp_path_factory):
    servers: list[VoilaServer] = []

    def start(env: dict[str, str] | None = None, voila_config: dict | None = SMALL_POOLS) -> VoilaServer:
        server = start_server(tmp_path_factory.mktemp("guarded"), env, voila_config)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def kernel_processes(server: VoilaServer) -> set[int]:
    """The kernel processes the server started (children running ipykernel)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == server.proc.pid and b"ipykernel" in (entry / "cmdline").read_bytes():
                found.add(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def settled_kernels(server: VoilaServer, quiet_s: float = 3.0, timeout: float = 120.0) -> set[int]:
    """The kernel processes once their number has not changed for ``quiet_s`` (pools refilled)."""
    deadline = time.monotonic() + timeout
    last, since = kernel_processes(server), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = kernel_processes(server)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return now
    return last


def env_without(*names: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in names}
