"""The form's steps as objects: each holds its widgets, its part of the data and its checks;
the form walks them and builds a step only when it is reached."""

from __future__ import annotations

import pytest

from cases import load_library
from widgets.answer_form import STEP_TYPES, STEPS, AnswerForm, Step


@pytest.fixture
def library():
    return load_library()


def test_the_steps_are_the_forms_and_only_the_first_is_built(library):
    form = AnswerForm(library.get("max"), library.variables, "sv")
    assert tuple(type(s) for s in form.steps) == STEP_TYPES and tuple(s.name for s in form.steps) == STEPS
    assert all(isinstance(s, Step) for s in form.steps)
    assert [s.built for s in form.steps] == [True] + [False] * (len(STEPS) - 1)
    form.go(STEPS.index("goals"))
    assert [s.built for s in form.steps] == [i in (0, STEPS.index("goals")) for i in range(len(STEPS))]


def test_a_step_checks_its_part_of_a_draft_without_being_built(library):
    form = AnswerForm(library.get("max"), library.variables, "sv")
    form.load({"step": 0, "motivation": "för kort", "risk": "inte_kant", "risk_missing_info": "",
               "goals": [{"goal": "", "baseline": "finns"}]})
    motivation, risk, goals = (form.steps[STEPS.index(n)] for n in ("motivation", "risk", "goals"))
    assert not (motivation.built or risk.built or goals.built)
    assert form.problems(STEPS.index("motivation")) == motivation.problems(form.payload())
    assert any("20" in p for p in motivation.problems(form.payload()))
    assert risk.problems(form.payload()) == [form.m("form.error.missing_info")]
    assert form.m("form.error.goal_text", n=1) in goals.problems(form.payload())
    assert not (motivation.built or risk.built or goals.built)


def test_each_step_loads_and_gives_back_its_own_part(library):
    case = library.get("leo")
    form = AnswerForm(case, library.variables, "sv")
    form.exposure["home"]["brister_i_omsorg"].value = True
    form.risk.value = "hog"
    form.safety.value = "6"
    form.mapping.danger.value = "Oro för kvällarna."
    form.goals[1]["timeframe"].value = "tre månader"
    form.motivation.value = "En motivering som är lång nog."
    draft = form.payload()
    restored = AnswerForm(case, library.variables, "sv")
    restored.load(draft)
    for i, name in enumerate(STEPS):
        form.go(i)
        restored.go(i)  # built now, from the restored data
        assert restored.steps[i].payload() == form.steps[i].payload(), name
    # one scale in two steps: a change in the mapping step is shown in the risk step
    restored.steps[STEPS.index("mapping")].safety.value = "2"
    assert restored.safety.value == "2" and restored.payload()["safety_scale"] == 2
