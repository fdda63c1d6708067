"""Programmes in the store, on SQLite and PostgreSQL: create, join (code, hub group, one at a time),
workshop steps, and which answers count for the programme."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from store import AlreadyInProgramme, AnswerIn, StepIn
from store.repository import JOIN_CODE_LENGTH, normalise_code

STEPS = [StepIn(week=1, case_ids=("assi", "max")), StepIn(week=2, case_ids=("tobias",), kind="workshop")]
CRITERION = {"kind": "share_lean", "window": 5, "min_share": 0.8, "max_lean": 0.5}


def make(store, **kw):
    return store.create_programme("Introduktion <hösten>", STEPS, starts_on=date(2026, 9, 7), criterion=CRITERION, **kw)


def answer(store, pid, case_id, risk="hog", **kw):
    return store.submit_answer(pid, AnswerIn(case_id=case_id, risk=risk), **kw)


def test_create_and_read_back(store):
    programme, secret = make(store, hub_group="nya-2026")
    again = store.programme(programme.id)
    assert again.name == "Introduktion <hösten>" and again.hub_group == "nya-2026"
    assert [(s.week, s.kind, s.case_ids) for s in again.steps] == [(1, "cases", ["assi", "max"]),
                                                                   (2, "workshop", ["tobias"])]
    assert again.criterion == CRITERION
    assert again.starts_on.date() == date(2026, 9, 7)
    assert len(normalise_code(again.join_code).replace("-", "")) == JOIN_CODE_LENGTH
    assert store.programme_mentor_allowed(programme.id, secret)
    assert not store.programme_mentor_allowed(programme.id, secret + "x")
    assert not store.programme_mentor_allowed(programme.id, None)
    assert store.programme_by_code(again.join_code.lower().replace("-", " ")).id == programme.id


def test_a_programme_needs_valid_steps(store):
    with pytest.raises(ValueError):
        store.create_programme("x", [], starts_on=date(2026, 9, 7), criterion=CRITERION)
    with pytest.raises(ValueError):
        store.create_programme("x", [StepIn(week=0, case_ids=("assi",))], starts_on=date(2026, 9, 7), criterion=CRITERION)
    with pytest.raises(ValueError):
        store.create_programme("x", [StepIn(week=1, case_ids=())], starts_on=date(2026, 9, 7), criterion=CRITERION)


DURING = date(2026, 9, 10)  # week 1 of the programmes made by make(); their last day is 2026-09-20


def test_join_by_code_one_programme_at_a_time(store):
    first, _ = make(store)
    second, _ = make(store)
    assert first.join_code != second.join_code
    p = store.create_participant("Ek", self_paced=True)
    assert store.join_programme_by_code(first.join_code, p.id, DURING).id == first.id
    assert store.join_programme_by_code(first.join_code, p.id, DURING).id == first.id  # again: the same membership
    with pytest.raises(AlreadyInProgramme):
        store.join_programme_by_code(second.join_code, p.id, DURING)
    with pytest.raises(AlreadyInProgramme):
        store.join_programme_by_code(second.join_code, p.id, date(2026, 9, 20))  # the last day still counts
    with pytest.raises(LookupError):
        store.join_programme_by_code("AAAAA-AAAAA", p.id, DURING)
    assert store.membership(p.id).programme_id == first.id
    assert [q.pseudonym for _m, q in store.programme_members(first.id)] == ["Ek"]
    assert store.programme_members(second.id) == []


def test_the_next_programme_after_the_last_day(store):
    first, _ = make(store)
    second, _ = store.create_programme("Fortsättning", STEPS, starts_on=date(2026, 9, 21), criterion=CRITERION)
    p = store.create_participant("Ek", self_paced=True)
    store.join_programme(first.id, p.id, DURING)
    assert store.join_programme_by_code(second.join_code, p.id, date(2026, 9, 21)).id == second.id
    assert store.membership(p.id).programme_id == second.id  # the current one is the latest
    assert store.join_programme(first.id, p.id, date(2026, 9, 22)).programme_id == first.id  # not twice
    assert [q.pseudonym for _m, q in store.programme_members(first.id)] == ["Ek"]
    with pytest.raises(AlreadyInProgramme):  # and while the second runs, no third
        store.join_programme_by_code(make(store)[0].join_code, p.id, date(2026, 9, 22))


def test_join_by_hub_group(store):
    programme, _ = make(store, hub_group="nya-2026", owner_hub_user="mentor1")
    anna = store.create_participant("anna", hub_user="anna")
    assert store.join_programme_by_hub_groups(anna.id, ["samsyn-trainees"], DURING) is None
    assert store.join_programme_by_hub_groups(anna.id, ["nya-2026"], DURING).id == programme.id
    assert store.membership(anna.id).programme_id == programme.id
    other, _ = make(store, hub_group="nya-2027")
    assert store.join_programme_by_hub_groups(anna.id, ["nya-2027"], DURING) is None  # one at a time
    assert store.membership(anna.id).programme_id == programme.id
    assert store.programme_owned_by(programme.id, "mentor1") and not store.programme_owned_by(programme.id, "anna")


def test_programme_answers_count_since_joining_and_in_step_workshops(store):
    programme, _ = make(store)
    p = store.create_participant("Ek", self_paced=True)
    answer(store, p.id, "assi", "hog")  # before joining: practice, not the programme's
    member = store.join_programme(programme.id, p.id)
    answer(store, p.id, "max", "mycket_hog")
    answer(store, p.id, "jamila")  # not a programme case
    step = programme.steps[1]
    workshop, secret = store.open_step_workshop(step.id)
    assert secret and [c.case_id for c in store.workshop(workshop.id).cases] == ["tobias"]
    with pytest.raises(ValueError):
        store.open_step_workshop(step.id)  # once
    with pytest.raises(ValueError):
        store.open_step_workshop(programme.steps[0].id)  # not a workshop step
    identity = store.join_step_workshop(member.id, workshop.id)
    assert store.join_step_workshop(member.id, workshop.id).id == identity.id
    assert identity.workshop_id == workshop.id and identity.pseudonym == "Ek" and identity.id != p.id
    answer(store, identity.id, "tobias", "hog", workshop_id=workshop.id)
    store.open_round(workshop.id)
    store.submit_answer(identity.id, AnswerIn(case_id="tobias", risk="mycket_hog", round=2), workshop_id=workshop.id)
    got = store.programme_answers(programme.id)
    assert [(a.case_id, a.risk) for a in got[p.id]] == [("max", "mycket_hog"), ("tobias", "mycket_hog")]
    assert store.programme(programme.id).steps[1].workshop_id == workshop.id
    everyone = store.case_risk_answers(["assi", "tobias"])
    assert sorted(r for _pid, r in everyone["assi"]) == ["hog"]
    assert [r for _pid, r in everyone["tobias"]] == ["hog"]  # round 1 only


def test_a_workshop_answer_leaves_the_trainees_self_paced_history_alone(store):
    programme, _ = make(store)
    p = store.create_participant("Ek", self_paced=True)
    member = store.join_programme(programme.id, p.id)
    workshop, _ = store.open_step_workshop(programme.steps[1].id)
    identity = store.join_step_workshop(member.id, workshop.id)
    answer(store, identity.id, "tobias", workshop_id=workshop.id)
    assert store.answers(participant_id=p.id) == []
    assert len(store.answers(workshop_id=workshop.id)) == 1


_counter = __import__("itertools").count()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def old_url(request, tmp_path):
    from store.db import dispose_all

    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'before.sqlite3'}"
    else:
        yield request.getfixturevalue("postgres").create_database(f"samsyn_prog_{next(_counter)}")
    dispose_all()


def test_migration_from_the_schema_before_programmes(old_url):
    """A database at 0003_hub with a trainee and an answer upgrades to 0005_programmes; the trainee
    then joins a programme and the old answer is still theirs."""
    from sqlalchemy import inspect, text

    from store import Store
    from store.db import current_revision, dispose_all, engine_for, migrate

    url = old_url
    migrate(url, "0003_hub")
    engine = engine_for(url)
    assert not inspect(engine).has_table("programmes")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO participants (id, pseudonym, pseudonym_key, personal_code, language, created_at) "
                          "VALUES (1, 'Björk', 'björk', 'ABCD-EFGH-JKMN', 'sv', :t)"), {"t": "2026-11-02 10:00:00+00:00"})
        conn.execute(text("INSERT INTO answers (id, participant_id, case_id, round, risk, motivation, language, submitted_at) "
                          "VALUES (1, 1, 'assi', 1, 'hog', 'x', 'sv', :t)"), {"t": "2026-11-02 10:05:00+00:00"})
    dispose_all()
    store = Store(url)
    assert current_revision(engine_for(url)) == "0005_programmes"
    programme, _ = store.create_programme("Efter uppgradering", STEPS, starts_on=date(2026, 11, 2), criterion=CRITERION)
    trainee = store.participant_by_code("ABCD-EFGH-JKMN")
    store.join_programme(programme.id, trainee.id)
    assert store.answer_for(1, "assi").risk == "hog"
    assert store.programme_answers(programme.id) == {1: []}  # answered before joining
