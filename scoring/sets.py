"""Set-valued answers: exposures, interventions, focus areas.

An answer is a set of option ids (any iterable of strings; ``None`` = the
rater did not answer and is left out). Empty set = "answered, chose nothing".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._result import Stat
from .alpha import alpha_from_counts

__all__ = [
    "jaccard",
    "f1",
    "jaccard_distance",
    "masi_distance",
    "option_shares",
    "consensus_set",
    "set_agreement",
    "set_summary",
    "set_alpha",
    "SetSummary",
]


def _fs(a) -> frozenset:
    if a is None:
        raise ValueError("missing answer (None) where a set was required")
    if isinstance(a, str):
        raise ValueError("a set answer must be an iterable of option ids, not a single string")
    return frozenset(a)


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    """``|a ∩ b| / |a ∪ b|``; 1.0 when both are empty (identical answers)."""
    a, b = _fs(a), _fs(b)
    u = len(a | b)
    return 1.0 if u == 0 else len(a & b) / u


def f1(a: Iterable[str], b: Iterable[str]) -> float:
    """Dice/F1: ``2|a ∩ b| / (|a| + |b|)``; 1.0 when both are empty."""
    a, b = _fs(a), _fs(b)
    s = len(a) + len(b)
    return 1.0 if s == 0 else 2.0 * len(a & b) / s


def jaccard_distance(a, b) -> float:
    """``1 − jaccard(a, b)``."""
    return 1.0 - jaccard(a, b)


def masi_distance(a, b) -> float:
    """MASI distance (Passonneau 2006): ``1 − J · M`` with ``J`` the Jaccard
    index and ``M`` = 1 (equal), 2/3 (one a subset of the other), 1/3 (they
    overlap otherwise), 0 (disjoint)."""
    a, b = _fs(a), _fs(b)
    if a == b:
        return 0.0
    inter = len(a & b)
    if inter == 0:
        return 1.0
    m = 2.0 / 3.0 if (a <= b or b <= a) else 1.0 / 3.0
    return 1.0 - (inter / len(a | b)) * m


_DISTANCES = {"masi": masi_distance, "jaccard": jaccard_distance}


def _matrix(answers: Sequence, options: Sequence[str] | None):
    """Binary raters × options matrix for the answered raters, and options."""
    answered = [a for a in answers if a is not None]
    sets = [_fs(a) for a in answered]
    if options is None:
        options = sorted(set().union(*sets)) if sets else []
    else:
        options = list(options)
        extra = set().union(*sets) - set(options) if sets else set()
        if extra:
            raise ValueError(f"answers contain options not in `options`: {sorted(extra)}")
    col = {o: j for j, o in enumerate(options)}
    x = np.zeros((len(sets), len(options)), dtype=bool)
    for i, s in enumerate(sets):
        for o in s:
            x[i, col[o]] = True
    return x, options


def option_shares(answers: Sequence, options: Sequence[str] | None = None) -> pd.Series:
    """Share of answering raters who chose each option (index = options).

    ``options`` fixes the order and includes options nobody chose; default:
    the options that occur, sorted. Empty Series when nobody answered.
    """
    x, opts = _matrix(answers, options)
    if x.shape[0] == 0:
        return pd.Series(np.full(len(opts), np.nan), index=pd.Index(opts, name="option"), name="share")
    return pd.Series(x.mean(axis=0), index=pd.Index(opts, name="option"), name="share")


def consensus_set(answers: Sequence, threshold: float = 0.5) -> frozenset:
    """Options chosen by at least ``threshold`` (default half) of the answering raters."""
    s = option_shares(answers)
    return frozenset(s.index[s >= threshold - 1e-12])


def _row_scores(x: np.ndarray, ref: np.ndarray):
    """Jaccard and F1 of each row of x against ref (same shape or 1-D)."""
    inter = (x & ref).sum(axis=-1)
    union = (x | ref).sum(axis=-1)
    size = x.sum(axis=-1) + np.broadcast_to(ref, x.shape).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        jac = np.where(union == 0, 1.0, inter / np.where(union == 0, 1, union))
        f = np.where(size == 0, 1.0, 2.0 * inter / np.where(size == 0, 1, size))
    return jac, f


def set_agreement(answers: Sequence, key: Iterable[str] | None = None, threshold: float = 0.5, leave_one_out: bool = False) -> pd.DataFrame:
    """Each rater's agreement with the group consensus set and with the key.

    Returns one row per input answer (``None`` answers get ``nan``) with
    columns ``jaccard_group``, ``f1_group``, ``jaccard_key``, ``f1_key``,
    ``n_missed_group`` and ``n_extra_group``. The group consensus set holds the
    options chosen by at least ``threshold`` of the answering raters; with
    ``leave_one_out=True`` it is rebuilt from the *other* raters for each
    rater (``nan`` when nobody else answered).
    """
    answers = list(answers)
    idx = [i for i, a in enumerate(answers) if a is not None]
    key_set = _fs(key) if key is not None else frozenset()
    x, opts = _matrix(answers, None)
    # widen to include key-only options
    extra = sorted(key_set - set(opts))
    if extra:
        x = np.hstack([x, np.zeros((x.shape[0], len(extra)), dtype=bool)])
        opts = list(opts) + extra
    n = x.shape[0]
    out = pd.DataFrame(
        np.nan,
        index=range(len(answers)),
        columns=["jaccard_group", "f1_group", "jaccard_key", "f1_key", "n_missed_group", "n_extra_group"],
    )
    if n == 0:
        return out
    tot = x.sum(axis=0)
    if leave_one_out:
        with np.errstate(invalid="ignore", divide="ignore"):
            share = (tot[None, :] - x) / (n - 1) if n > 1 else np.full(x.shape, np.nan)
        ref = share >= threshold - 1e-12
        valid = np.full(n, n > 1)
    else:
        ref = np.broadcast_to(tot / n >= threshold - 1e-12, x.shape)
        valid = np.ones(n, dtype=bool)
    jg, fg = _row_scores(x, ref)
    missed = (ref & ~x).sum(axis=1).astype(float)
    extra_n = (x & ~ref).sum(axis=1).astype(float)
    for arr in (jg, fg, missed, extra_n):
        arr[~valid] = np.nan
    out.loc[idx, "jaccard_group"] = jg
    out.loc[idx, "f1_group"] = fg
    out.loc[idx, "n_missed_group"] = missed
    out.loc[idx, "n_extra_group"] = extra_n
    if key is not None:
        kv = np.array([o in key_set for o in opts], dtype=bool)
        jk, fk = _row_scores(x, kv)
        out.loc[idx, "jaccard_key"] = jk
        out.loc[idx, "f1_key"] = fk
    return out


@dataclass(frozen=True)
class SetSummary:
    """Per-case summary of one set-valued question.

    ``shares``: share choosing each option; ``consensus``: options chosen by
    at least half; ``per_rater``: :func:`set_agreement` table; ``n``:
    answering raters; ``key``: the key set or ``None``.
    """

    shares: pd.Series
    consensus: frozenset
    per_rater: pd.DataFrame
    n: int
    key: frozenset | None


def set_summary(answers: Sequence, key: Iterable[str] | None = None, options: Sequence[str] | None = None, threshold: float = 0.5, leave_one_out: bool = False) -> SetSummary:
    """Shares, consensus set and per-rater agreement for one case."""
    answers = list(answers)
    shares = option_shares(answers, options)
    cons = frozenset(shares.index[shares >= threshold - 1e-12]) if len(shares) else frozenset()
    return SetSummary(
        shares=shares,
        consensus=cons,
        per_rater=set_agreement(answers, key, threshold, leave_one_out),
        n=sum(a is not None for a in answers),
        key=_fs(key) if key is not None else None,
    )


def set_alpha(answers, distance: str = "masi") -> Stat:
    """Krippendorff's alpha across raters for set-valued answers.

    ``answers`` is raters × units (a list of rows or a DataFrame) whose cells
    are sets of option ids, or ``None``/``nan`` for missing. ``distance`` is
    ``"masi"`` (Passonneau 2006) or ``"jaccard"``; the distance is used as δ
    directly (not squared), as in Passonneau's use of MASI with alpha.
    Every distinct set is one "value"; alpha is then computed from the
    coincidence matrix exactly as :func:`krippendorff_alpha`. Undefined
    (``nan`` + reason) in the same situations.
    """
    if distance not in _DISTANCES:
        raise ValueError(f"distance must be one of {sorted(_DISTANCES)}")
    rows = answers.to_numpy().tolist() if hasattr(answers, "to_numpy") else [list(r) for r in answers]
    if not rows:
        raise ValueError("answers must be raters × units")
    n_units = len(rows[0])
    if any(len(r) != n_units for r in rows):
        raise ValueError("every rater row must have one entry per unit")
    values: dict[frozenset, int] = {}
    unit_idx, codes = [], []
    for r in rows:
        for u, a in enumerate(r):
            if a is None or (isinstance(a, float) and np.isnan(a)):
                continue
            s = _fs(a)
            codes.append(values.setdefault(s, len(values)))
            unit_idx.append(u)
    V = len(values)
    counts = np.bincount(np.asarray(unit_idx, dtype=np.intp) * V + np.asarray(codes, dtype=np.intp), minlength=n_units * V).reshape(n_units, V) if V else np.zeros((n_units, 0))
    sets = list(values)
    fn = _DISTANCES[distance]
    d = np.array([[fn(a, b) for b in sets] for a in sets]) if V else np.zeros((0, 0))
    return alpha_from_counts(counts, d, np.arange(V, dtype=float))
