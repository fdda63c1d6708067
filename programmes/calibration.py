"""A trainee's calibration over a programme, and the mentor's criterion.

Per answered case (:func:`case_results`): the steps from the key and from the
group's median, whether the rating is within one step of the key, and — from
the factor grid against the key's (``scoring.factor_feedback``) — whether the
factors were identified alike and weighed alike.

Over the programme (:func:`figures`): the share within one step, the mean lean
from the key and from the group, and what drives the differences (weighting or
identification).

The criterion (:class:`Criterion`, chosen by the mentor) looks at the last
``window`` *rated* cases that have a key. "Inte känt" is missing data, as
everywhere in ``scoring``: such an answer neither fills the window nor counts
as a hit, and the number of them is reported with the figures. With fewer
rated cases than the window, no figure of the criterion is computed at all
(``Evaluation.enough`` is False and every figure is None).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Iterable, Mapping, Sequence

import numpy as np

#: share_lean: ≥ min_share within one step and |mean lean| ≤ max_lean; ac2: Gwet's AC2 (ordinal,
#: quadratic weights) against the key ≥ min_coefficient; alpha: Krippendorff's alpha (ordinal) ≥ it.
CRITERION_KINDS = ("share_lean", "ac2", "alpha")
#: Mean weight gap (steps) from which a case counts as "weighed differently" (scoring.factor_feedback's default).
WEIGHT_THRESHOLD = 0.75


@dataclass(frozen=True)
class Criterion:
    """The calibration goal. The default: over the last five cases, at least 80 % within one step
    of the key and a mean lean within ±0.5 steps.

    >>> Criterion().describe_values()
    {'kind': 'share_lean', 'window': 5, 'min_share': 0.8, 'max_lean': 0.5, 'min_coefficient': 0.7}
    >>> Criterion.from_dict({"kind": "ac2", "window": 6, "min_coefficient": 0.7}).kind
    'ac2'
    """

    kind: str = "share_lean"
    window: int = 5
    min_share: float = 0.8
    max_lean: float = 0.5
    min_coefficient: float = 0.7

    def __post_init__(self):
        if self.kind not in CRITERION_KINDS:
            raise ValueError(f"unknown criterion {self.kind!r}; expected one of {CRITERION_KINDS}")
        if not 2 <= int(self.window) <= 50:
            raise ValueError("the window must be 2–50 cases")
        if not 0 < self.min_share <= 1 or not 0 <= self.max_lean <= 3 or not -1 <= self.min_coefficient <= 1:
            raise ValueError("a threshold is out of range")

    def describe_values(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping | None) -> "Criterion":
        data = dict(data or {})
        known = {k: data[k] for k in ("kind", "window", "min_share", "max_lean", "min_coefficient") if k in data}
        if "window" in known:
            known["window"] = int(known["window"])
        return cls(**known)


@dataclass(frozen=True)
class CaseResult:
    case_id: str
    submitted_at: datetime
    risk: str
    key_risk: str | None
    not_known: bool
    #: Own level − key level (None: "inte känt", or the case has no key).
    steps_from_key: float | None
    #: Own level − the median of the other answers (None: too few others, or "inte känt").
    steps_from_group: float | None
    #: F1 of the factors named against the key's (None without a key grid).
    identification: float | None
    #: Mean absolute weighting difference in steps over the factors named by both (None: none shared).
    weight_gap: float | None

    @property
    def rated(self) -> bool:
        return self.steps_from_key is not None

    @property
    def within_one(self) -> bool | None:
        return None if self.steps_from_key is None else abs(self.steps_from_key) <= 1


def case_results(answers: Sequence, cases: Mapping, levels: Sequence[str], not_assessable: str,
                 others: Mapping[str, Sequence[str]], min_group: int = 5) -> list[CaseResult]:
    """One result per answer (``store.models.Answer`` rows, oldest first). ``cases``: id → case;
    ``others``: per case, the *other* people's risk answers (the group); a group median is used only
    when the group, the trainee included, reaches ``min_group``."""
    from feedback.model import key_response, response_from_answer
    from scoring import factor_feedback, level_counts, median_level

    out = []
    for a in answers:
        case = cases.get(a.case_id)
        key = key_response(case) if case is not None else None
        own_level = levels.index(a.risk) if a.risk in levels else None
        key_level = levels.index(key.risk) if key is not None and key.risk in levels else None
        group = [r for r in others.get(a.case_id, ()) if r]
        median = None
        if len(group) + 1 >= min_group:
            value = median_level(level_counts([r for r in group]))
            median = None if math.isnan(value) else value
        ident = gap = None
        if key is not None:
            fb = factor_feedback(response_from_answer(a).factors, key=key.factors).vs_key
            f1 = fb.identification["all"].f1
            ident = None if f1 is None or (isinstance(f1, float) and math.isnan(f1)) else float(f1)
            gap = float(fb.weight_gap.value) if fb.weight_gap.defined else None
        out.append(CaseResult(
            case_id=a.case_id, submitted_at=_aware(a.submitted_at), risk=a.risk,
            key_risk=key.risk if key is not None else None, not_known=a.risk == not_assessable,
            steps_from_key=None if own_level is None or key_level is None else float(own_level - key_level),
            steps_from_group=None if own_level is None or median is None else float(own_level - median),
            identification=ident, weight_gap=gap))
    return out


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive UTC times; PostgreSQL aware ones."""
    from datetime import timezone

    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _mean(values: Iterable[float | None]) -> float | None:
    xs = [v for v in values if v is not None]
    return float(np.mean(xs)) if xs else None


@dataclass(frozen=True)
class Figures:
    """A trainee's figures over the whole programme (no ranking against others)."""

    n_answers: int
    n_rated: int
    n_not_known: int
    share_within_one: float | None
    lean_vs_key: float | None
    lean_vs_group: float | None
    n_vs_group: int
    #: "weighting", "identification", "both", "agree" or None (no case with a key grid).
    driver: str | None
    n_weighing_differs: int
    n_identification_differs: int
    n_factor_cases: int


def figures(results: Sequence[CaseResult], id_threshold: float = 0.6,
            weight_threshold: float = WEIGHT_THRESHOLD) -> Figures:
    """The programme's figures for one trainee.

    >>> from datetime import datetime
    >>> r = lambda key, group, f1, gap: CaseResult("c", datetime(2026, 9, 7), "hog", "hog", key is None,
    ...                                            key, group, f1, gap)
    >>> f = figures([r(0.0, 0.0, 1.0, 1.0), r(1.0, 1.0, 0.9, 1.5), r(-2.0, None, 0.8, 0.0), r(None, None, 1.0, 0.0)])
    >>> f.n_rated, f.n_not_known, round(f.share_within_one, 2), round(f.lean_vs_key, 2), f.lean_vs_group, f.driver
    (3, 1, 0.67, -0.33, 0.5, 'weighting')
    """
    rated = [r for r in results if r.rated]
    weigh = ident = n_factor = 0
    for r in results:
        if r.identification is None:
            continue
        n_factor += 1
        weigh += bool(r.weight_gap is not None and r.weight_gap >= weight_threshold)
        ident += r.identification < id_threshold
    if n_factor == 0:
        driver = None
    elif weigh == ident == 0:
        driver = "agree"
    elif weigh > ident:
        driver = "weighting"
    elif ident > weigh:
        driver = "identification"
    else:
        driver = "both"
    group = [r.steps_from_group for r in results if r.steps_from_group is not None]
    return Figures(
        n_answers=len(results), n_rated=len(rated), n_not_known=sum(r.not_known for r in results),
        share_within_one=(sum(bool(r.within_one) for r in rated) / len(rated)) if rated else None,
        lean_vs_key=_mean(r.steps_from_key for r in rated), lean_vs_group=_mean(group), n_vs_group=len(group),
        driver=driver, n_weighing_differs=weigh, n_identification_differs=ident, n_factor_cases=n_factor)


@dataclass(frozen=True)
class Evaluation:
    """The criterion over the last ``window`` rated cases with a key.

    ``enough`` is False while fewer rated cases exist than the window needs; then every
    figure is None (never computed on fewer cases). ``coefficient`` is AC2 or alpha for those
    criteria; it can be undefined on enough cases (the key uses one level throughout) —
    ``coefficient_reason`` says why, and the criterion is not met."""

    criterion: Criterion
    n_rated: int
    n_not_known: int
    enough: bool
    met: bool
    case_ids: tuple[str, ...] = ()
    share_within_one: float | None = None
    lean: float | None = None
    coefficient: float | None = None
    coefficient_reason: str | None = None
    until: datetime | None = field(default=None)

    @property
    def missing(self) -> int:
        return max(0, self.criterion.window - self.n_rated)


def evaluate(criterion: Criterion, results: Sequence[CaseResult], levels: Sequence[str]) -> Evaluation:
    """Is the criterion met by the last ``criterion.window`` rated cases with a key?

    >>> from datetime import datetime
    >>> r = lambda risk, key: CaseResult("c", datetime(2026, 9, 7), risk, key, risk == "inte_kant",
    ...     None if risk == "inte_kant" else float(LEVELS.index(risk) - LEVELS.index(key)), None, None, None)
    >>> LEVELS = ("ingen_lag", "nagot_forhojd", "hog", "mycket_hog")
    >>> four = [r("hog", "hog"), r("hog", "mycket_hog"), r("inte_kant", "hog"), r("hog", "hog"), r("mycket_hog", "mycket_hog")]
    >>> e = evaluate(Criterion(), four, LEVELS)
    >>> e.enough, e.met, e.n_rated, e.n_not_known, e.share_within_one
    (False, False, 4, 1, None)
    >>> e = evaluate(Criterion(), four + [r("nagot_forhojd", "hog")], LEVELS)
    >>> e.enough, e.met, e.share_within_one, e.lean
    (True, True, 1.0, -0.4)
    """
    rated = [r for r in results if r.rated]
    n_not_known = sum(r.not_known for r in results)
    until = results[-1].submitted_at if results else None
    if len(rated) < criterion.window:
        return Evaluation(criterion, len(rated), n_not_known, enough=False, met=False, until=until)
    window = rated[-criterion.window:]
    share = sum(bool(r.within_one) for r in window) / len(window)
    lean = float(np.mean([r.steps_from_key for r in window]))
    coefficient = reason = None
    if criterion.kind == "share_lean":
        met = share >= criterion.min_share - 1e-12 and abs(lean) <= criterion.max_lean + 1e-12
    else:
        stat = _coefficient(criterion.kind, window, levels)
        if stat.defined:
            coefficient = float(stat.value)
        else:
            reason = stat.reason
        met = coefficient is not None and coefficient >= criterion.min_coefficient - 1e-12
    return Evaluation(criterion, len(rated), n_not_known, enough=True, met=met,
                      case_ids=tuple(r.case_id for r in window), share_within_one=share, lean=lean,
                      coefficient=coefficient, coefficient_reason=reason, until=until)


def _coefficient(kind: str, window: Sequence[CaseResult], levels: Sequence[str]):
    """The trainee and the key as two raters over the window's cases (the scoring package's functions)."""
    from scoring import gwet_ac2, krippendorff_alpha

    own = [levels.index(r.risk) for r in window]
    key = [levels.index(r.key_risk) for r in window]
    if kind == "ac2":
        counts = np.zeros((len(window), len(levels)), dtype=int)
        for i, (a, b) in enumerate(zip(own, key)):
            counts[i, a] += 1
            counts[i, b] += 1
        return gwet_ac2(counts, weights="quadratic")
    return krippendorff_alpha(np.array([own, key], dtype=float), "ordinal", value_domain=list(range(len(levels))))


def first_met(criterion: Criterion, results: Sequence[CaseResult], levels: Sequence[str]) -> Evaluation | None:
    """The evaluation at the first answer after which the criterion held (None: not yet met)."""
    for i in range(criterion.window, len(results) + 1):
        e = evaluate(criterion, results[:i], levels)
        if e.met:
            return e
    return None
