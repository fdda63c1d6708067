"""Krippendorff's alpha over many units, with a bootstrap interval.

Conventions follow the ``krippendorff`` package: ``reliability_data`` has one
row per rater and one column per unit (case); ``nan`` is missing.

Implementation: ratings are turned into a units × values count table with a
single ``np.bincount``; the coincidence matrix is one matrix product
``(C / (m_u - 1))ᵀ C`` minus its diagonal correction; the distance matrix
depends on the level of measurement (ordinal distances are squared
differences of mid-ranks of the pairable-value distribution, which is
Krippendorff's ``(Σ_{g=c..k} n_g − (n_c + n_k)/2)²``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._result import Estimate, Stat, nan_stat
from .levels import RISK_LEVELS, encode_risk, numeric_or_none

__all__ = ["krippendorff_alpha", "alpha_bootstrap", "alpha_from_counts", "LEVELS"]

LEVELS = ("nominal", "ordinal", "interval", "ratio")

_ONE_UNIT = (
    "only one unit (case) has ratings from two or more raters; alpha compares "
    "units and is undefined for a single one (use consensus() per case)"
)
_NO_PAIRS = "no unit has ratings from two or more raters"
_NO_VARIATION = (
    "no variation: every pairable rating has the same value, so the expected "
    "disagreement is 0 and alpha is 0/0"
)


# --------------------------------------------------------------------------
# Input conversion
# --------------------------------------------------------------------------
def _as_float_matrix(reliability_data, value_domain: Sequence | None) -> tuple[np.ndarray, np.ndarray | None]:
    """Return (float matrix raters × units with nan, domain values or None).

    Strings are mapped to positions in ``value_domain`` (default: the risk
    level ids, with ``inte_kant`` as missing); the returned domain is then the
    positions, so interval/ratio distances use 0..K-1.
    """
    arr = np.asarray(reliability_data.to_numpy() if hasattr(reliability_data, "to_numpy") else reliability_data)
    if arr.ndim != 2:
        raise ValueError(f"reliability_data must be 2-D (raters × units), got shape {arr.shape}")
    if arr.dtype.kind == "O":
        num = numeric_or_none(arr)
        if num is not None:
            arr = num
    if arr.dtype.kind in "iufb":
        data = arr.astype(float, copy=False)
        if value_domain is not None:
            dom = np.asarray(value_domain, dtype=float)
            vals = data[~np.isnan(data)]
            if not np.isin(vals, dom).all():
                raise ValueError("reliability_data contains values outside value_domain")
            return data, dom
        return data, None
    levels = tuple(value_domain) if value_domain is not None else RISK_LEVELS
    return encode_risk(arr, levels), None


def _int_counts(data: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Fast path: units × values counts for integer-valued data with a small
    range, via one ``np.bincount`` on ``value * N + unit`` keys (missing
    values go to a spill bin). Returns ``None`` when the data do not qualify."""
    R, N = data.shape
    vmin = np.fmin.reduce(data, axis=None)
    vmax = np.fmax.reduce(data, axis=None)
    if np.isnan(vmin):
        return np.zeros((N, 0), dtype=np.intp), np.empty(0)
    span = vmax - vmin
    if not (np.isfinite(span) and span < 10_000) or np.any(data - np.floor(data) > 0):
        return None
    span = int(span)
    key = (data - vmin) * N
    key += np.arange(N, dtype=float)
    key[np.isnan(key)] = (span + 1) * N
    counts = np.bincount(key.astype(np.intp).ravel(), minlength=(span + 2) * N)
    counts = counts[: (span + 1) * N].reshape(span + 1, N).T
    present = counts.any(axis=0)
    if present.all():
        return counts, np.arange(span + 1) + vmin
    return counts[:, present], np.flatnonzero(present) + vmin


def _general_counts(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Any real values: ``np.unique`` then ``np.bincount``."""
    N = data.shape[1]
    _, unit_idx = np.nonzero(~np.isnan(data))
    vals = data[~np.isnan(data)]
    dom, codes = np.unique(vals, return_inverse=True)
    V = len(dom)
    counts = np.bincount(unit_idx * V + codes.ravel(), minlength=N * V).reshape(N, V)
    return counts, dom


def _value_counts(reliability_data, value_domain=None):
    """Units × values count table and the (sorted) values of its columns."""
    data, domain = _as_float_matrix(reliability_data, value_domain)
    if domain is not None:
        dom = np.unique(domain)
        pos = np.full(data.shape, np.nan)
        ok = ~np.isnan(data)
        pos[ok] = np.searchsorted(dom, data[ok])
        counts, used = _int_counts(pos)
        return counts, dom[used.astype(np.intp)]
    res = _int_counts(data)
    return res if res is not None else _general_counts(data)


# --------------------------------------------------------------------------
# Core
# --------------------------------------------------------------------------
def _coincidences(counts: np.ndarray) -> np.ndarray:
    m = counts.sum(axis=1)
    keep = m >= 2
    c = counts[keep].astype(float)
    w = c / (m[keep] - 1.0)[:, None]
    o = w.T @ c
    o[np.diag_indices_from(o)] -= w.sum(axis=0)
    return o


def _delta(level, dom: np.ndarray, n_v: np.ndarray) -> np.ndarray:
    """Squared-difference matrix δ²_ck for the level of measurement.

    ``n_v`` may be 1-D (V,) or batched (B, V) for the ordinal metric.
    """
    if callable(level):
        return np.asarray(level(dom), dtype=float)
    if isinstance(level, np.ndarray):
        return level.astype(float)
    if level == "nominal":
        return 1.0 - np.eye(len(dom))
    if level == "ordinal":
        r = np.cumsum(n_v, axis=-1) - n_v / 2.0  # mid-ranks
        return (r[..., :, None] - r[..., None, :]) ** 2
    v = dom.astype(float)
    if level == "interval":
        return (v[:, None] - v[None, :]) ** 2
    if level == "ratio":
        s = v[:, None] + v[None, :]
        d = v[:, None] - v[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(s != 0, d / np.where(s != 0, s, 1.0), 0.0) ** 2
        return out
    raise ValueError(f"level must be one of {LEVELS}, got {level!r}")


def alpha_from_counts(counts, level="nominal", value_domain=None) -> Stat:
    """Krippendorff's alpha from a units × values count table.

    ``counts[u, v]`` is the number of raters who gave value ``v`` to unit
    ``u``. ``value_domain`` gives the (ordered) numeric value of each column
    (default ``0..V-1``); it matters for ``interval`` and ``ratio``. ``level``
    may also be a V × V distance matrix (used by :func:`scoring.set_alpha`).
    ``Stat.n`` = number of units with two or more ratings.
    """
    counts = np.asarray(counts)
    if counts.ndim != 2:
        raise ValueError("counts must be 2-D (units × values)")
    dom = np.arange(counts.shape[1], dtype=float) if value_domain is None else np.asarray(value_domain, dtype=float)
    if len(dom) != counts.shape[1]:
        raise ValueError("value_domain must have one entry per column of counts")
    if isinstance(level, str) and level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    m = counts.sum(axis=1)
    n_units = int((m >= 2).sum())
    if n_units == 0:
        return nan_stat(_NO_PAIRS, 0)
    if n_units == 1:
        return nan_stat(_ONE_UNIT, 1)
    o = _coincidences(counts)
    n_v = o.sum(axis=0)
    n = n_v.sum()
    d = _delta(level, dom, n_v)
    d_o = (o * d).sum() / n
    d_e = (n_v @ d @ n_v - (n_v * np.diagonal(d)).sum()) / (n * (n - 1.0))
    if not d_e > 1e-12 * max(1.0, float(np.abs(d).max())):
        return nan_stat(_NO_VARIATION, n_units)
    return Stat(float(1.0 - d_o / d_e), None, n_units)


def krippendorff_alpha(reliability_data, level: str = "interval", value_domain: Sequence | None = None) -> Stat:
    """Krippendorff's alpha for raters × units data.

    Parameters
    ----------
    reliability_data:
        2-D array-like or DataFrame, one row per rater, one column per unit
        (case); ``nan`` (or ``None``/``"inte_kant"`` for risk ids) is missing.
        Strings are read as risk level ids unless ``value_domain`` gives the
        ordered list of allowed strings.
    level:
        ``"nominal"``, ``"ordinal"``, ``"interval"`` or ``"ratio"`` (default
        ``"interval"`` as in the ``krippendorff`` package).
    value_domain:
        Optional ordered domain. For numbers it only validates the data (values
        absent from the data never change alpha); for strings it defines the
        order and the numeric positions 0..K-1.

    Returns
    -------
    Stat
        ``value`` is alpha; ``n`` is the number of units with ≥ 2 ratings.
        ``nan`` with a reason when no unit is pairable, when only one unit is,
        or when there is no variation among pairable values.
    """
    counts, dom = _value_counts(reliability_data, value_domain)
    return alpha_from_counts(counts, level, dom)


# --------------------------------------------------------------------------
# Bootstrap
# --------------------------------------------------------------------------
def _percentile_ci(samples: np.ndarray, confidence: float) -> tuple[float, float]:
    a = (1.0 - confidence) / 2.0
    lo, hi = np.quantile(samples, [a, 1.0 - a])
    return float(lo), float(hi)


def alpha_bootstrap(
    reliability_data,
    level: str = "interval",
    n_boot: int = 1000,
    confidence: float = 0.95,
    seed: int | np.random.Generator | None = None,
    method: str = "pairs",
    value_domain: Sequence | None = None,
    return_samples: bool = False,
):
    """Bootstrap confidence interval for Krippendorff's alpha.

    ``method="pairs"`` (default) is Krippendorff's algorithm used by Hayes &
    Krippendorff (2007, the KALPHA macro): keep the expected disagreement
    ``D_e`` of the data, draw ``M`` pairs of values with replacement from the
    observed coincidences (cell ``(c, k)`` with probability ``o_ck / n``),
    and set ``alpha* = 1 − mean δ²(drawn pairs) / D_e``; resampled values
    below −1 are set to −1. ``M`` is the number of pairable pairs
    ``Σ_u m_u (m_u − 1) / 2``, capped at ``25 Q`` where ``Q`` is the number of
    non-zero cells of the coincidence matrix (Krippendorff's practical cap).
    For the ordinal metric δ² is fixed from the original data, as in KALPHA.

    ``method="units"`` is the ordinary nonparametric bootstrap: resample
    units (cases) with replacement and recompute alpha in full (including
    ``D_e`` and ordinal distances); resamples where alpha is undefined are
    dropped and counted in the reason.

    The interval is the percentile interval. Pass ``seed`` for reproducible
    results. Returns an :class:`Estimate` (``value`` = alpha of the data,
    ``n`` = units with ≥ 2 ratings); with ``return_samples=True`` returns
    ``(Estimate, samples)``.
    """
    if method not in ("pairs", "units"):
        raise ValueError("method must be 'pairs' or 'units'")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be in (0, 1)")
    counts, dom = _value_counts(reliability_data, value_domain)
    point = alpha_from_counts(counts, level, dom)
    label = f"bootstrap-{method}"
    if not point.defined:
        est = Estimate(np.nan, np.nan, np.nan, confidence, point.n or 0, point.reason, label)
        return (est, np.empty(0)) if return_samples else est
    rng = np.random.default_rng(seed)
    m = counts.sum(axis=1)
    keep = m >= 2
    counts = counts[keep]
    m = m[keep]
    o = _coincidences(counts)
    n_v = o.sum(axis=0)
    n = n_v.sum()
    V = len(dom)
    if method == "pairs":
        d = _delta(level, dom, n_v)
        d_e = (n_v @ d @ n_v) / (n * (n - 1.0))
        n_pairs = int((m * (m - 1) // 2).sum())
        q = int(np.count_nonzero(o > 1e-12))
        M = max(1, min(25 * q, n_pairs))
        p = (o / n).ravel()
        p = np.clip(p, 0, None)
        p /= p.sum()
        draws = rng.multinomial(M, p, size=n_boot)  # (B, V*V) cell counts
        d_o = draws @ d.ravel() / M
        samples = np.maximum(1.0 - d_o / d_e, -1.0)
        reason = None
    else:
        N = counts.shape[0]
        w = counts / (m - 1.0)[:, None]
        per_unit = w[:, :, None] * counts[:, None, :]
        idx = np.arange(V)
        per_unit[:, idx, idx] -= w
        per_unit = per_unit.reshape(N, V * V)
        weights = rng.multinomial(N, np.full(N, 1.0 / N), size=n_boot).astype(float)
        ob = (weights @ per_unit).reshape(n_boot, V, V)
        nvb = ob.sum(axis=1)
        nb = nvb.sum(axis=1)
        d = _delta(level, dom, nvb)
        if d.ndim == 2:
            d = np.broadcast_to(d, ob.shape)
        d_o = (ob * d).sum(axis=(1, 2)) / nb
        d_e = np.einsum("bi,bij,bj->b", nvb, d, nvb) / (nb * (nb - 1.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            samples = np.where(d_e > 1e-12, 1.0 - d_o / d_e, np.nan)
        bad = int(np.isnan(samples).sum())
        samples = samples[~np.isnan(samples)]
        reason = None
        if bad:
            reason = f"{bad} of {n_boot} resamples had no variation and were dropped"
        if samples.size < 2:
            est = Estimate(point.value, np.nan, np.nan, confidence, point.n, "too few resamples with a defined alpha", label)
            return (est, samples) if return_samples else est
    lo, hi = _percentile_ci(samples, confidence)
    est = Estimate(point.value, lo, hi, confidence, point.n, reason, label)
    return (est, samples) if return_samples else est
