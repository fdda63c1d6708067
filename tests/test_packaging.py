"""pyproject.toml and environment.yml declare the same dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parent.parent
#: PyPI name → conda-forge name where they differ.
CONDA_NAMES = {"psycopg": "psycopg"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_requirements() -> dict[str, str]:
    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    extras = data["project"]["optional-dependencies"]
    reqs = data["project"]["dependencies"] + extras["test"] + extras["hub"]
    out = {}
    for line in reqs:
        r = Requirement(line)
        out[_norm(CONDA_NAMES.get(r.name, r.name))] = str(r.specifier)
    return out


def environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            lines = [d for d in dep.get("pip", []) if not d.startswith("-e")]
        else:
            lines = [dep]
        for line in lines:
            name = re.split(r"[<>=!~ ]", line, maxsplit=1)[0]
            if name in ("python", "pip"):
                continue
            out[_norm(name)] = str(Requirement(line.replace(" ", "")).specifier)
    return out


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    assert environment_requirements() == pyproject_requirements()


def test_voila_is_pinned_past_the_cve():
    # CVE-2024-30265: Voila before 0.5.6 could serve files outside the root.
    assert pyproject_requirements()["voila"] == ">=0.5.6"


def test_console_command_is_declared():
    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert data["project"]["scripts"]["samsyn"] == "samsyn.cli:main"


def test_notebooks_are_thin_and_import_packages_normally():
    import nbformat

    for path in (REPO / "training").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert "sys.path" not in code, path.name
        assert len([line for line in code.splitlines() if line.strip() and not line.startswith("#")]) <= 12, path.name
        assert all(c.cell_type == "code" for c in nb.cells), f"{path.name}: markdown cells would be shown"
