"""Answers out of the store, one query per need, into pandas.

``load_answers`` is the only read the dashboard makes: answers joined with
their participant's team and experience band and the number of exposures the
answer identified (counted in the database, not row by row in Python). The query
is the store's (``store.analytics``, through ``Store``): this module only shapes the rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cases import load_variables
from cases.variables import EXPOSURE_VARIABLES
from store import Store

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from cases import Library, Variables

__all__ = ["EXPOSURE_VARIABLES", "load_answers", "load_export_rows", "prepare"]


def load_answers(url: str, variables: "Variables | None" = None) -> "pd.DataFrame":
    """Every answer as one row, with one SQL query (``Store.answer_table``, which names the columns).
    ``n_exposures`` leaves out the options that say "no exposure" or "not known" (each exposure
    group's exclusive options in ``variables``; by default the configured variables)."""
    import pandas as pd

    if variables is None:
        variables = load_variables()
    table = Store(url).answer_table(variables.non_exposure_ids)
    df = pd.DataFrame(table.rows, columns=list(table.columns))
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
    """Pseudonymous raw answers for the Excel export, one query (``Store.manager_export_table``).

    One row per answer: a participant code (``P`` + the store's number — the
    self-chosen pseudonym is left out, since people may type their name),
    team, experience band, workshop, case, round, risk, language, date and the
    exposures (joined by ``;``). Free text (motivation, goals, reflections)
    is never exported here; the columns the sheet shows are ``store.exports.MANAGER_AGGREGATE``.
    """
    import pandas as pd

    table = Store(url).manager_export_table()
    df = pd.DataFrame(table.rows, columns=list(table.columns))
    if answer_ids is not None:
        df = df[df["answer_id"].isin(set(answer_ids))]
    df["participant"] = "P" + df["participant_id"].astype(int).astype(str).str.zfill(5)
    df["submitted_at"] = pd.to_datetime(df["submitted_at"], utc=True)
    return df.drop(columns=["participant_id"])
