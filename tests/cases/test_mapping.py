"""The reference Signs of Safety mapping of a case (issue 16): what the loader
gives the pages — typed entries, factor entries resolved to their labels, the
reference placement of every factor — and the plain-language rules of the
danger statement and safety goal. Malformed mappings are in test_malformed.py.
"""

from __future__ import annotations

import pytest

from cases import LIBRARY_DIR, MAPPING_COLUMNS, Placement, check_paths, load_case_file
from cases.schema import FACTOR_COLUMN, STATEMENT_JARGON, sentence_count, statement_jargon, statement_problem


@pytest.fixture(scope="module")
def assi(variables):
    return load_case_file(LIBRARY_DIR / "assi.yaml", variables)


def test_columns_and_parts_are_those_of_the_mapping_sheet():
    assert MAPPING_COLUMNS == {
        "worries": ("harm", "complicating"),
        "working_well": ("strengths", "safety"),
        "next_steps": ("goals", "steps"),
    }
    assert FACTOR_COLUMN == {"risk": "worries", "protective": "working_well"}


def test_entries_are_typed_and_in_sheet_order(assi):
    entries = list(assi.mapping.entries())
    columns = [placement.column for placement, _i, _e in entries]
    assert columns == sorted(columns, key=list(MAPPING_COLUMNS).index)  # column by column
    placement, index, first = entries[0]
    assert placement == Placement("worries", "harm") and index == 0
    assert first.is_factor and first.factor == "substance-use"
    assert assi.mapping.part("worries", "harm")[0] is first
    own = assi.mapping.part("worries", "harm")[3]
    assert not own.is_factor and own.get("sv").startswith("Natten till i söndags") and own.get("en").startswith("Early last Sunday")
    with pytest.raises(KeyError):
        assi.mapping.part("worries", "strengths")  # a part of another column
    with pytest.raises(ValueError):
        first.get("sv")  # a factor entry's text is its factor's label: Case.mapping_text


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_mapping_text_resolves_a_factor_to_its_label_in_the_language(assi, lang):
    first = assi.mapping.part("worries", "harm")[0]
    assert assi.mapping_text(first, lang) == assi.factor("substance-use").label.get(lang)
    own = assi.mapping.part("next_steps", "steps")[0]
    assert assi.mapping_text(own, lang) == own.get(lang)
    assert assi.mapping.danger_statement.get(lang) == getattr(assi.mapping.danger_statement, lang)
    assert assi.mapping.scaling_reasons.one_step_up.get(lang)


def test_factor_placements_give_every_factor_its_reference_column(assi):
    placements = assi.factor_placements()
    assert list(placements) == [f.id for f in (*assi.factors.risk, *assi.factors.protective)]
    assert placements["substance-use"] == Placement("worries", "harm")
    assert placements["weak-boundaries"] == Placement("worries", "complicating")
    assert placements["loving-parents"] == Placement("working_well", "strengths")
    for factor_id, placement in placements.items():
        assert placement is not None, f"{factor_id} is not placed"
        assert placement.column == FACTOR_COLUMN[assi.factor_kind(factor_id)]


def test_a_factor_left_out_of_the_mapping_has_no_placement(case_data, tmp_path, write_case):
    harm = case_data["mapping"]["worries"]["harm"]
    case_data["mapping"]["worries"]["harm"] = [e for e in harm if e.get("factor") != "criminality"]
    [case], errors = check_paths([write_case(tmp_path / "lib", case_data)])
    assert errors == []
    assert case.factor_placements()["criminality"] is None
    assert case.factor_placements()["substance-use"] == Placement("worries", "harm")


def test_a_case_without_a_mapping_is_valid_and_places_nothing(case_data, tmp_path, write_case):
    """Optional for a municipality's own case (the shipped library requires it: test_case_files)."""
    del case_data["mapping"]
    [case], errors = check_paths([write_case(tmp_path / "lib", case_data)])
    assert errors == [] and case.mapping is None
    assert set(case.factor_placements().values()) == {None}
    del case_data["key"]["safety_scale"]  # then the key needs no safety_scale either
    assert check_paths([write_case(tmp_path / "lib2", case_data)])[1] == []


def test_safety_may_be_empty_but_is_written_out(case_data, tmp_path, write_case):
    case_data["mapping"]["working_well"]["safety"] = []
    [case], errors = check_paths([write_case(tmp_path / "lib", case_data)])
    assert errors == [] and case.mapping.working_well.safety == []
    case_data["mapping"]["working_well"]["safety"] = [{"factor": "maternal-aunt"}]
    case_data["mapping"]["working_well"]["strengths"] = [
        e for e in case_data["mapping"]["working_well"]["strengths"] if e.get("factor") != "maternal-aunt"]
    [case], errors = check_paths([write_case(tmp_path / "lib2", case_data)])
    assert errors == [] and case.factor_placements()["maternal-aunt"] == Placement("working_well", "safety")


# -- plain language: the rules the validator applies to the two statements -----------
@pytest.mark.parametrize("text, count", [
    ("", 0),
    ("Mamma är orolig", 1),
    ("Mamma är orolig. Pappa också.", 2),
    ("Kl. 8 går hon till förskolan, t.ex. när det regnar.", 1),  # abbreviations do not end a sentence
    ("Han säger: ”Jag har koll.” Sedan går han.", 2),
    ("Is he safe? Yes! He is home. Every night.", 4),
])
def test_sentence_count(text, count):
    assert sentence_count(text) == count


def test_jargon_is_found_as_the_text_writes_it():
    # in the order of the list, each word as the text writes it
    assert statement_jargon("Vårdnadshavarna brister i omsorgen enligt BBIC.", "sv") == [
        "BBIC", "Vårdnadshavarna", "brister i omsorgen"]
    assert statement_jargon("The guardians need an intervention.", "en") == ["guardians", "intervention"]
    # abbreviations keep their case; ordinary words are not jargon
    assert statement_jargon("Solen skiner och socialtjänsten är orolig för utredningen.", "sv") == []
    assert statement_jargon("Enligt SoL.", "sv") == ["SoL"]
    # each language has its own list
    assert statement_jargon("The guardian", "sv") == [] and statement_jargon("vårdnadshavaren", "en") == []
    assert set(STATEMENT_JARGON) == {"sv", "en"}


def test_statement_problem_names_what_to_change():
    assert statement_problem("Pappa dricker öl och blir arg. Då gömmer sig Liam i badrummet.", "sv") is None
    assert "has 4 sentences" in statement_problem("A. B. C. D.", "en")
    assert "'insatsen'" in statement_problem("Liam behöver insatsen.", "sv")


def test_the_authoring_check_shows_a_mapping_error_at_its_entry(case_data, tmp_path, write_case):
    from cases.authoring import field_places, locate

    case_data["mapping"]["working_well"]["strengths"][0] = {"factor": "economic-stress"}
    path = write_case(tmp_path / "lib", case_data)
    good, [error] = check_paths([path])
    assert good == [] and error.field == "mapping.working_well.strengths[0].factor"
    text = path.read_text(encoding="utf-8")
    line = locate(error, field_places(text))
    assert "factor: economic-stress" in text.splitlines()[line - 1]
