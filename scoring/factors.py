"""The factor grid: "same factors, different weight".

A rater's grid is a dict::

    {"risk":       {factor_id: {"severity": 1..4, "extent": 1..3}, ...},
     "protective": {factor_id: {"extent": 1..3, "function": 1..3}, ...}}

Either kind may be missing or empty; a dimension value may be ``None`` (not
judged). Factor ids come from the case; free-text factors have ids starting
with ``own:`` and count for *identification* only among raters who share the
id (an ``own:`` factor that nobody else named is listed as unmatched, not as
"extra").

Identification (which factors) and weighting (how severe/extensive, how well
a protective factor works) are scored separately, so feedback can say where a
disagreement lies — the Webbkollen finding that raters name the same factors
but weigh them differently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._result import Stat, nan_stat
from .alpha import krippendorff_alpha
from .consensus import consensus

__all__ = [
    "DIMENSIONS",
    "SCALES",
    "OWN_PREFIX",
    "factor_feedback",
    "compare_factors",
    "factor_agreement",
    "FactorComparison",
    "FactorFeedback",
    "FactorAgreement",
    "Identification",
]

OWN_PREFIX = "own:"
DIMENSIONS: dict[str, tuple[str, ...]] = {"risk": ("severity", "extent"), "protective": ("extent", "function")}
SCALES: dict[str, tuple[int, int]] = {"severity": (1, 4), "extent": (1, 3), "function": (1, 3)}
KINDS = tuple(DIMENSIONS)


def _clean(grid: Mapping | None) -> dict[str, dict[str, dict[str, float]]]:
    """Validate a grid and return {kind: {factor: {dim: float|nan}}}."""
    grid = grid or {}
    unknown = set(grid) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown factor kinds {sorted(unknown)}; expected {KINDS}")
    out: dict[str, dict[str, dict[str, float]]] = {}
    for kind in KINDS:
        out[kind] = {}
        for fid, vals in (grid.get(kind) or {}).items():
            vals = vals or {}
            extra = set(vals) - set(DIMENSIONS[kind])
            if extra:
                raise ValueError(f"{kind} factor {fid!r} has unknown dimensions {sorted(extra)}")
            rec = {}
            for dim in DIMENSIONS[kind]:
                v = vals.get(dim)
                if v is None:
                    rec[dim] = np.nan
                    continue
                lo, hi = SCALES[dim]
                if not (float(v) == int(v) and lo <= int(v) <= hi):
                    raise ValueError(f"{kind} factor {fid!r}: {dim}={v!r} outside {lo}..{hi}")
                rec[dim] = float(v)
            out[kind][str(fid)] = rec
    return out


@dataclass(frozen=True)
class Identification:
    """Which factors: trainee vs reference set.

    ``shared``/``missed``/``extra`` are sorted factor ids (missed = in the
    reference, not named by the trainee; extra = named by the trainee, not in
    the reference). ``unmatched_own`` are the trainee's ``own:`` factors that
    the reference side does not share; they are left out of the scores.
    Jaccard and F1 are 1.0 when both sets are empty.
    """

    jaccard: float
    f1: float
    shared: tuple[str, ...]
    missed: tuple[str, ...]
    extra: tuple[str, ...]
    unmatched_own: tuple[str, ...]


def _is_own(fid: str) -> bool:
    """``own:x`` or, in the combined "all" view, ``risk/own:x``."""
    return fid.startswith(OWN_PREFIX) or fid.split("/", 1)[-1].startswith(OWN_PREFIX)


def _ident(trainee: set, reference: set, known_own: set) -> Identification:
    unmatched = {f for f in trainee if _is_own(f) and f not in known_own and f not in reference}
    t = trainee - unmatched
    inter = t & reference
    union = t | reference
    size = len(t) + len(reference)
    return Identification(
        jaccard=1.0 if not union else len(inter) / len(union),
        f1=1.0 if size == 0 else 2.0 * len(inter) / size,
        shared=tuple(sorted(inter)),
        missed=tuple(sorted(reference - t)),
        extra=tuple(sorted(t - reference)),
        unmatched_own=tuple(sorted(unmatched)),
    )


@dataclass(frozen=True)
class FactorComparison:
    """A trainee's factor grid against one reference (group or key).

    ``identification``: per kind (``"risk"``, ``"protective"``) and ``"all"``
    (ids prefixed ``risk/`` and ``protective/``).
    ``weighting``: one row per shared factor and dimension with columns
    ``kind, factor, dimension, trainee, reference, diff, n_reference``
    (``diff`` = trainee − reference, in scale steps; ``reference`` is the key's
    value or the median of the group raters who named the factor).
    ``weight_bias``: mean signed ``diff`` per ``"kind.dimension"``
    (``Stat``; ``nan`` when no shared factor has that dimension judged).
    ``weight_gap``: mean absolute ``diff`` over all rows (``Stat``).
    ``verdict``: ``"agree"``, ``"same_factors_different_weight"``,
    ``"different_factors"`` or ``"different_factors_and_weight"``.
    """

    reference: str
    identification: dict[str, Identification]
    weighting: pd.DataFrame = field(repr=False)
    weight_bias: dict[str, Stat]
    weight_gap: Stat
    verdict: str


@dataclass(frozen=True)
class FactorFeedback:
    """:func:`factor_feedback` result: comparisons with the group and the key
    (each ``None`` when that reference is not given)."""

    vs_group: FactorComparison | None
    vs_key: FactorComparison | None


def _verdict(f1_all: float, gap: Stat, id_threshold: float, weight_threshold: float) -> str:
    same_factors = f1_all >= id_threshold
    diff_weight = gap.defined and gap.value >= weight_threshold
    if same_factors:
        return "same_factors_different_weight" if diff_weight else "agree"
    return "different_factors_and_weight" if diff_weight else "different_factors"


def compare_factors(
    trainee: Mapping,
    reference_sets: Mapping[str, set],
    reference_values: Mapping[str, Mapping[str, Mapping[str, float]]],
    reference_n: Mapping[str, Mapping[str, int]] | None = None,
    known_own: Mapping[str, set] | None = None,
    label: str = "reference",
    id_threshold: float = 0.6,
    weight_threshold: float = 0.75,
) -> FactorComparison:
    """Low-level comparison of a trainee grid with a reference.

    ``reference_sets[kind]`` is the set of factors the reference identifies;
    ``reference_values[kind][factor][dim]`` the reference weighting of every
    factor that can be compared (may include factors outside the set);
    ``known_own[kind]`` the ``own:`` ids the reference side shares.
    Most callers want :func:`factor_feedback`.
    """
    t = _clean(trainee)
    ident: dict[str, Identification] = {}
    rows = []
    all_t, all_r, all_known = set(), set(), set()
    for kind in KINDS:
        ref_set = set(reference_sets.get(kind, set()))
        known = set((known_own or {}).get(kind, set())) | {f for f in reference_values.get(kind, {}) if f.startswith(OWN_PREFIX)}
        ident[kind] = _ident(set(t[kind]), ref_set, known)
        all_t |= {f"{kind}/{f}" for f in t[kind]}
        all_r |= {f"{kind}/{f}" for f in ref_set}
        all_known |= {f"{kind}/{f}" for f in known}
        for fid, vals in t[kind].items():
            ref_vals = reference_values.get(kind, {}).get(fid)
            if ref_vals is None:
                continue
            for dim in DIMENSIONS[kind]:
                tv, rv = vals[dim], ref_vals.get(dim, np.nan)
                n_ref = (reference_n or {}).get(kind, {}).get(fid, 1)
                rows.append((kind, fid, dim, tv, rv, tv - rv, n_ref))
    # "all": ids prefixed with their kind ("risk/x", "protective/own:y")
    ident["all"] = _ident(all_t, all_r, all_known)
    weighting = pd.DataFrame(rows, columns=["kind", "factor", "dimension", "trainee", "reference", "diff", "n_reference"])
    judged = weighting.dropna(subset=["diff"])
    bias: dict[str, Stat] = {}
    for kind in KINDS:
        for dim in DIMENSIONS[kind]:
            d = judged.loc[(judged.kind == kind) & (judged.dimension == dim), "diff"]
            bias[f"{kind}.{dim}"] = (
                Stat(float(d.mean()), None, len(d)) if len(d) else nan_stat(f"no shared {kind} factor with {dim} judged on both sides", 0)
            )
    gap = Stat(float(judged["diff"].abs().mean()), None, len(judged)) if len(judged) else nan_stat("no shared factor with a judged weighting", 0)
    return FactorComparison(
        reference=label,
        identification=ident,
        weighting=weighting,
        weight_bias=bias,
        weight_gap=gap,
        verdict=_verdict(ident["all"].f1, gap, id_threshold, weight_threshold),
    )


def _group_reference(group: Sequence[Mapping], threshold: float):
    grids = [_clean(g) for g in group]
    n = len(grids)
    sets, values, counts, own = {}, {}, {}, {}
    for kind in KINDS:
        named: dict[str, list[dict[str, float]]] = {}
        for g in grids:
            for fid, vals in g[kind].items():
                named.setdefault(fid, []).append(vals)
        sets[kind] = {f for f, v in named.items() if len(v) / n >= threshold - 1e-12} if n else set()
        values[kind] = {
            f: {dim: float(np.nanmedian(col)) if not np.all(np.isnan(col := np.array([v[dim] for v in vs]))) else np.nan for dim in DIMENSIONS[kind]}
            for f, vs in named.items()
        }
        counts[kind] = {f: len(vs) for f, vs in named.items()}
        own[kind] = {f for f in named if f.startswith(OWN_PREFIX)}
    return sets, values, counts, own


def factor_feedback(
    trainee: Mapping,
    group: Sequence[Mapping] = (),
    key: Mapping | None = None,
    threshold: float = 0.5,
    id_threshold: float = 0.6,
    weight_threshold: float = 0.75,
) -> FactorFeedback:
    """Compare one trainee's factor grid with the group and with the key.

    ``group``: the *other* raters' grids for the same case (leave the trainee
    out). The group's factor set is the factors named by at least
    ``threshold`` of them; the group's weighting of a factor is the median
    over the raters who named it (so a trainee's weighting is compared for
    every factor at least one colleague also named). ``key``: a reference
    grid, or ``None``.

    Verdict rule: factors agree when the F1 of identification over both kinds
    is ≥ ``id_threshold``; weights disagree when the mean absolute difference
    over shared factor dimensions is ≥ ``weight_threshold`` steps.
    """
    _clean(trainee)
    vs_group = None
    if len(group):
        sets, values, counts, own = _group_reference(group, threshold)
        vs_group = compare_factors(trainee, sets, values, counts, own, "group", id_threshold, weight_threshold)
    vs_key = None
    if key is not None:
        k = _clean(key)
        vs_key = compare_factors(
            trainee,
            {kind: set(k[kind]) for kind in KINDS},
            k,
            None,
            {kind: {f for f in k[kind] if f.startswith(OWN_PREFIX)} for kind in KINDS},
            "key",
            id_threshold,
            weight_threshold,
        )
    return FactorFeedback(vs_group, vs_key)


@dataclass(frozen=True)
class FactorAgreement:
    """Group-level agreement on one case's factor grid.

    ``identification_alpha``: nominal alpha over raters × factors of
    "named / not named" (factors are the units; ``own:`` factors named by
    only one rater are left out). ``weighting_alpha``: ordinal alpha per
    ``"kind.dimension"`` over raters × factors, using only the raters who
    named each factor. High identification and low weighting alpha is the
    "same factors, different weight" pattern. ``per_factor``: one row per
    factor with ``kind, factor, n_named, share_named`` and, per dimension,
    ``<dim>_median`` and ``<dim>_consensus`` (Tastle–Wierman on that scale).
    ``pattern``: the same verdict vocabulary as :class:`FactorComparison`
    (or ``"undefined"``) using ``alpha ≥ 0.667`` as agreement.
    """

    identification_alpha: Stat
    weighting_alpha: dict[str, Stat]
    per_factor: pd.DataFrame = field(repr=False)
    n_raters: int
    pattern: str


def factor_agreement(grids: Sequence[Mapping], agreement: float = 0.667) -> FactorAgreement:
    """Where a group agrees and disagrees on one case's factor grid.

    ``agreement``: alpha threshold used for ``pattern`` (Krippendorff's
    lowest conditionally acceptable value, 0.667).
    """
    cl = [_clean(g) for g in grids]
    n = len(cl)
    rows = []
    ident_cols, weight_cols = [], {f"{k}.{d}": [] for k in KINDS for d in DIMENSIONS[k]}
    for kind in KINDS:
        ids = sorted({f for g in cl for f in g[kind]})
        for fid in ids:
            named = np.array([fid in g[kind] for g in cl])
            if fid.startswith(OWN_PREFIX) and named.sum() < 2:
                continue
            ident_cols.append(named.astype(float))
            rec = {"kind": kind, "factor": fid, "n_named": int(named.sum()), "share_named": named.mean() if n else np.nan}
            for dim in DIMENSIONS[kind]:
                col = np.array([g[kind][fid][dim] if fid in g[kind] else np.nan for g in cl])
                weight_cols[f"{kind}.{dim}"].append(col)
                ok = col[~np.isnan(col)]
                lo, hi = SCALES[dim]
                rec[f"{dim}_median"] = float(np.median(ok)) if ok.size else np.nan
                rec[f"{dim}_consensus"] = consensus(np.bincount((ok - lo).astype(int), minlength=hi - lo + 1)).value
            rows.append(rec)
    per_factor = pd.DataFrame(rows)
    if n < 2:
        ia = nan_stat("fewer than two raters", n)
    elif not ident_cols:
        ia = nan_stat("no factors named", 0)
    else:
        ia = krippendorff_alpha(np.column_stack(ident_cols), "nominal")
    wa = {}
    for name, cols in weight_cols.items():
        if n < 2:
            wa[name] = nan_stat("fewer than two raters", n)
        elif not cols:
            wa[name] = nan_stat("no factors of this kind named", 0)
        else:
            wa[name] = krippendorff_alpha(np.column_stack(cols), "ordinal")
    defined_w = [s.value for s in wa.values() if s.defined]
    if not ia.defined:
        pattern = "undefined"
    else:
        same = ia.value >= agreement
        diff_w = bool(defined_w) and min(defined_w) < agreement
        pattern = ("same_factors_different_weight" if diff_w else "agree") if same else ("different_factors_and_weight" if diff_w else "different_factors")
    return FactorAgreement(ia, wa, per_factor, n, pattern)
