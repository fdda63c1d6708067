"""Drift: does a trainee tend to rate higher or lower than the group or key?

Over a trainee's cases, the signed distance (trainee level − group median,
and trainee level − key) is averaged, with a Student-t confidence interval
across cases ("you tend to rate one step higher than your colleagues").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ._result import Estimate
from .consensus import leave_one_out_medians
from .levels import RISK_LEVELS, encode_risk, numeric_or_none

__all__ = ["mean_ci", "drift", "drift_table", "Drift"]


def mean_ci(diffs, confidence: float = 0.95) -> Estimate:
    """Mean of ``diffs`` (``nan`` ignored) with a Student-t interval.

    ``value`` is ``nan`` when there is no observation; ``low``/``high`` are
    ``nan`` with a reason for a single observation. When all differences are
    equal the interval collapses to the mean (zero spread observed).
    """
    if not 0 < confidence < 1:
        raise ValueError("confidence must be in (0, 1)")
    x = np.asarray(diffs, dtype=float).ravel()
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return Estimate(np.nan, np.nan, np.nan, confidence, 0, "no cases with both answers", "t")
    m = float(x.mean())
    if n == 1:
        return Estimate(m, np.nan, np.nan, confidence, 1, "one case only: no interval (needs at least two cases)", "t")
    se = float(x.std(ddof=1) / np.sqrt(n))
    h = float(stats.t.ppf(0.5 + confidence / 2.0, n - 1)) * se
    return Estimate(m, m - h, m + h, confidence, n, None, "t")


@dataclass(frozen=True)
class Drift:
    """Mean signed distance of a trainee from the group and from the key.

    Positive values: the trainee rates higher. ``Estimate.direction`` gives
    ``"higher"``, ``"lower"``, ``"no_clear_tendency"`` or ``"undefined"``.
    """

    vs_group: Estimate
    vs_key: Estimate


def drift(trainee_levels: Sequence, group_medians: Sequence | None = None, key_levels: Sequence | None = None, confidence: float = 0.95) -> Drift:
    """Drift of one trainee over many cases.

    ``trainee_levels``: the trainee's answer per case (risk ids or indices;
    ``inte_kant``/``None`` = missing). ``group_medians``: the group median
    level per case (floats, ``x.5`` allowed; ideally without the trainee).
    ``key_levels``: the key per case. Cases missing on either side are
    skipped.
    """
    t = encode_risk(trainee_levels)
    out = []
    for ref in (group_medians, key_levels):
        if ref is None:
            out.append(Estimate(np.nan, np.nan, np.nan, confidence, 0, "no reference given", "t"))
            continue
        r = numeric_or_none(np.asarray(ref.to_numpy() if hasattr(ref, "to_numpy") else ref, dtype=object))
        r = encode_risk(ref) if r is None else r
        if r.shape != t.shape:
            raise ValueError("reference must have one entry per case")
        out.append(mean_ci(t - r, confidence))
    return Drift(*out)


def drift_table(answers: pd.DataFrame, keys: Mapping | None = None, confidence: float = 0.95, rater: str = "rater", case: str = "case", level: str = "level") -> pd.DataFrame:
    """Drift for every rater at once from a long table of answers.

    ``answers`` has one row per (rater, case) with columns ``rater``,
    ``case`` and ``level`` (risk id or index; ``inte_kant`` = missing).
    Each answer is compared with the median of the *other* raters on that
    case (leave-one-out) and with ``keys[case]`` if given. Returns one row per
    rater with ``group_mean, group_low, group_high, group_n, key_mean,
    key_low, key_high, key_n``.
    """
    df = answers[[rater, case, level]].copy()
    df["_x"] = encode_risk(df[level].to_numpy(dtype=object))
    ok = df[~df["_x"].isna()]
    K = len(RISK_LEVELS)
    counts = pd.crosstab(ok[case], ok["_x"].astype(int)).reindex(columns=range(K), fill_value=0)
    loo = {c: leave_one_out_medians(row.to_numpy(dtype=float)) for c, row in counts.iterrows()}
    df["_dg"] = [
        x - loo[c][int(x)] if not np.isnan(x) else np.nan for c, x in zip(df[case], df["_x"])
    ]
    if keys is not None:
        kv = {c: encode_risk([k])[0] for c, k in keys.items()}
        df["_dk"] = df["_x"] - df[case].map(kv).astype(float)
    else:
        df["_dk"] = np.nan
    rows = {}
    for r, g in df.groupby(rater, sort=True):
        eg, ek = mean_ci(g["_dg"], confidence), mean_ci(g["_dk"], confidence)
        rows[r] = {
            "group_mean": eg.value, "group_low": eg.low, "group_high": eg.high, "group_n": eg.n,
            "key_mean": ek.value, "key_low": ek.low, "key_high": ek.high, "key_n": ek.n,
        }
    return pd.DataFrame.from_dict(rows, orient="index")
