"""A municipality's own variables file: add, rename, retire — without touching variables.yaml."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from cases import CaseFileError, load_library, load_variables
from cases.loader import LIBRARY_DIR, check_paths
from cases.variables import DEFAULT_VARIABLES_PATH

LOCAL = """\
schema_version: 1
exposure:
  home:
    add:
      - {id: digitalt_vald, sv: Digitalt våld, en: Digital violence}
    rename:
      familjekonflikter: {sv: Konflikter i familjen}
    retire: [vardnadstvist]
intervention:
  outpatient:
    add:
      - {id: familjebehandling, sv: Familjebehandling, en: Family therapy}
    retire: [kontaktfamilj]
bbic:
  familj_och_miljo:
    rename:
      social_integration: {sv: Delaktighet i samhället, en: Inclusion in society}
"""


def write(tmp_path: Path, text: str, name: str = "local-variables.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def local(tmp_path) -> Path:
    return write(tmp_path, LOCAL)


def test_add_rename_retire_apply_and_the_shipped_file_is_untouched(local):
    before = DEFAULT_VARIABLES_PATH.read_bytes()
    v = load_variables(local=local)
    assert DEFAULT_VARIABLES_PATH.read_bytes() == before
    home = v.group("exposure", "home")
    # added: offered, with both labels
    assert "digitalt_vald" in home.option_ids
    assert v.option_label("exposure.home", "digitalt_vald", "en") == "Digital violence"
    # renamed: the id stays, Swedish changes, English keeps the shipped label
    assert v.option_label("exposure.home", "familjekonflikter", "sv") == "Konflikter i familjen"
    assert v.option_label("exposure.home", "familjekonflikter", "en") == "Other family conflicts"
    assert v.bbic_area_label("social_integration", "en") == "Inclusion in society"
    # retired: not offered, not allowed in new answers, still labelled for old ones
    assert "vardnadstvist" not in home.option_ids and "vardnadstvist" in home.all_option_ids
    assert v.option_label("exposure.home", "vardnadstvist", "sv") == "Vårdnadstvist"
    assert "retired" in v.check_selection("exposure", "home", ["vardnadstvist"])
    assert "kontaktfamilj" not in v.intervention_ids and "familjebehandling" in v.intervention_ids
    assert v.option_label("intervention", "kontaktfamilj", "sv") == "Kontaktfamilj"
    # without the local file: the shipped variables
    assert "vardnadstvist" in load_variables(local=None).group("exposure", "home").option_ids


def test_a_retired_focus_area_keeps_its_label_for_old_answers(tmp_path):
    v = load_variables(local=write(tmp_path, """\
        schema_version: 1
        bbic:
          familj_och_miljo:
            retire: [social_integration]
        """))
    assert "social_integration" not in v.bbic_area_ids
    assert v.option_label("focus", "social_integration", "sv") == "Social integration"
    # a vignette may still use it as a heading (its text stays readable), a key may not focus on it
    assert "social_integration" in v.bbic_areas("familj_och_miljo", include_retired=True)


def test_the_answer_form_does_not_offer_retired_options_and_offers_added_ones(local):
    from widgets.answer_form import AnswerForm

    v = load_variables(local=local)
    case = load_library(use_cache=False).get("assi")
    form = AnswerForm(case, v, "sv")
    assert "digitalt_vald" in form.exposure["home"] and "vardnadstvist" not in form.exposure["home"]
    assert "familjebehandling" in form.interventions and "kontaktfamilj" not in form.interventions
    assert form.exposure["home"]["familjekonflikter"].description == "Konflikter i familjen"


def test_retiring_an_option_a_key_uses_names_the_case_and_field_and_keeps_the_rest(local, tmp_path, monkeypatch):
    folder = tmp_path / "library"
    shutil.copytree(LIBRARY_DIR, folder)
    monkeypatch.setenv("SAMSYN_VARIABLES_FILE", str(local))
    good, errors = check_paths([folder])
    by_file = {e.file: e for e in errors}
    # alva's key names the custody dispute, max's and omar's the contact family: all three retired
    assert set(by_file) == {"alva.yaml", "max.yaml", "omar.yaml"}
    assert by_file["alva.yaml"].field == "key.exposure.home" and "retired" in by_file["alva.yaml"].problem
    assert by_file["max.yaml"].field == "key.interventions" and "'kontaktfamilj' is retired" in by_file["max.yaml"].problem
    library = load_library(folder, use_cache=False)
    assert "assi" in library.cases and "max" not in library.cases
    # the published reference panel still names the retired option: history keeps its meaning
    assert library.panels is not None and library.panels.for_case("jamila") is not None


def test_a_key_may_use_an_added_option(local, tmp_path, monkeypatch, case_data, write_case):
    case_data["key"]["interventions"] = ["familjebehandling"]
    folder = tmp_path / "library"
    write_case(folder, case_data)
    monkeypatch.setenv("SAMSYN_VARIABLES_FILE", str(local))
    good, errors = check_paths([folder])
    assert errors == [] and good[0].key.interventions == ["familjebehandling"]
    monkeypatch.delenv("SAMSYN_VARIABLES_FILE")
    _good, errors = check_paths([folder])
    assert [(e.field, e.problem) for e in errors] == [("key.interventions", "unknown intervention 'familjebehandling'")]


@pytest.mark.parametrize("text, field, problem", [
    ("schema_version: 1\nexposure:\n  hem:\n    retire: [annat]\n",
     "exposure.hem", "unknown group 'hem' (groups: home, guardian, child)"),
    ("schema_version: 1\nexposure:\n  home:\n    add:\n      - {id: annat, sv: Annat, en: Other}\n",
     "exposure.home.add[0].id", "'annat' is already an option of this group"),
    ("schema_version: 1\nexposure:\n  home:\n    rename:\n      slag: {sv: Slag}\n",
     "exposure.home.rename.slag", "unknown option 'slag'"),
    ("schema_version: 1\nintervention:\n  out_of_home:\n    retire: [familjehem, hvb, sarskilt_ungdomshem]\n",
     "intervention.out_of_home.retire", "every option of the group would be retired"),
    ("schema_version: 1\nexposure:\n  home:\n    rename:\n      annat: {}\n",
     "exposure.home.rename.annat", "give the new label in sv, en or both"),
    ("schema_version: 1\nexposure:\n  home:\n    add:\n      - {id: digitalt_vald, sv: Digitalt våld}\n",
     "exposure.home.add[0].en", "Field required"),
    ("schema_version: 1\nrisk:\n  levels: []\n", "risk", "Extra inputs are not permitted"),
    ("exposure: {}\n", "schema_version", "Field required"),
    ("schema_version: 1\nexposure:\n  home:\n    retire: [annat\n", "line 5, column 1", "YAML error"),
])
def test_mistakes_are_named_like_case_files(tmp_path, text, field, problem):
    path = write(tmp_path, text)
    with pytest.raises(CaseFileError) as exc:
        load_variables(local=path)
    [error] = exc.value.errors
    assert error.file == str(path)
    assert error.field == field
    assert problem in error.problem


def test_an_id_is_never_reused_even_when_retired(tmp_path):
    first = write(tmp_path, "schema_version: 1\nexposure:\n  home:\n    retire: [vardnadstvist]\n"
                            "    add:\n      - {id: vardnadstvist, sv: Ny betydelse, en: New meaning}\n")
    with pytest.raises(CaseFileError) as exc:
        load_variables(local=first)
    assert "never reused" in exc.value.errors[0].problem


def test_cases_check_reports_a_broken_local_file(tmp_path):
    import os
    import subprocess
    import sys

    path = write(tmp_path, "schema_version: 1\nexposure:\n  home:\n    retire: [slag]\n")
    # `samsyn cases check` reads the setting, as the server does
    result = subprocess.run([sys.executable, "-m", "samsyn.cli", "cases", "check", str(LIBRARY_DIR / "assi.yaml")],
                            env={**os.environ, "SAMSYN_VARIABLES_FILE": str(path)},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    assert result.returncode == 1
    assert f"ERROR {path}: exposure.home.retire[0]: unknown option 'slag'" in result.stdout


def test_a_broken_local_file_does_not_take_the_library_down(tmp_path, monkeypatch):
    path = write(tmp_path, "schema_version: 1\nexposure:\n  home:\n    retire: [slag]\n")
    monkeypatch.setenv("SAMSYN_VARIABLES_FILE", str(path))
    library = load_library(use_cache=False)
    assert "assi" in library.cases  # served with the shipped variables
    assert [e.file for e in library.errors] == [str(path)]  # and the start page counts the broken file


def test_editing_the_local_file_is_seen_without_a_restart(tmp_path, monkeypatch):
    path = write(tmp_path, "schema_version: 1\n")
    monkeypatch.setenv("SAMSYN_VARIABLES_FILE", str(path))
    first = load_library()
    assert "hvb" in first.variables.intervention_ids
    import os

    write(tmp_path, "schema_version: 1\nintervention:\n  out_of_home:\n    retire: [hvb]\n")
    os.utime(path, ns=(first_ns := path.stat().st_mtime_ns + 10**9, first_ns))  # a later modification time
    second = load_library()
    assert second is not first and "hvb" not in second.variables.intervention_ids
    assert load_library() is second  # nothing changed since: the cached library


def test_old_answers_with_a_retired_option_keep_their_meaning(tmp_path, local, monkeypatch):
    """Stored before the option was retired: the export keeps the id, the feedback shows the label."""
    from feedback import build_feedback, response_from_answer
    from samsyn.export import write_answers
    from store import AnswerIn, Store
    from widgets.feedback_view import FeedbackView

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    store = Store(url)
    participant = store.create_participant("Test", self_paced=True)
    library = load_library(use_cache=False)
    answer = AnswerIn(case_id="jamila", risk="nagot_forhojd", motivation="Slag vid gränssättning, ingen skada.",
                      selections={"exposure.home": ["vardnadstvist"], "exposure.guardian": ["inga_svarigheter"],
                                  "exposure.child": ["annat"], "intervention": ["kontaktfamilj"], "focus": ["halsa"]},
                      factors=[], goals=[])
    submitted = store.submit_answer(participant.id, answer)
    monkeypatch.setenv("SAMSYN_VARIABLES_FILE", str(local))  # now the municipality retires both options
    library = load_library(use_cache=False)
    rows = store.export_rows()
    assert rows[0]["exposure.home"] == "vardnadstvist" and rows[0]["intervention"] == "kontaktfamilj"
    out = tmp_path / "answers.csv"
    write_answers(url, out, "csv")
    assert "vardnadstvist" in out.read_text(encoding="utf-8")
    case = library.get("jamila")
    own = response_from_answer(store.answer(submitted.answer_id))
    fb = build_feedback(case, library.variables, own, [own] * 5, min_group=5)
    html = "".join(getattr(c, "value", "") for c in _walk(FeedbackView(fb, case, library.variables, "sv").widget))
    assert "Kontaktfamilj" in html and "Vårdnadstvist" in html


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from _walk(child)


def test_the_guides_example_and_error_lines_are_real(tmp_path):
    import re

    guide = (Path(__file__).resolve().parents[2] / "cases" / "AUTHORING.md").read_text(encoding="utf-8")
    section = guide.split("### Your municipality's own variables file", 1)[1]
    example, errors = re.findall(r"^```text\n(.*?)^```", section, re.S | re.M)[:2]
    v = load_variables(local=write(tmp_path, example))
    assert "digitalt_vald" in v.group("exposure", "home").option_ids
    for line in errors.strip().splitlines():
        _, field, problem = line.removeprefix("ERROR ").split(": ", 2)
        snippets = {
            "exposure.hem": "exposure:\n  hem:\n    retire: [annat]\n",
            "exposure.home.add[0].id": "exposure:\n  home:\n    add:\n      - {id: annat, sv: Annat, en: Other}\n",
            "exposure.home.rename.slag": "exposure:\n  home:\n    rename:\n      slag: {sv: Slag}\n",
            "intervention.out_of_home.retire": "intervention:\n  out_of_home:\n    retire: [familjehem, hvb, sarskilt_ungdomshem]\n",
        }
        assert field in snippets, f"the guide shows an error no test makes: {line}"
        with pytest.raises(CaseFileError) as exc:
            load_variables(local=write(tmp_path, "schema_version: 1\n" + snippets[field], "broken.yaml"))
        [error] = exc.value.errors
        assert error.field == field
        assert error.problem.startswith(problem.split("…")[0].rstrip(", "))
