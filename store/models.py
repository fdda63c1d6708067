"""The database schema (SQLAlchemy 2 declarative models).

Everything a trainee records is stored by stable ids from ``cases/variables.yaml``
and the case files, never by label. Participants are pseudonymous: the store
holds a pseudonym, optional team and experience band, and (self-paced) a
personal code or (behind JupyterHub) the hub user name — nothing else.

Changes to these models need an Alembic migration in ``store/migrations``;
``tests/store/test_migrations.py`` fails when the two disagree.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Workshop(Base):
    __tablename__ = "workshops"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    facilitator_secret_hash: Mapped[str] = mapped_column(String(128))
    language: Mapped[str] = mapped_column(String(8), default="sv")
    min_group_size: Mapped[int] = mapped_column(Integer, default=5)
    current_round: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: When the mentor closed it to new participants (it also closes SAMSYN_WORKSHOP_JOIN_HOURS after creation).
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Behind JupyterHub: the hub user who created it (with WorkshopMentor, who may open it).
    owner_hub_user: Mapped[str | None] = mapped_column(String(120))

    cases: Mapped[list["WorkshopCase"]] = relationship(
        back_populates="workshop", order_by="WorkshopCase.position", cascade="all, delete-orphan"
    )
    __table_args__ = (CheckConstraint("min_group_size >= 1", name="min_group_positive"),)


class WorkshopCase(Base):
    __tablename__ = "workshop_cases"
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(48), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: The highest round whose answers the mentor has revealed (0 = blind).
    revealed_round: Mapped[int] = mapped_column(Integer, default=0)

    workshop: Mapped[Workshop] = relationship(back_populates="cases")


class WorkshopMentor(Base):
    """Behind JupyterHub: a hub user who may open a workshop's facilitator view (its creator, or granted)."""

    __tablename__ = "workshop_mentors"
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True)
    hub_user: Mapped[str] = mapped_column(String(120), primary_key=True)


class Participant(Base):
    __tablename__ = "participants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(60))
    #: What makes two pseudonyms the same in a workshop (store.pseudonym.key: look-alikes, case).
    pseudonym_key: Mapped[str | None] = mapped_column(String(120))
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshops.id", ondelete="SET NULL"), index=True)
    #: Self-paced trainees come back to their history with this code.
    personal_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    #: Behind JupyterHub: the hub user name (the user's own, self-paced identity).
    hub_user: Mapped[str | None] = mapped_column(String(120), unique=True)
    #: Behind JupyterHub: the hub user whose identity in a workshop this is (one per workshop).
    hub_owner: Mapped[str | None] = mapped_column(String(120))
    team: Mapped[str | None] = mapped_column(String(60))
    experience: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(8), default="sv")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        UniqueConstraint("workshop_id", "pseudonym", name="uq_participants_workshop_pseudonym"),
        Index("uq_participants_workshop_pseudonym_key", "workshop_id", "pseudonym_key", unique=True),
        Index("uq_participants_hub_owner_workshop", "hub_owner", "workshop_id", unique=True),
    )


class Answer(Base):
    """One submitted assessment: participant × case × round."""

    __tablename__ = "answers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    case_id: Mapped[str] = mapped_column(String(48))
    round: Mapped[int] = mapped_column(Integer, default=1)
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshops.id", ondelete="SET NULL"))
    risk: Mapped[str] = mapped_column(String(32))
    #: With risk "inte_kant": what information is missing.
    risk_missing_info: Mapped[str | None] = mapped_column(Text)
    safety_scale: Mapped[int | None] = mapped_column(Integer)
    motivation: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="sv")
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    selections: Mapped[list["AnswerSelection"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    factors: Mapped[list["AnswerFactor"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="AnswerFactor.position"
    )
    goals: Mapped[list["AnswerGoal"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="AnswerGoal.position"
    )
    reflections: Mapped[list["Reflection"]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    #: The Signs of Safety mapping of the answer (issue 16); None for answers stored before it.
    mapping: Mapped["AnswerMapping | None"] = relationship(cascade="all, delete-orphan", lazy="selectin",
                                                           uselist=False)
    mapping_entries: Mapped[list["AnswerMappingEntry"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="AnswerMappingEntry.position"
    )

    __table_args__ = (
        UniqueConstraint("participant_id", "case_id", "round", name="uq_answers_participant_case_round"),
        CheckConstraint("round >= 1", name="round_positive"),
        CheckConstraint("safety_scale IS NULL OR (safety_scale >= 0 AND safety_scale <= 10)", name="safety_scale_range"),
        Index("ix_answers_case_round", "case_id", "round"),
        Index("ix_answers_workshop_case", "workshop_id", "case_id"),
        Index("ix_answers_submitted_at", "submitted_at"),
    )


class AnswerSelection(Base):
    """One chosen option of a multi-select variable (exposure groups, interventions, focus)."""

    __tablename__ = "answer_selections"
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True)
    #: ``exposure.home``, ``exposure.guardian``, ``exposure.child``, ``intervention`` or ``focus``.
    variable: Mapped[str] = mapped_column(String(32), primary_key=True)
    option_id: Mapped[str] = mapped_column(String(48), primary_key=True)


class AnswerFactor(Base):
    """A risk or protective factor the trainee named, with its weighting."""

    __tablename__ = "answer_factors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(12))
    #: A factor id from the case file, or ``own:N`` for a factor in the trainee's own words.
    factor_id: Mapped[str] = mapped_column(String(60))
    own_text: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[int | None] = mapped_column(Integer)
    extent: Mapped[int | None] = mapped_column(Integer)
    function: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (CheckConstraint("kind IN ('risk', 'protective')", name="kind_valid"),)


class AnswerGoal(Base):
    __tablename__ = "answer_goals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    goal: Mapped[str] = mapped_column(Text)
    baseline: Mapped[str] = mapped_column(Text, default="")
    change: Mapped[str] = mapped_column(Text, default="")
    timeframe: Mapped[str] = mapped_column(Text, default="")


#: The parts of the mapping's three columns (cases.schema.MAPPING_COLUMNS, in that order).


class AnswerMapping(Base):
    """The trainee's danger statement, safety goal and the two scaling questions
    (the scale itself is ``Answer.safety_scale``)."""

    __tablename__ = "answer_mappings"
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True)
    danger_statement: Mapped[str] = mapped_column(Text, default="")
    safety_goal: Mapped[str] = mapped_column(Text, default="")
    why_not_lower: Mapped[str] = mapped_column(Text, default="")
    one_step_up: Mapped[str] = mapped_column(Text, default="")


class AnswerMappingEntry(Base):
    """One entry of a mapping column: a factor of the case the trainee placed there, or their own words."""

    __tablename__ = "answer_mapping_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: harm, complicating (worries) · strengths, safety (working well) · goals, steps (next steps)
    part: Mapped[str] = mapped_column(String(16))
    factor_id: Mapped[str | None] = mapped_column(String(60))
    text: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("part IN ('harm', 'complicating', 'strengths', 'safety', 'goals', 'steps')", name="part_valid"),
        CheckConstraint("(factor_id IS NULL) <> (text IS NULL)", name="factor_or_text"),
    )


class Draft(Base):
    """A half-finished answer, saved on every change so it survives a reload."""

    __tablename__ = "drafts"
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(48), primary_key=True)
    round: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    payload: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Reflection(Base):
    __tablename__ = "reflections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    prompt_id: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuthFailure(Base):
    """A failed personal-code, join-code, manager-key or facilitator-secret attempt, by client address
    (store.throttle): what makes guessing slow across all of a client's pages and server processes."""

    __tablename__ = "auth_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_auth_failures_client_at", "client", "at"),)


class Programme(Base):
    """An onboarding programme: a mentor's cohort works through steps over weeks towards a
    calibration criterion (programmes/). Participants join with ``join_code`` or, behind
    JupyterHub, by membership of ``hub_group``."""

    __tablename__ = "programmes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="sv")
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    #: The mentor's secret link to the cohort view (standalone), stored hashed.
    mentor_secret_hash: Mapped[str] = mapped_column(String(128))
    #: Behind JupyterHub: the hub user who created it (may open the cohort view).
    owner_hub_user: Mapped[str | None] = mapped_column(String(120))
    #: Behind JupyterHub: members of this hub group are the programme's participants.
    hub_group: Mapped[str | None] = mapped_column(String(120))
    #: The Monday of week 1 (a date; stored as a timestamp at midnight UTC).
    starts_on: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: The criterion (programmes.criterion.Criterion as a dict: kind, window, thresholds).
    criterion: Mapped[dict] = mapped_column(JSON)
    min_group_size: Mapped[int] = mapped_column(Integer, default=5)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    steps: Mapped[list["ProgrammeStep"]] = relationship(
        back_populates="programme", order_by="ProgrammeStep.position", cascade="all, delete-orphan", lazy="selectin"
    )
    __table_args__ = (CheckConstraint("min_group_size >= 1", name="min_group_positive"),)


class ProgrammeStep(Base):
    """One step of a programme: its cases, self-paced or in a workshop, from a given week."""

    __tablename__ = "programme_steps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: The programme week (1 = the first) in which the step starts.
    week: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[str] = mapped_column(String(12), default="cases")
    #: The case ids, in order.
    case_ids: Mapped[list] = mapped_column(JSON)
    #: A workshop step: the workshop the mentor opened for it.
    workshop_id: Mapped[int | None] = mapped_column(ForeignKey("workshops.id", ondelete="SET NULL"))

    programme: Mapped[Programme] = relationship(back_populates="steps")
    __table_args__ = (
        CheckConstraint("kind IN ('cases', 'workshop')", name="kind_valid"),
        CheckConstraint("week >= 1", name="week_positive"),
    )


class ProgrammeMember(Base):
    """A participant in a programme (one running programme at a time: ``store.Store.join_programme``;
    a participant is in a programme once)."""

    __tablename__ = "programme_members"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("programme_id", "participant_id", name="uq_programme_members_programme_participant"),)


class ProgrammeWorkshopMember(Base):
    """A member's identity in the workshop of a workshop step (its answers count for the programme)."""

    __tablename__ = "programme_workshop_members"
    member_id: Mapped[int] = mapped_column(ForeignKey("programme_members.id", ondelete="CASCADE"), primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), unique=True)
