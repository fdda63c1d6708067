"""The store's programme operations (mixed into :class:`store.Store`, the one gateway to the DB).

A programme has steps over weeks; a participant joins with the programme's code
(standalone: their self-paced identity) or by hub group (behind JupyterHub), and is
in one programme at a time: a new one can be joined once the last day of the current one
has passed (its memberships are kept, so the records of the earlier programme stay). A
programme's answers are ordinary answers (self-paced,
round 1, or in a workshop step's workshop), so the manager view counts them like
any other.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from store.models import (
    Answer,
    Participant,
    Programme,
    ProgrammeMember,
    ProgrammeStep,
    ProgrammeWorkshopMember,
    Workshop,
)

STEP_KINDS = ("cases", "workshop")


class AlreadyInProgramme(ValueError):
    """The participant is in a programme that has not ended (one at a time)."""


@dataclass(frozen=True)
class StepIn:
    """A step as the mentor defines it: from which week, self-paced cases or a workshop."""

    week: int
    case_ids: tuple[str, ...]
    kind: str = "cases"


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=timezone.utc)


def _running(programme: Programme, today: date) -> bool:
    """Whether ``today`` is on or before the programme's last day (the Sunday of its last step's week;
    ``programmes.schedule.ends_on``)."""
    last_week = max((st.week for st in programme.steps), default=1)
    return today <= programme.starts_on.date() + timedelta(days=7 * last_week - 1)


class ProgrammeStore:
    """Programme operations; ``self.session()`` comes from :class:`store.Store`."""

    def create_programme(self, name: str, steps: Sequence[StepIn], *, starts_on: date, criterion: dict,
                         language: str = "sv", min_group_size: int = 5, owner_hub_user: str | None = None,
                         hub_group: str | None = None) -> tuple[Programme, str]:
        """Create a programme; returns it and the mentor's secret (shown once, stored hashed)."""
        from store.repository import JOIN_CODE_LENGTH, hash_secret, new_code

        if not steps:
            raise ValueError("a programme needs at least one step")
        for step in steps:
            if step.kind not in STEP_KINDS or step.week < 1 or not step.case_ids:
                raise ValueError(f"invalid step {step!r}")
        secret = secrets.token_urlsafe(24)
        for _attempt in range(5):
            with self.session() as s, s.begin():
                programme = Programme(
                    name=" ".join(name.split())[:200], language=language, join_code=new_code(JOIN_CODE_LENGTH),
                    mentor_secret_hash=hash_secret(secret), owner_hub_user=owner_hub_user,
                    hub_group=(hub_group or "").strip()[:120] or None, starts_on=_midnight(starts_on),
                    criterion=dict(criterion), min_group_size=min_group_size)
                programme.steps = [ProgrammeStep(position=i, week=st.week, kind=st.kind, case_ids=list(st.case_ids))
                                   for i, st in enumerate(sorted(steps, key=lambda st: st.week))]
                s.add(programme)
                try:
                    s.flush()
                except IntegrityError:
                    s.rollback()
                    continue  # a join-code collision: draw again
                _ = list(programme.steps)
                return programme, secret
        raise RuntimeError("could not draw a unique join code")

    def programme(self, programme_id: int) -> Programme | None:
        with self.session() as s:
            return s.get(Programme, programme_id)

    def programmes(self) -> list[Programme]:
        with self.session() as s:
            return list(s.scalars(select(Programme).order_by(Programme.id)))

    def programme_by_code(self, join_code: str) -> Programme | None:
        from store.repository import normalise_code

        with self.session() as s:
            return s.scalar(select(Programme).where(Programme.join_code == normalise_code(join_code)))

    def programme_mentor_allowed(self, programme_id: int, secret: str | None) -> bool:
        import hmac

        from store.repository import hash_secret

        if not secret:
            return False
        with self.session() as s:
            programme = s.get(Programme, programme_id)
            return bool(programme) and hmac.compare_digest(programme.mentor_secret_hash, hash_secret(secret))

    def programme_owned_by(self, programme_id: int, hub_user: str) -> bool:
        with self.session() as s:
            programme = s.get(Programme, programme_id)
            return programme is not None and programme.owner_hub_user == hub_user

    # -- members ---------------------------------------------------------------------------
    def join_programme(self, programme_id: int, participant_id: int, today: date | None = None) -> ProgrammeMember:
        """Add a participant; joining the same programme again returns the membership.
        Raises AlreadyInProgramme while they are in another programme that has not ended by ``today``."""
        today = today or date.today()
        for _attempt in range(3):
            with self.session() as s, s.begin():
                # One join per participant at a time (a row lock on PostgreSQL; SQLite has one writer).
                s.execute(select(Participant.id).where(Participant.id == participant_id).with_for_update())
                mine = s.scalars(select(ProgrammeMember).where(ProgrammeMember.participant_id == participant_id)
                                 .order_by(ProgrammeMember.id.desc())).all()
                for member in mine:
                    if member.programme_id == programme_id:
                        return member
                if mine and _running(s.get(Programme, mine[0].programme_id), today):
                    raise AlreadyInProgramme("already in a programme")
                member = ProgrammeMember(programme_id=programme_id, participant_id=participant_id)
                s.add(member)
                try:
                    s.flush()
                except IntegrityError:
                    s.rollback()  # joined twice at once: look again
                    continue
                return member
        raise AlreadyInProgramme("already in a programme")

    def join_programme_by_code(self, join_code: str, participant_id: int, today: date | None = None) -> Programme:
        """Join with the programme's code. Raises LookupError (no such programme) or AlreadyInProgramme."""
        programme = self.programme_by_code(join_code)
        if programme is None:
            raise LookupError("no programme with that code")
        self.join_programme(programme.id, participant_id, today)
        return programme

    def join_programme_by_hub_groups(self, participant_id: int, groups: Iterable[str],
                                     today: date | None = None) -> Programme | None:
        """Behind JupyterHub: the programme whose hub group the user is in (the newest), joined now;
        None when no programme names one of the groups, or the user is in another programme that
        has not ended."""
        groups = [g for g in groups if g]
        if not groups:
            return None
        with self.session() as s:
            programme = s.scalar(select(Programme).where(Programme.hub_group.in_(groups))
                                 .order_by(Programme.created_at.desc(), Programme.id.desc()).limit(1))
        if programme is None:
            return None
        try:
            self.join_programme(programme.id, participant_id, today)
        except AlreadyInProgramme:
            return None
        return programme

    def membership(self, participant_id: int) -> ProgrammeMember | None:
        """The participant's current (latest) programme membership."""
        with self.session() as s:
            return s.scalar(select(ProgrammeMember).where(ProgrammeMember.participant_id == participant_id)
                            .order_by(ProgrammeMember.id.desc()).limit(1))

    def programme_members(self, programme_id: int) -> list[tuple[ProgrammeMember, Participant]]:
        with self.session() as s:
            rows = s.execute(select(ProgrammeMember, Participant)
                             .join(Participant, Participant.id == ProgrammeMember.participant_id)
                             .where(ProgrammeMember.programme_id == programme_id)
                             .order_by(ProgrammeMember.id)).all()
            return [(m, p) for m, p in rows]

    # -- workshop steps -----------------------------------------------------------------------
    def open_step_workshop(self, step_id: int, *, owner_hub_user: str | None = None) -> tuple[Workshop, str]:
        """The mentor opens the workshop of a workshop step (once); returns it and its facilitator secret
        (a second call makes no second workshop: it raises ValueError)."""
        with self.session() as s:
            step = s.get(ProgrammeStep, step_id)
            if step is None or step.kind != "workshop":
                raise ValueError("not a workshop step")
            if step.workshop_id is not None:
                raise ValueError("the step's workshop is already open")
            programme = s.get(Programme, step.programme_id)
            name = f"{programme.name} · {step.position + 1}"
            cases, lang, min_group = list(step.case_ids), programme.language, programme.min_group_size
        workshop, secret = self.create_workshop(name, cases, language=lang, min_group_size=min_group,
                                                owner_hub_user=owner_hub_user)
        with self.session() as s, s.begin():
            s.get(ProgrammeStep, step_id).workshop_id = workshop.id
        return workshop, secret

    def join_step_workshop(self, member_id: int, workshop_id: int) -> Participant:
        """A member's identity in a workshop step's workshop: theirs if made before, else a new one
        under the member's pseudonym (the workshop's blind rounds and reveal apply)."""
        from store import pseudonym as pseudonyms
        from store.repository import new_code

        with self.session() as s:
            link = s.get(ProgrammeWorkshopMember, (member_id, workshop_id))
            if link is not None:
                return s.get(Participant, link.participant_id)
            member = s.get(ProgrammeMember, member_id)
            own = s.get(Participant, member.participant_id)
            hub_user = own.hub_user or own.hub_owner
            joined = s.scalar(select(Participant).where(Participant.hub_owner == hub_user,
                                                        Participant.workshop_id == workshop_id)) if hub_user else None
        if joined is not None:  # a hub user who joined the workshop by its code before: that identity
            with self.session() as s, s.begin():
                s.add(ProgrammeWorkshopMember(member_id=member_id, workshop_id=workshop_id, participant_id=joined.id))
            return joined
        for _attempt in range(5):
            with self.session() as s, s.begin():
                participant = Participant(pseudonym=own.pseudonym, pseudonym_key=f"prog{member_id}:{pseudonyms.key(own.pseudonym)}"[:120],
                                          workshop_id=workshop_id, personal_code=new_code(), language=own.language,
                                          hub_owner=(own.hub_user or own.hub_owner), team=own.team,
                                          experience=own.experience)
                s.add(participant)
                try:
                    s.flush()
                    s.add(ProgrammeWorkshopMember(member_id=member_id, workshop_id=workshop_id,
                                                  participant_id=participant.id))
                    s.flush()
                except IntegrityError:
                    s.rollback()
                    with self.session() as s2:
                        link = s2.get(ProgrammeWorkshopMember, (member_id, workshop_id))
                        if link is not None:
                            return s2.get(Participant, link.participant_id)
                    continue
                return participant
        raise RuntimeError("could not join the step's workshop")

    # -- answers ------------------------------------------------------------------------------
    def programme_answers(self, programme_id: int) -> dict[int, list[Answer]]:
        """Per member participant id: their answers that count for the programme — round 1
        self-paced answers to the programme's cases submitted since joining, and their answers in
        the workshops of its workshop steps (latest round per case) — oldest first."""
        programme = self.programme(programme_id)
        case_ids = {c for st in programme.steps for c in st.case_ids}
        members = self.programme_members(programme_id)
        out: dict[int, list[Answer]] = {p.id: [] for _m, p in members}
        if not members:
            return out
        joined = {p.id: m.joined_at for m, p in members}
        with self.session() as s:
            own = s.scalars(select(Answer).where(Answer.participant_id.in_(list(out)), Answer.workshop_id.is_(None),
                                                 Answer.round == 1, Answer.case_id.in_(list(case_ids)))).all()
            links = s.execute(select(ProgrammeWorkshopMember.participant_id, ProgrammeMember.participant_id)
                              .join(ProgrammeMember, ProgrammeMember.id == ProgrammeWorkshopMember.member_id)
                              .where(ProgrammeMember.programme_id == programme_id)).all()
            by_identity = dict(links)
            in_workshops = s.scalars(select(Answer).where(Answer.participant_id.in_(list(by_identity)))).all() \
                if by_identity else []
        for a in own:
            if _aware(a.submitted_at) >= _aware(joined[a.participant_id]):
                out[a.participant_id].append(a)
        latest: dict[tuple[int, str], Answer] = {}
        for a in in_workshops:
            key = (by_identity[a.participant_id], a.case_id)
            if key not in latest or a.round > latest[key].round:
                latest[key] = a
        for (pid, _case), a in latest.items():
            out[pid].append(a)
        for pid in out:
            out[pid].sort(key=lambda a: (_aware(a.submitted_at), a.id))
        return out

    def case_risk_answers(self, case_ids: Iterable[str]) -> dict[str, list[tuple[int, str]]]:
        """(participant id, risk) of every round-1 answer per case: the group a programme answer is compared with."""
        out: dict[str, list[tuple[int, str]]] = {c: [] for c in case_ids}
        if not out:
            return out
        with self.session() as s:
            for case_id, pid, risk in s.execute(select(Answer.case_id, Answer.participant_id, Answer.risk)
                                                .where(Answer.case_id.in_(list(out)), Answer.round == 1)):
                out[case_id].append((pid, risk))
        return out


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
