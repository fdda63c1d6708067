"""The variables a trainee answers (``variables.yaml``), loaded and checked.

Everything downstream (case validation, the answer form, the store, scoring)
refers to answer alternatives by their stable ``id``; labels are looked up
here, in the trainee's language.
"""

from __future__ import annotations

import importlib.resources
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

OptionId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,48}$")]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BiLabel(_Strict):
    sv: NonEmpty
    en: NonEmpty

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.sv


class Option(_Strict):
    id: OptionId
    sv: NonEmpty
    en: NonEmpty
    retired: bool = False

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.sv


class ScaleLevel(_Strict):
    id: int
    sv: NonEmpty
    en: NonEmpty

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.sv


class OptionGroup(_Strict):
    id: OptionId
    label: BiLabel
    options: list[Option] = Field(min_length=1)
    exclusive: list[OptionId] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> "OptionGroup":
        ids = [o.id for o in self.options]
        if len(ids) != len(set(ids)):
            raise ValueError(f"group {self.id!r}: duplicate option ids")
        for ex in self.exclusive:
            if ex not in ids:
                raise ValueError(f"group {self.id!r}: exclusive option {ex!r} is not an option")
        return self

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options if not o.retired)


class GroupedVariable(_Strict):
    label: BiLabel
    groups: list[OptionGroup] = Field(min_length=1)


class RiskVariable(_Strict):
    label: BiLabel
    levels: list[Option] = Field(min_length=2)
    not_assessable: Option


class BbicSide(_Strict):
    id: OptionId
    label: BiLabel
    areas: list[Option] = Field(min_length=1)


class BbicVariable(_Strict):
    label: BiLabel
    sides: list[BbicSide] = Field(min_length=3, max_length=3)


class Scale(_Strict):
    label: BiLabel
    levels: list[ScaleLevel] = Field(min_length=2)


class FactorScales(_Strict):
    severity: Scale
    extent: Scale
    function: Scale


class SafetyScale(_Strict):
    label: BiLabel
    min: int
    max: int
    anchors: dict[int, BiLabel]


class Variables(_Strict):
    schema_version: int
    exposure: GroupedVariable
    risk: RiskVariable
    intervention: GroupedVariable
    bbic: BbicVariable
    factor_scales: FactorScales
    safety_scale: SafetyScale

    # -- lookups -------------------------------------------------------------
    @cached_property
    def risk_level_ids(self) -> tuple[str, ...]:
        """The ordered risk levels, lowest first (without "not assessable")."""
        return tuple(level.id for level in self.risk.levels)

    @cached_property
    def risk_answer_ids(self) -> tuple[str, ...]:
        return (*self.risk_level_ids, self.risk.not_assessable.id)

    def risk_label(self, risk_id: str, lang: str) -> str:
        for option in (*self.risk.levels, self.risk.not_assessable):
            if option.id == risk_id:
                return option.label(lang)
        raise KeyError(risk_id)

    def group(self, variable: str, group_id: str) -> OptionGroup:
        for group in getattr(self, variable).groups:
            if group.id == group_id:
                return group
        raise KeyError(f"{variable}.{group_id}")

    def option_label(self, variable: str, option_id: str, lang: str) -> str:
        """The label of an answer's option, by the answer's variable name
        (``exposure.home`` … ``intervention``, ``focus``); the id itself if unknown."""
        if variable == "focus":
            return self.bbic_area_label(option_id, lang) if option_id in self.bbic_area_ids else option_id
        if variable.startswith("exposure."):
            groups = [g for g in self.exposure.groups if g.id == variable.split(".", 1)[1]]
        else:
            groups = list(self.intervention.groups)
        for group in groups:
            for option in group.options:
                if option.id == option_id:
                    return option.label(lang)
        return option_id

    @cached_property
    def intervention_ids(self) -> tuple[str, ...]:
        return tuple(o for g in self.intervention.groups for o in g.option_ids)

    def bbic_areas(self, side: str) -> tuple[str, ...]:
        for s in self.bbic.sides:
            if s.id == side:
                return tuple(a.id for a in s.areas if not a.retired)
        return ()

    @cached_property
    def bbic_area_ids(self) -> tuple[str, ...]:
        return tuple(a.id for s in self.bbic.sides for a in s.areas if not a.retired)

    def bbic_area_label(self, area_id: str, lang: str) -> str:
        for side in self.bbic.sides:
            for area in side.areas:
                if area.id == area_id:
                    return area.label(lang)
        raise KeyError(area_id)

    def bbic_side_label(self, side_id: str, lang: str) -> str:
        for side in self.bbic.sides:
            if side.id == side_id:
                return side.label.get(lang)
        raise KeyError(side_id)

    def check_selection(self, variable: str, group_id: str, chosen: list[str]) -> str | None:
        """Why a multi-select answer is invalid, or None when it is fine."""
        try:
            group = self.group(variable, group_id)
        except KeyError:
            return f"unknown group {group_id!r}"
        unknown = [c for c in chosen if c not in group.option_ids]
        if unknown:
            return f"unknown option(s) {', '.join(map(repr, unknown))} (allowed: {', '.join(group.option_ids)})"
        if len(set(chosen)) != len(chosen):
            return "an option is chosen twice"
        exclusive = [c for c in chosen if c in group.exclusive]
        if exclusive and len(chosen) > 1:
            return f"{exclusive[0]!r} cannot be combined with other options"
        return None


DEFAULT_VARIABLES_PATH = Path(str(importlib.resources.files("cases") / "variables.yaml"))  # package data
