"""What a trainee submits for one case, validated on the server.

Widgets build an ``AnswerIn`` from their values; nothing reaches the database
without passing ``validate_answer`` — unknown ids, oversize text, values out of
range and contradictory selections are refused with a field-level reason, no
matter what a (modified) browser sent.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from cases.schema import Case
from cases.variables import (
    EXPOSURE,
    FACTOR_PARTS,
    INTERVENTION,
    MAPPING_PARTS,
    OWN_PREFIX,
    SELECTION_VARIABLES,
    Variables,
    exposure_group,
    is_own_factor,
)

MAX_TEXT = 4000
MAX_SHORT = 300
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_TEXT)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_SHORT)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FactorIn(_Strict):
    kind: Literal["risk", "protective"]
    factor_id: Annotated[str, StringConstraints(pattern=rf"^({OWN_PREFIX}[a-z]?\d{{1,3}}|[a-z0-9][a-z0-9-]{{0,47}})$")]
    own_text: Short | None = None
    severity: int | None = Field(default=None, ge=1, le=4)
    extent: int | None = Field(default=None, ge=1, le=3)
    function: int | None = Field(default=None, ge=1, le=3)

    @model_validator(mode="after")
    def _weights_fit_kind(self) -> "FactorIn":
        if self.kind == "risk" and self.function is not None:
            raise ValueError("a risk factor has severity and extent, not a protective function")
        if self.kind == "protective" and self.severity is not None:
            raise ValueError("a protective factor has extent and function, not a severity")
        if is_own_factor(self.factor_id) and not (self.own_text or "").strip():
            raise ValueError("a factor in your own words needs its text")
        return self


class GoalIn(_Strict):
    goal: Text
    baseline: Text = ""
    change: Text = ""
    timeframe: Short = ""


#: Entries of one part in the trainee's own words (one per line in the form).
MAX_MAPPING_LINES = 12


class MappingEntryIn(_Strict):
    part: Literal[MAPPING_PARTS]  # type: ignore[valid-type]
    factor_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,47}$")] | None = None
    text: Short | None = None

    @model_validator(mode="after")
    def _factor_or_text(self) -> "MappingEntryIn":
        if (self.factor_id is None) == (self.text is None or not self.text):
            raise ValueError("an entry is either a factor of the case or the trainee's own words")
        if self.factor_id is not None and self.part not in FACTOR_PARTS:
            raise ValueError(f"a factor of the case is placed under {', '.join(FACTOR_PARTS)}, not {self.part}")
        return self


class MappingIn(_Strict):
    """The Signs of Safety mapping: entries of the three columns, the danger statement,
    the safety goal and the two scaling questions (the scale is ``AnswerIn.safety_scale``)."""

    entries: list[MappingEntryIn] = Field(default_factory=list, max_length=len(MAPPING_PARTS) * MAX_MAPPING_LINES + 40)
    danger_statement: Text = ""
    safety_goal: Text = ""
    why_not_lower: Text = ""
    one_step_up: Text = ""


class AnswerIn(_Strict):
    case_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,47}$")]
    round: int = Field(default=1, ge=1, le=20)
    risk: Annotated[str, StringConstraints(max_length=32)]
    risk_missing_info: Text | None = None
    safety_scale: int | None = Field(default=None, ge=0, le=10)
    selections: dict[str, list[Annotated[str, StringConstraints(max_length=48)]]] = Field(default_factory=dict)
    factors: list[FactorIn] = Field(default_factory=list, max_length=40)
    goals: list[GoalIn] = Field(default_factory=list, max_length=10)
    motivation: Text = ""
    language: Literal["sv", "en"] = "sv"
    mapping: MappingIn | None = None


class AnswerInvalid(ValueError):
    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{field}: {problem}" for field, problem in problems))


def validate_answer(data: dict | AnswerIn, case: Case, variables: Variables) -> AnswerIn:
    """Check an answer's shape and every id against the case and the variables."""
    try:
        answer = data if isinstance(data, AnswerIn) else AnswerIn.model_validate(data)
    except ValidationError as exc:
        raise AnswerInvalid(
            [(".".join(str(p) for p in e["loc"]) or "(answer)", e["msg"].removeprefix("Value error, ")) for e in exc.errors()]
        ) from None
    problems: list[tuple[str, str]] = []
    if answer.case_id != case.id:
        problems.append(("case_id", f"answer is for {answer.case_id!r}, not {case.id!r}"))
    if answer.risk not in variables.risk_answer_ids:
        problems.append(("risk", f"unknown risk answer {answer.risk!r}"))
    if answer.risk != variables.risk.not_assessable.id and answer.risk_missing_info:
        problems.append(("risk_missing_info", "only with the answer 'not known'"))
    for variable, chosen in answer.selections.items():
        if variable not in SELECTION_VARIABLES:
            problems.append((f"selections.{variable}", "unknown variable"))
            continue
        if exposure_group(variable) is not None:
            problem = variables.check_selection(EXPOSURE, exposure_group(variable), chosen)
        elif variable == INTERVENTION:
            problem = variables.check_interventions(chosen)
        else:
            unknown = [c for c in chosen if c not in variables.bbic_area_ids]
            problem = f"unknown area(s) {unknown}" if unknown else None
        if problem is None and len(set(chosen)) != len(chosen):
            problem = "an option is chosen twice"
        if problem:
            problems.append((f"selections.{variable}", problem))
    no_intervention = [o for o in answer.selections.get(INTERVENTION, []) if o in variables.no_intervention_ids]
    if no_intervention and answer.selections.get("focus"):
        problems.append(("selections.focus", f"no focus with {no_intervention[0]!r} (no intervention)"))
    risk_ids = {f.id for f in case.factors.risk}
    protective_ids = {f.id for f in case.factors.protective}
    seen: set[tuple[str, str]] = set()
    for i, factor in enumerate(answer.factors):
        if not is_own_factor(factor.factor_id):
            allowed = risk_ids if factor.kind == "risk" else protective_ids
            if factor.factor_id not in allowed:
                problems.append((f"factors[{i}]", f"{factor.factor_id!r} is not a {factor.kind} factor of this case"))
        if (factor.kind, factor.factor_id) in seen:
            problems.append((f"factors[{i}]", "the same factor is named twice"))
        seen.add((factor.kind, factor.factor_id))
    if answer.mapping is not None:
        placed: set[str] = set()
        for i, entry in enumerate(answer.mapping.entries):
            if entry.factor_id is None:
                continue
            if entry.factor_id not in risk_ids | protective_ids:
                problems.append((f"mapping.entries[{i}]", f"{entry.factor_id!r} is not a factor of this case"))
            elif entry.factor_id in placed:
                problems.append((f"mapping.entries[{i}]", "a factor is placed in one part of the mapping only"))
            placed.add(entry.factor_id)
        for part in MAPPING_PARTS:
            if sum(e.part == part and e.factor_id is None for e in answer.mapping.entries) > MAX_MAPPING_LINES:
                problems.append((f"mapping.{part}", f"at most {MAX_MAPPING_LINES} entries in your own words"))
    if problems:
        raise AnswerInvalid(problems)
    return answer
