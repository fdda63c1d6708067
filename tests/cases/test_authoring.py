"""cases/AUTHORING.md: its annotated example is a valid case, so the guide cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from cases import check_paths, load_library
from cases.loader import read_yaml
from cases.schema import SIDES

AUTHORING = Path(__file__).resolve().parents[2] / "cases" / "AUTHORING.md"


def example_yaml() -> str:
    match = re.search(r"^```yaml\n(.*?)^```", AUTHORING.read_text(encoding="utf-8"), re.S | re.M)
    assert match, "AUTHORING.md has no ```yaml block"
    return match.group(1)


def test_example_is_a_valid_case(tmp_path):
    text = example_yaml()
    case_id = yaml.safe_load(text)["id"]
    folder = tmp_path / "library"
    folder.mkdir()
    path = folder / f"{case_id}.yaml"
    path.write_text(text, encoding="utf-8")
    good, errors = check_paths([folder])
    assert errors == [], "\n".join(map(str, errors))
    [case] = good
    assert case.id == case_id
    # the app would show it
    assert case_id in load_library(folder, use_cache=False).cases


def test_example_is_complete(tmp_path):
    """Short, but it shows every field of the format (so the comments explain them all)."""
    path = tmp_path / "example.yaml"
    path.write_text(example_yaml(), encoding="utf-8")
    data = read_yaml(path)  # the strict reader: no anchors, tags or duplicate keys
    assert set(data) == {
        "schema_version", "id", "name", "age", "sex", "difficulty", "ambiguous", "title", "summary",
        "referral", "vignette", "factors", "mentor_notes", "key", "mapping", "source",
    }
    assert set(data["vignette"]) == set(SIDES)
    key = data["key"]
    assert set(key) == {"risk", "exposure", "interventions", "focus", "safety_scale", "factors", "rationale"}
    # every factor has a weight, as the shipped library requires
    assert {f["id"] for f in data["factors"]["risk"]} == set(key["factors"]["risk"])
    assert {f["id"] for f in data["factors"]["protective"]} == set(key["factors"]["protective"])
    # the mapping shows both kinds of entry, every part (safety empty, as it may be) and both statements
    mapping = data["mapping"]
    assert set(mapping) == {"worries", "working_well", "next_steps", "danger_statement", "safety_goal", "scaling_reasons"}
    entries = [e for column in ("worries", "working_well", "next_steps") for part in mapping[column].values() for e in part]
    assert any("factor" in e for e in entries) and any("sv" in e for e in entries)
    assert mapping["working_well"]["safety"] == []
    # annotated: comments throughout
    assert example_yaml().count("# ") >= 15


def test_guide_mentions_the_commands_and_rules():
    text = AUTHORING.read_text(encoding="utf-8")
    for needle in ("samsyn cases check", "make cases-check", "retired: true", "400–900", "ERROR ", "ok    "):
        assert needle in text, needle
