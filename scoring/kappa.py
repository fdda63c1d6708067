"""Kappa family: Fleiss' kappa, Cohen's kappa against a key, Gwet's AC1/AC2.

Multi-rater coefficients take a *subjects × categories count table*
(``counts[i, k]`` = number of raters who put subject/case ``i`` in category
``k``); :func:`ratings_to_counts` builds it from raters × units data. Rows
may have different totals (missing ratings); subjects with fewer than two
ratings do not enter the observed agreement. With equal row totals the
formulas are exactly Fleiss (1971) and Gwet (2008); with unequal totals they
are Gwet's (2014) generalisations, as implemented in ``irrCAC``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._result import Stat, nan_stat
from .levels import RISK_LEVELS, as_array, encode_risk, numeric_or_none

__all__ = [
    "ratings_to_counts",
    "fleiss_kappa",
    "cohen_kappa",
    "gwet_ac1",
    "gwet_ac2",
    "agreement_weights",
]

_ONE_SUBJECT = (
    "only one case has two or more ratings; kappa on a single case compares the "
    "case with itself and is misleading (use consensus() or gwet_ac1())"
)
_NO_SUBJECT = "no case has ratings from two or more raters"


def ratings_to_counts(reliability_data, categories: Sequence | None = None) -> tuple[np.ndarray, tuple]:
    """Raters × units data → (units × categories count table, categories).

    Strings are read as risk level ids (``inte_kant``/``None`` = missing)
    unless ``categories`` lists the allowed strings. For numbers
    ``categories`` defaults to the sorted distinct values present.
    """
    arr = as_array(reliability_data)
    if arr.ndim != 2:
        raise ValueError("reliability_data must be 2-D (raters × units)")
    if arr.dtype.kind == "O":
        num = numeric_or_none(arr)
        if num is not None:
            arr = num
    if arr.dtype.kind in "iufb":
        data = arr.astype(float)
        vals = data[~np.isnan(data)]
        cats = np.unique(vals) if categories is None else np.asarray(categories, dtype=float)
        if np.any(np.diff(cats) <= 0):
            raise ValueError("numeric categories must be strictly increasing")
        if not np.isin(vals, cats).all():
            raise ValueError("data contains values outside categories")
        cat_tuple = tuple(cats.tolist())
        codes = np.where(np.isnan(data), -1, np.searchsorted(cats, np.nan_to_num(data)))
    else:
        cats = tuple(categories) if categories is not None else RISK_LEVELS
        data = encode_risk(arr, cats)
        cat_tuple = tuple(cats)
        codes = np.where(np.isnan(data), -1, np.nan_to_num(data)).astype(np.intp)
    K = len(cat_tuple)
    n_units = arr.shape[1]
    rr, uu = np.nonzero(codes >= 0)
    counts = np.bincount(uu * K + codes[rr, uu], minlength=n_units * K).reshape(n_units, K)
    return counts, cat_tuple


def _check_counts(counts) -> np.ndarray:
    c = np.asarray(counts.to_numpy() if hasattr(counts, "to_numpy") else counts, dtype=float)
    if c.ndim != 2:
        raise ValueError("counts must be 2-D (subjects × categories)")
    if (c < 0).any() or not np.array_equal(c, np.round(c)):
        raise ValueError("counts must be non-negative integers")
    return c


def _pa_pi(c: np.ndarray, weights: np.ndarray):
    """Gwet's observed agreement and category propensities (missing-aware)."""
    r = c.sum(axis=1)
    rated = r >= 1
    two = r >= 2
    cw = c @ weights.T  # r*_ik = Σ_l w_kl r_il
    num = (c * (cw - 1.0)).sum(axis=1)
    pa = float((num[two] / (r[two] * (r[two] - 1.0))).mean())
    pi = (c[rated] / r[rated][:, None]).mean(axis=0)
    return pa, pi, int(two.sum())


def fleiss_kappa(counts) -> Stat:
    """Fleiss' kappa on a subjects × categories count table.

    ``P_o`` = mean over subjects (with ≥ 2 ratings) of the share of agreeing
    rater pairs; ``P_e = Σ_k π_k²`` with ``π_k`` the mean share of category
    ``k``. Equals Fleiss (1971) when every row has the same total.
    ``Stat.n`` = subjects with ≥ 2 ratings. ``nan`` for fewer than two such
    subjects, or when all ratings fall in one category (``P_e = 1``).
    """
    c = _check_counts(counts)
    n2 = int((c.sum(axis=1) >= 2).sum())
    if n2 == 0:
        return nan_stat(_NO_SUBJECT, 0)
    if n2 == 1:
        return nan_stat(_ONE_SUBJECT, 1)
    pa, pi, _ = _pa_pi(c, np.eye(c.shape[1]))
    pe = float((pi**2).sum())
    if pe >= 1.0 - 1e-12:
        return nan_stat("no variation: every rating is in the same category, so chance agreement is 1", n2)
    return Stat((pa - pe) / (1.0 - pe), None, n2)


def agreement_weights(n_categories: int, kind: str | None = "quadratic", values: Sequence[float] | None = None) -> np.ndarray:
    """Agreement weights ``w_kl`` in [0, 1] (1 on the diagonal).

    ``None``/``"identity"``: 1 if k = l else 0. ``"linear"``:
    ``1 − |x_k − x_l| / (x_max − x_min)``. ``"quadratic"``:
    ``1 − (x_k − x_l)² / (x_max − x_min)²``. ``x`` = ``values`` or ``0..K-1``.
    """
    K = int(n_categories)
    if kind in (None, "identity", "unweighted"):
        return np.eye(K)
    x = np.arange(K, dtype=float) if values is None else np.asarray(values, dtype=float)
    span = x.max() - x.min() if K > 1 else 1.0
    diff = np.abs(x[:, None] - x[None, :]) / (span if span else 1.0)
    if kind == "linear":
        return 1.0 - diff
    if kind == "quadratic":
        return 1.0 - diff**2
    raise ValueError("weights must be None, 'identity', 'linear', 'quadratic' or a K × K matrix")


def _weights(kind, K, values) -> np.ndarray:
    if isinstance(kind, np.ndarray) or (kind is not None and not isinstance(kind, str)):
        w = np.asarray(kind, dtype=float)
        if w.shape != (K, K):
            raise ValueError(f"weight matrix must be {K} × {K}")
        if not np.allclose(w, w.T, rtol=1e-12, atol=1e-12):
            i, j = np.unravel_index(np.argmax(np.abs(w - w.T)), w.shape)
            raise ValueError(f"weight matrix must be symmetric: w[{i}, {j}] = {w[i, j]:g} but w[{j}, {i}] = "
                             f"{w[j, i]:g} (the coefficient would silently use the mean of the two)")
        return w
    return agreement_weights(K, kind, values)


def gwet_ac2(counts, weights="quadratic", values: Sequence[float] | None = None) -> Stat:
    """Gwet's AC2 (weighted AC1) on a subjects × categories count table.

    ``P_a`` as in Fleiss but with partial credit ``w_kl`` for near misses;
    ``P_e = (Σ_kl w_kl) / (q(q−1)) · Σ_k π_k (1 − π_k)`` (Gwet 2014). With
    ``weights=None`` this is AC1. Chance agreement stays small when nearly
    everyone picks the same category, so AC1/AC2 do not collapse under the
    prevalence paradox the way kappa does. The number of categories ``q`` is
    the number of columns: keep unused categories as zero columns.

    Defined for a single case (it is then the chance-corrected pairwise
    agreement of that case); ``nan`` when no case has ≥ 2 ratings or there
    are fewer than two categories. ``Stat.n`` = subjects with ≥ 2 ratings.
    """
    c = _check_counts(counts)
    K = c.shape[1]
    n2 = int((c.sum(axis=1) >= 2).sum())
    if n2 == 0:
        return nan_stat(_NO_SUBJECT, 0)
    if K < 2:
        return nan_stat("fewer than two categories", n2)
    w = _weights(weights, K, values)
    pa, pi, _ = _pa_pi(c, w)
    pe = float(w.sum() * (pi * (1.0 - pi)).sum() / (K * (K - 1.0)))
    if pe >= 1.0 - 1e-12:
        return nan_stat("chance agreement is 1", n2)
    return Stat((pa - pe) / (1.0 - pe), None, n2)


def gwet_ac1(counts) -> Stat:
    """Gwet's AC1 (unweighted) on a subjects × categories count table; see :func:`gwet_ac2`."""
    return gwet_ac2(counts, weights=None)


def _paired_positions(rater, key, categories):
    """Category positions of the non-missing (rater, key) pairs, and K."""
    a = np.asarray(rater, dtype=object).ravel()
    b = np.asarray(key, dtype=object).ravel()
    if a.shape != b.shape:
        raise ValueError("rater and key must have the same length")
    both = np.concatenate([a, b])
    x = numeric_or_none(both)
    if x is not None:
        present = np.unique(x[~np.isnan(x)])
        cats = present if categories is None else np.asarray(categories, dtype=float)
        if np.any(np.diff(cats) <= 0):
            raise ValueError("numeric categories must be strictly increasing")
        if not np.isin(present, cats).all():
            raise ValueError("data contains values outside categories")
        pos = np.full(x.shape, np.nan)
        ok = ~np.isnan(x)
        pos[ok] = np.searchsorted(cats, x[ok])
        K = len(cats)
    else:
        cats = tuple(categories) if categories is not None else RISK_LEVELS
        pos = encode_risk(both, cats)
        K = len(cats)
    pa, pb = pos[: a.size], pos[a.size :]
    ok = ~(np.isnan(pa) | np.isnan(pb))
    return pa[ok].astype(np.intp), pb[ok].astype(np.intp), K


def cohen_kappa(rater, key, weights: str | None = None, categories: Sequence | None = None) -> Stat:
    """Cohen's kappa of one rater against a key over several cases.

    ``rater`` and ``key`` are equal-length 1-D sequences (risk ids, level
    indices or other numbers); pairs where either is missing are dropped.
    ``weights``: ``None`` (unweighted), ``"linear"`` or ``"quadratic"``;
    weights use category *positions* in ``categories`` (default: the risk
    levels for strings, the sorted distinct values for numbers — pass the full
    scale when some categories are unused). ``Stat.n`` = number of pairs.
    ``nan`` for fewer than two pairs, or when the rater or the key used a
    single category for every case (kappa would then be 0 or 0/0 whatever
    the agreement).
    """
    ia, ib, K = _paired_positions(rater, key, categories)
    n = int(ia.size)
    if n < 2:
        return nan_stat("fewer than two cases rated by both the rater and the key", n)
    table = np.bincount(ia * K + ib, minlength=K * K).reshape(K, K) / n
    for who, marg in (("rater", table.sum(axis=1)), ("key", table.sum(axis=0))):
        if marg.max() >= 1.0 - 1e-12:
            return nan_stat(
                f"no variation: the {who} used one category for every case, so kappa is 0 "
                "whatever the agreement (report percent agreement instead)",
                n,
            )
    w = agreement_weights(K, weights)
    dis = 1.0 - w
    d_o = (table * dis).sum()
    d_e = (np.outer(table.sum(axis=1), table.sum(axis=0)) * dis).sum()
    if d_e <= 1e-12:  # pragma: no cover - excluded by the marginal check above
        return nan_stat("no variation: chance disagreement is 0", n)
    return Stat(float(1.0 - d_o / d_e), None, n)
