"""The manager's reads and the demo's bulk writes: many rows at once, in SQLAlchemy Core.

Used only through ``Store`` (``Store.answer_table``, ``Store.manager_export_table``,
``Store.insert_bulk``): the one door to the database. Each read is one SQL query that
runs unchanged on SQLite and PostgreSQL and returns plain rows; ``insight`` turns them
into pandas frames. What the manager's export may contain is ``store.exports.MANAGER_AGGREGATE``.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, NamedTuple, Sequence

from sqlalchemy import String, and_, func, not_, select, type_coerce
from sqlalchemy.engine import Engine

from cases.variables import EXPOSURE_VARIABLES
from store.models import Answer, AnswerSelection, Participant, Workshop

#: The columns of ``answer_table``, in order.
ANSWER_COLUMNS = ("answer_id", "participant_id", "team", "experience", "case_id", "round", "risk", "submitted_at",
                  "language", "workshop_id", "n_exposures", "safety_scale")
#: The columns of ``manager_export_table``, in order (``participant_id`` becomes a code in ``insight``).
EXPORT_COLUMNS = ("answer_id", "participant_id", "team", "experience", "workshop", "case_id", "round", "risk",
                  "language", "submitted_at", "exposures")


class Table(NamedTuple):
    """Rows of one query and the names of their columns (for ``pandas.DataFrame(rows, columns=...)``)."""

    columns: tuple[str, ...]
    rows: list[tuple]


#: The tables ``insert_bulk`` fills, in the order their foreign keys need.
BULK_TABLES = ("workshops", "participants", "answers", "selections")
_TABLES = {"workshops": Workshop.__table__, "participants": Participant.__table__, "answers": Answer.__table__,
           "selections": AnswerSelection.__table__}


def _exposure_counts(non_exposures: Sequence[str]):
    sel = AnswerSelection.__table__
    return (
        select(sel.c.answer_id, func.count().label("n_exposures"))
        .where(and_(sel.c.variable.in_(EXPOSURE_VARIABLES), not_(sel.c.option_id.in_(list(non_exposures)))))
        .group_by(sel.c.answer_id)
        .subquery("exposures")
    )


def answers_query(non_exposures: Sequence[str]):
    """Every answer with its participant's team and experience band and the number of exposures
    it identified (options in ``non_exposures`` — "no exposure", "not known" — are not counted)."""
    a, p = Answer.__table__, Participant.__table__
    e = _exposure_counts(non_exposures)
    return (
        select(a.c.id.label("answer_id"), a.c.participant_id, p.c.team, p.c.experience, a.c.case_id, a.c.round,
               # as text: pandas parses the column at once instead of SQLAlchemy row by row (SQLite)
               a.c.risk, type_coerce(a.c.submitted_at, String).label("submitted_at"), a.c.language, a.c.workshop_id,
               func.coalesce(e.c.n_exposures, 0).label("n_exposures"), a.c.safety_scale)
        .select_from(a.join(p, p.c.id == a.c.participant_id).outerjoin(e, e.c.answer_id == a.c.id))
        .order_by(a.c.id)
    )


def answer_table(engine: Engine, non_exposures: Sequence[str]) -> Table:
    with engine.connect() as conn:
        return Table(ANSWER_COLUMNS, list(conn.execute(answers_query(non_exposures)).fetchall()))


def export_query():
    """One row per answer for the manager's raw sheet: no pseudonym and no free text."""
    a, p, w = Answer.__table__, Participant.__table__, Workshop.__table__
    sel = AnswerSelection.__table__
    exposures = (
        select(sel.c.answer_id,
               func.aggregate_strings(sel.c.variable + ":" + sel.c.option_id, ";").label("exposures"))
        .where(sel.c.variable.in_(EXPOSURE_VARIABLES))
        .group_by(sel.c.answer_id)
        .subquery("exp")
    )
    return (
        select(a.c.id, a.c.participant_id, p.c.team, p.c.experience, w.c.name, a.c.case_id, a.c.round, a.c.risk,
               a.c.language, a.c.submitted_at, exposures.c.exposures)
        .select_from(a.join(p, p.c.id == a.c.participant_id).outerjoin(w, w.c.id == a.c.workshop_id)
                     .outerjoin(exposures, exposures.c.answer_id == a.c.id))
        .order_by(a.c.id)
    )


def manager_export_table(engine: Engine) -> Table:
    with engine.connect() as conn:
        return Table(EXPORT_COLUMNS, list(conn.execute(export_query()).fetchall()))


def next_ids(conn) -> tuple[int, int, int]:
    """The first free (workshop, participant, answer) ids."""
    return tuple(int(conn.execute(select(func.coalesce(func.max(t.c.id), 0))).scalar()) + 1
                 for t in (Workshop.__table__, Participant.__table__, Answer.__table__))  # type: ignore[return-value]


Rows = Callable[[], Iterable[dict[str, Any]]]


def insert_bulk(engine: Engine, build: Callable[[tuple[int, int, int]], Mapping[str, Rows]],
                *, chunk: int = 20_000) -> None:
    """Rows built from the first free ids, inserted in one transaction, ``chunk`` rows a statement.
    ``build(first_ids)`` returns, under the names of ``BULK_TABLES``, a function that makes each
    table's row dicts (called when that table is inserted: one table's rows in memory at a time)."""
    with engine.begin() as conn:
        tables = build(next_ids(conn))
        unknown = set(tables) - set(BULK_TABLES)
        if unknown:
            raise KeyError(f"no bulk insert into {', '.join(sorted(unknown))} (tables: {', '.join(BULK_TABLES)})")
        for name in BULK_TABLES:
            rows = list(tables[name]()) if name in tables else []
            for i in range(0, len(rows), chunk):
                conn.execute(_TABLES[name].insert(), rows[i:i + chunk])
