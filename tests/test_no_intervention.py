""""Ingen insats": an explicit answer, so a case whose reference assessment has
no intervention (Leo) can be answered and is scored correctly, in the form, the
store, the feedback and the export; and a key at the top of the safety scale has
no "one step up"."""

from __future__ import annotations

import pytest

from cases import load_library
from cases.loader import check_paths
from feedback import build_feedback
from feedback.model import Response, key_response
from formfill import fill_mapping, html_of
from store import AnswerInvalid, Store, validate_answer
from widgets.answer_form import STEPS, AnswerForm
from widgets.trainee import TraineeLoop


@pytest.fixture(scope="module")
def library():
    return load_library()


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'none.sqlite3'}"
    monkeypatch.setenv("SAMSYN_DATABASE_URL", url)
    return Store(url)


def test_the_option_is_data_and_exclusive(library):
    v = library.variables
    assert v.no_intervention_ids == ("ingen_insats",)
    assert v.option_label("intervention", "ingen_insats", "sv").startswith("Ingen insats")
    assert v.check_interventions(["ingen_insats"]) is None
    assert "cannot be combined" in v.check_interventions(["ingen_insats", "hvb"])
    assert v.check_interventions(["hvb", "kontaktperson"]) is None


def _fill_leo(form: AnswerForm, interventions: list[str], focus: list[str]) -> None:
    form.exposure["home"]["ingen_utsatthet"].value = True
    form.exposure["guardian"]["inga_svarigheter"].value = True
    form.exposure["child"]["ingen_svarighet"].value = True
    row = next(r for r in form.factor_rows if r.kind == "risk" and not r.own)
    row.on.value, row.weights["severity"].value, row.weights["extent"].value = True, 1, 1
    form.risk.value = "ingen_lag"
    fill_mapping(form, safety=10)  # "stäng": nothing more to do
    for option in interventions:
        form.interventions[option].value = True
    for area in focus:
        form.focus[area].value = True
    form.goals[0]["goal"].value = "Leo äter frukost varje morgon."
    form.motivation.value = "Krisen var tillfällig och föräldrarna löste den själva."


def test_the_form_offers_it_needs_no_focus_and_refuses_it_combined(library):
    case = library.get("leo")
    form = AnswerForm(case, library.variables, "sv")
    assert "ingen_insats" in form.interventions
    step = STEPS.index("intervention")
    _fill_leo(form, ["ingen_insats"], [])
    assert form.problems(step) == []
    form.interventions["kontaktperson"].value = True
    assert any("kan inte kombineras" in p for p in form.problems(step))
    form.interventions["kontaktperson"].value = False
    form.focus["halsa"].value = True
    assert any("Utan insats finns inget fokus" in p for p in form.problems(step))
    form.focus["halsa"].value = False
    form.interventions["ingen_insats"].value = False
    assert any("Välj minst en insats" in p for p in form.problems(step))


def test_the_store_refuses_what_the_form_refuses(library):
    case = library.get("leo")
    base = {"case_id": "leo", "risk": "ingen_lag", "selections": {"intervention": ["ingen_insats"], "focus": []}}
    assert validate_answer(base, case, library.variables).selections["intervention"] == ["ingen_insats"]
    for selections, field in (({"intervention": ["ingen_insats", "hvb"]}, "selections.intervention"),
                              ({"intervention": ["ingen_insats"], "focus": ["halsa"]}, "selections.focus")):
        with pytest.raises(AnswerInvalid) as exc:
            validate_answer({**base, "selections": selections}, case, library.variables)
        assert field in dict(exc.value.problems)


def test_leo_is_answerable_and_scored_against_ingen_insats(library, store):
    case = library.get("leo")
    p = store.create_participant("Leo-none", self_paced=True)
    loop = TraineeLoop(case, library, store, p, "sv")
    _fill_leo(loop.form, ["ingen_insats"], [])
    loop.form.go(len(STEPS) - 1)
    loop.form.submit()
    assert store.count_answers("leo") == 1
    html = html_of(loop.widget)
    assert "Du valde samma insatser som referensbedömningen." in html
    (row,) = [r for r in store.export_rows() if r["case_id"] == "leo"]
    assert row["intervention"] == "ingen_insats" and row["focus"] == ""

    own = Response("ingen_lag", {"intervention": ("kontaktperson",)}, {"risk": {}, "protective": {}})
    fb = build_feedback(case, library.variables, own, [])
    assert fb.intervention_vs_key.missed == ("ingen_insats",) and fb.intervention_vs_key.extra == ("kontaktperson",)


def test_a_key_written_with_empty_interventions_means_ingen_insats(library):
    case = library.get("leo")
    key = key_response(case)
    old = case.model_copy(update={"key": case.key.model_copy(update={"interventions": []})})
    assert key.chosen("intervention") == {"ingen_insats"}
    own = Response("ingen_lag", {"intervention": ("ingen_insats",)}, {"risk": {}, "protective": {}})
    assert build_feedback(old, library.variables, own, []).intervention_vs_key.missed == ()


def test_a_key_at_the_top_of_the_safety_scale_has_no_step_up(library, tmp_path):
    import yaml

    leo = library.get("leo")
    assert leo.key.safety_scale == 10 and leo.mapping.scaling_reasons.one_step_up is None
    assert all(c.mapping.scaling_reasons.one_step_up is not None for c in library.ordered()
               if c.mapping and c.key.safety_scale < 10)
    source = (library.root / "leo.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(source)
    data["mapping"]["scaling_reasons"]["one_step_up"] = {"sv": "Inget: tio är skalans topp.", "en": "Nothing: ten is the top."}
    (tmp_path / "top").mkdir()
    (tmp_path / "top" / "leo.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    _good, errors = check_paths([tmp_path / "top"])
    assert any(e.field.endswith("one_step_up") and "no step up" in e.problem for e in errors), errors
    data["key"]["safety_scale"] = 9
    del data["mapping"]["scaling_reasons"]["one_step_up"]
    (tmp_path / "below").mkdir()
    (tmp_path / "below" / "leo.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    _good, errors = check_paths([tmp_path / "below"])
    assert any(e.field.endswith("one_step_up") and "Field required" in e.problem for e in errors), errors
