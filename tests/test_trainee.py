"""The trainee loop without a browser: form → draft → submit → feedback → prompts."""

from __future__ import annotations

import pytest

from cases import load_library
from feedback import build_feedback, response_from_answer
from store import Store
from widgets.answer_form import STEPS, AnswerForm
from widgets.trainee import TraineeLoop
from formfill import fill_mapping, html_of  # tests/formfill.py
from samsyn.charts import specs_in


@pytest.fixture
def library():
    return load_library()


@pytest.fixture
def store(tmp_path):
    return Store(f"sqlite:///{tmp_path / 'trainee.sqlite3'}")


def fill(form: AnswerForm, risk: str, *, protective_function: int = 3, baseline: str = "") -> None:
    case = form.case
    form.exposure["home"]["brister_i_omsorg"].value = True
    form.exposure["guardian"][form.case.key.exposure.guardian[0] if case.key.exposure.guardian else "inga_svarigheter"].value = True
    form.exposure["child"][case.key.exposure.child[0]].value = True
    for row in form.factor_rows:
        if row.own:
            continue
        row.on.value = True
        for dim, dd in row.weights.items():
            dd.value = protective_function if dim == "function" else 2
    form.risk.value = risk
    fill_mapping(form, safety=4)
    form.interventions["annan_oppenvard"].value = True
    form.focus["grundlaggande_omsorg"].value = True
    form.goals[0]["goal"].value = "Max får tandvård"
    form.goals[0]["baseline"].value = baseline
    form.motivation.value = "Förskolan fungerar bra och mamman vill samarbeta."


def test_steps_validate_with_clear_messages(library):
    form = AnswerForm(library.get("max"), library.variables, "sv")
    assert form.next() is False
    assert "Gör ett val i gruppen" in form.error.value
    form.exposure["home"]["ingen_utsatthet"].value = True
    form.exposure["home"]["brister_i_omsorg"].value = True
    form.exposure["guardian"]["psykisk_ohalsa"].value = True
    form.exposure["child"]["fysisk_ohalsa"].value = True
    assert form.next() is False
    assert "inte kombineras med andra val" in form.error.value
    form.exposure["home"]["ingen_utsatthet"].value = False
    assert form.next() is True and form.step == 1
    assert "Steg 2 av 7" in form.progress.value
    assert form.next() is False and "minst en riskfaktor" in form.error.value


def test_draft_round_trips_through_the_store(library, store):
    case = library.get("max")
    p = store.create_participant("Vide", self_paced=True)
    saved = []
    form = AnswerForm(case, library.variables, "sv", on_change=saved.append)
    fill(form, "nagot_forhojd")
    assert saved, "every change is reported for saving"
    store.save_draft(p.id, case.id, form.payload())
    restored = AnswerForm(case, library.variables, "sv")
    restored.load(store.load_draft(p.id, case.id))
    assert restored.payload() == form.payload()


def test_a_draft_with_stale_ids_is_ignored_not_trusted(library):
    form = AnswerForm(library.get("max"), library.variables, "sv")
    form.load({"risk": "<script>", "exposure": {"home": ["nonsense"]}, "safety_scale": 99, "step": 42,
               "factors": {"gone": {"on": True}}, "goals": [{"goal": "x" * 10000}]})
    assert form.risk.value is None and form.safety.value is None and form.step == 0
    assert len(form.goals[0]["goal"].value) == 4000


def test_loop_submits_once_and_shows_feedback_with_prompts(library, store):
    case = library.get("max")
    p = store.create_participant("Lind", self_paced=True)
    loop = TraineeLoop(case, library, store, p, "sv")
    fill(loop.form, "nagot_forhojd")
    loop.form.go(len(STEPS) - 1)
    loop.form.submit()
    loop.form.submit()  # a second click after the first went through stores nothing new
    assert store.count_answers("max") == 1
    html = html_of(loop.widget)
    assert "Webbkollens samstämmighetstest 2016 (SKL 2018), n = 7" in html
    drawn = specs_in(loop.widget)  # the panel's chart, drawn by the browser (the group is too small)
    assert len(drawn) == 1 and drawn[0]["title"] == "Webbkollens samstämmighetstest 2016 (SKL 2018), n = 7"
    assert [r["n"] for r in drawn[0]["datasets"]["rows"]] == [0, 1, 2, 4, 0]
    assert [r["own"] for r in drawn[0]["datasets"]["rows"]] == [False, True, False, False, False]
    assert "Du är först" in html
    assert 'data-prompt="lower_same_factors"' in html
    assert "Kan ”" in html  # the specific prompt names the trainee's own factors
    assert 'data-prompt="relative_assessment"' in html
    assert 'data-prompt="goal_baseline"' in html


def test_group_is_hidden_below_the_minimum_and_shown_from_it(library, store):
    case = library.get("max")
    ids = []
    for i, risk in enumerate(["hog", "mycket_hog", "mycket_hog", "hog", "mycket_hog"]):
        p = store.create_participant(f"P{i}", self_paced=True)
        form = AnswerForm(case, library.variables, "sv")
        fill(form, risk, baseline="två besök på ett år")
        ids.append(store.submit_answer(p.id, form.answer()).answer_id)
    own = response_from_answer(store.answer(ids[0]))
    others = [response_from_answer(store.answer(i)) for i in ids[1:]]
    small = build_feedback(case, library.variables, own, others[:2], min_group=5)
    assert not small.group_shown and small.group_goals == () and small.group_risk_counts == {}
    full = build_feedback(case, library.variables, own, others, min_group=5)
    assert full.group_shown and full.group_risk_counts["mycket_hog"] == 3
    assert full.steps_from_group == -1.0  # hog against the others' median mycket_hog
    assert any(p.id == "relative_assessment" for p in full.prompts)


def test_user_text_is_escaped_in_feedback(library, store):
    case = library.get("max")
    xss = '<img src=x onerror="alert(1)">'
    for i in range(5):
        p = store.create_participant(f"X{i}", self_paced=True)
        form = AnswerForm(case, library.variables, "sv")
        fill(form, "hog", baseline=xss)
        form.goals[0]["goal"].value = xss
        store.submit_answer(p.id, form.answer())
    p = store.create_participant("Viewer", self_paced=True)
    loop = TraineeLoop(case, library, store, p, "sv")
    fill(loop.form, "hog")
    loop.form.go(len(STEPS) - 1)
    loop.form.submit()
    html = html_of(loop.widget)
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert xss not in html



def test_an_own_factor_goes_all_the_way_to_the_store(library, store):
    case = library.get("max")
    p = store.create_participant("Egen", self_paced=True)
    loop = TraineeLoop(case, library, store, p, "sv")
    fill(loop.form, "hog", baseline="två besök på ett år")
    own = next(r for r in loop.form.factor_rows if r.own and r.kind == "protective")
    own.text.value = "Mormor hämtar på förskolan"
    own.weights["extent"].value = 2
    own.weights["function"].value = 2
    loop.form.go(len(STEPS) - 1)
    loop.form.submit()
    (answer,) = store.answers(participant_id=p.id)
    assert any(f.own_text == "Mormor hämtar på förskolan" and f.factor_id.startswith("own:") for f in answer.factors)


def test_a_submit_the_answer_model_refuses_is_reported_not_raised(library, store):
    p = store.create_participant("Trasig", self_paced=True)
    loop = TraineeLoop(library.get("max"), library, store, p, "sv")
    fill(loop.form, "hog", baseline="x")
    loop.form.goals[0]["timeframe"].set_state({"value": "t" * 1000})  # past the form's limit, as a modified browser might
    loop.form.go(len(STEPS) - 1)
    loop.form.submit()
    assert store.count_answers() == 0
    assert "samsyn-notice" in loop.form.error.value and not loop.form.submit_button.disabled


@pytest.mark.parametrize("lang, needle", [("sv", "Referensbedömning: Ingen insats – utredningen avslutas utan insats."),
                                          ("en", "Reference assessment: No intervention – the investigation is closed without one.")])
def test_a_key_with_no_intervention_says_so_in_the_feedback(library, store, lang, needle):
    """Leo's key closes the investigation without an intervention ("ingen insats"):
    the feedback names that, instead of listing an empty set of options."""
    case = library.get("leo")
    assert case.key.interventions == ["ingen_insats"] and case.key.rationale.interventions
    p = store.create_participant(f"Leo-{lang}", self_paced=True)
    loop = TraineeLoop(case, library, store, p, lang)
    fill(loop.form, "nagot_forhojd")
    loop.form.go(len(STEPS) - 1)
    loop.form.submit()
    html = html_of(loop.widget)
    assert needle in html
    assert "Referensbedömning: ." not in html and "Reference assessment: ." not in html
    assert case.key.rationale.interventions.get(lang)[:40] in html.replace("&#x27;", "'")
