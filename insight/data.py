"""Answers out of the store, one query per need, into pandas.

``load_answers`` is the only read the dashboard makes: answers joined with
their participant's team and experience band and the number of exposures the
answer identified (counted in the database, not row by row in Python). It uses
SQLAlchemy Core on the tables, so it runs unchanged on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import String, and_, func, not_, select, type_coerce

from store.db import engine_for, ensure_schema
from store.models import Answer, AnswerSelection, Participant, Workshop

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from cases import Library

EXPOSURE_VARIABLES = ("exposure.home", "exposure.guardian", "exposure.child")
#: Options that say "no exposure here" or "we don't know" — not an exposure.
NON_EXPOSURES = ("ingen_utsatthet", "inga_svarigheter", "ingen_svarighet", "information_saknas")

COLUMNS = ["answer_id", "participant_id", "team", "experience", "case_id", "round", "risk", "submitted_at",
           "language", "workshop_id", "n_exposures", "safety_scale"]


def _exposure_counts():
    sel = AnswerSelection.__table__
    return (
        select(sel.c.answer_id, func.count().label("n_exposures"))
        .where(and_(sel.c.variable.in_(EXPOSURE_VARIABLES), not_(sel.c.option_id.in_(NON_EXPOSURES))))
        .group_by(sel.c.answer_id)
        .subquery("exposures")
    )


def answers_query():
    a, p = Answer.__table__, Participant.__table__
    e = _exposure_counts()
    return (
        select(a.c.id.label("answer_id"), a.c.participant_id, p.c.team, p.c.experience, a.c.case_id, a.c.round,
               # as text: pandas parses the column at once instead of SQLAlchemy row by row (SQLite)
               a.c.risk, type_coerce(a.c.submitted_at, String).label("submitted_at"), a.c.language, a.c.workshop_id,
               func.coalesce(e.c.n_exposures, 0).label("n_exposures"), a.c.safety_scale)
        .select_from(a.join(p, p.c.id == a.c.participant_id).outerjoin(e, e.c.answer_id == a.c.id))
        .order_by(a.c.id)
    )


def load_answers(url: str) -> "pd.DataFrame":
    """Every answer as one row (see ``COLUMNS``), with one SQL query."""
    import pandas as pd

    ensure_schema(url)
    with engine_for(url).connect() as conn:
        result = conn.execute(answers_query())
        df = pd.DataFrame(result.fetchall(), columns=COLUMNS)
    df["submitted_at"] = pd.to_datetime(df["submitted_at"], utc=True, format="ISO8601")
    df["team"] = df["team"].fillna("").astype(str)
    df["experience"] = df["experience"].fillna("").astype(str)
    df["n_exposures"] = df["n_exposures"].astype(int)
    df["safety_scale"] = pd.to_numeric(df["safety_scale"], errors="coerce").astype(float)  # nan: no scale given
    return df


def prepare(raw: "pd.DataFrame", library: "Library") -> "pd.DataFrame":
    """Add what every view needs: level index, "inte känt", tertial, key and panel.

    ``level`` is the index of the answer in the library's risk levels
    (``variables.yaml``, lowest first; ``nan`` for "inte känt"), ``key_level`` the case key's
    level, ``panel_median`` the median level of the published panel (``nan``
    for cases without one). Answers to cases no longer in the library keep
    their level but have no key.
    """
    import numpy as np

    from insight.periods import tertial_series
    from scoring import NOT_ASSESSABLE, encode_risk, median_level

    levels = library.variables.risk_level_ids
    df = raw.copy()
    df["level"] = encode_risk(df["risk"].to_numpy(), levels) if len(df) else np.array([], float)
    df["not_known"] = df["risk"] == NOT_ASSESSABLE
    df["tertial"] = tertial_series(df["submitted_at"]) if len(df) else df["submitted_at"].astype(str)
    keys, panels = {}, {}
    for case in library.cases.values():
        if case.key is not None:
            keys[case.id] = float(encode_risk([case.key.risk], levels)[0])
        panel = library.panels.for_case(case.id) if library.panels else None
        if panel is not None:
            counts = [panel.risk.get(lv, 0) for lv in library.variables.risk_level_ids]
            panels[case.id] = median_level(counts)
    df["key_level"] = df["case_id"].map(keys).astype(float)
    df["panel_median"] = df["case_id"].map(panels).astype(float)
    return df


def load_export_rows(url: str, answer_ids=None) -> "pd.DataFrame":
    """Pseudonymous raw answers for the Excel export, one query.

    One row per answer: a participant code (``P`` + the store's number — the
    self-chosen pseudonym is left out, since people may type their name),
    team, experience band, workshop, case, round, risk, language, date and the
    exposures (joined by ``;``). Free text (motivation, goals, reflections)
    is never exported here.
    """
    import pandas as pd

    a, p, w = Answer.__table__, Participant.__table__, Workshop.__table__
    sel = AnswerSelection.__table__
    exposures = (
        select(sel.c.answer_id,
               func.aggregate_strings(sel.c.variable + ":" + sel.c.option_id, ";").label("exposures"))
        .where(sel.c.variable.in_(EXPOSURE_VARIABLES))
        .group_by(sel.c.answer_id)
        .subquery("exp")
    )
    q = (
        select(a.c.id, a.c.participant_id, p.c.team, p.c.experience, w.c.name, a.c.case_id, a.c.round, a.c.risk,
               a.c.language, a.c.submitted_at, exposures.c.exposures)
        .select_from(a.join(p, p.c.id == a.c.participant_id).outerjoin(w, w.c.id == a.c.workshop_id)
                     .outerjoin(exposures, exposures.c.answer_id == a.c.id))
        .order_by(a.c.id)
    )
    ensure_schema(url)
    with engine_for(url).connect() as conn:
        rows = conn.execute(q).fetchall()
    df = pd.DataFrame(rows, columns=["answer_id", "participant_id", "team", "experience", "workshop", "case_id",
                                     "round", "risk", "language", "submitted_at", "exposures"])
    if answer_ids is not None:
        df = df[df["answer_id"].isin(set(answer_ids))]
    df["participant"] = "P" + df["participant_id"].astype(int).astype(str).str.zfill(5)
    df["submitted_at"] = pd.to_datetime(df["submitted_at"], utc=True)
    return df.drop(columns=["participant_id"])
