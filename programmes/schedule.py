"""Weeks and steps: which step is this week's, what is done, what comes next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta


def _day(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def current_week(starts_on: datetime | date, today: date) -> int:
    """The programme week of ``today`` (1 = the first week; 0 before the start).

    >>> current_week(date(2026, 9, 7), date(2026, 9, 7)), current_week(date(2026, 9, 7), date(2026, 9, 14))
    (1, 2)
    >>> current_week(date(2026, 9, 7), date(2026, 9, 6))
    0
    """
    days = (today - _day(starts_on)).days
    return 0 if days < 0 else days // 7 + 1


def ends_on(starts_on: datetime | date, last_week: int) -> date:
    """The last day of the programme: the Sunday of its last step's week.

    >>> ends_on(date(2026, 9, 7), 2)
    datetime.date(2026, 9, 20)
    """
    return _day(starts_on) + timedelta(days=7 * last_week - 1)


@dataclass(frozen=True)
class StepStatus:
    """One step for one trainee. ``state``: ``done``, ``now`` (started, not done) or ``next`` (a later week)."""

    position: int
    week: int
    kind: str
    case_ids: tuple[str, ...]
    answered: tuple[str, ...]
    state: str
    workshop_id: int | None = None

    @property
    def open_cases(self) -> tuple[str, ...]:
        return tuple(c for c in self.case_ids if c not in self.answered)


def step_statuses(steps, answered: set[str], week: int) -> list[StepStatus]:
    """The steps in order, each marked done / now / next for a trainee who answered ``answered``.

    >>> class S:  # a stored step's fields
    ...     def __init__(self, position, week, cases, kind="cases"):
    ...         self.position, self.week, self.case_ids, self.kind, self.workshop_id = position, week, cases, kind, None
    >>> [s.state for s in step_statuses([S(0, 1, ["assi"]), S(1, 2, ["max"]), S(2, 4, ["tobias"])], {"assi"}, 2)]
    ['done', 'now', 'next']
    """
    out = []
    for st in sorted(steps, key=lambda s: (s.week, s.position)):
        cases = tuple(st.case_ids)
        done = tuple(c for c in cases if c in answered)
        state = "done" if len(done) == len(cases) else ("now" if st.week <= week else "next")
        out.append(StepStatus(st.position, st.week, st.kind, cases, done, state, getattr(st, "workshop_id", None)))
    return out
