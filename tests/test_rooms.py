"""Sizing for a room (samsyn/rooms.py): the start and case pools hold the room, nothing else changes."""

import json
from pathlib import Path

from samsyn.config import Settings
from samsyn.rooms import pools_for

POOLS = json.loads((Path(__file__).resolve().parent.parent / "training" / "voila.json").read_text())[
    "VoilaKernelManager"]["kernel_pools_config"]


def test_a_room_keeps_that_many_start_and_case_pages_ready():
    sized = pools_for(POOLS, 40)
    assert sized["start.ipynb"]["pool_size"] == 40 and sized["case.ipynb"]["pool_size"] == 40
    assert sized["mentor.ipynb"] == POOLS["mentor.ipynb"] and sized["manager.ipynb"] == POOLS["manager.ipynb"]
    assert POOLS["case.ipynb"]["pool_size"] == 2  # the committed configuration is not touched


def test_no_room_changes_nothing_and_a_small_room_never_shrinks_a_pool():
    assert pools_for(POOLS, 0) == POOLS
    assert pools_for(POOLS, 1)["case.ipynb"]["pool_size"] == POOLS["case.ipynb"]["pool_size"]


def test_the_room_size_is_a_setting():
    assert Settings.from_env({}).room_size == 0
    assert Settings.from_env({"SAMSYN_ROOM_SIZE": "40"}).room_size == 40


def test_a_mentor_room_fits_under_the_kernel_cap():
    """A mentor may ask for SAMSYN_ROOM_MAX, but never for more than the kernel cap holds (1.5 page kernels each)."""
    assert Settings.from_env({}).mentor_room_max == 40
    assert Settings.from_env({"SAMSYN_ROOM_MAX": "60"}).mentor_room_max == 60  # the cap grows to 90
    assert Settings.from_env({"SAMSYN_ROOM_MAX": "60", "SAMSYN_MAX_KERNELS": "45"}).mentor_room_max == 30


def test_a_mentor_asks_the_running_server_for_a_room(voila_factory):
    """The mentor's kernel asks with the server's token (here the test knows it), on loopback; without the
    token: 403; from a Host the server does not answer to (samsyn.guard): 400. The room is capped so that it
    fits under the kernel cap (6 page kernels hold a room of 4)."""
    import http.client
    import time

    from samsyn.rooms import request_room

    server = voila_factory(extra_env={"SAMSYN_MAX_KERNELS": "6", "SAMSYN_ROOM_TOKEN": "t" * 32})
    for headers, expected in (({}, 403), ({"X-Samsyn-Room-Token": "x" * 32}, 403),
                              ({"X-Samsyn-Room-Token": "t" * 32, "Host": "evil.example"}, 400)):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        conn.request("POST", "/samsyn/api/room", body='{"size": 4}', headers=headers)
        assert conn.getresponse().status == expected, headers
        conn.close()
    time.sleep(2)
    assert "a room of" not in server.log()
    assert request_room(9, environ={"SAMSYN_ROOM_TOKEN": "t" * 32, "VOILA_APP_PORT": str(server.port)})
    deadline = time.monotonic() + 300
    while len(server.kernel_ids()) < 10 and time.monotonic() < deadline:  # start 4, case 4 (the maximum), mentor, manager
        time.sleep(1)
    time.sleep(3)
    assert len(server.kernel_ids()) == 10
    assert "a room of 4 was asked for" in server.log()


def test_a_room_kernel_that_dies_while_it_waits_is_replaced(voila_factory):
    """A preheated kernel of a room can die before a trainee takes it (a port taken by another process
    between choosing and binding it, say): the room gets another one, the culler does not choke on it."""
    import os
    import signal
    import time

    from samsyn.config import Settings
    from samsyn.rooms import pools_for

    pools = pools_for(POOLS, 3)
    notebooks = [p.name for p in (Path(__file__).resolve().parent.parent / "training").glob("*.ipynb")]
    expected = sum(pools.get(nb, {}).get("pool_size", pools.get("default", {}).get("pool_size", 0)) for nb in notebooks)
    server = voila_factory(extra_env={"SAMSYN_ROOM_SIZE": "3", "SAMSYN_KERNEL_CULL_INTERVAL": "2"})
    assert Settings.from_env({"SAMSYN_ROOM_SIZE": "3"}).kernel_cap >= 3
    deadline = time.monotonic() + 300
    while len(server.kernel_ids()) < expected and time.monotonic() < deadline:
        time.sleep(1)
    time.sleep(3)
    before = server.kernel_ids()
    assert len(before) == expected
    import psutil

    victim = next(c for c in psutil.Process(server.proc.pid).children(recursive=True)
                  if "ipykernel" in " ".join(c.cmdline()) and sorted(before)[0] in " ".join(c.cmdline()))
    os.kill(victim.pid, signal.SIGKILL)
    deadline = time.monotonic() + 120
    while (sorted(before)[0] in server.kernel_ids() or len(server.kernel_ids()) < expected) and time.monotonic() < deadline:
        time.sleep(1)
    assert len(server.kernel_ids()) == expected and sorted(before)[0] not in server.kernel_ids()
    log = server.log()  # (Voila logs the dead kernel's unfinished render; Samsyn's culler and restarts stay quiet)
    assert "a preheated kernel of" in log and "ProcessLookupError" not in log
    assert "exception was encountered while checking the idle duration" not in log
