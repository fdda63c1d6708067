"""The case file format, as pydantic models.

A case file is YAML (see ``AUTHORING.md``). Validation happens in two layers:

* the shape of the file (fields, types, lengths, both languages present) is
  checked by the models below, which forbid unknown fields;
* every id that refers to ``variables.yaml`` (exposure options, interventions,
  BBIC areas, scale levels) and every factor id in the key is checked against
  the variables passed in the validation context;
* the reference Signs of Safety ``mapping`` (issue 16) is checked against the
  case: its ``factor:`` entries name the case's own factors, each in the column
  of its kind and at most once, and the key has the ``safety_scale`` its
  scaling reasons explain. Its danger statement and safety goal are for the
  family: short (at most 600 characters and 3 sentences) and free of the
  professional words in ``STATEMENT_JARGON``.

Answers and keys store ids, never labels.
"""

from __future__ import annotations

import re
from typing import Annotated, Iterator, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, model_validator

from cases.variables import EXPOSURE_GROUPS, MAPPING_COLUMNS, Variables

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,47}$"
CaseId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
FactorId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]

#: Hard limits that keep one file from swamping a page (and a server).
MAX_LABEL = 120
MAX_SUMMARY = 240
MAX_PROSE = 6000
#: The mapping (issue 16): one entry of a column, a danger statement or safety
#: goal (and a scaling reason), the entries of one sub-list, and the sentences
#: of a statement the family is to follow.
MAX_MAPPING_ENTRY = 300
MAX_STATEMENT = 600
MAX_MAPPING_ENTRIES = 8
MAX_STATEMENT_SENTENCES = 3
LANGS: tuple[str, ...] = ("sv", "en")


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
        for group in EXPOSURE_GROUPS:
            chosen = getattr(self.exposure, group)
            problem = variables.check_selection("exposure", group, chosen)
            if problem:
                raise ValueError(f"exposure.{group}: {problem}")
        for option in self.interventions:
            if variables.is_retired("intervention", option):
                raise ValueError(f"interventions: {option!r} is retired: no longer offered for new answers, so a key cannot use it")
            if option not in variables.intervention_ids:
                raise ValueError(f"interventions: unknown intervention {option!r}")
        problem = variables.check_interventions(list(self.interventions))
        if problem:
            raise ValueError(f"interventions: {problem}")
        none = [o for o in self.interventions if o in variables.no_intervention_ids]
        if none and self.focus:
            raise ValueError(f"focus: a key with {none[0]!r} (no intervention) has no focus; write focus: []")
        for area in self.focus:
            if variables.is_retired("focus", area):
                raise ValueError(f"focus: {area!r} is retired: no longer offered for new answers, so a key cannot use it")
            if area not in variables.bbic_area_ids:
                raise ValueError(f"focus: unknown BBIC area {area!r}")
        return self


# -- the reference mapping (Signs of Safety, issue 16) -------------------------------
#: The three columns of the mapping and their parts: ``cases.variables.MAPPING_COLUMNS``.
#: The column a case factor of each kind belongs in.
FACTOR_COLUMN: dict[str, str] = {"risk": "worries", "protective": "working_well"}

#: Professional words a danger statement or safety goal must not use: they are
#: written for the family, "so that a five-year-old understands" (seed 000).
#: Abbreviations match as whole words with their case (``SoL``, not "sol");
#: the other terms match case-insensitively at the start of a word, so a term
#: covers its inflections ("riskfaktorer", "guardians"). Kept short on purpose:
#: words that a family says itself ("socialtjänsten", "utredning", "worried")
#: are not jargon.
STATEMENT_JARGON: dict[str, tuple[str, ...]] = {
    "sv": (
        "BBIC", "LVU", "SoL", "SiS", "HVB", "SofS",
        "riskfaktor", "skyddsfaktor", "vårdnadshavar", "utsatthet", "omsorgsbrist", "brister i omsorg",
        "föräldraförmåg", "grundläggande omsorg", "känslomässig tillgänglighet", "stimulans och vägledning",
        "gränssättning", "anknytning", "normbrytande", "psykosocial", "kognitiv", "insats", "bevittna",
        "exponera",
    ),
    "en": (
        "BBIC", "LVU", "SoL", "SiS", "HVB", "SofS",
        "risk factor", "protective factor", "guardian", "exposure to", "deficient care", "neglect",
        "parenting capacity", "basic care", "emotional availability", "stimulation and guidance",
        "boundary-setting", "attachment", "norm-breaking", "psychosocial", "cognitive", "intervention",
        "substance misuse", "substance abuse", "safeguarding",
    ),
}


def _jargon_pattern(term: str) -> re.Pattern:
    if term.isupper() or any(c.isupper() for c in term[1:]):  # an abbreviation: whole word, its own case
        return re.compile(rf"(?<!\w){re.escape(term)}(?!\w)")
    return re.compile(rf"(?<!\w){re.escape(term)}\w*", re.IGNORECASE)  # the whole word it begins


_JARGON_PATTERNS = {lang: tuple((t, _jargon_pattern(t)) for t in terms) for lang, terms in STATEMENT_JARGON.items()}
#: A sentence ends at . ! ? or … (and any closing quote or bracket) followed by
#: space and a capital letter: "kl. 8" and "t.ex. när" do not end one.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])[\"”’»)]*\s+(?=[\"”„«(]*[A-ZÅÄÖÉÈÜ])")


def sentence_count(text: str) -> int:
    """How many sentences a text has (0 for an empty one), by the rule of ``_SENTENCE_BREAK``."""
    return len([part for part in _SENTENCE_BREAK.split(text.strip()) if part.strip()])


def statement_jargon(text: str, lang: str) -> list[str]:
    """The words of a text that are ``STATEMENT_JARGON`` of ``lang``, as the text
    writes them ("Vårdnadshavarna"), in the order of the list."""
    found = []
    for _term, pattern in _JARGON_PATTERNS.get(lang, ()):
        for match in pattern.finditer(text):
            if match.group(0) not in found:
                found.append(match.group(0))
    return found


def statement_problem(text: str, lang: str) -> str | None:
    """Why a danger statement or safety goal is not written for the family, or None."""
    sentences = sentence_count(text)
    if sentences > MAX_STATEMENT_SENTENCES:
        return (f"has {sentences} sentences; at most {MAX_STATEMENT_SENTENCES}: short, concrete sentences "
                "a five-year-old can follow")
    jargon = statement_jargon(text, lang)
    if jargon:
        words = ", ".join(repr(term) for term in jargon)
        return f"uses professional words ({words}); say it as the family would, in plain words"
    return None


EntryStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_MAPPING_ENTRY)]
StatementStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_STATEMENT)]

#: A scaling reason: plain prose for the trainee, as long as a statement.
ScalingReason = _bilingual(MAX_STATEMENT, "ScalingReason")


class MappingEntry(Strict):
    """One entry of a mapping column: one of the case's factors (``factor: <id>``)
    or the author's own words (``{sv: …, en: …}``). ``Case.mapping_text`` gives
    either as text in a language."""

    factor: FactorId | None = None
    sv: EntryStr | None = None
    en: EntryStr | None = None

    @model_validator(mode="after")
    def _factor_or_text(self) -> "MappingEntry":
        texts = [lang for lang in LANGS if getattr(self, lang) is not None]
        if self.factor is not None:
            if texts:
                raise ValueError("an entry is either a factor of the case (factor: <id>) or the author's own words "
                                 "({sv: …, en: …}), not both")
            return self
        if not texts:
            raise ValueError("an entry needs either factor: <id> (one of the case's factors) or a text {sv: …, en: …}")
        if len(texts) == 1:
            missing = next(lang for lang in LANGS if lang not in texts)
            raise ValueError(f"{missing}: Field required (an entry in the author's own words needs both sv and en)")
        return self

    @property
    def is_factor(self) -> bool:
        return self.factor is not None

    def get(self, lang: str) -> str:
        """The text of an entry in the author's words; a factor entry has none
        (use ``Case.mapping_text``, which looks up the factor's label)."""
        if self.factor is not None:
            raise ValueError(f"the entry names the factor {self.factor!r}: its text is the factor's label (Case.mapping_text)")
        return (self.en if lang == "en" else self.sv) or ""


Entries = Annotated[list[MappingEntry], Field(min_length=1, max_length=MAX_MAPPING_ENTRIES)]


class Statement(Strict):
    """A danger statement or safety goal: for the family, in the family's words."""

    sv: StatementStr
    en: StatementStr

    @model_validator(mode="after")
    def _plain(self) -> "Statement":
        for lang in LANGS:
            problem = statement_problem(getattr(self, lang), lang)
            if problem:
                raise ValueError(f"{lang}: {problem}")
        return self

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.sv


class Worries(Strict):
    """*Vilken oro finns för barnet?* What has happened, and what makes it harder."""

    harm: Entries
    complicating: Entries


class WorkingWell(Strict):
    """*Vad fungerar bra?* Strengths, and safety: protection shown over time
    (may be empty: some families have shown none yet — write ``safety: []``)."""

    strengths: Entries
    safety: list[MappingEntry] = Field(max_length=MAX_MAPPING_ENTRIES)


class NextSteps(Strict):
    """*Vad behöver hända?* Goals, and concrete next steps (who does what, when)."""

    goals: Entries
    steps: Entries


#: The top of the 0–10 safety scale: a key there has no "one step up".
SAFETY_SCALE_MAX = 10


class ScalingReasons(Strict):
    """The key's ``safety_scale`` explained: why that high and not lower, and
    what would have to happen to move one step up — which a key at the top of
    the scale (10) does not have: there ``one_step_up`` is left out."""

    why_not_lower: ScalingReason
    one_step_up: ScalingReason | None = None


class Placement(NamedTuple):
    """Where an entry sits in the mapping: a column and one of its two parts."""

    column: str  # worries | working_well | next_steps
    part: str  # harm, complicating | strengths, safety | goals, steps


class Mapping(Strict):
    """The case author's reference mapping, danger statement and safety goal."""

    worries: Worries
    working_well: WorkingWell
    next_steps: NextSteps
    danger_statement: Statement
    safety_goal: Statement
    scaling_reasons: ScalingReasons

    def part(self, column: str, part: str) -> list[MappingEntry]:
        """The entries of one part (``part("worries", "harm")``); KeyError for an unknown one."""
        if part not in MAPPING_COLUMNS[column]:
            raise KeyError(f"{column}.{part}")
        return list(getattr(getattr(self, column), part))

    def entries(self) -> Iterator[tuple[Placement, int, MappingEntry]]:
        """Every entry, column by column and part by part, with its place and index."""
        for column, parts in MAPPING_COLUMNS.items():
            for part in parts:
                for i, entry in enumerate(getattr(getattr(self, column), part)):
                    yield Placement(column, part), i, entry


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
    mapping: Mapping | None = None
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

    @model_validator(mode="after")
    def _mapping_fits_the_case(self) -> "Case":
        if self.mapping is None:
            return self
        if self.key is None:
            raise ValueError("key: Field required: a case with a mapping needs a key with a safety_scale "
                             "(0–10), which mapping.scaling_reasons explains")
        if self.key.safety_scale is None:
            raise ValueError("key.safety_scale: Field required: a case with a mapping needs the key's safety_scale "
                             "(0–10), which mapping.scaling_reasons explains")
        top = self.key.safety_scale >= SAFETY_SCALE_MAX
        if top and self.mapping.scaling_reasons.one_step_up is not None:
            raise ValueError(f"mapping.scaling_reasons.one_step_up: the key's safety_scale is {self.key.safety_scale}, "
                             "the top of the scale: there is no step up, so leave one_step_up out")
        if not top and self.mapping.scaling_reasons.one_step_up is None:
            raise ValueError("mapping.scaling_reasons.one_step_up: Field required: what would move the case one step "
                             f"up from the key's safety_scale {self.key.safety_scale}")
        placed: dict[str, str] = {}
        for placement, i, entry in self.mapping.entries():
            if entry.factor is None:
                continue
            where = f"mapping.{placement.column}.{placement.part}[{i}].factor"
            kind = self.factor_kind(entry.factor)
            if kind is None:
                raise ValueError(
                    f"{where}: {entry.factor!r} is not one of this case's factors "
                    f"(risk: {', '.join(f.id for f in self.factors.risk)}; "
                    f"protective: {', '.join(f.id for f in self.factors.protective)})"
                )
            home = FACTOR_COLUMN[kind]
            if placement.column != home:
                raise ValueError(f"{where}: {entry.factor!r} is a {kind} factor; {kind} factors belong under "
                                 f"mapping.{home} ({' or '.join(MAPPING_COLUMNS[home])})")
            if entry.factor in placed:
                raise ValueError(f"{where}: {entry.factor!r} is already placed at {placed[entry.factor]}; "
                                 "a factor appears at most once in the mapping")
            placed[entry.factor] = where.removesuffix(".factor")
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

    def factor_kind(self, factor_id: str) -> Literal["risk", "protective"] | None:
        """Whether ``factor_id`` is one of this case's risk or protective factors (None: neither)."""
        if any(f.id == factor_id for f in self.factors.risk):
            return "risk"
        if any(f.id == factor_id for f in self.factors.protective):
            return "protective"
        return None

    def mapping_text(self, entry: MappingEntry, lang: str) -> str:
        """An entry of the mapping as text: a factor's label, or the author's own words."""
        if entry.factor is None:
            return entry.get(lang)
        factor = self.factor(entry.factor)
        if factor is None:  # validation makes this impossible for an entry of this case's mapping
            raise KeyError(entry.factor)
        return factor.label.get(lang)

    def factor_placements(self) -> dict[str, Placement | None]:
        """The reference placement of every factor of the case, risk factors then
        protective ones in the file's order: the column and part the mapping puts
        it in, or None when the mapping leaves it out (or the case has none)."""
        placed = {}
        if self.mapping is not None:
            placed = {entry.factor: placement for placement, _i, entry in self.mapping.entries() if entry.factor}
        return {f.id: placed.get(f.id) for f in (*self.factors.risk, *self.factors.protective)}
