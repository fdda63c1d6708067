"""The mapping of an answer (issue 16) in the store, identical on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from insight import load_answers
from store import AnswerIn, validate_answer
from store.db import engine_for

XSS = "=1+1 <img src=x onerror=alert(1)>"


def mapped_answer(library, **mapping) -> AnswerIn:
    case = library.get("assi")
    fid = case.factors.risk[0].id
    data = dict(
        case_id="assi", risk="hog", safety_scale=7,
        selections={"exposure.home": ["brister_i_omsorg"], "exposure.guardian": ["kriminalitet"],
                    "exposure.child": ["missbruk"], "intervention": ["strukturerat_program"],
                    "focus": ["kanslor_och_beteende"]},
        factors=[{"kind": "risk", "factor_id": fid, "severity": 3, "extent": 2}],
        goals=[{"goal": "Assi går i skolan"}], motivation="Skolan och missbruket väger tyngst.",
        mapping={"entries": [{"part": "complicating", "factor_id": fid}, {"part": "harm", "text": XSS},
                             {"part": "steps", "text": "Mamma ringer skolan på måndag"}],
                 "danger_statement": "Mamma är rädd att Assi blir skadad ute på kvällen.",
                 "safety_goal": "Mamma behöver se att Assi är hemma på kvällen.", "why_not_lower": "Mamma bryr sig.",
                 "one_step_up": "Assi går i skolan en vecka.", **mapping},
    )
    return validate_answer(data, case, library.variables)


def test_a_mapping_is_stored_read_back_and_exported(store, library):
    p = store.create_participant("Karta", self_paced=True)
    submitted = store.submit_answer(p.id, mapped_answer(library))
    answer = store.answer(submitted.answer_id)
    assert answer.mapping.danger_statement.startswith("Mamma är rädd")
    assert [(e.part, e.factor_id, e.text) for e in answer.mapping_entries] == [
        ("complicating", library.get("assi").factors.risk[0].id, None), ("harm", None, XSS),
        ("steps", None, "Mamma ringer skolan på måndag")]
    row = store.export_rows()[0]
    assert row["mapping.harm"] == XSS and row["mapping.complicating"].startswith("factor:")
    assert row["danger_statement"].startswith("Mamma") and row["scaling_one_step_up"] == "Assi går i skolan en vecka."
    raw = load_answers(store.url)
    assert raw["safety_scale"].tolist() == [7.0]


def test_an_answer_without_a_mapping_still_stores_and_exports(store, library):
    p = store.create_participant("Utan", self_paced=True)
    answer = mapped_answer(library).model_copy(update={"mapping": None})
    submitted = store.submit_answer(p.id, answer)
    assert store.answer(submitted.answer_id).mapping is None
    assert store.export_rows()[0]["danger_statement"] == ""


def test_the_database_refuses_an_entry_that_is_neither_factor_nor_text(store, library):
    p = store.create_participant("Kontroll", self_paced=True)
    submitted = store.submit_answer(p.id, mapped_answer(library))
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        with engine_for(store.url).begin() as conn:
            conn.execute(text("INSERT INTO answer_mapping_entries (answer_id, position, part, factor_id, text) "
                              "VALUES (:a, 9, 'harm', NULL, NULL)"), {"a": submitted.answer_id})
    with pytest.raises(IntegrityError):
        with engine_for(store.url).begin() as conn:
            conn.execute(text("INSERT INTO answer_mapping_entries (answer_id, position, part, factor_id, text) "
                              "VALUES (:a, 9, 'nowhere', NULL, 'x')"), {"a": submitted.answer_id})
