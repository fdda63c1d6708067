"""Sizing the server for a room: how many case pages are ready when the workshop arrives.

A preheated kernel has run its page's notebook up to the request, so a page
served from the pool costs a fraction of a fresh kernel (benchmarks/pages.py).
``training/voila.json`` keeps a small pool for a laptop; an operator who knows
that a room of N is coming sets ``SAMSYN_ROOM_SIZE=N`` (``samsyn serve
--room N``), or a mentor says how many will come when creating a workshop,
and N start and N case pages are preheated at once. They are a room's, not a
bigger pool: a page that uses one is replaced only up to the configured pool,
so the memory goes as the trainees go (a mentor's room's unused kernels are
shut down after four hours). What a room of N costs in memory and CPU is
measured by ``benchmarks/load.py`` and tabled in ``docs/deploy.md``.
"""

from __future__ import annotations

import copy

#: The pages a room arrives at: every trainee opens the start page and then a case.
ROOM_NOTEBOOKS = ("start.ipynb", "case.ipynb")


def pools_for(pools: dict, room: int) -> dict:
    """``kernel_pools_config`` (Voila) for a room of ``room`` trainees: at least ``room`` ready kernels
    for the start page and for the case page; every other notebook as configured."""
    out = copy.deepcopy(pools)
    if room <= 0:
        return out
    for notebook in ROOM_NOTEBOOKS:
        entry = out.setdefault(notebook, {})
        entry["pool_size"] = max(int(entry.get("pool_size", 0)), room)
    return out



# -- a room asked for while the server runs (the mentor creating a workshop) -------------------------
#: How long a room asked for by a mentor keeps its pools (then the server's own configuration returns).
ROOM_HOURS = 4.0
ROOM_PATH = "samsyn/api/room"


def request_room(size: int, environ=None, timeout: float = 10.0) -> bool:
    """From a page's kernel (the mentor's): ask this server to keep ``size`` start and case pages ready.

    The request goes to the server on loopback with the token the server gave its kernels
    (``Settings.room_token``); a browser never has it. Returns whether the server agreed."""
    import json
    import os
    import urllib.request

    from samsyn.config import Settings

    env = os.environ if environ is None else environ
    token = Settings.from_env(env).room_token
    port = env.get("VOILA_APP_PORT")
    if not token or not port:
        return False
    server_url = env.get("VOILA_SERVER_URL") or "/"
    url = f"http://127.0.0.1:{port}{server_url.rstrip('/')}/{ROOM_PATH}"
    request = urllib.request.Request(url, data=json.dumps({"size": int(size)}).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "X-Samsyn-Room-Token": token})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback only
            return response.status == 200
    except OSError:
        return False
