"""Store behaviour, identical on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import inspect, text

from store import AnswerIn, AnswerInvalid, validate_answer
from store.db import current_revision, engine_for
from store.migrations import HEAD


def full_answer(case_id: str = "assi", round: int = 1) -> AnswerIn:
    return AnswerIn(
        case_id=case_id,
        round=round,
        risk="mycket_hog",
        safety_scale=2,
        selections={
            "exposure.home": ["brister_i_omsorg"],
            "exposure.guardian": ["kriminalitet"],
            "exposure.child": ["missbruk", "normbrytande", "skolrelaterad"],
            "intervention": ["strukturerat_program", "kvalificerad_kontaktperson"],
            "focus": ["kanslor_och_beteende", "stimulans_och_vagledning"],
        },
        factors=[
            {"kind": "risk", "factor_id": "own:1", "own_text": "Äldre kamrater <b>kriminella</b>", "severity": 4, "extent": 3},
            {"kind": "protective", "factor_id": "own:2", "own_text": "Kärleksfulla föräldrar", "extent": 3, "function": 1},
        ],
        goals=[{"goal": "Assi går i skolan", "baseline": "38 % närvaro i dag", "change": "minst 80 % närvaro", "timeframe": "inom 3 månader"}],
        motivation="Omfattande eget riskbeteende; föräldrarna når inte fram.",
        language="sv",
    )


def test_migrated_to_head(store, database_url):
    engine = engine_for(database_url)
    assert current_revision(engine) == HEAD
    tables = set(inspect(engine).get_table_names())
    assert {"workshops", "workshop_cases", "participants", "answers", "answer_selections",
            "answer_factors", "answer_goals", "drafts", "reflections"} <= tables


def test_sqlite_runs_in_wal_mode_with_busy_timeout(tmp_path):
    from store import Store

    url = f"sqlite:///{tmp_path / 'wal.sqlite3'}"
    Store(url)
    with engine_for(url).connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_answer_round_trips_every_variable(store):
    p = store.create_participant("Falk", self_paced=True)
    submitted = store.submit_answer(p.id, full_answer())
    assert submitted.created
    a = store.answer(submitted.answer_id)
    assert (a.case_id, a.round, a.risk, a.safety_scale) == ("assi", 1, "mycket_hog", 2)
    chosen = {(s.variable, s.option_id) for s in a.selections}
    assert ("exposure.child", "normbrytande") in chosen and ("focus", "stimulans_och_vagledning") in chosen
    assert len(chosen) == 9
    assert [(f.kind, f.factor_id, f.severity, f.extent, f.function) for f in a.factors] == [
        ("risk", "own:1", 4, 3, None), ("protective", "own:2", None, 3, 1)]
    assert a.factors[0].own_text == "Äldre kamrater <b>kriminella</b>"  # stored verbatim, escaped only when shown
    assert a.goals[0].baseline == "38 % närvaro i dag"
    assert a.motivation.startswith("Omfattande")


def test_double_submit_stores_one_answer(store):
    p = store.create_participant("Tärna", self_paced=True)
    first = store.submit_answer(p.id, full_answer())
    second = store.submit_answer(p.id, full_answer())
    assert first.created and not second.created
    assert first.answer_id == second.answer_id
    assert store.count_answers("assi") == 1


def test_concurrent_double_submit_stores_one_answer(store):
    p = store.create_participant("Lo", self_paced=True)
    results = []
    barrier = threading.Barrier(4)

    def submit():
        barrier.wait()
        results.append(store.submit_answer(p.id, full_answer()))

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4
    assert len({r.answer_id for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert store.count_answers("assi") == 1


def test_a_new_round_is_a_new_answer(store):
    p = store.create_participant("Ek", self_paced=True)
    store.submit_answer(p.id, full_answer(round=1))
    store.submit_answer(p.id, full_answer(round=2))
    assert [a.round for a in store.answers(participant_id=p.id)] == [1, 2]


def test_draft_is_replaced_then_cleared_by_submit(store):
    p = store.create_participant("Asp", self_paced=True)
    assert store.load_draft(p.id, "assi") is None
    store.save_draft(p.id, "assi", {"risk": "hog", "motivation": "halvfärdig"})
    store.save_draft(p.id, "assi", {"risk": "mycket_hog", "motivation": "nästan klar"})
    assert store.load_draft(p.id, "assi") == {"risk": "mycket_hog", "motivation": "nästan klar"}
    store.submit_answer(p.id, full_answer())
    assert store.load_draft(p.id, "assi") is None


def test_draft_survives_a_new_connection(store, database_url):
    from store import Store
    from store.db import dispose_all

    p = store.create_participant("Björk", self_paced=True)
    store.save_draft(p.id, "max", {"step": 3, "risk": "hog"})
    dispose_all()  # as after a kernel restart
    assert Store(database_url).load_draft(p.id, "max") == {"step": 3, "risk": "hog"}


def test_personal_code_finds_the_participant(store):
    p = store.create_participant("Hassel", self_paced=True)
    assert len(p.personal_code) == 14  # XXXX-XXXX-XXXX: 12 characters of 31 (README, "Security")
    assert store.participant_by_code(p.personal_code.lower().replace("-", "")).id == p.id
    assert store.participant_by_code("NOPE-NOPE-NOPE") is None


def test_pseudonyms_are_unique_within_a_workshop(store):
    from sqlalchemy.exc import IntegrityError

    workshop, _secret = store.create_workshop("Kalibrering", ["assi", "max"])
    store.create_participant("Rönn", workshop_id=workshop.id)
    with pytest.raises(IntegrityError):
        store.create_participant("Rönn", workshop_id=workshop.id)


def test_workshop_secret_is_stored_hashed_and_checked(store, database_url):
    workshop, secret = store.create_workshop("Workshop <script>alert(1)</script>", ["jamila"])
    assert store.facilitator_allowed(workshop.id, secret)
    assert not store.facilitator_allowed(workshop.id, secret + "x")
    assert not store.facilitator_allowed(workshop.id, "")
    with engine_for(database_url).connect() as conn:
        stored = conn.execute(text("SELECT facilitator_secret_hash FROM workshops")).scalar()
    assert secret not in stored
    assert store.workshop_by_code(workshop.join_code.lower()).id == workshop.id


def test_reflection_is_stored_with_the_answer(store):
    p = store.create_participant("Alm", self_paced=True)
    answer_id = store.submit_answer(p.id, full_answer()).answer_id
    store.save_reflection(answer_id, "relative_assessment", "Första tanken.")
    store.save_reflection(answer_id, "relative_assessment", "Jag jämförde med ett tyngre ärende.")
    assert [(r.prompt_id, r.text) for r in store.answer(answer_id).reflections] == [
        ("relative_assessment", "Jag jämförde med ett tyngre ärende.")]


def test_sql_metacharacters_are_harmless(store):
    nasty = "Robert'); DROP TABLE answers;--"
    p = store.create_participant(nasty, self_paced=True)
    answer = full_answer()
    answer.motivation = nasty
    store.submit_answer(p.id, answer)
    assert store.participant(p.id).pseudonym == nasty
    assert store.count_answers() == 1


def test_export_rows_are_pseudonymous(store):
    p = store.create_participant("Sälg", self_paced=True, team="Team Nord")
    store.submit_answer(p.id, full_answer())
    (row,) = store.export_rows()
    assert row["pseudonym"] == "Sälg" and row["team"] == "Team Nord"
    assert row["exposure.child"] == "missbruk;normbrytande;skolrelaterad"
    assert "personal_code" not in row and p.personal_code not in str(row)


def test_validate_answer_accepts_a_real_case(library):
    case = library.get("assi")
    risk_factor = case.factors.risk[0].id
    data = full_answer().model_dump()
    data["factors"].append({"kind": "risk", "factor_id": risk_factor, "severity": 3, "extent": 2})
    assert validate_answer(data, case, library.variables).factors[-1].factor_id == risk_factor


@pytest.mark.parametrize(
    "change, field",
    [
        ({"risk": "extremt_hog"}, "risk"),
        ({"selections": {"exposure.home": ["ingen_utsatthet", "fysiskt_vald"]}}, "selections.exposure.home"),
        ({"selections": {"intervention": ["fangelse"]}}, "selections.intervention"),
        ({"selections": {"focus": ["halsa", "halsa"]}}, "selections.focus"),
        ({"selections": {"shoe_size": ["42"]}}, "selections.shoe_size"),
        ({"safety_scale": 11}, "safety_scale"),
        ({"motivation": "x" * 5000}, "motivation"),
        ({"factors": [{"kind": "risk", "factor_id": "not-in-this-case", "severity": 2, "extent": 2}]}, "factors[0]"),
        ({"factors": [{"kind": "protective", "factor_id": "own:1", "own_text": "", "function": 2}]}, "factors.0"),
        ({"factors": [{"kind": "risk", "factor_id": "own:1", "own_text": "x", "severity": 9}]}, "factors.0.severity"),
        ({"risk": "hog", "risk_missing_info": "vet inte"}, "risk_missing_info"),
        ({"case_id": "max"}, "case_id"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_validate_answer_refuses_bad_values(library, change, field):
    data = full_answer().model_dump()
    data.update(change)
    with pytest.raises(AnswerInvalid) as info:
        validate_answer(data, library.get("assi"), library.variables)
    assert any(f == field for f, _problem in info.value.problems), info.value.problems


def test_risk_ratings_reads_only_the_ratings_per_case(store):
    p = store.create_participant("Gran", self_paced=True)
    q = store.create_participant("Tall", self_paced=True)
    a1 = store.submit_answer(p.id, full_answer("assi")).answer_id
    a2 = store.submit_answer(q.id, full_answer("assi")).answer_id
    store.submit_answer(q.id, full_answer("assi", round=2))
    assert store.risk_ratings(["assi", "max"]) == {"assi": [(a1, "mycket_hog"), (a2, "mycket_hog")], "max": []}
    assert store.risk_ratings([]) == {}
    assert [a.id for a in store.answers(case_id="assi", round=1, self_paced_only=True)] == [a1, a2]
