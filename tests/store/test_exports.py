"""One named policy per export (store.exports): the manager's export never carries a pseudonym
or free text, whatever the trainees typed; the operator's and the mentor's take their columns
from their policy. On a real SQLite file and a real PostgreSQL (tests/store/conftest.py)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from store import validate_answer
from store.exports import (
    ANSWER_RECORD,
    FREE_TEXT,
    IDENTIFYING,
    MANAGER_AGGREGATE,
    MENTOR_RECORD,
    POLICIES,
    ExportPolicy,
)

#: Typed into every free-text field (and the pseudonym): wherever it shows up, it was typed.
MARK = "Zqxw"


def typed_answer(library, risk: str = "hog"):
    """An answer of ``assi`` with the mark in every field a trainee types into."""
    case = library.get("assi")
    fid = case.factors.risk[0].id
    return validate_answer(dict(
        case_id="assi", risk=risk, safety_scale=6,
        risk_missing_info=f"{MARK} saknas" if risk == "inte_kant" else None,
        selections={"exposure.home": ["brister_i_omsorg"], "intervention": ["strukturerat_program"],
                    "focus": ["kanslor_och_beteende"]},
        factors=[{"kind": "risk", "factor_id": fid, "severity": 3, "extent": 2},
                 {"kind": "risk", "factor_id": "own:r1", "own_text": f"{MARK} egen", "severity": 2, "extent": 1}],
        goals=[{"goal": f"{MARK} mål", "baseline": f"{MARK} nu", "change": f"{MARK} ändring", "timeframe": f"{MARK} v"}],
        motivation=f"{MARK} motivering",
        mapping={"entries": [{"part": part, "text": f"{MARK} {part}"} for part in
                             ("harm", "complicating", "strengths", "safety", "goals", "steps")],
                 "danger_statement": f"{MARK} fara", "safety_goal": f"{MARK} mål", "why_not_lower": f"{MARK} lägre",
                 "one_step_up": f"{MARK} upp"},
    ), case, library.variables)


def _typed_store(store, library, people: int = 1):
    for i in range(people):
        p = store.create_participant(f"{MARK}-{i}", self_paced=True, team="Team Nord")
        store.submit_answer(p.id, typed_answer(library, "inte_kant" if i == 0 else "hog"))


def test_the_manager_policy_refuses_a_pseudonym_or_free_text():
    assert not set(MANAGER_AGGREGATE.columns) & (IDENTIFYING | FREE_TEXT)
    for column in sorted(IDENTIFYING | FREE_TEXT):
        with pytest.raises(ValueError, match="may not contain"):
            ExportPolicy("manager_aggregate", (*MANAGER_AGGREGATE.columns, column), MANAGER_AGGREGATE.forbidden)
    assert MANAGER_AGGREGATE.apply({**dict.fromkeys(MANAGER_AGGREGATE.columns, 1), "pseudonym": "Falk",
                                    "motivation": "x"}) == dict.fromkeys(MANAGER_AGGREGATE.columns, 1)


def test_every_exported_column_is_named_and_every_typed_one_is_classified(store, library):
    """A column added to the export record without a policy (or a free-text column not marked as
    such, which the manager's policy would then let through) fails here."""
    _typed_store(store, library)
    (row,) = store.export_rows()
    assert tuple(row) == ANSWER_RECORD.columns
    typed = {column for column, value in row.items() if MARK in str(value)}
    assert typed == (IDENTIFYING | FREE_TEXT), typed ^ (IDENTIFYING | FREE_TEXT)
    for policy in POLICIES:
        assert set(policy.columns) <= set(ANSWER_RECORD.columns) | set(MANAGER_AGGREGATE.columns)


def test_the_mentor_record_keeps_pseudonyms_and_words_but_not_the_answer_id(store, library):
    _typed_store(store, library)
    (row,) = store.export_rows()
    record = MENTOR_RECORD.apply(row)
    assert tuple(record) == MENTOR_RECORD.columns
    assert record["pseudonym"] == f"{MARK}-0" and record["motivation"] == f"{MARK} motivering"
    assert not {"answer_id", "team", "workshop", "case_id"} & set(record)


def test_the_manager_export_never_holds_a_pseudonym_or_free_text(store, library):
    from insight import Filters, load_answers, prepare
    from insight.report import Context, report_excel

    _typed_store(store, library, people=6)  # one team of six: above the minimum group, so rows are shown
    ctx = Context(prepare(load_answers(store.url), library), Filters(), library, "sv", 5, n_boot=20)
    wb = load_workbook(io.BytesIO(report_excel(ctx, store.url, sections=[])))
    raw = wb["Svar (kodade)"]
    assert tuple(c.value for c in raw[1]) == MANAGER_AGGREGATE.columns
    assert raw.max_row == 7  # the six answers are there
    cells = [str(c.value) for ws in wb.worksheets for r in ws.iter_rows() for c in r if c.value is not None]
    assert cells and not [c for c in cells if MARK in c]
