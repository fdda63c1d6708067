"""Servers for the security tests: the real app (``samsyn serve``), with small caps where a test needs them.

Import the fixture into a test module: ``from servers import server_factory``.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from rootconf import root_conftest  # tests/rootconf.py

_root = root_conftest()
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
        server.pool_kernels = pool_kernels(voila_config)  # type: ignore[attr-defined]
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def pool_kernels(voila_config: dict | None) -> int:
    """Preheated kernels a server keeps with ``voila_config`` over training/voila.json (every notebook)."""
    repo = Path(__file__).resolve().parents[2]
    pools = dict(json.loads((repo / "training" / "voila.json").read_text())["VoilaKernelManager"]["kernel_pools_config"])
    pools.update(((voila_config or {}).get("VoilaKernelManager") or {}).get("kernel_pools_config") or {})
    default = pools.get("default", {}).get("pool_size", 0)
    return sum(pools.get(nb.name, {}).get("pool_size", default) for nb in (repo / "training").glob("*.ipynb"))


def kernel_processes(server: VoilaServer) -> set[int]:
    """The kernel processes the server started: its descendants running ipykernel (a forked kernel is a
    child of the server's preloaded fork server, samsyn/forkserver.py; a launched one the server's own)."""
    parent: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found = set()
    for pid in parent:
        ancestor, hops = parent.get(pid), 0
        while ancestor and ancestor != server.proc.pid and hops < 8:
            ancestor, hops = parent.get(ancestor), hops + 1
        if ancestor != server.proc.pid:
            continue
        try:
            if b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.add(pid)
        except OSError:
            continue
    return found


def settled_kernels(server: VoilaServer, quiet_s: float = 3.0, timeout: float = 120.0) -> set[int]:
    """The kernel processes once there are at least the pools' kernels and their number has not changed
    for ``quiet_s`` (pools refilled)."""
    deadline = time.monotonic() + timeout
    pool = getattr(server, "pool_kernels", 0)
    last, since = kernel_processes(server), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = kernel_processes(server)
        if now != last:
            last, since = now, time.monotonic()
        elif len(now) >= pool and time.monotonic() - since >= quiet_s:
            return now
    return last


def env_without(*names: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in names}
