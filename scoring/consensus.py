"""One case at a time: ordinal consensus, mode share, median, distances.

Alpha and kappa compare cases; a trainee sees one case. These statistics
describe the spread of answers *within* one case. They work on a count vector
over the ordered risk levels (``ingen_lag, nagot_forhojd, hog, mycket_hog``);
``inte_kant`` is missing and is reported separately.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._result import Stat, nan_stat
from .levels import NOT_ASSESSABLE, RISK_LEVELS, encode_risk, level_id

__all__ = [
    "consensus",
    "consensus_table",
    "mode_share",
    "median_level",
    "level_counts",
    "distance_from_median",
    "distance_from_key",
    "leave_one_out_medians",
    "risk_summary",
    "RiskSummary",
]

_NONE = "no assessable answers (all missing or inte_kant)"
_ONE = "only one assessable answer; agreement needs at least two raters"


def _counts(counts) -> np.ndarray:
    c = np.asarray(counts, dtype=float)
    if c.ndim != 1:
        raise ValueError("counts must be 1-D (one count per ordered level)")
    if (c < 0).any():
        raise ValueError("counts must be non-negative")
    return c


def level_counts(levels, n_levels: int = len(RISK_LEVELS)) -> np.ndarray:
    """Count vector over ``0..n_levels-1`` from level indices/ids (missing ignored)."""
    x = encode_risk(levels) if n_levels == len(RISK_LEVELS) else np.asarray(levels, dtype=float)
    x = x[~np.isnan(x)].astype(np.intp)
    return np.bincount(x, minlength=n_levels)


def _consensus_values(c: np.ndarray) -> np.ndarray:
    """Vectorised Tastle–Wierman consensus for rows of c (cases × K)."""
    K = c.shape[-1]
    n = c.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = c / n
        x = np.arange(1, K + 1, dtype=float)
        mu = (p * x).sum(axis=-1, keepdims=True)
        width = K - 1.0
        term = np.where(p > 0, p * np.log2(np.where(p > 0, 1.0 - np.abs(x - mu) / width, 1.0)), 0.0)
    return 1.0 + term.sum(axis=-1)


def consensus(counts) -> Stat:
    """Tastle & Wierman (2007) ordinal consensus of one case.

    ``Cns = 1 + Σ_i p_i log2(1 − |X_i − μ| / d)`` with ``X_i = 1..K`` the
    ordered levels, ``p_i`` the share answering level ``i``, ``μ = Σ p_i X_i``
    and ``d = K − 1`` the width of the scale. 1 = everyone gave the same
    level; 0 = answers split evenly between the two extremes. Unlike alpha or
    kappa it is defined for one case. ``Stat.n`` = assessable answers; ``nan``
    for fewer than two.
    """
    c = _counts(counts)
    if len(c) < 2:
        raise ValueError("need at least two ordered levels")
    n = int(c.sum())
    if n == 0:
        return nan_stat(_NONE, 0)
    if n == 1:
        return nan_stat(_ONE, 1)
    return Stat(float(_consensus_values(c[None, :])[0]), None, n)


def consensus_table(counts) -> pd.DataFrame:
    """:func:`consensus` for many cases at once: rows of ``counts`` are cases.

    Returns a DataFrame with columns ``consensus``, ``mode_share``,
    ``median``, ``n`` and ``reason`` (``None`` where defined), indexed like
    ``counts`` (if it is a DataFrame) or ``0..N-1``.
    """
    index = counts.index if isinstance(counts, pd.DataFrame) else None
    c = np.asarray(counts, dtype=float)
    if c.ndim != 2:
        raise ValueError("counts must be 2-D (cases × ordered levels)")
    n = c.sum(axis=1)
    cns = _consensus_values(c)
    cns[n < 2] = np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        mode = np.where(n > 0, c.max(axis=1) / np.where(n > 0, n, 1), np.nan)
    med = np.array([_median(row) for row in c])
    reason = np.where(n == 0, _NONE, np.where(n == 1, _ONE, None))
    return pd.DataFrame(
        {"consensus": cns, "mode_share": mode, "median": med, "n": n.astype(int), "reason": reason}, index=index
    )


def mode_share(counts) -> Stat:
    """Share of assessable answers at the most common level (ties: that share).

    ``Stat.n`` = assessable answers; ``nan`` when there are none.
    """
    c = _counts(counts)
    n = int(c.sum())
    if n == 0:
        return nan_stat(_NONE, 0)
    return Stat(float(c.max() / n), None, n)


def _median(c: np.ndarray) -> float:
    n = c.sum()
    if n == 0:
        return np.nan
    cum = np.cumsum(c)
    lo = int(np.searchsorted(cum, (n + 1) // 2 if n % 2 else n / 2, side="left"))
    hi = int(np.searchsorted(cum, (n + 1) // 2 if n % 2 else n / 2 + 1, side="left"))
    return (lo + hi) / 2.0


def median_level(counts) -> float:
    """Median level index of a count vector; ``x.5`` when the two middle
    answers differ (even n); ``nan`` when there are no answers."""
    return _median(_counts(counts))


def leave_one_out_medians(counts) -> np.ndarray:
    """For each level ``k``: the median of the *other* answers of a rater who
    answered ``k`` (one answer at ``k`` removed from the count vector);
    ``nan`` for levels nobody chose and when nobody else answered."""
    c = np.asarray(counts, dtype=float)
    K = len(c)
    out = np.full(K, np.nan)
    for k in range(K):
        if c[k] > 0:
            cc = c.copy()
            cc[k] -= 1
            out[k] = _median(cc)
    return out


def distance_from_median(levels, leave_one_out: bool = False) -> np.ndarray:
    """Each rater's signed distance in steps from the group median.

    ``levels``: answers of one case (ids or indices; missing → ``nan`` in the
    result). Positive = the rater rated higher than the group. With
    ``leave_one_out=True`` each rater is compared with the median of the
    *other* raters (``nan`` if nobody else answered).
    """
    x = encode_risk(levels)
    ok = ~np.isnan(x)
    out = np.full(x.shape, np.nan)
    c = np.bincount(x[ok].astype(np.intp), minlength=len(RISK_LEVELS)).astype(float)
    if leave_one_out:
        med = leave_one_out_medians(c)
        out[ok] = x[ok] - med[x[ok].astype(np.intp)]
    else:
        out[ok] = x[ok] - _median(c)
    return out


def distance_from_key(levels, key) -> np.ndarray:
    """Each rater's signed distance in steps from the key (``nan`` where the
    rater's answer or the key is missing)."""
    x = encode_risk(levels)
    k = encode_risk([key])[0]
    return x - k


@dataclass(frozen=True)
class RiskSummary:
    """Per-case summary of risk answers, ready for the feedback view.

    ``counts`` maps each level id (in order) to its count; ``n`` is the
    number of assessable answers; ``n_not_assessable`` the ``inte_kant``
    answers; ``n_unanswered`` the ``None``/``nan`` entries. ``median`` is a
    level index (``x.5`` between levels) and ``median_levels`` its level
    id(s). ``distance_from_median``/``distance_from_key`` have one entry per
    answer (``nan`` for missing ones).
    """

    counts: dict[str, int]
    n: int
    n_not_assessable: int
    n_unanswered: int
    consensus: Stat
    mode_share: Stat
    modes: tuple[str, ...]
    median: float
    median_levels: tuple[str, ...]
    key: str | None
    key_share: Stat
    distance_from_median: np.ndarray = field(repr=False)
    distance_from_key: np.ndarray = field(repr=False)

    def to_dict(self) -> dict:
        """JSON-friendly dict (floats; ``None`` for nan)."""

        def f(v):
            return None if v is None or (isinstance(v, float) and np.isnan(v)) else v

        def st(s: Stat):
            return {"value": f(s.value), "reason": s.reason, "n": s.n}

        return {
            "counts": dict(self.counts),
            "n": self.n,
            "n_not_assessable": self.n_not_assessable,
            "n_unanswered": self.n_unanswered,
            "consensus": st(self.consensus),
            "mode_share": st(self.mode_share),
            "modes": list(self.modes),
            "median": f(self.median),
            "median_levels": list(self.median_levels),
            "key": self.key,
            "key_share": st(self.key_share),
            "distance_from_median": [f(float(v)) for v in self.distance_from_median],
            "distance_from_key": [f(float(v)) for v in self.distance_from_key],
        }


def risk_summary(answers: Sequence, key: str | None = None, leave_one_out: bool = False) -> RiskSummary:
    """Summarise one case's risk answers (level ids; ``inte_kant`` = missing).

    ``key`` is the reference answer (panel or mentor key), or ``None``.
    ``key_share`` is the share of assessable answers equal to the key.
    """
    answers = list(answers)
    x = encode_risk(answers)
    ok = ~np.isnan(x)
    n_na = sum(1 for a in answers if isinstance(a, str) and a == NOT_ASSESSABLE)
    c = np.bincount(x[ok].astype(np.intp), minlength=len(RISK_LEVELS))
    n = int(c.sum())
    med = _median(c.astype(float))
    if np.isnan(med):
        med_levels: tuple[str, ...] = ()
    else:
        med_levels = tuple(dict.fromkeys((RISK_LEVELS[int(np.floor(med))], RISK_LEVELS[int(np.ceil(med))])))
    modes = tuple(RISK_LEVELS[i] for i in np.flatnonzero(c == c.max())) if n else ()
    k = encode_risk([key])[0] if key is not None else np.nan
    if key is None or np.isnan(k):
        key_share = nan_stat("no key for this case" if key is None else "the key is inte_kant", n)
        dist_key = np.full(x.shape, np.nan)
    else:
        key_share = Stat(float(c[int(k)] / n), None, n) if n else nan_stat(_NONE, 0)
        dist_key = x - k
    return RiskSummary(
        counts={lid: int(v) for lid, v in zip(RISK_LEVELS, c)},
        n=n,
        n_not_assessable=n_na,
        n_unanswered=len(answers) - n - n_na,
        consensus=consensus(c),
        mode_share=mode_share(c),
        modes=modes,
        median=med,
        median_levels=med_levels,
        key=level_id(k) if key is not None else None,
        key_share=key_share,
        distance_from_median=distance_from_median(x, leave_one_out),
        distance_from_key=dist_key,
    )
