"""Build the feedback for one submitted answer (pure functions)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from cases import Case, Variables
from cases.panel import Panel
from cases.variables import EXPOSURE_VARIABLES, FACTOR_KINDS, INTERVENTION
from store import shapes
#: Every reflection prompt ``choose_prompts`` can pick (message ``prompt.<id>``);
#: those in SPECIFIC_PROMPTS also have a ``prompt.<id>.specific`` variant that
#: names the trainee's own factors.
PROMPT_IDS = ("not_known", "lower_same_factors", "lower", "relative_assessment", "higher_same_factors", "higher",
              "missed_factors", "different_weight", "goal_baseline", "agree")
SPECIFIC_PROMPTS = ("lower_same_factors",)
VERDICTS = ("agree", "same_factors_different_weight", "different_factors", "different_factors_and_weight")


@dataclass(frozen=True)
class Response:
    """One answer as feedback needs it (from the store or from a key)."""

    risk: str
    selections: dict[str, tuple[str, ...]]
    factors: dict[str, dict[str, dict[str, int | None]]]
    own_labels: dict[str, str] = field(default_factory=dict)
    goals: tuple[dict[str, str], ...] = ()
    motivation: str = ""
    safety_scale: int | None = None
    #: The Signs of Safety mapping (``feedback.mapping.MappingResponse``), None when there is none.
    mapping: Any = None

    def chosen(self, variable: str) -> frozenset[str]:
        return frozenset(self.selections.get(variable, ()))


def response_from_answer(answer) -> Response:
    """A ``Response`` from a stored ``store.models.Answer`` row."""
    from feedback.mapping import mapping_from_answer

    grid, own = shapes.factor_grid(answer)
    goals = tuple(shapes.goals_of(answer))
    return Response(
        risk=answer.risk,
        selections={k: tuple(v) for k, v in shapes.selections_of(answer).items()},
        factors=grid,
        own_labels=own,
        goals=goals,
        motivation=answer.motivation or "",
        safety_scale=answer.safety_scale,
        mapping=mapping_from_answer(answer),
    )


def key_response(case: Case) -> Response | None:
    if case.key is None:
        return None
    k = case.key
    return Response(
        risk=k.risk,
        selections={v: tuple(chosen) for v, chosen in shapes.key_selections(k).items()},
        factors=shapes.key_factor_grid(k),
    )


@dataclass(frozen=True)
class Prompt:
    """A reflection prompt chosen because of how the answer diverged."""

    id: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SetDiff:
    """Options the reference chose and the trainee did not, and the other way round."""

    missed: tuple[str, ...]
    extra: tuple[str, ...]


@dataclass(frozen=True)
class Feedback:
    case_id: str
    own: Response
    group_n: int
    group_shown: bool
    min_group: int
    group_risk_counts: dict[str, int]
    group_not_known: int
    group_median_levels: tuple[str, ...]
    group_consensus: float | None
    steps_from_group: float | None
    panel: Panel | None
    panel_risk_counts: dict[str, int] | None
    steps_from_panel: float | None
    key: Response | None
    steps_from_key: float | None
    exposure_vs_group: dict[str, SetDiff]
    exposure_vs_key: dict[str, SetDiff]
    factors_vs_group: dict[str, Any] | None
    factors_vs_key: dict[str, Any] | None
    intervention_shares: dict[str, float]
    group_goals: tuple[dict[str, str], ...]
    prompts: tuple[Prompt, ...]
    #: The panel on every variable it has: rows with 1.0 where the trainee chose them, 0.0 where not
    #: (``feedback.panel_shares.panel_comparison``).
    panel_shares: dict[str, tuple] = field(default_factory=dict)
    #: The trainee's interventions against the key's ("ingen insats" is an answer like any other).
    intervention_vs_key: SetDiff | None = None

    @property
    def first_to_answer(self) -> bool:
        return self.group_n <= 1


def _steps(own: str, reference_level: float | None, levels: tuple[str, ...]) -> float | None:
    if own not in levels or reference_level is None or math.isnan(reference_level):
        return None
    return float(levels.index(own) - reference_level)


def _panel_median(panel: Panel | None, levels: tuple[str, ...]) -> float | None:
    if panel is None:
        return None
    from scoring.plain import median_level

    value = median_level([panel.risk.get(lvl, 0) for lvl in levels])
    return None if math.isnan(value) else float(value)


def _set_diff(own: frozenset[str], reference: frozenset[str]) -> SetDiff:
    return SetDiff(missed=tuple(sorted(reference - own)), extra=tuple(sorted(own - reference)))


def _factor_summary(comparison, case: Case) -> dict[str, Any] | None:
    if comparison is None:
        return None
    ident = comparison.identification
    bias = {k: (None if not s.defined else round(float(s.value), 2)) for k, s in comparison.weight_bias.items()}
    rows = []
    for row in comparison.weighting:
        if row.diff == row.diff and row.diff != 0:  # not nan, not equal
            rows.append({"kind": row.kind, "factor": row.factor, "dimension": row.dimension,
                         "trainee": row.trainee, "reference": row.reference, "diff": float(row.diff)})
    return {
        "verdict": comparison.verdict,
        "missed": {kind: tuple(sorted(f for f in ident[kind].missed if case.factor(f))) for kind in FACTOR_KINDS},
        "extra": {kind: tuple(sorted(f for f in ident[kind].extra if case.factor(f))) for kind in FACTOR_KINDS},
        "f1": None if math.isnan(ident["all"].f1) else round(float(ident["all"].f1), 2),
        "bias": bias,
        "gap": None if not comparison.weight_gap.defined else round(float(comparison.weight_gap.value), 2),
        "differences": tuple(rows),
    }


def _weights_only(grid: dict) -> dict:
    return {kind: {fid: dict(vals) for fid, vals in grid.get(kind, {}).items()} for kind in FACTOR_KINDS}


def build_feedback(
    case: Case,
    variables: Variables,
    own: Response,
    others: list[Response],
    *,
    panel: Panel | None = None,
    min_group: int = 5,
) -> Feedback:
    """Everything the feedback page shows for ``own``, compared with ``others``
    (the other answers to the same case and round), the panel and the key."""
    # plain Python: a trainee's kernel never imports numpy, pandas or scipy (scoring/plain.py)
    from scoring.plain import factor_feedback, option_shares, risk_summary

    levels = variables.risk_level_ids
    not_known = variables.risk.not_assessable.id
    group = [own, *others]
    group_n = len(group)
    shown = group_n >= min_group

    summary = risk_summary([r.risk for r in group], levels)
    median = summary.median if summary.n else float("nan")
    # The trainee's distance from the *others'* median (never from a group that includes them).
    others_summary = risk_summary([r.risk for r in others], levels) if others else None
    others_median = others_summary.median if others_summary and others_summary.n else None
    key = key_response(case)
    if key is not None and not key.chosen(INTERVENTION) and variables.no_intervention_ids:
        # a key written before "ingen insats" existed: no intervention is that answer
        key = Response(key.risk, {**key.selections, INTERVENTION: variables.no_intervention_ids[:1]}, key.factors)
    key_level = float(levels.index(key.risk)) if key and key.risk in levels else None

    exposure_vs_group: dict[str, SetDiff] = {}
    exposure_vs_key: dict[str, SetDiff] = {}
    for variable in EXPOSURE_VARIABLES:
        if shown and others:
            shares = option_shares([list(r.chosen(variable)) for r in others])
            consensus = frozenset(o for o, share in shares.items() if share >= 0.5 - 1e-12)
            exposure_vs_group[variable] = _set_diff(own.chosen(variable), consensus)
        if key is not None:
            exposure_vs_key[variable] = _set_diff(own.chosen(variable), key.chosen(variable))

    fb = factor_feedback(
        _weights_only(own.factors),
        group=[_weights_only(r.factors) for r in others] if shown and others else (),
        key=_weights_only(key.factors) if key else None,
    )
    factors_vs_group = _factor_summary(fb.vs_group, case)
    factors_vs_key = _factor_summary(fb.vs_key, case)

    intervention_shares: dict[str, float] = {}
    if shown:
        shares = option_shares([list(r.chosen(INTERVENTION)) for r in group])
        intervention_shares = {k: float(v) for k, v in shares.items()}  # noqa: C416 (plain floats)

    from feedback.panel_shares import PANEL_VARIABLES, panel_comparison

    panel_shares = panel_comparison(panel, variables, {v: [own.chosen(v)] for v in PANEL_VARIABLES})
    intervention_vs_key = _set_diff(own.chosen(INTERVENTION), key.chosen(INTERVENTION)) if key is not None else None

    steps_from_group = _steps(own.risk, others_median, levels) if shown else None
    steps_from_key = _steps(own.risk, key_level, levels)
    panel_median = _panel_median(panel, levels)
    steps_from_panel = _steps(own.risk, panel_median, levels)

    prompts = choose_prompts(
        case, own, not_known=not_known,
        steps=[s for s in (steps_from_group, steps_from_key, steps_from_panel) if s is not None],
        factors=[f for f in (factors_vs_group, factors_vs_key) if f is not None],
        levels=levels,
    )
    return Feedback(
        case_id=case.id,
        own=own,
        group_n=group_n,
        group_shown=shown,
        min_group=min_group,
        group_risk_counts=dict(summary.counts) if shown else {},
        group_not_known=summary.n_not_assessable if shown else 0,
        group_median_levels=tuple(summary.median_levels) if shown and not math.isnan(median) else (),
        group_consensus=(None if not summary.consensus.defined else round(float(summary.consensus.value), 2)) if shown else None,
        steps_from_group=steps_from_group,
        panel=panel,
        panel_risk_counts=panel.risk_counts(variables) if panel else None,
        steps_from_panel=steps_from_panel,
        key=key,
        steps_from_key=steps_from_key,
        exposure_vs_group=exposure_vs_group,
        exposure_vs_key=exposure_vs_key,
        factors_vs_group=factors_vs_group,
        factors_vs_key=factors_vs_key,
        intervention_shares=intervention_shares,
        group_goals=tuple(g for r in others for g in r.goals) if shown else (),
        prompts=tuple(prompts),
        panel_shares=panel_shares,
        intervention_vs_key=intervention_vs_key,
    )


def choose_prompts(case: Case, own: Response, *, not_known: str, steps: list[float], factors: list[dict],
                   levels: tuple[str, ...]) -> list[Prompt]:
    """Reflection prompts chosen by what diverged — not a fixed list."""
    prompts: list[Prompt] = []
    if own.risk == not_known:
        prompts.append(Prompt("not_known"))
    lower = any(s <= -0.5 for s in steps)
    higher = any(s >= 0.5 for s in steps)
    same_factors = any(f["verdict"] in ("agree", "same_factors_different_weight") for f in factors)
    missed = sorted({fid for f in factors for fid in f["missed"]["risk"]})
    if lower:
        params: dict[str, Any] = {}
        protective = own.factors.get("protective", {})
        strongest = max(protective.items(), key=lambda kv: kv[1].get("function") or 0, default=None)
        heaviest = max(own.factors.get("risk", {}).items(),
                       key=lambda kv: (kv[1].get("severity") or 0, kv[1].get("extent") or 0), default=None)
        if strongest and heaviest and case.factor(strongest[0]) and case.factor(heaviest[0]):
            params = {"protective": strongest[0], "risk": heaviest[0]}
        prompts.append(Prompt("lower_same_factors", params) if same_factors else Prompt("lower"))
        prompts.append(Prompt("relative_assessment"))
    elif higher:
        prompts.append(Prompt("higher_same_factors" if same_factors else "higher"))
    if missed:
        prompts.append(Prompt("missed_factors", {"factors": tuple(missed)}))
    if any(f["verdict"] == "same_factors_different_weight" for f in factors) and not lower and not higher:
        prompts.append(Prompt("different_weight"))
    if own.goals and any(not g.get("baseline", "").strip() for g in own.goals):
        prompts.append(Prompt("goal_baseline"))
    if not prompts:
        prompts.append(Prompt("agree"))
    return prompts
