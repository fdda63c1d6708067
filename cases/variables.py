"""The variables a trainee answers (``variables.yaml``), loaded and checked: the answer's vocabulary.

Everything downstream (case validation, the answer form, the store, feedback,
insight, the exports) refers to answer alternatives by their stable ``id``;
labels are looked up here, in the trainee's language. This module is the one
home of the answer's names: the selection variables (``exposure.<group>``,
``intervention``, ``focus``), the exposure groups, the factor kinds and their
weights, the prefix of a factor in the trainee's own words. The options
themselves are data (``variables.yaml``, and a municipality's local file):
adding one is one edit there, and every page, the store, the feedback and the
exports take it from the ``Variables`` loaded here.

``scoring`` (the bottom layer, which imports nothing of ours) keeps its own
copies of the factor grid's shape for its statistics; ``tests/cases`` checks
they agree with this vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass
import importlib.resources
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

#: The exposure groups, in the order of the form. Their options are data (``variables.yaml``);
#: the groups themselves are also fields of a case key (``key.exposure.home`` …), so they are
#: named here and ``variables.yaml`` must define exactly these.
EXPOSURE_GROUPS: tuple[str, ...] = ("home", "guardian", "child")
EXPOSURE = "exposure"
INTERVENTION = "intervention"
FOCUS = "focus"
#: The selection variables of an answer, as stored (one row per chosen option) and exported.
EXPOSURE_VARIABLES: tuple[str, ...] = tuple(f"{EXPOSURE}.{g}" for g in EXPOSURE_GROUPS)
SELECTION_VARIABLES: tuple[str, ...] = (*EXPOSURE_VARIABLES, INTERVENTION, FOCUS)
#: The factor kinds, and the weights a factor of each kind gets (the scales are ``factor_scales``).
FACTOR_KINDS: tuple[str, ...] = ("risk", "protective")
FACTOR_DIMENSIONS: dict[str, tuple[str, ...]] = {"risk": ("severity", "extent"), "protective": ("extent", "function")}
#: Every weight a factor can have (the columns of a stored factor).
WEIGHTS: tuple[str, ...] = ("severity", "extent", "function")
#: A factor in the trainee's own words has an id with this prefix (``own:r1``, ``own:p2``).
OWN_PREFIX = "own:"
#: The Signs of Safety mapping: its three columns and their two parts each, in the order of
#: the mapping sheet: *Vilken oro finns för barnet?* (tidigare skada, komplicerande faktorer) ·
#: *Vad fungerar bra?* (styrkor, skydd) · *Vad behöver hända?* (mål, nästa steg).
MAPPING_COLUMNS: dict[str, tuple[str, str]] = {
    "worries": ("harm", "complicating"),
    "working_well": ("strengths", "safety"),
    "next_steps": ("goals", "steps"),
}
MAPPING_PARTS: tuple[str, ...] = tuple(part for parts in MAPPING_COLUMNS.values() for part in parts)
#: Parts a case factor may be placed in (goals and next steps are the trainee's own words).
FACTOR_PARTS: tuple[str, ...] = (*MAPPING_COLUMNS["worries"], *MAPPING_COLUMNS["working_well"])


def exposure_variable(group_id: str) -> str:
    """The selection variable of an exposure group: ``exposure.home`` for ``home``."""
    return f"{EXPOSURE}.{group_id}"


def exposure_group(variable: str) -> str | None:
    """The exposure group a selection variable names (``home`` for ``exposure.home``), else None."""
    prefix = f"{EXPOSURE}."
    return variable[len(prefix):] if variable.startswith(prefix) else None


def is_own_factor(factor_id: str) -> bool:
    """Is this a factor in the trainee's own words (not one of the case)?"""
    return factor_id.startswith(OWN_PREFIX)


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
        """The options offered for new answers (retired ones left out)."""
        return tuple(o.id for o in self.options if not o.retired)

    @property
    def all_option_ids(self) -> tuple[str, ...]:
        """Every option ever defined, retired ones too: what stored answers and published panels may name."""
        return tuple(o.id for o in self.options)

    @property
    def retired_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options if o.retired)


class GroupedVariable(_Strict):
    label: BiLabel
    groups: list[OptionGroup] = Field(min_length=1)
    #: Options that cannot be combined with any other option of the variable, in any group
    #: (``ingen_insats``: no intervention is an answer of its own, not one intervention among others).
    exclusive: list[OptionId] = Field(default_factory=list)

    @model_validator(mode="after")
    def _exclusive_exist(self) -> "GroupedVariable":
        ids = {o.id for g in self.groups for o in g.options}
        for ex in self.exclusive:
            if ex not in ids:
                raise ValueError(f"exclusive option {ex!r} is not an option of any group")
        return self


#: Limits for the anchor texts: a definition is a short paragraph, a "typically"
#: item one sentence. Long enough to say something, short enough to read while rating.
MAX_ANCHOR_DEFINITION = 800
MAX_ANCHOR_ITEM = 300
MAX_ANCHOR_ITEMS = 6

AnchorDefinitionText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ANCHOR_DEFINITION)]
AnchorItemText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ANCHOR_ITEM)]


class AnchorDefinition(_Strict):
    sv: AnchorDefinitionText
    en: AnchorDefinitionText

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.sv


class AnchorItem(_Strict):
    sv: AnchorItemText
    en: AnchorItemText

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.sv


class RiskAnchor(_Strict):
    """What one risk answer means, and what typically places a case there."""

    id: OptionId
    definition: AnchorDefinition
    typical: list[AnchorItem] = Field(min_length=1, max_length=MAX_ANCHOR_ITEMS)


@dataclass(frozen=True)
class RiskAnchorText:
    """A risk answer's anchor in one language, ready to show."""

    id: str
    label: str
    definition: str
    typical: tuple[str, ...]
    is_level: bool  # False for "inte känt", which is missing data, not a level


class RiskVariable(_Strict):
    label: BiLabel
    levels: list[Option] = Field(min_length=2)
    not_assessable: Option
    #: Samsyn's working definitions of the answers (who wrote them and why).
    anchor_note: AnchorDefinition
    #: One anchor for every level and for "not assessable", no more, no fewer.
    anchors: list[RiskAnchor]

    @model_validator(mode="after")
    def _one_anchor_per_answer(self) -> "RiskVariable":
        answers = [o.id for o in (*self.levels, self.not_assessable)]
        seen: set[str] = set()
        for i, anchor in enumerate(self.anchors):
            if anchor.id not in answers:
                raise ValueError(f"anchors[{i}].id: unknown risk answer {anchor.id!r} (allowed: {', '.join(answers)})")
            if anchor.id in seen:
                raise ValueError(f"anchors[{i}].id: a second anchor for {anchor.id!r}")
            seen.add(anchor.id)
        missing = [a for a in answers if a not in seen]
        if missing:
            raise ValueError(f"anchors: no anchor for {', '.join(map(repr, missing))}; every risk answer needs one")
        return self


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

    @model_validator(mode="after")
    def _exposure_groups_are_the_vocabulary(self) -> "Variables":
        ids = tuple(g.id for g in self.exposure.groups)
        if ids != EXPOSURE_GROUPS:
            raise ValueError(f"exposure.groups: the groups are {', '.join(EXPOSURE_GROUPS)}, in this order "
                             f"(got {', '.join(ids)}); options are data, the groups are fields of every case key")
        return self

    # -- lookups -------------------------------------------------------------
    @cached_property
    def non_exposure_ids(self) -> tuple[str, ...]:
        """The exposure options that say "no exposure here" or "we don't know" (each group's
        exclusive options): an answer choosing one has identified no exposure in that group."""
        return tuple(dict.fromkeys(o for g in self.exposure.groups for o in g.exclusive))

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

    def risk_anchor(self, risk_id: str, lang: str) -> RiskAnchorText:
        """The definition of a risk answer and what typically places a case there,
        in ``lang`` (Swedish unless ``"en"``). KeyError for an unknown id."""
        for anchor in self.risk.anchors:
            if anchor.id == risk_id:
                return RiskAnchorText(
                    id=anchor.id,
                    label=self.risk_label(anchor.id, lang),
                    definition=anchor.definition.get(lang),
                    typical=tuple(item.get(lang) for item in anchor.typical),
                    is_level=anchor.id in self.risk_level_ids,
                )
        raise KeyError(risk_id)

    def risk_anchors(self, lang: str) -> list[RiskAnchorText]:
        """Every risk answer's anchor in scale order: the levels lowest first, then "inte känt"."""
        return [self.risk_anchor(rid, lang) for rid in self.risk_answer_ids]

    def group(self, variable: str, group_id: str) -> OptionGroup:
        for group in getattr(self, variable).groups:
            if group.id == group_id:
                return group
        raise KeyError(f"{variable}.{group_id}")

    def option_label(self, variable: str, option_id: str, lang: str) -> str:
        """The label of an answer's option, by the answer's variable name
        (``exposure.home`` … ``intervention``, ``focus``); the id itself if unknown."""
        if variable == FOCUS:  # a retired area keeps its label, so old answers stay readable
            return self.bbic_area_label(option_id, lang) if option_id in self.all_bbic_area_ids else option_id
        if exposure_group(variable) is not None:
            groups = [g for g in self.exposure.groups if g.id == exposure_group(variable)]
        else:
            groups = list(self.intervention.groups)
        for group in groups:
            for option in group.options:
                if option.id == option_id:
                    return option.label(lang)
        return option_id

    def selection_label(self, variable: str, lang: str) -> str:
        """The caption of a selection variable: "Identifierad utsatthet: I hemmiljön" for an
        exposure group, the intervention's or the focus's label otherwise."""
        group_id = exposure_group(variable)
        if group_id is not None:
            return f"{self.exposure.label.get(lang)}: {self.group(EXPOSURE, group_id).label.get(lang)}"
        if variable == INTERVENTION:
            return self.intervention.label.get(lang)
        return self.bbic.label.get(lang)

    def qualified_option_label(self, variable: str, option_id: str, lang: str) -> str:
        """The option's label, with its group named when the label alone is ambiguous outside
        the group ("Annat skäl (Vårdnadshavarens svårigheter)"): for an exposure option whose id
        or label also occurs in another exposure group. Otherwise the plain label."""
        label = self.option_label(variable, option_id, lang)
        group_id = exposure_group(variable)
        if group_id is None:
            return label
        try:
            group = self.group("exposure", group_id)
        except KeyError:
            return label
        for other in self.exposure.groups:
            if other.id == group_id:
                continue
            if any(o.id == option_id or o.label(lang) == label for o in other.options):
                return f"{label} ({group.label.get(lang)})"
        return label

    @cached_property
    def no_intervention_ids(self) -> tuple[str, ...]:
        """The intervention answers that mean "no intervention" (exclusive, offered)."""
        return tuple(o for o in self.intervention.exclusive if o in self.intervention_ids)

    def check_interventions(self, chosen: list[str]) -> str | None:
        """Why a list of interventions is invalid (unknown, retired, twice, or
        "no intervention" combined with one), or None when it is fine."""
        retired = [c for c in chosen if self.is_retired("intervention", c)]
        if retired:
            return f"retired option(s) {', '.join(map(repr, retired))}: no longer offered for new answers"
        unknown = [c for c in chosen if c not in self.intervention_ids]
        if unknown:
            return f"unknown option(s) {', '.join(map(repr, unknown))} (allowed: {', '.join(self.intervention_ids)})"
        if len(set(chosen)) != len(chosen):
            return "an option is chosen twice"
        exclusive = [c for c in chosen if c in self.intervention.exclusive]
        if exclusive and len(chosen) > 1:
            return f"{exclusive[0]!r} cannot be combined with other options"
        return None

    @cached_property
    def intervention_ids(self) -> tuple[str, ...]:
        return tuple(o for g in self.intervention.groups for o in g.option_ids)

    @cached_property
    def all_intervention_ids(self) -> tuple[str, ...]:
        """Every intervention ever defined, retired ones too."""
        return tuple(o for g in self.intervention.groups for o in g.all_option_ids)

    def bbic_areas(self, side: str, *, include_retired: bool = False) -> tuple[str, ...]:
        for s in self.bbic.sides:
            if s.id == side:
                return tuple(a.id for a in s.areas if include_retired or not a.retired)
        return ()

    @cached_property
    def bbic_area_ids(self) -> tuple[str, ...]:
        return tuple(a.id for s in self.bbic.sides for a in s.areas if not a.retired)

    @cached_property
    def all_bbic_area_ids(self) -> tuple[str, ...]:
        """Every BBIC area ever defined, retired ones too."""
        return tuple(a.id for s in self.bbic.sides for a in s.areas)

    def is_retired(self, variable: str, option_id: str) -> bool:
        """Whether an option (``exposure.<group>``, ``intervention`` or ``focus``) exists but is retired."""
        if variable == FOCUS:
            return option_id in self.all_bbic_area_ids and option_id not in self.bbic_area_ids
        if variable == INTERVENTION:
            return option_id in self.all_intervention_ids and option_id not in self.intervention_ids
        if exposure_group(variable) is not None:
            try:
                group = self.group(EXPOSURE, exposure_group(variable))
            except KeyError:
                return False
            return option_id in group.retired_ids
        return False

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
        retired = [c for c in chosen if c in group.retired_ids]
        if retired:
            return (f"retired option(s) {', '.join(map(repr, retired))}: no longer offered for new answers "
                    f"(allowed: {', '.join(group.option_ids)})")
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
