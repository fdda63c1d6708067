"""Anchored risk levels: every risk answer's definition and "what typically
places a case there" (``risk.anchors`` in ``cases/variables.yaml``), how a
broken anchor is reported, and the worked examples per level."""

from __future__ import annotations

import copy

import pytest
import yaml

from cases import CaseFileError, load_library, load_variables
from cases.variables import DEFAULT_VARIABLES_PATH, MAX_ANCHOR_DEFINITION, MAX_ANCHOR_ITEM

ANSWERS = ("ingen_lag", "nagot_forhojd", "hog", "mycket_hog", "inte_kant")


@pytest.fixture(scope="module")
def variables_data() -> dict:
    return yaml.safe_load(DEFAULT_VARIABLES_PATH.read_text(encoding="utf-8"))


def load_changed(tmp_path, data, change):
    data = copy.deepcopy(data)
    change(data["risk"])
    path = tmp_path / "variables.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(CaseFileError) as info:
        load_variables(path)
    [error] = info.value.errors
    assert error.file == str(path)
    return error


def anchor(risk: dict, risk_id: str) -> dict:
    return next(a for a in risk["anchors"] if a["id"] == risk_id)


# -- the shipped anchors -------------------------------------------------------------
@pytest.mark.parametrize("lang", ("sv", "en"))
def test_every_risk_answer_has_an_anchor_in_scale_order(variables, lang):
    anchors = variables.risk_anchors(lang)
    assert [a.id for a in anchors] == list(variables.risk_answer_ids) == list(ANSWERS)
    for a in anchors:
        assert a.label == variables.risk_label(a.id, lang)
        assert a.definition.strip() and len(a.definition) <= MAX_ANCHOR_DEFINITION
        assert 1 <= len(a.typical) <= 6
        assert all(item.strip() and len(item) <= MAX_ANCHOR_ITEM for item in a.typical)
    # "inte känt" is missing data, not a level; the anchor says so and is flagged
    assert [a.is_level for a in anchors] == [True, True, True, True, False]


def test_swedish_and_english_are_both_written(variables):
    for rid in ANSWERS:
        sv, en = variables.risk_anchor(rid, "sv"), variables.risk_anchor(rid, "en")
        assert sv.definition != en.definition
        assert len(sv.typical) == len(en.typical)
        assert all(s != e for s, e in zip(sv.typical, en.typical))
    assert variables.risk.anchor_note.get("sv") != variables.risk.anchor_note.get("en")


def test_unknown_language_is_swedish_and_unknown_id_is_an_error(variables):
    assert variables.risk_anchor("hog", "fr") == variables.risk_anchor("hog", "sv")
    with pytest.raises(KeyError):
        variables.risk_anchor("high", "sv")


def test_the_anchors_say_what_the_report_found_goes_wrong(variables):
    """The definitions carry the findings they are there for: a report alone does
    not raise the level, comparing with other cases does not lower it, and
    "inte känt" is not a middle level."""
    low = " ".join(variables.risk_anchor("ingen_lag", "sv").typical)
    assert "anmälan" in low
    high = " ".join(variables.risk_anchor("hog", "en").typical)
    assert "other current cases" in high
    assert "not a middle level" in variables.risk_anchor("inte_kant", "en").definition
    note = variables.risk.anchor_note.get("en")
    assert "severity and extent" in note and "function" in note


# -- a broken anchor is reported as file: field: problem --------------------------------
def test_a_missing_anchor_is_named(tmp_path, variables_data):
    error = load_changed(tmp_path, variables_data, lambda r: r["anchors"].remove(anchor(r, "hog")))
    assert error.field == "risk.anchors"
    assert "no anchor for 'hog'" in error.problem


def test_an_anchor_for_an_unknown_answer_is_named(tmp_path, variables_data):
    def change(risk):
        anchor(risk, "hog")["id"] = "high"
    error = load_changed(tmp_path, variables_data, change)
    assert error.field == "risk.anchors[2].id"
    assert "unknown risk answer 'high'" in error.problem and "mycket_hog" in error.problem


def test_a_second_anchor_for_the_same_answer_is_named(tmp_path, variables_data):
    error = load_changed(tmp_path, variables_data, lambda r: r["anchors"].append(copy.deepcopy(anchor(r, "hog"))))
    assert error.field == "risk.anchors[5].id"
    assert "second anchor for 'hog'" in error.problem


def test_a_missing_english_definition_is_named(tmp_path, variables_data):
    error = load_changed(tmp_path, variables_data, lambda r: anchor(r, "ingen_lag")["definition"].pop("en"))
    assert error.field == "risk.anchors[0].definition.en"
    assert error.problem == "Field required"


def test_an_empty_typically_item_is_named(tmp_path, variables_data):
    def change(risk):
        anchor(risk, "nagot_forhojd")["typical"][1]["sv"] = "   "
    error = load_changed(tmp_path, variables_data, change)
    assert error.field == "risk.anchors[1].typical[1].sv"
    assert "at least 1 character" in error.problem


def test_no_typically_items_is_named(tmp_path, variables_data):
    def change(risk):
        anchor(risk, "mycket_hog")["typical"] = []
    error = load_changed(tmp_path, variables_data, change)
    assert error.field == "risk.anchors[3].typical"
    assert "at least 1 item" in error.problem


def test_a_too_long_definition_is_named(tmp_path, variables_data):
    def change(risk):
        anchor(risk, "inte_kant")["definition"]["sv"] = "ord " * 300
    error = load_changed(tmp_path, variables_data, change)
    assert error.field == "risk.anchors[4].definition.sv"
    assert f"at most {MAX_ANCHOR_DEFINITION} characters" in error.problem


def test_a_misspelt_field_is_named(tmp_path, variables_data):
    data = copy.deepcopy(variables_data)
    hog = anchor(data["risk"], "hog")
    hog["typicaly"] = hog.pop("typical")
    path = tmp_path / "variables.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(CaseFileError) as info:
        load_variables(path)
    found = {(e.file, e.field, e.problem) for e in info.value.errors}
    assert found == {
        (str(path), "risk.anchors[2].typical", "Field required"),
        (str(path), "risk.anchors[2].typicaly", "Extra inputs are not permitted"),
    }


def test_the_anchors_cannot_be_left_out(tmp_path, variables_data):
    error = load_changed(tmp_path, variables_data, lambda r: r.pop("anchors"))
    assert (error.field, error.problem) == ("risk.anchors", "Field required")


# -- worked examples: the library cases whose key sits at a level ----------------------
@pytest.fixture
def mixed_library(tmp_path, assi_data, dump_case):
    """assi (mycket hög) plus copies keyed at hög and ingen/låg, and one without a key."""
    folder = tmp_path / "library"
    folder.mkdir()
    variants = {"assi": "mycket_hog", "bo": "hog", "cleo": "ingen_lag", "ada": "ingen_lag", "dan": None}
    for age, (case_id, risk) in enumerate(variants.items(), start=5):
        data = copy.deepcopy(assi_data)
        data["id"], data["age"] = case_id, age
        if risk is None:
            data.pop("key")
            data.pop("mapping", None)  # a mapping needs the key's safety_scale
        else:
            data["key"]["risk"] = risk
        (folder / f"{case_id}.yaml").write_text(dump_case(data), encoding="utf-8")
    library = load_library(folder, use_cache=False)
    assert library.errors == [] and len(library.cases) == 5
    return library


def ids(cases) -> list[str]:
    return [c.id for c in cases]


def test_worked_examples_are_the_cases_keyed_at_the_level(mixed_library):
    # in the library's order (age, then name): cleo is 7, ada 8
    assert ids(mixed_library.worked_examples("ingen_lag")) == ["cleo", "ada"]
    assert ids(mixed_library.worked_examples("hog")) == ["bo"]
    assert ids(mixed_library.worked_examples("mycket_hog")) == ["assi"]
    assert mixed_library.worked_examples("nagot_forhojd") == []
    assert mixed_library.worked_examples("inte_kant") == []
    with pytest.raises(KeyError):
        mixed_library.worked_examples("high")


def test_worked_examples_by_level_lists_every_answer_and_never_a_case_without_key(mixed_library):
    by_level = mixed_library.worked_examples_by_level()
    assert list(by_level) == list(ANSWERS)
    listed = [c.id for cases in by_level.values() for c in cases]
    assert sorted(listed) == ["ada", "assi", "bo", "cleo"]  # dan has no key


def test_the_shipped_library_lists_every_keyed_case_once_at_its_key():
    library = load_library(use_cache=False)
    by_level = library.worked_examples_by_level()
    listed = [c.id for cases in by_level.values() for c in cases]
    assert sorted(listed) == sorted(c.id for c in library.cases.values() if c.key)
    for rid, cases in by_level.items():
        assert all(c.key.risk == rid for c in cases)
    assert "assi" in ids(by_level["mycket_hog"]) and "jamila" in ids(by_level["nagot_forhojd"])
