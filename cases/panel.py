"""The published reference panel (``reference_panel.yaml``), validated.

Every option id is checked against ``variables.yaml``; every count is a
non-negative integer no larger than the panel's n, the risk counts sum to n, and
an intervention group's total (e.g. 15 chose an outpatient intervention) is at
least its largest option's count and at most its options' counts together.
"""

from __future__ import annotations

from pathlib import Path
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, model_validator

from cases.files import CaseFileError, read_yaml, validation_errors
from cases.variables import EXPOSURE_GROUPS, BiLabel, Variables

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Combined(_Strict):
    options: list[str] = Field(min_length=2)
    count: int = Field(ge=0)


class Range(_Strict):
    options: list[str] = Field(min_length=1)
    low: int = Field(ge=0)
    high: int = Field(ge=0)


class GroupCounts(_Strict):
    counts: dict[str, int] = Field(default_factory=dict)
    combined: list[Combined] = Field(default_factory=list)
    range: list[Range] = Field(default_factory=list)
    groups: dict[str, int] = Field(default_factory=dict)


class PanelExposure(_Strict):
    home: GroupCounts | None = None
    guardian: GroupCounts | None = None
    child: GroupCounts | None = None


class Panel(_Strict):
    case: str
    test: int
    year: int
    n: int = Field(gt=0)
    risk: dict[str, int]
    exposure: PanelExposure | None = None
    interventions: GroupCounts | None = None
    focus: GroupCounts | None = None

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> "Panel":
        variables: Variables = (info.context or {})["variables"]
        for rid, count in self.risk.items():
            if rid not in variables.risk_answer_ids:
                raise ValueError(f"risk: unknown risk answer {rid!r}")
            if count < 0:
                raise ValueError(f"risk.{rid}: negative count")
        if sum(self.risk.values()) != self.n:
            raise ValueError(f"risk counts sum to {sum(self.risk.values())}, not n={self.n}")

        def check(where: str, gc: GroupCounts | None, allowed: tuple[str, ...],
                  groups: dict[str, tuple[str, ...]] | None = None) -> None:
            if gc is None:
                return
            groups = groups or {}
            named = list(gc.counts.items()) + [(o, c.count) for c in gc.combined for o in c.options]
            named += [(o, r.high) for r in gc.range for o in r.options]
            for option, count in named:
                if option not in allowed:
                    raise ValueError(f"{where}: unknown option {option!r}")
                if not 0 <= count <= self.n:
                    raise ValueError(f"{where}.{option}: count {count} outside 0..{self.n}")
            for group, count in gc.groups.items():
                if group not in groups:
                    raise ValueError(f"{where}.groups: unknown group {group!r}")
                if not 0 <= count <= self.n:
                    raise ValueError(f"{where}.groups.{group}: count {count} outside 0..{self.n}")
                # Everyone who chose a group chose at least one of its options, and
                # everyone who chose one of its options chose the group.
                members = {o: c for o, c in gc.counts.items() if o in groups[group]}
                if members and count < max(members.values()):
                    top = max(members, key=members.get)
                    raise ValueError(f"{where}.groups.{group}: {count} respondents, fewer than the {members[top]} "
                                     f"who chose {top!r}, one of its options")
                if members and count > sum(members.values()):
                    raise ValueError(f"{where}.groups.{group}: {count} respondents, more than the "
                                     f"{sum(members.values())} choices of its options together")

        # Published counts are history: an option retired locally since keeps its meaning here.
        if self.exposure:
            for group in EXPOSURE_GROUPS:
                check(f"exposure.{group}", getattr(self.exposure, group), variables.group("exposure", group).all_option_ids)
        check("interventions", self.interventions, variables.all_intervention_ids,
              {g.id: g.all_option_ids for g in variables.intervention.groups})
        check("focus", self.focus, variables.all_bbic_area_ids)
        return self

    def risk_counts(self, variables: Variables) -> dict[str, int]:
        """Counts for every risk answer id (zeros filled in), levels then "inte känt"."""
        return {rid: self.risk.get(rid, 0) for rid in variables.risk_answer_ids}


class PanelSet(_Strict):
    schema_version: int
    source: BiLabel
    panels: list[Panel]

    def for_case(self, case_id: str) -> Panel | None:
        for panel in self.panels:
            if panel.case == case_id:
                return panel
        return None


def load_panels(path: Path, variables: Variables) -> PanelSet:
    data = read_yaml(Path(path))
    try:
        return PanelSet.model_validate(data, context={"variables": variables})
    except ValidationError as exc:
        raise CaseFileError(validation_errors(str(path), exc)) from None
