"""tests/conftest.py as a module under a name of its own.

Every test folder's conftest is imported as "conftest" (tests/deploy has one too), so
``from conftest import …`` finds whichever was imported last; helpers that need the
root one's servers and ports take it from here.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_NAME = "samsyn_tests_root_conftest"


def root_conftest():
    if _NAME not in sys.modules:
        spec = importlib.util.spec_from_file_location(_NAME, Path(__file__).resolve().with_name("conftest.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[_NAME] = module
        spec.loader.exec_module(module)
    return sys.modules[_NAME]
