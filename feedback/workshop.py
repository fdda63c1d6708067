"""What a mentor's reveal shows, and how a workshop converged between rounds.

Pure functions over the workshop's answers (``Response`` values keyed by an
anonymous participant number). Anonymity is enforced here, not in the view: a
case answered by fewer than the workshop's minimum group size yields no
distribution, no motivations and no goals — only the count.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

from cases import Case, Variables
from cases.panel import Panel
from cases.variables import FACTOR_KINDS, SELECTION_VARIABLES, is_own_factor
from feedback.model import Response

SET_VARIABLES = SELECTION_VARIABLES


@dataclass(frozen=True)
class CaseReveal:
    case_id: str
    round: int
    n: int
    min_group: int
    shown: bool
    risk_counts: dict[str, int] = field(default_factory=dict)
    not_known: int = 0
    consensus: float | None = None
    mode_share: float | None = None
    median_levels: tuple[str, ...] = ()
    option_shares: dict[str, dict[str, float]] = field(default_factory=dict)
    motivations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    goals: tuple[dict[str, str], ...] = ()
    factor_pattern: str | None = None
    identification_alpha: float | None = None
    weighting_alpha: dict[str, float | None] = field(default_factory=dict)
    factor_rows: tuple[dict[str, Any], ...] = ()
    panel: Panel | None = None
    key_risk: str | None = None
    #: The panel on every variable it has, each row with the group's share
    #: (``feedback.panel_shares.panel_comparison``); empty when hidden or without a panel.
    panel_shares: dict[str, tuple] = field(default_factory=dict)


def group_shown(n: int, min_group: int) -> bool:
    """The privacy rule of a workshop: a group's answers are shown only from ``min_group`` answers."""
    return n >= min_group


def _value(stat) -> float | None:
    return None if not stat.defined else round(float(stat.value), 2)


def case_reveal(case: Case, variables: Variables, answers: list[Response], *, round: int, min_group: int,
                panel: Panel | None = None, shuffle_seed: int | None = None) -> CaseReveal:
    """The reveal of one case: everything aggregated, nothing tied to a person."""
    from scoring import factor_agreement, option_shares, risk_summary

    n = len(answers)
    if not group_shown(n, min_group):
        return CaseReveal(case.id, round, n, min_group, False, panel=panel,
                          key_risk=case.key.risk if case.key else None)
    summary = risk_summary([a.risk for a in answers])
    shares = {}
    for variable in SET_VARIABLES:
        s = option_shares([list(a.chosen(variable)) for a in answers])
        shares[variable] = {k: float(v) for k, v in s.items() if v == v}
    from feedback.panel_shares import panel_comparison

    panel_shares = panel_comparison(panel, variables, {v: [a.chosen(v) for a in answers] for v in SET_VARIABLES})
    rng = random.Random(shuffle_seed)
    motivations: dict[str, list[str]] = {}
    for a in answers:
        if a.motivation.strip():
            motivations.setdefault(a.risk, []).append(a.motivation.strip())
    for texts in motivations.values():
        rng.shuffle(texts)  # never in the order people answered
    goals = [g for a in answers for g in a.goals]
    rng.shuffle(goals)
    grids = [{k: {fid: dict(v) for fid, v in a.factors.get(k, {}).items() if not is_own_factor(fid)}
              for k in FACTOR_KINDS} for a in answers]
    fa = factor_agreement(grids)
    rows = []
    for rec in fa.per_factor.to_dict("records"):
        rows.append({k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in rec.items()})
    return CaseReveal(
        case.id, round, n, min_group, True,
        risk_counts=dict(summary.counts),
        not_known=summary.n_not_assessable,
        consensus=_value(summary.consensus),
        mode_share=_value(summary.mode_share),
        median_levels=tuple(summary.median_levels),
        option_shares=shares,
        motivations={k: tuple(v) for k, v in motivations.items()},
        goals=tuple(goals),
        factor_pattern=fa.pattern,
        identification_alpha=_value(fa.identification_alpha),
        weighting_alpha={k: _value(v) for k, v in fa.weighting_alpha.items()},
        factor_rows=tuple(rows),
        panel=panel,
        key_risk=case.key.risk if case.key else None,
        panel_shares=panel_shares,
    )


@dataclass(frozen=True)
class WorkshopAlpha:
    value: float | None
    low: float | None
    high: float | None
    n_cases: int
    reason: str | None
    #: "inte känt" answers among the ``answers`` given to the counted cases:
    #: alpha leaves them out, so they are shown next to it.
    not_known: int = 0
    answers: int = 0

    @property
    def not_known_share(self) -> float | None:
        return self.not_known / self.answers if self.answers else None


def workshop_alpha(answers_by_case: dict[str, dict[int, str]], variables: Variables, *, min_group: int,
                   seed: int = 1) -> WorkshopAlpha:
    """Ordinal Krippendorff's alpha across the workshop's cases (participants × cases),
    with the two-way bootstrap interval of :func:`scoring.alpha_bootstrap` (the
    participants and the cases both resampled) and the count of "inte känt"
    answers it left out. Only cases answered by at least ``min_group`` count."""
    import numpy as np

    from scoring import NOT_ASSESSABLE, alpha_bootstrap

    levels = variables.risk_level_ids
    not_assessable = variables.risk.not_assessable.id
    cases = [c for c, by in answers_by_case.items() if group_shown(len(by), min_group)]
    if len(cases) < 2:
        return WorkshopAlpha(None, None, None, len(cases), "needs at least two cases answered by the minimum group")
    raters = sorted({p for c in cases for p in answers_by_case[c]})
    data = np.full((len(raters), len(cases)), None, dtype=object)
    for j, c in enumerate(cases):
        for i, p in enumerate(raters):
            risk = answers_by_case[c].get(p)
            if risk in levels:
                data[i, j] = risk
            elif risk == not_assessable:
                data[i, j] = NOT_ASSESSABLE
    est = alpha_bootstrap(data, "ordinal", n_boot=1000, seed=seed, value_domain=levels)

    def clean(x: float) -> float | None:
        return None if x is None or math.isnan(x) else round(float(x), 2)

    na = est.not_assessable
    return WorkshopAlpha(clean(est.value), clean(est.low), clean(est.high), len(cases), est.reason,
                         na.n if na else 0, na.answers if na else 0)


@dataclass(frozen=True)
class Convergence:
    case_id: str
    shown: bool
    n_round1: int
    n_round2: int
    consensus_round1: float | None
    consensus_round2: float | None
    n_both: int
    moved_up: int
    moved_down: int
    stayed: int


def convergence(case_id: str, round1: dict[int, str], round2: dict[int, str], levels: tuple[str, ...],
                *, min_group: int) -> Convergence:
    """Agreement in round 1 against round 2, and who moved which way (counts only)."""
    from scoring import consensus, level_counts

    shown = group_shown(len(round1), min_group) and group_shown(len(round2), min_group)

    def cns(answers: dict[int, str]) -> float | None:
        stat = consensus(level_counts(list(answers.values())))
        return _value(stat)

    both = [p for p in round1 if p in round2 and round1[p] in levels and round2[p] in levels]
    up = sum(levels.index(round2[p]) > levels.index(round1[p]) for p in both)
    down = sum(levels.index(round2[p]) < levels.index(round1[p]) for p in both)
    if not shown:
        return Convergence(case_id, False, len(round1), len(round2), None, None, 0, 0, 0, 0)
    return Convergence(case_id, True, len(round1), len(round2), cns(round1), cns(round2),
                       len(both), up, down, len(both) - up - down)
