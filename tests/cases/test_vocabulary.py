"""One home for the answer's vocabulary (``cases/variables.py``), driven by ``variables.yaml``.

No module outside it spells the selection variables, the own-words prefix or a factor kind's
weights; ``scoring`` (the bottom layer, importing nothing of ours) keeps copies for its
statistics, and they agree with the vocabulary.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

import scoring.factors
import scoring.levels
import scoring.plain
from cases import load_variables
from cases.files import CaseFileError, read_yaml
from cases.variables import (
    DEFAULT_VARIABLES_PATH,
    EXPOSURE_GROUPS,
    EXPOSURE_VARIABLES,
    FACTOR_DIMENSIONS,
    FACTOR_KINDS,
    OWN_PREFIX,
    SELECTION_VARIABLES,
    Variables,
)

REPO = Path(__file__).resolve().parents[2]
#: The packages above the vocabulary that must take its names, never spell them.
USERS = ("store", "feedback", "insight", "widgets", "programmes", "samsyn")
#: Literals that are the vocabulary's to spell.
SPELLED = {*EXPOSURE_VARIABLES, "exposure.", OWN_PREFIX}


def _literals(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module (f-string parts too), docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_no_module_above_the_vocabulary_spells_it():
    found = []
    for package in USERS:
        for path in sorted((REPO / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue  # a migration is history: it names what the schema was
            for line, text in _literals(path):
                if text in SPELLED or (text.startswith(OWN_PREFIX) and len(text) <= 8):
                    found.append(f"{path.relative_to(REPO)}:{line}: {text!r}")
                if text in EXPOSURE_GROUPS and package in ("store", "feedback", "insight"):
                    found.append(f"{path.relative_to(REPO)}:{line}: {text!r} (an exposure group)")
    assert not found, "spelled outside cases/variables.py:\n" + "\n".join(found)


def test_the_scan_sees_a_spelling(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('"""exposure.home in a docstring is prose."""\nX = ("exposure.home", f"own:{1}")\n')
    assert [t for _line, t in _literals(probe)] == ["exposure.home", "own:"]


def test_scoring_keeps_the_same_grid_and_levels():
    variables = load_variables(local=None)
    for module in (scoring.factors, scoring.plain):
        assert module.OWN_PREFIX == OWN_PREFIX
        assert module.DIMENSIONS == FACTOR_DIMENSIONS
        assert tuple(module.DIMENSIONS) == FACTOR_KINDS
        assert module.SCALES == {name: (min(lv.id for lv in getattr(variables.factor_scales, name).levels),
                                        max(lv.id for lv in getattr(variables.factor_scales, name).levels))
                                 for name in ("severity", "extent", "function")}
    for module in (scoring.levels, scoring.plain):
        assert module.RISK_LEVELS == variables.risk_level_ids
        assert module.NOT_ASSESSABLE == variables.risk.not_assessable.id


def test_the_vocabulary_is_read_from_variables_yaml():
    variables = load_variables(local=None)
    assert tuple(g.id for g in variables.exposure.groups) == EXPOSURE_GROUPS
    assert SELECTION_VARIABLES == ("exposure.home", "exposure.guardian", "exposure.child", "intervention", "focus")
    # "no exposure" and "not known" are each group's exclusive options in the file
    assert variables.non_exposure_ids == ("ingen_utsatthet", "inga_svarigheter", "information_saknas", "ingen_svarighet")
    assert variables.selection_label("exposure.home", "en") == "Identified exposure: In the home environment"
    assert variables.selection_label("intervention", "sv") == "Typ av insats"


def test_exposure_groups_other_than_the_case_keys_are_refused(tmp_path):
    data = read_yaml(DEFAULT_VARIABLES_PATH)
    data["exposure"]["groups"][0]["id"] = "hemma"
    with pytest.raises(ValueError, match="the groups are home, guardian, child"):
        Variables.model_validate(data)
    copy = tmp_path / "variables.yaml"
    copy.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CaseFileError, match="fields of every case key"):
        load_variables(copy, local=None)
