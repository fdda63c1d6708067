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
