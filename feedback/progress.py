"""My progress: a trainee's earlier cases, distance from group and key, and drift."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CaseProgress:
    case_id: str
    submitted_at: datetime
    risk: str
    steps_from_group: float | None
    steps_from_key: float | None


@dataclass(frozen=True)
class Progress:
    cases: tuple[CaseProgress, ...]
    vs_group: object  # scoring.Estimate
    vs_key: object


def build_progress(own: list[tuple[str, datetime, str]], others: dict[str, list[str]], keys: dict[str, str | None],
                   levels: tuple[str, ...], min_group: int = 5) -> Progress:
    """``own``: (case id, submitted at, risk) per answered case, oldest first;
    ``others``: the other raters' risk answers per case; ``keys``: the key's risk per case.
    A group median is used only where the group (the trainee included) reaches ``min_group``."""
    from scoring.plain import drift, median_level, risk_counts  # no numpy/scipy in a page's kernel

    rows = []
    medians, key_levels, trainee = [], [], []
    for case_id, when, risk in own:
        group = others.get(case_id, [])
        median = float("nan")
        if len(group) + 1 >= min_group:
            median = median_level(risk_counts(group, levels))
        key = keys.get(case_id)
        key_level = float(levels.index(key)) if key in levels else float("nan")
        own_level = float(levels.index(risk)) if risk in levels else float("nan")
        rows.append(CaseProgress(
            case_id, when, risk,
            None if math.isnan(median) or math.isnan(own_level) else own_level - median,
            None if math.isnan(key_level) or math.isnan(own_level) else own_level - key_level,
        ))
        trainee.append(risk)
        medians.append(median)
        key_levels.append(key_level)
    d = drift(trainee, medians, key_levels)
    return Progress(tuple(rows), d.vs_group, d.vs_key)
