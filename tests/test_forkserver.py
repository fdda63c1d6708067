"""samsyn.forkserver: what the zygote prepares once is what a forked kernel's page finds ready."""

from __future__ import annotations

import subprocess
import sys

#: Run in a fresh interpreter: warm up as the zygote does, fork, and in the child do what the page
#: notebooks' first cell does with YAML reading made impossible (a cache miss would read the case files).
CHILD = r"""
import os, sys
from samsyn import forkserver
forkserver.warm()
pid = os.fork()
if pid == 0:
    import cases.files, cases.loader
    def no_reading(*args, **kwargs):
        raise SystemExit(3)
    cases.files.read_yaml = cases.loader.read_yaml = no_reading
    from cases import load_library
    from samsyn.config import settings
    library = load_library(settings().cases_dir)
    os._exit(0 if library.cases else 4)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def test_a_forked_kernel_finds_the_case_library_read():
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])


def test_a_changed_case_folder_is_read_by_the_kernel(tmp_path, monkeypatch):
    """The zygote's library is a cache entry, not a copy the kernel must use: another folder is read."""
    import shutil

    from cases.loader import LIBRARY_DIR

    folder = tmp_path / "cases"
    folder.mkdir()
    shutil.copy(LIBRARY_DIR / "assi.yaml", folder / "assi.yaml")
    script = CHILD.replace("forkserver.warm()\n", "forkserver.warm()\nos.environ['SAMSYN_CASES_DIR'] = sys.argv[1]\n")
    done = subprocess.run([sys.executable, "-c", script, str(folder)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, (done.returncode, done.stderr[-2000:])  # it had to read the files


def test_kernel_ports_lie_below_the_ephemeral_range():
    from samsyn.forkserver import _ephemeral_ports, kernel_ports

    ephemeral = _ephemeral_ports()
    ports = kernel_ports("127.0.0.1", 5)
    if ephemeral is None or ephemeral[0] < 4096:
        assert ports is None
        return
    assert ports is not None and len(set(ports)) == 5
    assert all(1024 <= p < ephemeral[0] for p in ports), (ports, ephemeral)


def test_a_kernel_is_given_ports_no_connection_can_take():
    """The provisioner's ports, as Voila's kernel manager gets them, are outside the range the system gives
    outgoing connections (a connection taking one first killed the kernel, and its page answered 500)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from jupyter_client.connect import LocalPortCache
    from jupyter_client.manager import KernelManager

    from samsyn.forkserver import ForkProvisioner, _ephemeral_ports

    ephemeral = _ephemeral_ports()
    km = KernelManager(kernel_name="python3")
    provisioner = ForkProvisioner(kernel_id="test", kernel_spec=km.kernel_spec, parent=km)
    km.provisioner = provisioner

    def run(coroutine):  # in a thread of its own: another test may have left a loop running in this one
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, coroutine).result()

    try:
        run(provisioner.pre_launch(env={}))
        ports = [km.shell_port, km.iopub_port, km.stdin_port, km.hb_port, km.control_port]
        assert len(set(ports)) == 5 and all(ports)
        if ephemeral is not None and ephemeral[0] >= 4096:
            assert all(p < ephemeral[0] for p in ports), (ports, ephemeral)
        assert set(ports) <= LocalPortCache.instance().currently_used_ports
    finally:
        run(provisioner.cleanup())
        km.cleanup_connection_file()
    assert not set(ports) & LocalPortCache.instance().currently_used_ports
