"""The case file format, as pydantic models.

A case file is YAML (see ``AUTHORING.md``). Validation happens in two layers:

* the shape of the file (fields, types, lengths, both languages present) is
  checked by the models below, which forbid unknown fields;
* every id that refers to ``variables.yaml`` (exposure options, interventions,
  BBIC areas, scale levels) and every factor id in the key is checked against
  the variables passed in the validation context.

Answers and keys store ids, never labels.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, model_validator

from cases.variables import Variables

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,47}$"
CaseId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
FactorId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]

#: Hard limits that keep one file from swamping a page (and a server).
MAX_LABEL = 120
MAX_SUMMARY = 240
MAX_PROSE = 6000


def _bilingual(max_length: int, name: str) -> type[BaseModel]:
    Str = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)]

    class _Bilingual(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)
        sv: Str
        en: Str

        def get(self, lang: str) -> str:
            return self.en if lang == "en" else self.sv

    _Bilingual.__name__ = _Bilingual.__qualname__ = name
    return _Bilingual


Label = _bilingual(MAX_LABEL, "Label")
Summary = _bilingual(MAX_SUMMARY, "Summary")
Prose = _bilingual(MAX_PROSE, "Prose")

Side = Literal["barnets_utveckling", "foraldrarnas_formaga", "familj_och_miljo"]
SIDES: tuple[str, ...] = ("barnets_utveckling", "foraldrarnas_formaga", "familj_och_miljo")

ReferralSource = Literal[
    "police", "school", "preschool", "healthcare", "parent", "child", "relative",
    "other_authority", "anonymous", "other",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _variables(info: ValidationInfo) -> Variables:
    variables = (info.context or {}).get("variables")
    if variables is None:
        raise ValueError("internal: validation needs the variables in its context")
    return variables


class Referral(Strict):
    from_: ReferralSource = Field(alias="from")
    text: Prose


class Section(Strict):
    area: str
    text: Prose


class Vignette(Strict):
    barnets_utveckling: list[Section] = Field(min_length=1, max_length=12)
    foraldrarnas_formaga: list[Section] = Field(min_length=1, max_length=12)
    familj_och_miljo: list[Section] = Field(min_length=1, max_length=12)

    @model_validator(mode="after")
    def _areas_belong_to_their_side(self, info: ValidationInfo) -> "Vignette":
        variables = _variables(info)
        for side in SIDES:
            allowed = variables.bbic_areas(side)
            # a heading may keep an area a municipality has retired as a focus: the text stays readable
            headings = variables.bbic_areas(side, include_retired=True)
            for i, section in enumerate(getattr(self, side)):
                if section.area not in headings:
                    home = next((s for s in SIDES if section.area in variables.bbic_areas(s)), None)
                    hint = f"; it belongs under {home}" if home else ""
                    raise ValueError(
                        f"{side}[{i}].area: unknown area {section.area!r} for this side "
                        f"(allowed: {', '.join(allowed)}){hint}"
                    )
        return self

    def sections(self):
        for side in SIDES:
            for section in getattr(self, side):
                yield side, section


class Factor(Strict):
    id: FactorId
    side: Side
    label: Label


class Factors(Strict):
    risk: list[Factor] = Field(min_length=1, max_length=20)
    protective: list[Factor] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _unique_ids(self) -> "Factors":
        seen: set[str] = set()
        for factor in [*self.risk, *self.protective]:
            if factor.id in seen:
                raise ValueError(f"duplicate factor id {factor.id!r}")
            seen.add(factor.id)
        return self


class RiskWeight(Strict):
    severity: int = Field(ge=1, le=4, strict=True)
    extent: int = Field(ge=1, le=3, strict=True)


class ProtectiveWeight(Strict):
    extent: int = Field(ge=1, le=3, strict=True)
    function: int = Field(ge=1, le=3, strict=True)


class KeyFactors(Strict):
    risk: dict[str, RiskWeight] = Field(default_factory=dict)
    protective: dict[str, ProtectiveWeight] = Field(default_factory=dict)


class KeyExposure(Strict):
    home: list[str] = Field(default_factory=list)
    guardian: list[str] = Field(default_factory=list)
    child: list[str] = Field(default_factory=list)


class Rationale(Strict):
    risk: Prose
    exposure: Prose | None = None
    factors: Prose | None = None
    interventions: Prose | None = None
    focus: Prose | None = None


class Key(Strict):
    risk: str
    exposure: KeyExposure
    interventions: list[str] = Field(default_factory=list)
    focus: list[str] = Field(default_factory=list)
    safety_scale: int | None = Field(default=None, ge=0, le=10, strict=True)
    factors: KeyFactors = Field(default_factory=KeyFactors)
    rationale: Rationale

    @model_validator(mode="after")
    def _ids_exist(self, info: ValidationInfo) -> "Key":
        variables = _variables(info)
        if self.risk not in variables.risk_answer_ids:
            raise ValueError(f"risk: unknown risk answer {self.risk!r} (allowed: {', '.join(variables.risk_answer_ids)})")
        for group in ("home", "guardian", "child"):
            chosen = getattr(self.exposure, group)
            problem = variables.check_selection("exposure", group, chosen)
            if problem:
                raise ValueError(f"exposure.{group}: {problem}")
        for option in self.interventions:
            if variables.is_retired("intervention", option):
                raise ValueError(f"interventions: {option!r} is retired: no longer offered for new answers, so a key cannot use it")
            if option not in variables.intervention_ids:
                raise ValueError(f"interventions: unknown intervention {option!r}")
        for area in self.focus:
            if variables.is_retired("focus", area):
                raise ValueError(f"focus: {area!r} is retired: no longer offered for new answers, so a key cannot use it")
            if area not in variables.bbic_area_ids:
                raise ValueError(f"focus: unknown BBIC area {area!r}")
        return self


class Case(Strict):
    schema_version: Literal[1]
    id: CaseId
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    age: int = Field(ge=0, le=17, strict=True)  # strict: `age: true` is not 1
    sex: Literal["girl", "boy", "other"]
    difficulty: Literal["clear", "moderate", "demanding"]
    ambiguous: bool = False
    title: Label
    summary: Summary
    referral: Referral
    vignette: Vignette
    factors: Factors
    mentor_notes: list[Prose] = Field(default_factory=list, max_length=12)
    key: Key | None = None
    source: Label | None = None

    @model_validator(mode="after")
    def _key_factors_exist(self) -> "Case":
        if self.key is None:
            return self
        risk_ids = {f.id for f in self.factors.risk}
        protective_ids = {f.id for f in self.factors.protective}
        for fid in self.key.factors.risk:
            if fid not in risk_ids:
                raise ValueError(f"key.factors.risk: {fid!r} is not one of this case's risk factors")
        for fid in self.key.factors.protective:
            if fid not in protective_ids:
                raise ValueError(f"key.factors.protective: {fid!r} is not one of this case's protective factors")
        return self

    # -- conveniences for pages -------------------------------------------------
    def word_count(self, lang: str) -> int:
        words = len(re.findall(r"\w+", self.referral.text.get(lang)))
        for _side, section in self.vignette.sections():
            words += len(re.findall(r"\w+", section.text.get(lang)))
        return words

    def factor(self, factor_id: str) -> Factor | None:
        for factor in [*self.factors.risk, *self.factors.protective]:
            if factor.id == factor_id:
                return factor
        return None
