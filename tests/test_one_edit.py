"""Adding an answer option is one edit in variables.yaml (issue 14).

A copy of the shipped ``cases/variables.yaml`` gets one added line — a new exposure option at
home, or a new outpatient intervention — and nothing else changes. The option is then offered
in the answer form, saved and read back by the store (a real SQLite file), named in the
trainee's feedback, and exported: in the operator's and the mentor's record and, for an
exposure, in the manager's export and dashboard (the manager's export carries no interventions:
``store.exports.MANAGER_AGGREGATE``).
"""

from __future__ import annotations

import pytest

from cases.loader import load_library
from cases.variables import DEFAULT_VARIABLES_PATH
from formfill import complete, html_of  # tests/formfill.py
from insight import load_answers, load_export_rows
from store import Store
from store.exports import MANAGER_AGGREGATE, MENTOR_RECORD
from store.shapes import selections_of
from widgets.answer_form import AnswerForm
from widgets.trainee import TraineeLoop

#: variable → (the line after which the option goes, the option's id, its Swedish label)
NEW_OPTIONS = {
    "exposure.home": ("        - {id: brister_i_omsorg, sv: Brister i omsorg, en: Neglect / deficient care}\n",
                      "digitalt_vald", "Digitalt våld mot barnet"),
    "intervention": ("        - {id: kontaktperson, sv: Kontaktperson, en: Contact person}\n",
                     "familjeradgivning", "Familjerådgivning i egen regi"),
}


@pytest.fixture(params=sorted(NEW_OPTIONS))
def edited(request, tmp_path):
    """(variable, option id, label, a library read with the edited copy of variables.yaml)."""
    variable = request.param
    after, option, label = NEW_OPTIONS[variable]
    shipped = DEFAULT_VARIABLES_PATH.read_text(encoding="utf-8")
    assert shipped.count(after) == 1
    copy = tmp_path / "variables.yaml"
    copy.write_text(shipped.replace(after, after + f"        - {{id: {option}, sv: {label}, en: New option}}\n"),
                    encoding="utf-8")
    added = set(copy.read_text(encoding="utf-8").splitlines()) - set(shipped.splitlines())
    assert len(added) == 1 and len(copy.read_text(encoding="utf-8").splitlines()) == len(shipped.splitlines()) + 1
    return variable, option, label, load_library(variables_path=copy, use_cache=False)


def _boxes(form: AnswerForm, variable: str):
    return form.exposure["home"] if variable.startswith("exposure.") else form.interventions


def test_the_shipped_library_does_not_have_the_new_options():
    form = AnswerForm(load_library().get("max"), load_library().variables, "sv")
    for variable, (_after, option, _label) in NEW_OPTIONS.items():
        assert option not in _boxes(form, variable)


def test_one_added_line_reaches_the_form_the_store_the_feedback_and_the_exports(edited, tmp_path, monkeypatch):
    variable, option, label, library = edited
    url = f"sqlite:///{tmp_path / 'one-edit.sqlite3'}"
    monkeypatch.setenv("SAMSYN_DATABASE_URL", url)
    store = Store(url)
    case = library.get("max")
    assert case is not None and not library.errors

    # the form offers it, and a draft keeps it
    p = store.create_participant("Ny", self_paced=True, team="Team Nord")
    loop = TraineeLoop(case, library, store, p, "sv")
    box = _boxes(loop.form, variable)[option]
    assert box.description == label
    box.value = True
    restored = AnswerForm(case, library.variables, "sv")
    restored.load(loop.form.payload())
    assert _boxes(restored, variable)[option].value is True

    # the store validates, saves and reads it back
    complete(loop, "hog")
    row = store.answer_for(p.id, "max")
    assert row is not None, loop.form.error.value
    assert option in selections_of(row)[variable]

    # the feedback names it: the key never chose the new option, so it is the trainee's own extra choice
    assert label in html_of(loop.widget)

    # the operator's and the mentor's record carry it
    (record,) = store.export_rows()
    assert option in record[variable].split(";")
    assert option in MENTOR_RECORD.apply(record)[variable].split(";")

    # the manager: the raw sheet and the dashboard count a new exposure; interventions are never exported there
    raw = load_export_rows(url)
    if variable.startswith("exposure."):
        assert f"{variable}:{option}" in raw["exposures"].iloc[0].split(";")
        shipped_count = load_answers(url, load_library().variables)["n_exposures"].iloc[0]
        assert load_answers(url, library.variables)["n_exposures"].iloc[0] == shipped_count
        assert shipped_count == 3  # brister_i_omsorg, missbruk and the new one (inga_svarigheter is none)
    else:
        assert variable not in MANAGER_AGGREGATE.columns and option not in raw.to_csv()
