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


def _is_missing(a) -> bool:
    if a is None:
        return True
    if isinstance(a, float) and math.isnan(a):
        return True
    return isinstance(a, str) and a in ("", NOT_ASSESSABLE)


def numeric_or_none(arr: np.ndarray) -> np.ndarray | None:
    """Float copy of an object array whose entries are all numbers or
    ``None`` (``None`` → ``nan``); ``None`` if any entry is something else."""
    flat = arr.ravel()
    for v in flat:
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            return None
    return np.array([np.nan if v is None else float(v) for v in flat], dtype=float).reshape(arr.shape)


def encode_risk(answers: Iterable, levels: Sequence[str] = RISK_LEVELS) -> np.ndarray:
    """Map risk answers to float level indices (``nan`` = missing).

    Accepts level ids (``"hog"``), level indices (``2``/``2.0``), ``None``,
    ``nan``, ``""`` and ``"inte_kant"`` (the last four become ``nan``).
    Works on any nesting that ``numpy`` can shape (1-D answers or a raters ×
    cases table). Unknown ids or out-of-range indices raise ``ValueError``.
    """
    arr = np.asarray(answers, dtype=object) if not isinstance(answers, np.ndarray) else answers
    if arr.dtype.kind in "iuf":
        out = arr.astype(float)
        bad = ~np.isnan(out) & ((out < 0) | (out > len(levels) - 1) | (out != np.round(out)))
        if bad.any():
            raise ValueError(f"risk level index out of range 0..{len(levels) - 1}: {out[bad][:3]}")
        return out
    index = {lid: i for i, lid in enumerate(levels)}
    flat = arr.ravel()
    out = np.empty(flat.shape, dtype=float)
    for i, a in enumerate(flat):
        if _is_missing(a):
            out[i] = np.nan
        elif isinstance(a, str):
            try:
                out[i] = index[a]
            except KeyError:
                raise ValueError(f"unknown risk level id {a!r}; expected one of {tuple(levels)} or {NOT_ASSESSABLE!r}") from None
        else:
            v = float(a)
            if math.isnan(v):
                out[i] = np.nan
            elif v != round(v) or not 0 <= v <= len(levels) - 1:
                raise ValueError(f"risk level index out of range 0..{len(levels) - 1}: {a!r}")
            else:
                out[i] = v
    return out.reshape(arr.shape)


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
