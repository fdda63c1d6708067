"""The store's operations: what the pages and the CLI may do with the database.

Every write is one transaction. Submitting is idempotent: the unique key
(participant, case, round) means a double-click, a retried request or a second
browser tab stores one answer, and the second call gets the first answer back.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from store import analytics, shapes
from store.exports import ANSWER_RECORD
from store import pseudonym as pseudonyms
from store.answer import AnswerIn
from store.db import engine_for, session_factory
from store.models import (
    Answer,
    Draft,
    Participant,
    Reflection,
    Workshop,
    WorkshopCase,
    WorkshopMentor,
    utcnow,
)

#: Codes people type: no 0/O or 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
#: A personal code: 12 characters of 31 (≈ 59 bits), typed as XXXX-XXXX-XXXX.
PERSONAL_CODE_LENGTH = 12
#: A workshop's join code: 10 characters of 31 (≈ 50 bits), typed as XXXXX-XXXXX. (README, "Security".)
JOIN_CODE_LENGTH = 10
#: How codes are grouped for reading, by length (8 and 6 are the shorter codes of earlier versions).
_GROUPS = {12: (4, 4, 4), 10: (5, 5), 8: (4, 4)}


def _grouped(raw: str) -> str:
    groups, out, i = _GROUPS.get(len(raw)), [], 0
    if not groups:
        return raw
    for size in groups:
        out.append(raw[i:i + size])
        i += size
    return "-".join(out)


def new_code(length: int = PERSONAL_CODE_LENGTH) -> str:
    return _grouped("".join(secrets.choice(CODE_ALPHABET) for _ in range(length)))


def normalise_code(code: str) -> str:
    raw = "".join(ch for ch in (code or "")[:64].upper() if ch.isascii() and ch.isalnum())
    return _grouped(raw)


class WorkshopClosed(LookupError):
    """The workshop takes no new participants (closed by the mentor, or its joining time is over)."""


class PseudonymTaken(ValueError):
    """Someone in the workshop already has this pseudonym (or one that looks the same)."""


def hub_pseudonym() -> str:
    """A hub user's pseudonym: never the hub user name (that is a real identity)."""
    return "hub-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Submitted:
    answer_id: int
    created: bool


class Store:
    def __init__(self, url: str, *, migrate: bool = True):
        self.url = url
        self._sessions: sessionmaker[Session] = session_factory(url, migrate_schema=migrate)

    def session(self) -> Session:
        return self._sessions()

    # -- participants ------------------------------------------------------
    def create_participant(
        self,
        pseudonym: str,
        *,
        workshop_id: int | None = None,
        self_paced: bool = False,
        hub_user: str | None = None,
        team: str | None = None,
        experience: str | None = None,
        language: str = "sv",
    ) -> Participant:
        pseudonym = pseudonyms.display_form(pseudonym)[:60] or hub_pseudonym()
        if hub_user is not None and pseudonym == pseudonyms.display_form(hub_user)[:60]:
            pseudonym = hub_pseudonym()  # exports show pseudonyms: a hub user name is none
        for _attempt in range(5):
            with self.session() as s, s.begin():
                participant = Participant(
                    pseudonym=pseudonym,
                    pseudonym_key=pseudonyms.key(pseudonym),
                    workshop_id=workshop_id,
                    personal_code=new_code() if self_paced else None,
                    hub_user=hub_user,
                    team=team,
                    experience=experience,
                    language=language,
                )
                s.add(participant)
                try:
                    s.flush()
                except IntegrityError:
                    s.rollback()
                    if workshop_id is not None or hub_user is not None:
                        raise
                    continue  # a personal-code collision: draw again
                return participant
        raise RuntimeError("could not draw a unique personal code")

    def participant(self, participant_id: int) -> Participant | None:
        with self.session() as s:
            return s.get(Participant, participant_id)

    def participant_by_code(self, code: str) -> Participant | None:
        with self.session() as s:
            return s.scalar(select(Participant).where(Participant.personal_code == normalise_code(code)))

    def participant_by_hub_user(self, hub_user: str) -> Participant | None:
        with self.session() as s:
            return s.scalar(select(Participant).where(Participant.hub_user == hub_user))

    # -- drafts --------------------------------------------------------------
    def save_draft(self, participant_id: int, case_id: str, payload: dict[str, Any], round: int = 1) -> None:
        """Insert or replace the participant's draft for a case (safe under races)."""
        for _attempt in range(3):
            with self.session() as s, s.begin():
                result = s.execute(
                    update(Draft)
                    .where(Draft.participant_id == participant_id, Draft.case_id == case_id, Draft.round == round)
                    .values(payload=payload, updated_at=utcnow())
                )
                if result.rowcount:
                    return
                s.add(Draft(participant_id=participant_id, case_id=case_id, round=round, payload=payload))
                try:
                    s.flush()
                    return
                except IntegrityError:
                    s.rollback()
        raise RuntimeError("could not save the draft")

    def load_draft(self, participant_id: int, case_id: str, round: int = 1) -> dict[str, Any] | None:
        with self.session() as s:
            draft = s.get(Draft, (participant_id, case_id, round))
            return dict(draft.payload) if draft else None

    # -- answers -------------------------------------------------------------
    def submit_answer(self, participant_id: int, answer: AnswerIn, *, workshop_id: int | None = None) -> Submitted:
        """Store a validated answer once; a repeat returns the stored one."""
        existing = self._answer_id(participant_id, answer.case_id, answer.round)
        if existing is not None:
            return Submitted(existing, created=False)
        row = shapes.answer_row(answer, participant_id, workshop_id)
        try:
            with self.session() as s, s.begin():
                s.add(row)
                s.flush()
                s.execute(
                    delete(Draft).where(
                        Draft.participant_id == participant_id,
                        Draft.case_id == answer.case_id,
                        Draft.round == answer.round,
                    )
                )
                return Submitted(row.id, created=True)
        except IntegrityError:
            existing = self._answer_id(participant_id, answer.case_id, answer.round)
            if existing is None:
                raise
            return Submitted(existing, created=False)

    def _answer_id(self, participant_id: int, case_id: str, round: int) -> int | None:
        with self.session() as s:
            return s.scalar(
                select(Answer.id).where(
                    Answer.participant_id == participant_id, Answer.case_id == case_id, Answer.round == round
                )
            )

    def answer_for(self, participant_id: int, case_id: str, round: int = 1) -> Answer | None:
        with self.session() as s:
            return s.scalar(select(Answer).where(
                Answer.participant_id == participant_id, Answer.case_id == case_id, Answer.round == round))

    def answer(self, answer_id: int) -> Answer | None:
        with self.session() as s:
            return s.get(Answer, answer_id)

    def answers(
        self,
        *,
        case_id: str | None = None,
        round: int | None = None,
        workshop_id: int | None = None,
        participant_id: int | None = None,
        self_paced_only: bool = False,
    ) -> list[Answer]:
        stmt = select(Answer).order_by(Answer.id)
        if self_paced_only:
            stmt = stmt.where(Answer.workshop_id.is_(None))
        if case_id is not None:
            stmt = stmt.where(Answer.case_id == case_id)
        if round is not None:
            stmt = stmt.where(Answer.round == round)
        if workshop_id is not None:
            stmt = stmt.where(Answer.workshop_id == workshop_id)
        if participant_id is not None:
            stmt = stmt.where(Answer.participant_id == participant_id)
        with self.session() as s:
            return list(s.scalars(stmt))

    def risk_ratings(self, case_ids: Iterable[str], round: int = 1) -> dict[str, list[tuple[int, str]]]:
        """(answer id, risk) per case in one query — for views that need only the ratings."""
        out: dict[str, list[tuple[int, str]]] = {c: [] for c in case_ids}
        if not out:
            return out
        with self.session() as s:
            rows = s.execute(select(Answer.case_id, Answer.id, Answer.risk)
                             .where(Answer.case_id.in_(list(out)), Answer.round == round).order_by(Answer.id))
            for case_id, answer_id, risk in rows:
                out[case_id].append((answer_id, risk))
        return out

    def count_answers(self, case_id: str | None = None) -> int:
        stmt = select(func.count(Answer.id))
        if case_id is not None:
            stmt = stmt.where(Answer.case_id == case_id)
        with self.session() as s:
            return int(s.scalar(stmt) or 0)

    def save_reflection(self, answer_id: int, prompt_id: str, text: str) -> int:
        """Store the trainee's reflection on one prompt, replacing an earlier one."""
        with self.session() as s, s.begin():
            s.execute(delete(Reflection).where(Reflection.answer_id == answer_id, Reflection.prompt_id == prompt_id[:60]))
            reflection = Reflection(answer_id=answer_id, prompt_id=prompt_id[:60], text=text[:4000])
            s.add(reflection)
            s.flush()
            return reflection.id

    # -- workshops -----------------------------------------------------------
    def create_workshop(
        self, name: str, case_ids: Iterable[str], *, language: str = "sv", min_group_size: int = 5,
        owner_hub_user: str | None = None,
    ) -> tuple[Workshop, str]:
        """Create a workshop; returns it and the facilitator secret (shown once, stored hashed)."""
        secret = secrets.token_urlsafe(24)
        for _attempt in range(5):
            with self.session() as s, s.begin():
                workshop = Workshop(
                    name=name.strip()[:200],
                    join_code=new_code(JOIN_CODE_LENGTH),
                    facilitator_secret_hash=hash_secret(secret),
                    language=language,
                    min_group_size=min_group_size,
                    owner_hub_user=owner_hub_user,
                )
                workshop.cases = [WorkshopCase(case_id=c, position=i) for i, c in enumerate(case_ids)]
                s.add(workshop)
                try:
                    s.flush()
                    if owner_hub_user:
                        s.add(WorkshopMentor(workshop_id=workshop.id, hub_user=owner_hub_user))
                        s.flush()
                except IntegrityError:
                    s.rollback()
                    continue
                return workshop, secret
        raise RuntimeError("could not draw a unique join code")

    def workshop(self, workshop_id: int) -> Workshop | None:
        with self.session() as s:
            workshop = s.get(Workshop, workshop_id)
            if workshop is not None:
                _ = list(workshop.cases)  # load while the session is open
            return workshop

    def join_workshop(self, join_code: str, pseudonym: str, *, language: str = "sv",
                      join_hours: int | None = 24) -> Participant:
        """Join by code under a pseudonym. Raises LookupError (no such workshop),
        WorkshopClosed (a LookupError: it takes nobody new), PseudonymInvalid or
        PseudonymTaken (both ValueError)."""
        workshop = self.workshop_by_code(join_code)
        if workshop is None:
            raise LookupError("no workshop with that code")
        if not workshop_open(workshop, join_hours):
            raise WorkshopClosed("the workshop is closed")
        shown = pseudonyms.check(pseudonym)
        key = pseudonyms.key(shown)
        for _attempt in range(5):
            with self.session() as s, s.begin():
                taken = s.scalar(select(Participant.id).where(
                    Participant.workshop_id == workshop.id, Participant.pseudonym_key == key))
                if taken is not None:
                    raise PseudonymTaken("pseudonym taken")
                participant = Participant(pseudonym=shown, pseudonym_key=key, workshop_id=workshop.id,
                                          personal_code=new_code(), language=language)
                s.add(participant)
                try:
                    s.flush()
                except IntegrityError:
                    s.rollback()
                    continue
                return participant
        raise PseudonymTaken("pseudonym taken")

    def close_workshop(self, workshop_id: int) -> None:
        """The mentor closes the workshop to new participants (who joined keeps working)."""
        with self.session() as s, s.begin():
            s.execute(update(Workshop).where(Workshop.id == workshop_id, Workshop.closed_at.is_(None))
                      .values(closed_at=utcnow()))

    def grant_workshop(self, workshop_id: int, hub_user: str) -> None:
        """Behind JupyterHub: let another mentor open the workshop."""
        with self.session() as s, s.begin():
            if s.get(WorkshopMentor, (workshop_id, hub_user)) is None:
                s.add(WorkshopMentor(workshop_id=workshop_id, hub_user=hub_user))

    def workshop_mentor(self, workshop_id: int, hub_user: str) -> bool:
        """Behind JupyterHub: did this hub user create the workshop, or were they granted it?"""
        with self.session() as s:
            return s.get(WorkshopMentor, (workshop_id, hub_user)) is not None

    def join_workshop_as_hub_user(self, join_code: str, hub_user: str, *, language: str = "sv",
                                  join_hours: int | None = 24) -> Participant:
        """A JupyterHub user's identity in the workshop with this code: theirs if they joined
        before (also once the workshop has closed), else a new one. Its pseudonym is its own
        ("hub-…", as ``hub_pseudonym``), never the hub user name: the mentor, the other
        participants and the exports see the pseudonym; ``hub_owner`` ties it to the user.
        Raises LookupError (no such workshop) or WorkshopClosed (a LookupError: it takes
        nobody new)."""
        workshop = self.workshop_by_code(join_code)
        if workshop is None:
            raise LookupError("no workshop with that code")
        for _attempt in range(5):
            with self.session() as s, s.begin():
                mine = s.scalar(select(Participant).where(Participant.hub_owner == hub_user,
                                                          Participant.workshop_id == workshop.id))
                if mine is not None:
                    return mine
                if not workshop_open(workshop, join_hours):
                    raise WorkshopClosed("the workshop is closed")
                pseudonym = hub_pseudonym()
                participant = Participant(pseudonym=pseudonym, pseudonym_key=pseudonyms.key(pseudonym),
                                          workshop_id=workshop.id, personal_code=new_code(), hub_owner=hub_user,
                                          language=language)
                s.add(participant)
                try:
                    s.flush()
                except IntegrityError:
                    # A code or pseudonym collision, or the same user joining twice at once: look again.
                    s.rollback()
                else:
                    return participant
        raise RuntimeError("could not join the workshop")

    def hub_workshops(self, hub_user: str) -> list[tuple[Participant, Workshop]]:
        """The workshops a JupyterHub user has joined, newest first, with their identity in each."""
        with self.session() as s:
            rows = s.execute(select(Participant, Workshop).join(Workshop, Participant.workshop_id == Workshop.id)
                             .where(Participant.hub_owner == hub_user)
                             .order_by(Workshop.created_at.desc(), Workshop.id.desc())).all()
            return [(p, w) for p, w in rows]

    def workshop_participants(self, workshop_id: int) -> list[Participant]:
        with self.session() as s:
            return list(s.scalars(select(Participant).where(Participant.workshop_id == workshop_id).order_by(Participant.id)))

    def answer_counts(self, workshop_id: int) -> dict[tuple[str, int], int]:
        """Answers per (case, round) in a workshop."""
        with self.session() as s:
            rows = s.execute(select(Answer.case_id, Answer.round, func.count(Answer.id))
                             .where(Answer.workshop_id == workshop_id)
                             .group_by(Answer.case_id, Answer.round)).all()
            return {(case_id, round_): int(n) for case_id, round_, n in rows}

    def reveal(self, workshop_id: int, case_id: str, round: int) -> None:
        with self.session() as s, s.begin():
            s.execute(update(WorkshopCase)
                      .where(WorkshopCase.workshop_id == workshop_id, WorkshopCase.case_id == case_id)
                      .values(revealed_round=round))

    def open_round(self, workshop_id: int) -> int:
        """Start the next round of a workshop; returns its number."""
        with self.session() as s, s.begin():
            workshop = s.get(Workshop, workshop_id, with_for_update=True)
            workshop.current_round += 1
            return workshop.current_round

    def workshop_by_code(self, join_code: str) -> Workshop | None:
        with self.session() as s:
            workshop = s.scalar(select(Workshop).where(Workshop.join_code == normalise_code(join_code)))
            if workshop is not None:
                _ = list(workshop.cases)
            return workshop

    def facilitator_allowed(self, workshop_id: int, secret: str | None) -> bool:
        if not secret:
            return False
        with self.session() as s:
            workshop = s.get(Workshop, workshop_id)
            return bool(workshop) and hmac.compare_digest(workshop.facilitator_secret_hash, hash_secret(secret))

    # -- many rows at once (the manager's dashboard, its export, demo data) ----------------------
    def answer_table(self, non_exposures: Iterable[str]) -> analytics.Table:
        """Every answer as one row (columns ``store.analytics.ANSWER_COLUMNS``), in one query; the
        exposures counted leave out the options in ``non_exposures``."""
        return analytics.answer_table(engine_for(self.url), tuple(non_exposures))

    def manager_export_table(self) -> analytics.Table:
        """Every answer as one row (columns ``store.analytics.EXPORT_COLUMNS``; no pseudonym, no free
        text), in one query: the raw sheet of the manager's export (``store.exports.MANAGER_AGGREGATE``)."""
        return analytics.manager_export_table(engine_for(self.url))

    def insert_bulk(self, build, *, chunk: int = 20_000) -> None:
        """Insert generated rows in one transaction: ``build(first free (workshop, participant,
        answer) ids)`` returns, by table (``store.analytics.BULK_TABLES``), a function making its
        row dicts. For demo data."""
        analytics.insert_bulk(engine_for(self.url), build, chunk=chunk)

    # -- export --------------------------------------------------------------
    def export_rows(self, workshop_id: int | None = None, *, hub_usernames: bool = False) -> list[dict[str, Any]]:
        """One flat, pseudonymous row per answer (sets joined by ';'), optionally one workshop's: the
        columns of ``store.exports.ANSWER_RECORD`` (an export with fewer applies its own policy).
        A hub user appears under a pseudonym, never their hub user name, unless ``hub_usernames``
        (the operator's choice, ``SAMSYN_EXPORT_HUB_USERNAMES``)."""
        with self.session() as s:
            stmt = (
                select(Answer, Participant.pseudonym, Participant.team, Workshop.name, Participant.hub_user,
                       Participant.hub_owner)
                .join(Participant, Participant.id == Answer.participant_id)
                .outerjoin(Workshop, Workshop.id == Answer.workshop_id)
                .order_by(Answer.id)
            )
            if workshop_id is not None:
                stmt = stmt.where(Answer.workshop_id == workshop_id)
            rows = s.execute(stmt).all()
            out = []
            for answer, pseudonym, team, workshop_name, own_hub_user, hub_owner in rows:
                hub_user = own_hub_user or hub_owner  # self-paced, or the user's identity in a workshop
                if hub_user:
                    if hub_usernames:
                        pseudonym = hub_user
                    elif pseudonyms.key(pseudonym) == pseudonyms.key(hub_user):  # stored before hub pseudonyms
                        pseudonym = f"hub-{answer.participant_id}"
                out.append(ANSWER_RECORD.apply(
                    shapes.export_record(answer, pseudonym=pseudonym, team=team, workshop=workshop_name)))
            return out


def workshop_open(workshop: Workshop, join_hours: int | None = 24, now: datetime | None = None) -> bool:
    """Does the workshop take new participants? Not once closed, nor ``join_hours`` after it was created."""
    if workshop.closed_at is not None:
        return False
    if join_hours is None:
        return True
    created = workshop.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    return (now or datetime.now(timezone.utc)) < created + timedelta(hours=join_hours)
