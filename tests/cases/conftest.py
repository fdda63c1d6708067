"""Fixtures for the case-file tests: a valid case to mutate, and the CLI."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
LIBRARY = REPO / "cases" / "library"
ASSI = LIBRARY / "assi.yaml"


@pytest.fixture(scope="session")
def assi_data() -> dict:
    """assi.yaml as plain data; tests get a deep copy to mutate."""
    return yaml.safe_load(ASSI.read_text(encoding="utf-8"))


@pytest.fixture
def case_data(assi_data) -> dict:
    return copy.deepcopy(assi_data)


@pytest.fixture(scope="session")
def variables():
    from cases import load_variables

    return load_variables()


def dump_case(data: dict) -> str:
    class NoAliases(yaml.SafeDumper):  # case files may not use anchors
        def ignore_aliases(self, data):
            return True

    return yaml.dump(data, Dumper=NoAliases, allow_unicode=True, sort_keys=False, width=1000)


def write_case(folder: Path, data: dict | str | bytes, name: str = "assi.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    elif isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_text(dump_case(data), encoding="utf-8")
    return path


def run_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """``samsyn …`` as a user runs it, in a subprocess; stdout and stderr together."""
    return subprocess.run(
        [sys.executable, "-m", "samsyn.cli", *args],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120,
    )


@pytest.fixture(name="write_case", scope="session")
def _write_case_fixture():
    return write_case


@pytest.fixture(name="run_cli", scope="session")
def _run_cli_fixture():
    return run_cli


@pytest.fixture(name="dump_case", scope="session")
def _dump_case_fixture():
    return dump_case
