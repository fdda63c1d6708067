"""The layers of README "How it is built" hold: imports point downward, no cycles inside a package.

The contracts live in pyproject.toml (``[tool.importlinter]``); import-linter reads the
real import graph of the checkout. ``samsyn.escape`` is the one home of the escaping rules
(its doctests run here).
"""

from __future__ import annotations

import doctest
import subprocess
import sys
import tomllib
from pathlib import Path

import samsyn.escape

REPO = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(config: Path) -> subprocess.CompletedProcess:
    # --no-cache: nothing is written into the checkout
    return subprocess.run([str(LINT), "--config", str(config), "--no-cache", "--no-logo"], cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def test_the_import_contracts_hold():
    result = _lint(REPO / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_the_layers_contract_sees_the_real_imports(tmp_path):
    """Upside down, the same layers are broken: the contract is not vacuous."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    ini = tmp_path / "upside-down.ini"
    ini.write_text("[importlinter]\nroot_packages =\n" + "".join(f"    {p}\n" for p in config["root_packages"])
                   + "\n[importlinter:contract:upside-down]\nname = upside down\ntype = layers\nlayers =\n"
                   + "".join(f"    {layer}\n" for layer in reversed(layers)))
    result = _lint(ini)
    assert result.returncode == 1 and "BROKEN" in result.stdout
    # the pages really read and write through the store: upside down, that import is the violation
    assert "widgets is not allowed to import store" in result.stdout


def test_the_database_contract_sees_the_real_imports(tmp_path):
    """The one-door contract bites: with the store itself among its sources, the store's own
    SQLAlchemy imports are violations; and it names every package outside the store."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    door = next(c for c in config["contracts"] if c["type"] == "forbidden")
    assert set(door["source_modules"]) == set(config["root_packages"]) - {"store"}
    assert {"sqlalchemy", "store.db"} <= set(door["forbidden_modules"])
    ini = tmp_path / "store-included.ini"
    ini.write_text("[importlinter]\nroot_packages =\n" + "".join(f"    {p}\n" for p in config["root_packages"])
                   + "include_external_packages = True\n"
                   + "\n[importlinter:contract:door]\nname = door\ntype = forbidden\nallow_indirect_imports = True\n"
                   + "source_modules =\n" + "".join(f"    {p}\n" for p in [*door["source_modules"], "store"])
                   + "forbidden_modules =\n" + "".join(f"    {p}\n" for p in door["forbidden_modules"]))
    result = _lint(ini)
    assert result.returncode == 1 and "BROKEN" in result.stdout
    assert "store is not allowed to import sqlalchemy" in result.stdout


def test_the_escaping_rules_are_doctested():
    failures, tried = doctest.testmod(samsyn.escape)
    assert tried >= 3 and failures == 0


def test_the_pdf_rules_are_doctested():
    import samsyn.documents

    failures, tried = doctest.testmod(samsyn.documents)
    assert tried >= 3 and failures == 0
