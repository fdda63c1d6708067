"""Oversize and malformed values are refused on the server; SQL metacharacters are data.

A modified browser can send any value for any widget. What protects the store
is on the server: ipywidgets' own trait validation (a checkbox is a bool, a
choice is one of the options), ``validate_answer`` (shapes, sizes, ids), the
form's step checks, and SQLAlchemy's bound parameters.
"""

from __future__ import annotations

import itertools
import json

import pytest
from traitlets import TraitError

from cases import load_library
from store import AnswerInvalid, Store, validate_answer
from store.answer import MAX_SHORT, MAX_TEXT
from store.db import dispose_all
from widgets.answer_form import STEPS, AnswerForm
from widgets.trainee import TraineeLoop

_counter = itertools.count()


@pytest.fixture(scope="module")
def library():
    return load_library()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'security.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres").create_database(f"samsyn_security_{next(_counter)}")
    yield Store(url)
    dispose_all()


def valid() -> dict:
    return dict(
        case_id="max", round=1, risk="hog", safety_scale=4,
        selections={"exposure.home": ["brister_i_omsorg"], "exposure.guardian": ["psykisk_ohalsa"],
                    "exposure.child": ["ingen_svarighet"], "intervention": ["annan_oppenvard"],
                    "focus": ["grundlaggande_omsorg"]},
        factors=[{"kind": "risk", "factor_id": "unmet-health-care", "severity": 3, "extent": 2}],
        goals=[{"goal": "Max går till tandläkaren", "baseline": "Inget besök på två år", "change": "Ett besök",
                "timeframe": "inom 3 månader"}],
        motivation="Mamman vill ta emot stöd.", language="sv",
    )


def test_the_valid_answer_passes(library):
    assert validate_answer(valid(), library.get("max"), library.variables).risk == "hog"


OVERSIZE = {
    "motivation": lambda d: d.update(motivation="x" * (MAX_TEXT + 1)),
    "risk_missing_info": lambda d: d.update(risk="inte_kant", risk_missing_info="x" * (MAX_TEXT + 1)),
    "own factor text": lambda d: d["factors"].append(
        {"kind": "risk", "factor_id": "own:1", "own_text": "x" * (MAX_SHORT + 1), "severity": 2, "extent": 2}),
    "goal": lambda d: d["goals"][0].update(goal="x" * (MAX_TEXT + 1)),
    "baseline": lambda d: d["goals"][0].update(baseline="x" * (MAX_TEXT + 1)),
    "timeframe": lambda d: d["goals"][0].update(timeframe="x" * (MAX_SHORT + 1)),
    "41 factors": lambda d: d.update(factors=[
        {"kind": "risk", "factor_id": f"own:{i}", "own_text": "x", "severity": 2, "extent": 2} for i in range(41)]),
    "11 goals": lambda d: d.update(goals=[{"goal": "g"}] * 11),
    "long option id": lambda d: d["selections"].update(focus=["x" * 49]),
    "huge selection list": lambda d: d["selections"].update(focus=["grundlaggande_omsorg"] * 10_000),
}

MALFORMED = {
    "risk as a number": lambda d: d.update(risk=3),
    "risk as a list": lambda d: d.update(risk=["hog"]),
    "risk missing": lambda d: d.pop("risk"),
    "safety scale as text": lambda d: d.update(safety_scale="hög"),
    "safety scale fractional": lambda d: d.update(safety_scale=4.5),
    "safety scale out of range": lambda d: d.update(safety_scale=-1),
    "round zero": lambda d: d.update(round=0),
    "round as SQL": lambda d: d.update(round="1; DROP TABLE answers"),
    "language": lambda d: d.update(language="de"),
    "case id with quote": lambda d: d.update(case_id="max' OR '1'='1"),
    "selections as a list": lambda d: d.update(selections=["brister_i_omsorg"]),
    "selection as a string": lambda d: d["selections"].update(focus="grundlaggande_omsorg"),
    "selection as nested list": lambda d: d["selections"].update(focus=[["grundlaggande_omsorg"]]),
    "factors as a dict": lambda d: d.update(factors={"unmet-health-care": 1}),
    "factor id with path": lambda d: d["factors"][0].update(factor_id="../../etc/passwd"),
    "factor id with markup": lambda d: d["factors"][0].update(factor_id="<script>"),
    "factor kind": lambda d: d["factors"][0].update(kind="danger"),
    "factor weight as text": lambda d: d["factors"][0].update(severity="max"),
    "factor weight too high": lambda d: d["factors"][0].update(severity=5),
    "goals as a string": lambda d: d.update(goals="Max mår bra"),
    "goal without text": lambda d: d["goals"][0].pop("goal"),
    "goal with extra key": lambda d: d["goals"][0].update(owner="admin"),
    "extra top-level key": lambda d: d.update(participant_id=1),
    "motivation as object": lambda d: d.update(motivation={"$ne": ""}),
}


@pytest.mark.parametrize("change", list(OVERSIZE.values()), ids=list(OVERSIZE))
def test_oversize_values_are_refused(library, change):
    data = valid()
    change(data)
    with pytest.raises(AnswerInvalid):
        validate_answer(data, library.get("max"), library.variables)


@pytest.mark.parametrize("change", list(MALFORMED.values()), ids=list(MALFORMED))
def test_malformed_values_are_refused(library, change):
    data = valid()
    change(data)
    with pytest.raises(AnswerInvalid):
        validate_answer(data, library.get("max"), library.variables)


def test_widgets_refuse_values_outside_their_options(library):
    """What ipywidgets does with a comm message from a modified browser (``set_state``)."""
    form = AnswerForm(library.get("max"), library.variables, "sv")
    attempts = [
        (form.risk, {"index": 99}),
        (form.safety, {"index": 11}),
        (form.exposure["home"]["brister_i_omsorg"], {"value": "yes"}),
        (form.factor_rows[0].weights["severity"], {"index": 77}),
        (form.interventions["annan_oppenvard"], {"value": {"x": 1}}),
    ]
    for widget, state in attempts:
        with pytest.raises(TraitError):
            widget.set_state(state)
    assert form.risk.value is None and form.safety.value is None


def test_the_form_refuses_oversize_text_at_every_step(library):
    form = AnswerForm(library.get("max"), library.variables, "sv")
    form.motivation.value = "x" * (MAX_TEXT + 1)
    form.goals[0]["goal"].value = "mål"
    form.goals[0]["timeframe"].value = "x" * (MAX_SHORT + 1)
    assert form.problems(STEPS.index("motivation"))
    assert any(str(MAX_SHORT) in p for p in form.problems(STEPS.index("goals")))


def test_an_oversize_submit_stores_nothing(library, store):
    p = store.create_participant("Stor", self_paced=True)
    loop = TraineeLoop(library.get("max"), library, store, p, "sv")
    loop.submit(valid() | {"motivation": "x" * (MAX_TEXT + 1)})  # as if the page's checks had been bypassed
    assert store.count_answers() == 0
    assert "samsyn-notice" in loop.form.error.value


def test_an_own_factor_from_the_form_can_be_submitted(library):
    form = AnswerForm(library.get("max"), library.variables, "sv")
    row = next(r for r in form.factor_rows if r.own)
    row.text.value = "Egen faktor"
    for dropdown in row.weights.values():
        dropdown.value = 2
    answer = form.answer()
    assert answer.factors[-1].own_text == "Egen faktor"


def test_a_draft_never_stores_oversize_text(library, store):
    p = store.create_participant("Lång", self_paced=True)
    loop = TraineeLoop(library.get("max"), library, store, p, "sv")
    loop.form.motivation.set_state({"value": "x" * 1_000_000})
    draft = store.load_draft(p.id, "max")
    assert len(json.dumps(draft)) < 10 * MAX_TEXT


SAFE_DRAFTS = [
    {"motivation": "x" * 100_000, "risk_missing_info": "y" * 100_000,
     "goals": [{"goal": "z" * 100_000, "baseline": 1, "change": None, "timeframe": ["t"]}]},
    {"goals": {"a": 1}}, {"goals": [1, "x", None]}, {"step": "3"}, {"step": 99}, {"step": -1},
    {"safety_scale": {"a": 1}}, {"safety_scale": [1]}, {"safety_scale": "11"},
    {"interventions": "annan_oppenvard"}, {"motivation": ["a"]}, {"risk_missing_info": {"x": 1}},
    {"exposure": {"home": "brister_i_omsorg"}}, {"factors": {"own:r1": {"text": "t" * 100_000, "severity": 9}}},
    {"risk": "extremt_hog"}, [], None, {},
]
CRASHING_DRAFTS = [
    {"risk": ["hog"]}, {"risk": {"a": 1}}, {"exposure": "home"}, {"exposure": {"home": [["x"]]}},
    {"factors": [1, 2]}, {"factors": {"unmet-health-care": {"severity": [1]}}}, {"interventions": [[1]]},
    {"focus": 5},
]


@pytest.mark.parametrize("payload", SAFE_DRAFTS, ids=[str(i) for i in range(len(SAFE_DRAFTS))])
def test_a_tampered_draft_loads_within_bounds(library, payload):
    form = AnswerForm(library.get("max"), library.variables, "sv")
    form.load(payload)
    assert 0 <= form.step < len(STEPS)
    assert len(form.motivation.value) <= MAX_TEXT and len(form.missing_info.value) <= MAX_TEXT
    assert all(len(f.value) <= MAX_TEXT for g in form.goals for f in g.values())
    assert all(len(r.text.value) <= MAX_SHORT for r in form.factor_rows if r.own)
    assert form.risk.value in (None, *[v for _l, v in form.risk.options])


@pytest.mark.parametrize("payload", CRASHING_DRAFTS, ids=[str(i) for i in range(len(CRASHING_DRAFTS))])
def test_a_draft_with_wrong_types_loads_without_error(library, payload):
    form = AnswerForm(library.get("max"), library.variables, "sv")
    form.load(payload)


NASTY = ["Robert'); DROP TABLE answers;--", "' OR '1'='1", '" OR ""="', "1; DELETE FROM participants",
         "%' --", "\\'; --", "x\x00y".replace("\x00", ""), "admin'/*", "$$; DROP TABLE drafts; $$"]


def test_sql_metacharacters_are_data_everywhere(library, store):
    workshop, secret = store.create_workshop(NASTY[0], ["max"])
    assert store.workshop_by_code(workshop.join_code).name == NASTY[0]
    ids = []
    for i, text in enumerate(NASTY):
        p = store.create_participant(text, self_paced=True, team=text[:60])
        ids.append(p.id)
        store.save_draft(p.id, "assi", {"motivation": text, text: text})  # (a submit clears its own case's draft)
        data = valid()
        data["motivation"] = text
        data["goals"][0].update(goal=text, baseline=text, change=text, timeframe=text)
        data["factors"].append({"kind": "risk", "factor_id": "own:1", "own_text": text, "severity": 2, "extent": 2})
        answer = validate_answer(data, library.get("max"), library.variables)
        answer_id = store.submit_answer(p.id, answer).answer_id
        store.save_reflection(answer_id, "relative_assessment", text)
    for text in NASTY:
        assert store.participant_by_code(text) is None
        assert store.workshop_by_code(text) is None
        assert store.answers(case_id=text) == []
        assert store.count_answers(text) == 0
        assert not store.facilitator_allowed(workshop.id, text)
    assert store.count_answers() == len(NASTY) == store.count_answers("max")
    for pid, text in zip(ids, NASTY):
        assert store.participant(pid).pseudonym == text
        assert store.load_draft(pid, "assi") == {"motivation": text, text: text}
        stored = store.answer_for(pid, "max")
        assert stored.motivation == text and stored.goals[0].goal == text and stored.factors[-1].own_text == text
        assert stored.reflections[0].text == text
    assert store.facilitator_allowed(workshop.id, secret)
    assert {row["motivation"] for row in store.export_rows()} == set(NASTY)
