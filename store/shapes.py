"""One answer, five shapes, and every conversion between them (the one home of them).

* the **draft payload** the answer form saves and restores (``payload``: exposure by group
  under ``exposure``, interventions under ``interventions``, factors by id with their weights
  and ``on``/``text``);
* the validated **``AnswerIn``** (``store.answer``: every chosen option under ``selections``,
  by selection variable — ``exposure.home`` … ``intervention``, ``focus`` — factors as a list);
* the stored **ORM row** (``store.models.Answer`` with one ``AnswerSelection`` per option);
* the feedback's **``feedback.Response``** (built in ``feedback.model`` from ``selections_of``
  and ``factor_grid``: this module sits below feedback);
* the **export record** (``export_record``: one flat row, sets joined by ``;``; which of its
  columns an export may contain is ``store.exports``).

A case key (``cases.schema.Key``, with ``interventions`` like the payload) converts to the
payload and to the same selections and factor grid here too. The names come from the
vocabulary, ``cases.variables``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cases.variables import (
    EXPOSURE,
    EXPOSURE_GROUPS,
    FACTOR_DIMENSIONS,
    FACTOR_KINDS,
    FOCUS,
    INTERVENTION,
    MAPPING_PARTS,
    SELECTION_VARIABLES,
    exposure_variable,
    is_own_factor,
)
from store.answer import AnswerIn
from store.models import (
    Answer,
    AnswerFactor,
    AnswerGoal,
    AnswerMapping,
    AnswerMappingEntry,
    AnswerSelection,
)

#: The draft payload's key for the interventions (the payload and a case key say ``interventions``).
PAYLOAD_INTERVENTIONS = "interventions"
GOAL_FIELDS = ("goal", "baseline", "change", "timeframe")


# -- selections: payload / key <-> AnswerIn / row ------------------------------------------------
def selections_from_payload(payload: dict[str, Any]) -> dict[str, list[str]]:
    """The payload's choices as ``AnswerIn.selections`` (every selection variable, in order)."""
    exposure = payload.get(EXPOSURE) or {}
    out = {exposure_variable(g): list(exposure.get(g, [])) for g in EXPOSURE_GROUPS}
    out[INTERVENTION] = list(payload.get(PAYLOAD_INTERVENTIONS) or [])
    out[FOCUS] = list(payload.get(FOCUS) or [])
    return out


def payload_selections(selections: dict[str, Any]) -> dict[str, Any]:
    """Selections (by selection variable) as the payload's ``exposure``, ``interventions`` and ``focus``."""
    return {
        EXPOSURE: {g: list(selections.get(exposure_variable(g), [])) for g in EXPOSURE_GROUPS},
        PAYLOAD_INTERVENTIONS: list(selections.get(INTERVENTION, [])),
        FOCUS: list(selections.get(FOCUS, [])),
    }


def selections_of(answer: Answer) -> dict[str, list[str]]:
    """A stored answer's chosen options by selection variable (variables with no choice left out)."""
    out: dict[str, list[str]] = {}
    for sel in answer.selections:
        out.setdefault(sel.variable, []).append(sel.option_id)
    return out


def key_selections(key) -> dict[str, list[str]]:
    """A case key's choices by selection variable (``cases.schema.Key``)."""
    out = {exposure_variable(g): list(getattr(key.exposure, g)) for g in EXPOSURE_GROUPS}
    out[INTERVENTION] = list(key.interventions)
    out[FOCUS] = list(key.focus)
    return out


# -- factors --------------------------------------------------------------------------------------
def weights(kind: str, source: Any) -> dict[str, Any]:
    """The weights of a factor of ``kind`` read off ``source`` (a row, a key weight or a dict)."""
    get = source.get if isinstance(source, dict) else (lambda d: getattr(source, d))
    return {d: get(d) for d in FACTOR_DIMENSIONS[kind]}


def factor_grid(answer: Answer) -> tuple[dict[str, dict[str, dict[str, int | None]]], dict[str, str]]:
    """A stored answer's factor grid ``{kind: {factor id: weights}}`` and its own words
    ``{"<kind>/<factor id>": text}``."""
    grid: dict[str, dict[str, dict[str, int | None]]] = {k: {} for k in FACTOR_KINDS}
    own: dict[str, str] = {}
    for f in answer.factors:
        grid[f.kind][f.factor_id] = weights(f.kind, f)
        if f.own_text:
            own[f"{f.kind}/{f.factor_id}"] = f.own_text
    return grid, own


def key_factor_grid(key) -> dict[str, dict[str, dict[str, int]]]:
    """A case key's factor grid ``{kind: {factor id: weights}}``."""
    return {kind: {fid: weights(kind, w) for fid, w in getattr(key.factors, kind).items()} for kind in FACTOR_KINDS}


# -- the draft payload ----------------------------------------------------------------------------
def payload_from_key(key) -> dict[str, Any]:
    """The payload of an answer exactly like the case's key (without ``step``); ``{}``-like for no key."""
    if key is None:
        return {EXPOSURE: {}, "factors": {}, "risk": None, "safety_scale": None, PAYLOAD_INTERVENTIONS: [], FOCUS: []}
    factors = {fid: {"on": True, **w} for grid in key_factor_grid(key).values() for fid, w in grid.items()}
    choices = payload_selections(key_selections(key))
    return {EXPOSURE: choices[EXPOSURE], "factors": factors, "risk": key.risk, "safety_scale": key.safety_scale,
            PAYLOAD_INTERVENTIONS: choices[PAYLOAD_INTERVENTIONS], FOCUS: choices[FOCUS]}


def payload_from_answer(answer: Answer) -> dict[str, Any]:
    """A stored answer as a form payload: the starting point of a later round."""
    factors: dict[str, dict[str, Any]] = {}
    for f in answer.factors:
        entry: dict[str, Any] = {"severity": f.severity, "extent": f.extent, "function": f.function}
        if is_own_factor(f.factor_id):
            entry["text"] = f.own_text or ""
        else:
            entry["on"] = True
        factors[f.factor_id] = {k: v for k, v in entry.items() if v is not None}
    choices = payload_selections(selections_of(answer))
    return {
        "step": 0,
        EXPOSURE: choices[EXPOSURE],
        "factors": factors,
        "risk": answer.risk,
        "risk_missing_info": answer.risk_missing_info or "",
        "safety_scale": answer.safety_scale,
        PAYLOAD_INTERVENTIONS: choices[PAYLOAD_INTERVENTIONS],
        FOCUS: choices[FOCUS],
        "goals": goals_of(answer),
        "motivation": answer.motivation,
        "mapping": mapping_payload(answer),
    }


def goals_of(answer: Answer) -> list[dict[str, str]]:
    return [{name: getattr(g, name) for name in GOAL_FIELDS} for g in answer.goals]


def mapping_payload(answer: Answer) -> dict[str, Any]:
    """A stored mapping as the mapping step's payload (empty for an answer without one)."""
    if answer.mapping is None:
        return {}
    parts: dict[str, list[str]] = {}
    factors: dict[str, str] = {}
    for e in answer.mapping_entries:
        if e.factor_id:
            factors[e.factor_id] = e.part
        else:
            parts.setdefault(e.part, []).append(e.text or "")
    mp = answer.mapping
    return {"parts": {p: "\n".join(lines) for p, lines in parts.items()}, "factors": factors,
            "danger_statement": mp.danger_statement, "safety_goal": mp.safety_goal,
            "why_not_lower": mp.why_not_lower, "one_step_up": mp.one_step_up}


# -- AnswerIn -> row ------------------------------------------------------------------------------
def answer_row(answer: AnswerIn, participant_id: int, workshop_id: int | None) -> Answer:
    """A validated answer as a new ORM row (with its selections, factors, goals and mapping)."""
    row = Answer(
        participant_id=participant_id,
        case_id=answer.case_id,
        round=answer.round,
        workshop_id=workshop_id,
        risk=answer.risk,
        risk_missing_info=answer.risk_missing_info or None,
        safety_scale=answer.safety_scale,
        motivation=answer.motivation,
        language=answer.language,
    )
    row.selections = [
        AnswerSelection(variable=variable, option_id=option)
        for variable, chosen in sorted(answer.selections.items())
        for option in chosen
    ]
    row.factors = [
        AnswerFactor(position=i, kind=f.kind, factor_id=f.factor_id, own_text=f.own_text,
                     severity=f.severity, extent=f.extent, function=f.function)
        for i, f in enumerate(answer.factors)
    ]
    row.goals = [AnswerGoal(position=i, **{name: getattr(g, name) for name in GOAL_FIELDS})
                 for i, g in enumerate(answer.goals)]
    if answer.mapping is not None:
        mp = answer.mapping
        row.mapping = AnswerMapping(danger_statement=mp.danger_statement, safety_goal=mp.safety_goal,
                                    why_not_lower=mp.why_not_lower, one_step_up=mp.one_step_up)
        row.mapping_entries = [
            AnswerMappingEntry(position=i, part=e.part, factor_id=e.factor_id,
                               text=None if e.factor_id is not None else e.text)
            for i, e in enumerate(mp.entries)
        ]
    return row


# -- row -> export record -------------------------------------------------------------------------
def export_record(answer: Answer, *, pseudonym: str, team: str | None, workshop: str | None) -> dict[str, Any]:
    """One flat row per answer, every column any export may take (sets joined by ``;``)."""
    record: dict[str, Any] = {
        "answer_id": answer.id,
        "pseudonym": pseudonym,
        "team": team or "",
        "workshop": workshop or "",
        "case_id": answer.case_id,
        "round": answer.round,
        "risk": answer.risk,
        "risk_missing_info": answer.risk_missing_info or "",
        "safety_scale": answer.safety_scale,
        "motivation": answer.motivation,
        "language": answer.language,
        "submitted_at": answer.submitted_at.isoformat() if isinstance(answer.submitted_at, datetime) else "",
    }
    chosen = selections_of(answer)
    for variable in SELECTION_VARIABLES:
        record[variable] = ";".join(chosen.get(variable, []))
    record["factors"] = ";".join(
        f"{f.kind}:{f.factor_id}:{f.severity or ''}/{f.extent or ''}/{f.function or ''}" for f in answer.factors
    )
    record["goals"] = " | ".join(g.goal for g in answer.goals)
    for part in MAPPING_PARTS:  # the mapping: factor ids as "factor:<id>", own words as written
        record[f"mapping.{part}"] = " | ".join(
            f"factor:{e.factor_id}" if e.factor_id else (e.text or "")
            for e in answer.mapping_entries if e.part == part)
    mp = answer.mapping
    record["danger_statement"] = mp.danger_statement if mp else ""
    record["safety_goal"] = mp.safety_goal if mp else ""
    record["scaling_why_not_lower"] = mp.why_not_lower if mp else ""
    record["scaling_one_step_up"] = mp.one_step_up if mp else ""
    return record
