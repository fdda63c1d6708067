"""Risk levels: ids, their order, and conversion to level indices.

The risk question is ordinal with four levels (lowest first) plus
``inte_kant`` ("not known – cannot be assessed"), which is *missing data* for
every statistic and never a level. Level indices are ``0..3``; missing is
``nan``.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from pandas import NA

__all__ = [
    "RISK_LEVELS",
    "NOT_ASSESSABLE",
    "encode_risk",
    "level_id",
    "load_risk_levels",
]

RISK_LEVELS: tuple[str, ...] = ("ingen_lag", "nagot_forhojd", "hog", "mycket_hog")
NOT_ASSESSABLE = "inte_kant"

_INDEX = {lid: i for i, lid in enumerate(RISK_LEVELS)}


def as_array(data) -> np.ndarray:
    """``data`` as an ndarray without turning missing values into text.

    DataFrames/Series give ``to_numpy()`` (nullable dtypes give objects with
    ``pandas.NA``, handled downstream). A plain list mixing strings and
    ``nan`` would become a string array holding ``'nan'``; it is read as an
    object array instead.
    """
    if hasattr(data, "to_numpy"):
        return data.to_numpy()
    if isinstance(data, np.ndarray):
        return data
    arr = np.asarray(data)
    if arr.dtype.kind in "US":
        arr = np.asarray(data, dtype=object)
    return arr


def numeric_or_none(arr: np.ndarray) -> np.ndarray | None:
    """Float copy of an object array whose entries are all numbers or
    missing (``None``, ``nan``, ``pandas.NA`` → ``nan``); ``None`` if any
    entry is something else."""
    flat = arr.ravel()
    for v in flat:
        if v is None or v is NA:
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            return None
    return np.array([np.nan if v is None or v is NA else float(v) for v in flat], dtype=float).reshape(arr.shape)


def encode_risk(answers: Iterable, levels: Sequence[str] = RISK_LEVELS) -> np.ndarray:
    """Map risk answers to float level indices (``nan`` = missing).

    Accepts level ids (``"hog"``), level indices (``2``/``2.0``), ``None``,
    ``nan``, ``pandas.NA``, ``""`` and ``"inte_kant"`` (the last five become
    ``nan``). Works on any nesting that ``numpy`` can shape (1-D answers or a
    raters × cases table), on Series and on pandas nullable dtypes. Unknown
    ids or out-of-range indices raise ``ValueError``.
    """
    return encode_risk_counted(answers, levels)[0]


def encode_risk_counted(answers: Iterable, levels: Sequence[str] = RISK_LEVELS) -> tuple[np.ndarray, int, int]:
    """:func:`encode_risk` plus ``(n_not_assessable, n_answered)``: how many
    entries were ``inte_kant`` and how many were answered at all (level or
    ``inte_kant``; numbers count as answered)."""
    if hasattr(answers, "to_numpy"):
        arr = answers.to_numpy()
    elif isinstance(answers, np.ndarray):
        arr = answers
    else:
        arr = np.asarray(answers, dtype=object)
    if arr.dtype.kind in "iuf":
        out = arr.astype(float)
        bad = ~np.isnan(out) & ((out < 0) | (out > len(levels) - 1) | (out != np.round(out)))
        if bad.any():
            raise ValueError(f"risk level index out of range 0..{len(levels) - 1}: {out[bad][:3]}")
        return out, 0, int((~np.isnan(out)).sum())
    index = {lid: i for i, lid in enumerate(levels)}
    flat = pd.Series(arr.ravel(), dtype=object)
    # vectorised: level ids by a hash lookup, the rest (numbers, unknown ids) one by one
    out = flat.map(index).to_numpy(dtype=float)
    unanswered = flat.isna().to_numpy() | (flat == "").to_numpy()
    not_assessable = (flat == NOT_ASSESSABLE).to_numpy()
    for i in np.flatnonzero(np.isnan(out) & ~unanswered & ~not_assessable):
        a = flat.iat[i]
        if isinstance(a, str):
            hint = (" ('nan' is what numpy makes of a missing value in a string array: pass a list, "
                    "an object array or None for a missing answer)") if a == "nan" else ""
            raise ValueError(f"unknown risk level id {a!r}; expected one of {tuple(levels)} or "
                             f"{NOT_ASSESSABLE!r}{hint}")
        v = float(a)
        if v != round(v) or not 0 <= v <= len(levels) - 1:
            raise ValueError(f"risk level index out of range 0..{len(levels) - 1}: {a!r}")
        out[i] = v
    n_na = int(not_assessable.sum())
    return out.reshape(arr.shape), n_na, int((~unanswered).sum())


def level_id(index: float, levels: Sequence[str] = RISK_LEVELS) -> str | None:
    """Level id for an integral index; ``None`` for ``nan``."""
    if index is None or math.isnan(index):
        return None
    return levels[int(index)]


def load_risk_levels(path: str | Path | None = None) -> tuple[tuple[str, ...], str]:
    """Read ``(levels, not_assessable_id)`` from ``cases/variables.yaml``.

    ``RISK_LEVELS``/``NOT_ASSESSABLE`` are the shipped defaults; use this when a
    municipality has edited the file. Needs PyYAML (a runtime dependency).
    """
    import yaml  # local import: only this helper touches files

    if path is None:  # the shipped file, wherever the cases package is installed (found, not imported)
        path = Path(importlib.util.find_spec("cases").origin).parent / "variables.yaml"
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    risk = data["risk"]
    return tuple(str(lv["id"]) for lv in risk["levels"]), str(risk["not_assessable"]["id"])
