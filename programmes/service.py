"""A programme's state from the store: one trainee's (the start page) and the cohort's (the mentor)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from programmes.calibration import CaseResult, Criterion, Evaluation, Figures, case_results, evaluate, figures, first_met
from programmes.schedule import StepStatus, current_week, ends_on, step_statuses


@dataclass(frozen=True)
class TraineeState:
    programme: object  # store.models.Programme
    member: object  # store.models.ProgrammeMember
    week: int
    steps: tuple[StepStatus, ...]
    results: tuple[CaseResult, ...]
    figures: Figures
    evaluation: Evaluation
    met: Evaluation | None  # the first time the criterion held

    @property
    def ends_on(self) -> date:
        return ends_on(self.programme.starts_on, max(st.week for st in self.programme.steps))


def _others(store, answers_by_member: dict[int, list], case_ids) -> dict[int, dict[str, list[str]]]:
    """Per member, per case: everyone else's round-1 risk answers (self-paced, workshops, other programmes)."""
    everyone = store.case_risk_answers(case_ids)
    out: dict[int, dict[str, list[str]]] = {}
    for pid in answers_by_member:
        out[pid] = {c: [risk for who, risk in rows if who != pid] for c, rows in everyone.items()}
    return out


def states(store, library, programme, today: date | None = None, only: int | None = None) -> dict[int, TraineeState]:
    """Every member's state, by participant id (``only``: just that member's)."""
    today = today or date.today()
    answers = store.programme_answers(programme.id)
    if only is not None:
        answers = {pid: a for pid, a in answers.items() if pid == only}
    case_ids = {c for st in programme.steps for c in st.case_ids}
    others = _others(store, answers, case_ids)
    members = {p.id: m for m, p in store.programme_members(programme.id)}
    v = library.variables
    levels, not_known = v.risk_level_ids, v.risk.not_assessable.id
    criterion = Criterion.from_dict(programme.criterion)
    week = current_week(programme.starts_on, today)
    out = {}
    for pid, own in answers.items():
        own = [a for a in own if a.case_id in library.cases]
        results = case_results(own, library.cases, levels, not_known, others[pid], programme.min_group_size)
        out[pid] = TraineeState(
            programme, members[pid], week, tuple(step_statuses(programme.steps, {a.case_id for a in own}, week)),
            tuple(results), figures(results), evaluate(criterion, results, levels), first_met(criterion, results, levels))
    return out


def trainee_state(store, library, participant_id: int, today: date | None = None) -> TraineeState | None:
    member = store.membership(participant_id)
    if member is None:
        return None
    programme = store.programme(member.programme_id)
    return states(store, library, programme, today, only=participant_id).get(participant_id)


@dataclass(frozen=True)
class Divergence:
    case_id: str
    n: int
    counts: tuple[int, ...]  # per risk level, lowest first
    not_known: int
    consensus: float | None
    key_risk: str | None


def divergent_cases(store, library, programme, limit: int = 3) -> list[Divergence]:
    """The programme's cases where the cohort's ratings spread most (lowest consensus first), from the
    members' programme answers; a case needs two rated answers."""
    import math

    from scoring import consensus, level_counts

    v = library.variables
    levels = v.risk_level_ids
    by_case: dict[str, list[str]] = {}
    for answers in store.programme_answers(programme.id).values():
        for a in answers:
            by_case.setdefault(a.case_id, []).append(a.risk)
    out = []
    for case_id, risks in by_case.items():
        rated = [r for r in risks if r in levels]
        if len(rated) < 2 or case_id not in library.cases:
            continue
        counts = level_counts(rated, len(levels))
        c = consensus(counts)
        case = library.cases[case_id]
        out.append(Divergence(case_id, len(risks), tuple(int(x) for x in counts), len(risks) - len(rated),
                              None if math.isnan(c.value) else float(c.value), case.key.risk if case.key else None))
    out.sort(key=lambda d: (d.consensus if d.consensus is not None else 1.0, -d.n, d.case_id))
    return out[:limit]


def checklist(store, library, programme, tertial: str, lang: str, today: date | None = None):
    from programmes.records import build_checklist

    all_states = states(store, library, programme, today)
    titles = {cid: c.title.get(lang) for cid, c in library.cases.items()}
    return build_checklist(programme, tertial, {pid: list(s.results) for pid, s in all_states.items()},
                           {pid: s.evaluation for pid, s in all_states.items()}, titles,
                           library.variables.risk_level_ids, lang)
