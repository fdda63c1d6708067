"""The statistics one trainee's feedback needs, in plain Python — the same numbers, no numpy.

A trainee's feedback compares one answer with a handful of others: a few
dozen numbers. The vectorised functions of this package (numpy, pandas,
scipy) are made for the manager's 100,000 answers, and importing them costs a
page's kernel about 120 MB (numpy 15, pandas 46, scipy.stats 58) — every
trainee has a kernel of their own. These functions compute the same results
for the feedback and progress pages with the standard library only;
``tests/scoring/test_scoring_plain.py`` checks them against the vectorised
ones on generated data.

* :func:`risk_counts`, :func:`median_level`, :func:`consensus` — as in
  :mod:`scoring.consensus` (Tastle–Wierman consensus, the median level);
* :func:`option_shares` — as :func:`scoring.sets.option_shares`, as a dict;
* :func:`factor_feedback` — as :func:`scoring.factors.factor_feedback`, with
  the weighting as a list of rows instead of a DataFrame;
* :func:`drift` — as :func:`scoring.drift.drift` (Student-t interval; the
  t quantile from the regularised incomplete beta function).
"""

from __future__ import annotations

import math
from collections import namedtuple
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ._result import Estimate, Stat, nan_stat

RISK_LEVELS: tuple[str, ...] = ("ingen_lag", "nagot_forhojd", "hog", "mycket_hog")  # = scoring.levels
NOT_ASSESSABLE = "inte_kant"
OWN_PREFIX = "own:"
DIMENSIONS: dict[str, tuple[str, ...]] = {"risk": ("severity", "extent"), "protective": ("extent", "function")}
SCALES: dict[str, tuple[int, int]] = {"severity": (1, 4), "extent": (1, 3), "function": (1, 3)}
KINDS = tuple(DIMENSIONS)
NAN = math.nan
_NONE = "no assessable answers (all missing or inte_kant)"
_ONE = "only one assessable answer; agreement needs at least two raters"


# -- risk levels ------------------------------------------------------------------------
def level_index(answer, levels: Sequence[str] = RISK_LEVELS) -> float:
    """A risk answer as its level index; ``nan`` for missing / ``inte_kant`` (unknown ids raise)."""
    if answer is None or answer == "" or answer == NOT_ASSESSABLE:
        return NAN
    if isinstance(answer, float) and math.isnan(answer):
        return NAN
    if isinstance(answer, str):
        if answer not in levels:
            raise ValueError(f"unknown risk level {answer!r}")
        return float(levels.index(answer))
    value = float(answer)
    if value != int(value) or not 0 <= value < len(levels):
        raise ValueError(f"risk level index {answer!r} outside 0..{len(levels) - 1}")
    return value


def risk_counts(answers: Sequence, levels: Sequence[str] = RISK_LEVELS) -> list[int]:
    counts = [0] * len(levels)
    for a in answers:
        x = level_index(a, levels)
        if not math.isnan(x):
            counts[int(x)] += 1
    return counts


def median_level(counts: Sequence[float]) -> float:
    """Median level index of a count vector (``x.5`` between levels; ``nan`` without answers)."""
    n = sum(counts)
    if n == 0:
        return NAN

    def position(target: float) -> int:  # the first level whose cumulative count reaches target
        cum = 0.0
        for i, c in enumerate(counts):
            cum += c
            if cum >= target:
                return i
        return len(counts) - 1

    if n % 2:
        lo = hi = position((n + 1) // 2)
    else:
        lo, hi = position(n / 2), position(n / 2 + 1)
    return (lo + hi) / 2.0


def consensus(counts: Sequence[float]) -> Stat:
    """Tastle & Wierman (2007) ordinal consensus of one case (as :func:`scoring.consensus`)."""
    if len(counts) < 2:
        raise ValueError("need at least two ordered levels")
    n = int(sum(counts))
    if n == 0:
        return nan_stat(_NONE, 0)
    if n == 1:
        return nan_stat(_ONE, 1)
    k = len(counts)
    p = [c / n for c in counts]
    mu = sum(pi * (i + 1) for i, pi in enumerate(p))
    width = k - 1.0
    total = sum(pi * math.log2(1.0 - abs((i + 1) - mu) / width) for i, pi in enumerate(p) if pi > 0)
    return Stat(1.0 + total, None, n)


@dataclass(frozen=True)
class RiskSummary:
    """What the feedback shows of one case's risk answers (the fields of :class:`scoring.RiskSummary` it uses)."""

    counts: dict[str, int]
    n: int
    n_not_assessable: int
    consensus: Stat
    median: float
    median_levels: tuple[str, ...]


def risk_summary(answers: Sequence, levels: Sequence[str] = RISK_LEVELS) -> RiskSummary:
    answers = list(answers)
    c = risk_counts(answers, levels)
    med = median_level(c)
    med_levels = () if math.isnan(med) else tuple(dict.fromkeys((levels[math.floor(med)], levels[math.ceil(med)])))
    return RiskSummary(
        counts={lid: c[i] for i, lid in enumerate(levels)}, n=sum(c),
        n_not_assessable=sum(1 for a in answers if a == NOT_ASSESSABLE),
        consensus=consensus(c), median=med, median_levels=med_levels,
    )


# -- option sets -------------------------------------------------------------------------
def option_shares(answers: Sequence, options: Sequence[str] | None = None) -> dict[str, float]:
    """Share of answering raters (``None`` = did not answer) who chose each option, options sorted."""
    sets = [frozenset(a) for a in answers if a is not None]
    if options is None:
        options = sorted(set().union(*sets)) if sets else []
    if not sets:
        return {o: NAN for o in options}
    return {o: sum(1 for s in sets if o in s) / len(sets) for o in options}


# -- factors ------------------------------------------------------------------------------
WeightRow = namedtuple("WeightRow", "kind factor dimension trainee reference diff n_reference")


@dataclass(frozen=True)
class Identification:
    jaccard: float
    f1: float
    shared: tuple[str, ...]
    missed: tuple[str, ...]
    extra: tuple[str, ...]
    unmatched_own: tuple[str, ...]


@dataclass(frozen=True)
class FactorComparison:
    """As :class:`scoring.FactorComparison`; ``weighting`` is a list of :data:`WeightRow`."""

    reference: str
    identification: dict[str, Identification]
    weighting: list = field(repr=False)
    weight_bias: dict[str, Stat]
    weight_gap: Stat
    verdict: str


@dataclass(frozen=True)
class FactorFeedback:
    vs_group: FactorComparison | None
    vs_key: FactorComparison | None


def _clean(grid: Mapping | None) -> dict[str, dict[str, dict[str, float]]]:
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
                    rec[dim] = NAN
                    continue
                lo, hi = SCALES[dim]
                if not (float(v) == int(v) and lo <= int(v) <= hi):
                    raise ValueError(f"{kind} factor {fid!r}: {dim}={v!r} outside {lo}..{hi}")
                rec[dim] = float(v)
            out[kind][str(fid)] = rec
    return out


def _is_own(fid: str) -> bool:
    return fid.startswith(OWN_PREFIX) or fid.split("/", 1)[-1].startswith(OWN_PREFIX)


def _ident(trainee: set, reference: set, known_own: set) -> Identification:
    unmatched = {f for f in trainee if _is_own(f) and f not in known_own and f not in reference}
    t = trainee - unmatched
    inter, union, size = t & reference, t | reference, len(t) + len(reference)
    return Identification(
        jaccard=1.0 if not union else len(inter) / len(union),
        f1=1.0 if size == 0 else 2.0 * len(inter) / size,
        shared=tuple(sorted(inter)), missed=tuple(sorted(reference - t)), extra=tuple(sorted(t - reference)),
        unmatched_own=tuple(sorted(unmatched)),
    )


def _median(values: list[float]) -> float:
    values = sorted(v for v in values if not math.isnan(v))
    if not values:
        return NAN
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2.0


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def compare_factors(trainee: Mapping, reference_sets: Mapping[str, set], reference_values: Mapping,
                    reference_n: Mapping | None = None, known_own: Mapping | None = None, label: str = "reference",
                    id_threshold: float = 0.6, weight_threshold: float = 0.75) -> FactorComparison:
    t = _clean(trainee)
    ident: dict[str, Identification] = {}
    rows: list[WeightRow] = []
    all_t, all_r, all_known = set(), set(), set()
    for kind in KINDS:
        ref_set = set(reference_sets.get(kind, set()))
        known = set((known_own or {}).get(kind, set())) | {f for f in reference_values.get(kind, {})
                                                           if f.startswith(OWN_PREFIX)}
        ident[kind] = _ident(set(t[kind]), ref_set, known)
        all_t |= {f"{kind}/{f}" for f in t[kind]}
        all_r |= {f"{kind}/{f}" for f in ref_set}
        all_known |= {f"{kind}/{f}" for f in known}
        for fid, vals in t[kind].items():
            ref_vals = reference_values.get(kind, {}).get(fid)
            if ref_vals is None:
                continue
            for dim in DIMENSIONS[kind]:
                tv, rv = vals[dim], ref_vals.get(dim, NAN)
                rows.append(WeightRow(kind, fid, dim, tv, rv, tv - rv, (reference_n or {}).get(kind, {}).get(fid, 1)))
    ident["all"] = _ident(all_t, all_r, all_known)
    judged = [r for r in rows if not math.isnan(r.diff)]
    bias: dict[str, Stat] = {}
    for kind in KINDS:
        for dim in DIMENSIONS[kind]:
            d = [r.diff for r in judged if r.kind == kind and r.dimension == dim]
            bias[f"{kind}.{dim}"] = (Stat(_mean(d), None, len(d)) if d else
                                     nan_stat(f"no shared {kind} factor with {dim} judged on both sides", 0))
    gap = (Stat(_mean([abs(r.diff) for r in judged]), None, len(judged)) if judged else
           nan_stat("no shared factor with a judged weighting", 0))
    same_factors = ident["all"].f1 >= id_threshold
    diff_weight = gap.defined and gap.value >= weight_threshold
    if same_factors:
        verdict = "same_factors_different_weight" if diff_weight else "agree"
    else:
        verdict = "different_factors_and_weight" if diff_weight else "different_factors"
    return FactorComparison(label, ident, rows, bias, gap, verdict)


def factor_feedback(trainee: Mapping, group: Sequence[Mapping] = (), key: Mapping | None = None,
                    threshold: float = 0.5, id_threshold: float = 0.6, weight_threshold: float = 0.75) -> FactorFeedback:
    """As :func:`scoring.factor_feedback` (see there for the rules)."""
    _clean(trainee)
    vs_group = None
    if len(group):
        grids = [_clean(g) for g in group]
        n = len(grids)
        sets, values, counts, own = {}, {}, {}, {}
        for kind in KINDS:
            named: dict[str, list[dict[str, float]]] = {}
            for g in grids:
                for fid, vals in g[kind].items():
                    named.setdefault(fid, []).append(vals)
            sets[kind] = {f for f, v in named.items() if len(v) / n >= threshold - 1e-12}
            values[kind] = {f: {dim: _median([v[dim] for v in vs]) for dim in DIMENSIONS[kind]} for f, vs in named.items()}
            counts[kind] = {f: len(vs) for f, vs in named.items()}
            own[kind] = {f for f in named if f.startswith(OWN_PREFIX)}
        vs_group = compare_factors(trainee, sets, values, counts, own, "group", id_threshold, weight_threshold)
    vs_key = None
    if key is not None:
        k = _clean(key)
        vs_key = compare_factors(trainee, {kind: set(k[kind]) for kind in KINDS}, k, None,
                                 {kind: {f for f in k[kind] if f.startswith(OWN_PREFIX)} for kind in KINDS},
                                 "key", id_threshold, weight_threshold)
    return FactorFeedback(vs_group, vs_key)


# -- drift ----------------------------------------------------------------------------------
def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (Lentz; Numerical Recipes 6.4)."""
    tiny, qab, qap, qam = 1e-300, a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    x = t * t / (df + t * t)
    if x < 0.5:  # near the centre: P(|T| < |t|) = I_x(1/2, df/2), no cancellation
        central = _betainc(0.5, df / 2.0, x)
        return 0.5 + 0.5 * central if t >= 0 else 0.5 - 0.5 * central
    tail = 0.5 * _betainc(df / 2.0, 0.5, 1.0 - x)
    return 1.0 - tail if t >= 0 else tail


def t_ppf(q: float, df: float) -> float:
    """Quantile of Student's t (closed form for 1 and 2 degrees of freedom, else bisection on :func:`t_cdf`)."""
    if not 0 < q < 1:
        raise ValueError("q must be in (0, 1)")
    if df == 1:  # Cauchy
        return math.tan(math.pi * (q - 0.5))
    if df == 2:
        return (2 * q - 1) / math.sqrt(2 * q * (1 - q))
    lo, hi = -1.0, 1.0
    while t_cdf(lo, df) > q:
        lo *= 2.0
    while t_cdf(hi, df) < q:
        hi *= 2.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if t_cdf(mid, df) < q:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-13:
            break
    return (lo + hi) / 2.0


def mean_ci(diffs: Sequence[float], confidence: float = 0.95) -> Estimate:
    """As :func:`scoring.mean_ci`."""
    if not 0 < confidence < 1:
        raise ValueError("confidence must be in (0, 1)")
    x = [float(d) for d in diffs if d is not None and not math.isnan(float(d))]
    n = len(x)
    if n == 0:
        return Estimate(NAN, NAN, NAN, confidence, 0, "no cases with both answers", "t")
    m = _mean(x)
    if n == 1:
        return Estimate(m, NAN, NAN, confidence, 1, "one case only: no interval (needs at least two cases)", "t")
    se = math.sqrt(sum((v - m) ** 2 for v in x) / (n - 1)) / math.sqrt(n)
    h = t_ppf(0.5 + confidence / 2.0, n - 1) * se
    return Estimate(m, m - h, m + h, confidence, n, None, "t")


@dataclass(frozen=True)
class Drift:
    vs_group: Estimate
    vs_key: Estimate


def drift(trainee_levels: Sequence, group_medians: Sequence[float], key_levels: Sequence[float],
          confidence: float = 0.95) -> Drift:
    """As :func:`scoring.drift` with numeric references (level indices, ``nan`` = none)."""
    t = [level_index(a) for a in trainee_levels]
    out = []
    for ref in (group_medians, key_levels):
        if len(ref) != len(t):
            raise ValueError("reference must have one entry per case")
        out.append(mean_ci([a - float(r) for a, r in zip(t, ref)], confidence))
    return Drift(*out)
