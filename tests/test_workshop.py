"""Workshops without a browser: join, blind round, reveal, second round, statistics."""

from __future__ import annotations

import pytest

from cases import load_library
from feedback.workshop import case_reveal, convergence, workshop_alpha
from store import Store
from widgets.answer_form import STEPS
from widgets.trainee import TraineeLoop
from formfill import complete, html_of  # tests/formfill.py


@pytest.fixture
def library():
    return load_library()


@pytest.fixture
def store(tmp_path):
    return Store(f"sqlite:///{tmp_path / 'workshop.sqlite3'}")


def test_join_code_and_unique_pseudonyms(store):
    workshop, _secret = store.create_workshop("Kalibrering", ["assi", "tobias"])
    p = store.join_workshop(workshop.join_code.lower(), "  Ugglan ")
    assert p.workshop_id == workshop.id and p.pseudonym == "Ugglan" and p.personal_code
    with pytest.raises(ValueError):
        store.join_workshop(workshop.join_code, "Ugglan")
    with pytest.raises(LookupError):
        store.join_workshop("NOPE42", "Räven")


def test_blind_until_reveal_then_the_workshop_group(library, store):
    workshop, _ = store.create_workshop("Kalibrering", ["assi"], min_group_size=3)
    loops = []
    for i, risk in enumerate(["mycket_hog", "hog", "mycket_hog"]):
        p = store.join_workshop(workshop.join_code, f"Deltagare {i}")
        loop = TraineeLoop(library.get("assi"), library, store, p, "sv", workshop=store.workshop(workshop.id))
        complete(loop, risk)
        loops.append(loop)
    # Someone outside the workshop answered too: never part of the workshop's group.
    outsider = store.create_participant("Utomstående", self_paced=True)
    complete(TraineeLoop(library.get("assi"), library, store, outsider, "sv"), "ingen_lag")

    html = html_of(loops[0].widget)
    assert "samsyn-waiting" in html and "Webbkollens samstämmighetstest" not in html  # blind: not even the panel
    store.reveal(workshop.id, "assi", 1)
    loops[0].show_feedback(store.answer_for(loops[0].participant.id, "assi", 1).id)
    html = html_of(loops[0].widget)
    assert "Gruppens bedömningar (n = 3)" in html


def test_second_round_starts_from_the_first_answer(library, store):
    workshop, _ = store.create_workshop("Kalibrering", ["assi"], min_group_size=3)
    p = store.join_workshop(workshop.join_code, "Lo")
    complete(TraineeLoop(library.get("assi"), library, store, p, "sv", workshop=store.workshop(workshop.id)), "hog")
    assert store.open_round(workshop.id) == 2
    loop = TraineeLoop(library.get("assi"), library, store, p, "sv", workshop=store.workshop(workshop.id))
    assert loop.round == 2
    assert loop.form.risk.value == "hog" and "samsyn-previous-round" in loop.form.saved.value
    loop.form.risk.value = "mycket_hog"
    loop.form.go(len(STEPS) - 1)
    loop.form.submit()
    assert [a.risk for a in store.answers(participant_id=p.id)] == ["hog", "mycket_hog"]


def test_reveal_hides_everything_below_the_minimum(library):
    case = library.get("jamila")
    from feedback.model import Response

    answers = [Response(risk="nagot_forhojd", selections={"exposure.home": ("fysiskt_vald",)}, factors={},
                        goals=({"goal": "<b>mål</b>"},), motivation="hård uppfostran")] * 4
    small = case_reveal(case, library.variables, answers, round=1, min_group=5)
    assert not small.shown and small.motivations == {} and small.goals == () and small.risk_counts == {}
    big = case_reveal(case, library.variables, answers + [Response(risk="hog", selections={}, factors={},
                      motivation="fysiskt våld")], round=1, min_group=5)
    assert big.shown and big.risk_counts["nagot_forhojd"] == 4
    assert set(big.motivations) == {"nagot_forhojd", "hog"}
    assert big.option_shares["exposure.home"]["fysiskt_vald"] == pytest.approx(0.8)


def test_workshop_alpha_and_convergence(library):
    levels = library.variables.risk_level_ids
    by_case = {
        "assi": {1: "mycket_hog", 2: "mycket_hog", 3: "hog", 4: "mycket_hog", 5: "mycket_hog"},
        "jamila": {1: "nagot_forhojd", 2: "nagot_forhojd", 3: "ingen_lag", 4: "nagot_forhojd", 5: "hog"},
        "max": {1: "hog", 2: "mycket_hog", 3: "nagot_forhojd", 4: "mycket_hog", 5: "mycket_hog"},
    }
    a = workshop_alpha(by_case, library.variables, min_group=5)
    assert a.n_cases == 3 and a.value is not None and a.low <= a.value <= a.high
    assert workshop_alpha({"assi": by_case["assi"]}, library.variables, min_group=5).value is None
    c = convergence("max", by_case["max"], {1: "mycket_hog", 2: "mycket_hog", 3: "hog", 4: "mycket_hog", 5: "mycket_hog"},
                    levels, min_group=5)
    assert (c.moved_up, c.moved_down, c.stayed) == (2, 0, 3)
    assert c.consensus_round2 > c.consensus_round1


def test_self_paced_feedback_never_includes_a_workshops_answers(library, store):
    workshop, _ = store.create_workshop("Kalibrering", ["assi"], min_group_size=3)
    for i in range(5):
        p = store.join_workshop(workshop.join_code, f"W{i}")
        complete(TraineeLoop(library.get("assi"), library, store, p, "sv", workshop=store.workshop(workshop.id)),
                 "ingen_lag", "Hemligt i workshopen, ännu inte visat.")
    for i in range(4):
        p = store.create_participant(f"S{i}", self_paced=True)
        complete(TraineeLoop(library.get("assi"), library, store, p, "sv"), "mycket_hog")
    p = store.create_participant("Själv", self_paced=True)
    loop = TraineeLoop(library.get("assi"), library, store, p, "sv")
    complete(loop, "mycket_hog")
    html = html_of(loop.widget)
    assert "Gruppens bedömningar (n = 5)" in html  # the five self-paced answers, not the workshop's


def test_workshop_alpha_shows_the_share_of_inte_kant_next_to_it(library):
    from feedback import report
    from samsyn.i18n import Messages

    by_case = {
        "assi": {1: "mycket_hog", 2: "inte_kant", 3: "hog", 4: "mycket_hog", 5: "mycket_hog"},
        "jamila": {1: "nagot_forhojd", 2: "nagot_forhojd", 3: "ingen_lag", 4: "inte_kant", 5: "hog"},
        "max": {1: "hog", 2: "mycket_hog", 3: "nagot_forhojd", 4: "mycket_hog"},  # too few: not counted
    }
    a = workshop_alpha(by_case, library.variables, min_group=5)
    assert (a.n_cases, a.not_known, a.answers) == (2, 2, 10) and a.not_known_share == pytest.approx(0.2)
    sv, en = report.alpha_text(a, Messages("sv")), report.alpha_text(a, Messages("en"))
    value_sv = f"{a.value:.2f}".replace(".", ",")
    assert f": {value_sv} (95 % KI" in sv and "Inte känt: 20\xa0% av svaren (2 av 10)" in sv
    assert f": {a.value:.2f} (95% CI" in en and "Not known: 20% of the answers (2 of 10)" in en
    odd = report.alpha_text(workshop_alpha({"a": {i: "hog" for i in range(5)} | {9: "inte_kant"},
                                            "b": {i: "mycket_hog" for i in range(5)} | {9: "hog"}},
                                           library.variables, min_group=5), Messages("sv"))
    assert "8,3\xa0%" in odd  # 1 of 12 answers, with a decimal comma
    record = report.WorkshopRecord("W", "sv", 1, 5, (), a, (), report.now())
    assert "Inte känt: 20\xa0% av svaren" in report.render_html(record, library)
    assert report.alpha_text(workshop_alpha({}, library.variables, min_group=5), Messages("sv")) == \
        Messages("sv")("report.alpha_undefined")
