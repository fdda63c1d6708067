"""Feedback on a trainee's Signs of Safety mapping (issue 16) — pure functions.

* :func:`plain_language` — is a danger statement or safety goal written for the
  family? Professional words (``cases.schema.STATEMENT_JARGON``) and abstract
  words (``mapping.yaml``), and sentences longer than the limit there.
* :func:`counterpart` — does the safety goal describe the same situation as the
  danger statement? Shared content words (``mapping.yaml``, ``counterpart``).
* :func:`scale_fits` — does the 0–10 safety scale tell the same story as the
  risk rating? The expected ranges are data (``mapping.yaml``, ``scale_for_risk``).
* :func:`build_mapping_feedback` — the trainee's mapping against the author's
  reference and the group's scaling (the group only from ``min_group`` answers),
  with the reflection prompts chosen by those checks.
* :func:`mapping_reveal` — the group's mappings for the mentor's reveal and the
  workshop record: factor placements counted per part, own words grouped by part
  and shuffled, the scaling distribution, the statements side by side; nothing
  below ``min_group``.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from cases.schema import STATEMENT_JARGON, Case, statement_jargon
from cases.variables import FACTOR_PARTS, MAPPING_COLUMNS, MAPPING_PARTS

RULES_FILE = Path(__file__).with_name("mapping.yaml")
#: The parts of the three columns, in the order of the mapping sheet.
PARTS: tuple[str, ...] = MAPPING_PARTS
COLUMN_OF: dict[str, str] = {part: column for column, parts in MAPPING_COLUMNS.items() for part in parts}
#: Every mapping prompt (message ``prompt.<id>``), in the order they are shown.
MAPPING_PROMPT_IDS = ("mapping_danger_words", "mapping_danger_long", "mapping_goal_words", "mapping_goal_long",
                      "mapping_not_counterpart", "mapping_no_next_step", "mapping_scale_risk")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+")


@dataclass(frozen=True)
class Rules:
    max_words: int
    abstract: dict[str, tuple[str, ...]]
    min_shared: int
    min_word_length: int
    stem_length: int
    stopwords: frozenset[str]
    scale_for_risk: dict[str, tuple[int, int]]
    example: dict[str, dict[str, str]]


@lru_cache(maxsize=1)
def rules() -> Rules:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    plain, cp = data["plain_language"], data["counterpart"]
    return Rules(
        max_words=int(plain["max_words_per_sentence"]),
        abstract={lang: tuple(words) for lang, words in plain["abstract_words"].items()},
        min_shared=int(cp["min_shared"]),
        min_word_length=int(cp["min_word_length"]),
        stem_length=int(cp["stem_length"]),
        stopwords=frozenset(w.lower() for words in cp["stopwords"].values() for w in words),
        scale_for_risk={risk: (int(lo), int(hi)) for risk, (lo, hi) in data["scale_for_risk"].items()},
        example={k: dict(v) for k, v in data["worked_example"].items()},
    )


# -- the checks ------------------------------------------------------------------------
@dataclass(frozen=True)
class PlainCheck:
    words: tuple[str, ...]  # professional or abstract words, as the text writes them
    long_sentences: tuple[int, ...]  # the word counts of sentences over the limit

    @property
    def ok(self) -> bool:
        return not self.words and not self.long_sentences


def _abstract(text: str, lang: str) -> list[str]:
    found = []
    for term in rules().abstract.get(lang, ()):
        for match in re.finditer(rf"(?<!\w){re.escape(term)}\w*", text, re.IGNORECASE):
            if match.group(0) not in found:
                found.append(match.group(0))
    return found


def plain_language(text: str) -> PlainCheck:
    """Professional and abstract words (Swedish and English lists both: people write
    either on either page) and the sentences longer than ``max_words_per_sentence``."""
    words: list[str] = []
    for lang in STATEMENT_JARGON:
        for word in [*statement_jargon(text, lang), *_abstract(text, lang)]:
            if not any(word.casefold() in found.casefold() for found in words):  # "brister" in "brister i omsorgen"
                words.append(word)
    limit = rules().max_words
    long = tuple(n for n in (len(_WORD.findall(s)) for s in _SENTENCE.split(text.strip()) if s.strip()) if n > limit)
    return PlainCheck(tuple(words), long)


def content_stems(text: str) -> dict[str, str]:
    """The content words of a text by stem → the first way the text writes it."""
    r = rules()
    out: dict[str, str] = {}
    for word in _WORD.findall(text):
        low = word.lower()
        if len(low) < r.min_word_length or low in r.stopwords:
            continue
        out.setdefault(low[:r.stem_length], word)
    return out


@dataclass(frozen=True)
class Counterpart:
    shared: tuple[str, ...]  # the danger statement's words the safety goal shares
    min_shared: int

    @property
    def ok(self) -> bool:
        return len(self.shared) >= self.min_shared


def counterpart(danger_statement: str, safety_goal: str) -> Counterpart:
    danger, goal = content_stems(danger_statement), content_stems(safety_goal)
    return Counterpart(tuple(word for stem, word in danger.items() if stem in goal), rules().min_shared)


def scale_range(risk: str) -> tuple[int, int] | None:
    return rules().scale_for_risk.get(risk)


def scale_fits(scale: int | None, risk: str) -> bool | None:
    """Does the scale fall in the range that fits the risk level? None when there is
    nothing to compare ("inte känt", or no scale)."""
    expected = scale_range(risk)
    if scale is None or expected is None:
        return None
    return expected[0] <= scale <= expected[1]


# -- the trainee's mapping ----------------------------------------------------------------
@dataclass(frozen=True)
class MappingResponse:
    """A mapping as feedback needs it (from the store): (part, factor id or None, text) entries."""

    entries: tuple[tuple[str, str | None, str], ...] = ()
    danger_statement: str = ""
    safety_goal: str = ""
    why_not_lower: str = ""
    one_step_up: str = ""

    def part(self, part: str) -> list[tuple[str | None, str]]:
        return [(fid, text) for p, fid, text in self.entries if p == part]

    def placement(self, factor_id: str) -> str | None:
        return next((p for p, fid, _t in self.entries if fid == factor_id), None)


def mapping_from_answer(answer) -> MappingResponse | None:
    """A ``MappingResponse`` from a stored answer row (None: stored without a mapping)."""
    if answer.mapping is None:
        return None
    mp = answer.mapping
    return MappingResponse(
        entries=tuple((e.part, e.factor_id, e.text or "") for e in answer.mapping_entries),
        danger_statement=mp.danger_statement or "", safety_goal=mp.safety_goal or "",
        why_not_lower=mp.why_not_lower or "", one_step_up=mp.one_step_up or "",
    )


@dataclass(frozen=True)
class MappingPrompt:
    id: str
    params: dict[str, Any] = field(default_factory=dict)


def mapping_prompts(mapping: MappingResponse | None, scale: int | None, risk: str) -> list[MappingPrompt]:
    """The prompts the checks choose: words, sentence length, counterpart, next steps, scale vs risk."""
    if mapping is None:
        return []
    out: list[MappingPrompt] = []
    limit = rules().max_words
    for name, text in (("danger", mapping.danger_statement), ("goal", mapping.safety_goal)):
        check = plain_language(text)
        if check.words:
            out.append(MappingPrompt(f"mapping_{name}_words", {"words": ", ".join(check.words)}))
        if check.long_sentences:
            out.append(MappingPrompt(f"mapping_{name}_long", {"n": max(check.long_sentences), "max": limit}))
    if mapping.danger_statement.strip() and mapping.safety_goal.strip():
        cp = counterpart(mapping.danger_statement, mapping.safety_goal)
        if not cp.ok:
            out.append(MappingPrompt("mapping_not_counterpart",
                                     {"n": len(cp.shared), "words": ", ".join(cp.shared) or "–", "min": cp.min_shared}))
    if not mapping.part("steps"):
        out.append(MappingPrompt("mapping_no_next_step"))
    if scale_fits(scale, risk) is False:
        low, high = scale_range(risk)
        out.append(MappingPrompt("mapping_scale_risk", {"scale": scale, "risk": risk, "low": low, "high": high}))
    return out


@dataclass(frozen=True)
class MappingFeedback:
    own: MappingResponse | None
    own_scale: int | None
    own_risk: str
    prompts: tuple[MappingPrompt, ...]
    key_scale: int | None
    group_n: int
    group_shown: bool
    min_group: int
    group_scale_counts: dict[int, int] = field(default_factory=dict)  # the others' scales (own excluded)
    group_scale_median: float | None = None
    #: factor id → (the trainee's part or None, the reference part or None)
    placements: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


def build_mapping_feedback(case: Case, own, others: list, *, min_group: int = 5) -> MappingFeedback:
    """``own`` and ``others`` are ``feedback.Response`` values with ``mapping`` and ``safety_scale``."""
    import statistics

    group_n = 1 + len(others)
    shown = group_n >= min_group
    counts: dict[int, int] = {}
    scales = [r.safety_scale for r in others if r.safety_scale is not None]
    if shown:
        for s in scales:
            counts[s] = counts.get(s, 0) + 1
    reference = {fid: (p.part if p else None) for fid, p in case.factor_placements().items()}
    mine = own.mapping
    placements = {fid: (mine.placement(fid) if mine else None, ref) for fid, ref in reference.items()}
    return MappingFeedback(
        own=mine, own_scale=own.safety_scale, own_risk=own.risk,
        prompts=tuple(mapping_prompts(mine, own.safety_scale, own.risk)),
        key_scale=case.key.safety_scale if case.key else None,
        group_n=group_n, group_shown=shown, min_group=min_group,
        group_scale_counts=dict(sorted(counts.items())),
        group_scale_median=float(statistics.median(scales)) if shown and scales else None,
        placements=placements,
    )


# -- the group's mappings (the mentor's reveal, the record) ---------------------------------
@dataclass(frozen=True)
class MappingReveal:
    n: int  # answers with a mapping
    min_group: int
    shown: bool
    #: factor id → part → how many placed it there ("none": not placed)
    factor_parts: dict[str, dict[str, int]] = field(default_factory=dict)
    own_words: dict[str, tuple[str, ...]] = field(default_factory=dict)  # part → entries, shuffled
    scale_counts: dict[int, int] = field(default_factory=dict)
    statements: tuple[tuple[str, str], ...] = ()  # (danger statement, safety goal), shuffled
    key_scale: int | None = None


def mapping_reveal(case: Case, answers: list, *, min_group: int, shuffle_seed: int | None = None) -> MappingReveal:
    """The group's mappings, anonymised: only from ``min_group`` answers with a mapping."""
    mapped = [a for a in answers if getattr(a, "mapping", None) is not None]
    key_scale = case.key.safety_scale if case.key else None
    if len(mapped) < min_group:
        return MappingReveal(len(mapped), min_group, False, key_scale=key_scale)
    rng = random.Random(shuffle_seed)
    factor_ids = [f.id for f in (*case.factors.risk, *case.factors.protective)]
    factor_parts = {fid: {p: 0 for p in (*FACTOR_PARTS, "none")} for fid in factor_ids}
    words: dict[str, list[str]] = {p: [] for p in PARTS}
    statements = []
    for a in mapped:
        mp = a.mapping
        for fid in factor_ids:
            factor_parts[fid][mp.placement(fid) or "none"] += 1
        for part, fid, text in mp.entries:
            if fid is None and text.strip():
                words[part].append(text.strip())
        if mp.danger_statement.strip() or mp.safety_goal.strip():
            statements.append((mp.danger_statement.strip(), mp.safety_goal.strip()))
    for texts in words.values():
        texts.sort(key=str.casefold)  # grouped: the same words next to each other, never in answering order
    rng.shuffle(statements)
    scales: dict[int, int] = {}
    for a in answers:
        if a.safety_scale is not None:
            scales[a.safety_scale] = scales.get(a.safety_scale, 0) + 1
    return MappingReveal(len(mapped), min_group, True, factor_parts, {p: tuple(t) for p, t in words.items() if t},
                         dict(sorted(scales.items())), tuple(statements), key_scale)
