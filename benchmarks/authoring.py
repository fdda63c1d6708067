"""Benchmark: what publishing without a restart costs, and how fast the authoring page reacts.

Run from the repository root:

    .venv/bin/python benchmarks/authoring.py [--repeats 200]

In one process, on a copy of the shipped library in a temporary folder:

* ``refreshed(library)`` when nothing changed — what every page now pays after
  its request arrives (a directory listing and a stat of each file);
* ``refreshed(library)`` right after a case was published — the one page that
  re-reads and re-validates the folder;
* ``check_draft`` on a full-length case — the check after every save;
* the authoring page's check and Swedish + English preview after a save
  (``AuthoringPage.poll_once``), the widgets built but not rendered.

Each figure is the median of its repeats (``time.perf_counter``).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def touch_later(path: Path) -> None:
    stamp = path.stat().st_mtime_ns + 1_000_000
    os.utime(path, ns=(stamp, stamp))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()

    from cases import load_library, load_variables
    from cases.authoring import check_draft
    from cases.loader import LIBRARY_DIR, refreshed
    from samsyn.config import Settings
    from widgets.authoring_page import AuthoringPage

    tmp = Path(tempfile.mkdtemp(prefix="samsyn-bench-authoring-"))
    try:
        library_dir = tmp / "library"
        shutil.copytree(LIBRARY_DIR, library_dir)
        n_cases = len(list(library_dir.glob("*.yaml")))
        library = load_library(library_dir)

        unchanged = median_ms(lambda: refreshed(library), args.repeats)

        def after_publish() -> None:
            touch_later(library_dir / "assi.yaml")
            refreshed(library)

        changed = median_ms(after_publish, max(5, args.repeats // 20))
        variables = load_variables()
        check = median_ms(lambda: check_draft(library_dir / "max.yaml", variables, library_dir),
                          max(5, args.repeats // 10))

        workspace = tmp / "workspace"
        workspace.mkdir()
        shutil.copy(LIBRARY_DIR / "max.yaml", workspace)
        page = AuthoringPage(workspace, settings=Settings.from_env({"SAMSYN_CASES_DIR": str(library_dir)}))

        def save_and_poll() -> None:
            touch_later(workspace / "max.yaml")
            assert page.poll_once()

        preview = median_ms(save_and_poll, 5)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    load = os.getloadavg()
    print(f"date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"{os.cpu_count()} CPUs; Python {platform.python_version()}")
    print(f"library: {n_cases} cases")
    print(f"refreshed(), nothing changed:        {unchanged:8.3f} ms  (median of {args.repeats})")
    print(f"refreshed(), a case just published:  {changed:8.1f} ms  (median of {max(5, args.repeats // 20)})")
    print(f"check_draft, one full-length case:   {check:8.1f} ms  (median of {max(5, args.repeats // 10)})")
    print(f"authoring page, save → check+preview:{preview:8.1f} ms  (median of 5)")


if __name__ == "__main__":
    main()
