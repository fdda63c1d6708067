"""Synthetic answers for demonstrations, benchmarks and tests: ``samsyn demo``.

Realistic in shape, never real: pseudonyms ``Demo-00001``, teams ``Team 01``…,
experience bands ``<1 år`` / ``1–3 år`` / ``>3 år``, answers spread over a few
years, most given in team workshops (a workshop per team and month) and some
self-paced.

Risk is drawn on a latent scale whose cut points reproduce the published
Webbkollen panel distribution of a case (``cases/reference_panel.yaml``),
or, for cases without a panel, a distribution centred on the case key
(wider for cases marked ambiguous). Each team has a bias on that scale:
about one team in five rates systematically lower — relative assessment — and
one in ten higher. Some answers are "inte känt" (more for ambiguous cases).
Each answer identifies a few exposures, more of them at higher risk and
mostly those of the key, so that exposures and risk correlate as in
Webbkollen 2017. The spread narrows a little over the years, as calibration
would have it. Every id comes from ``variables.yaml``; (participant, case,
round) is unique. Everything follows from ``seed`` and ``end``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING

import numpy as np

from cases.variables import EXPOSURE, EXPOSURE_GROUPS, exposure_variable
from store import Store

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from cases import Library

EXPERIENCE_BANDS = ("<1 år", "1–3 år", ">3 år")
EXPERIENCE_SHARES = (0.3, 0.35, 0.35)
#: Latent shift by experience band (newcomers rate a little lower).
EXPERIENCE_SHIFT = (-0.15, 0.0, 0.05)
#: Shares of teams with a systematic lower / higher tendency, and its size on the latent scale.
LOW_TEAMS, HIGH_TEAMS = 0.2, 0.1
LOW_BIAS, HIGH_BIAS = -0.8, 0.45
NOT_KNOWN = {True: 0.14, False: 0.02}  # by case.ambiguous
WORKSHOP_SHARE = 0.7
ROUND_TWO_SHARE = 0.25


@dataclass
class DemoData:
    workshops: "pd.DataFrame"
    participants: "pd.DataFrame"
    answers: "pd.DataFrame"
    selections: "pd.DataFrame"
    team_bias: dict[str, float]


def _case_probabilities(case, library) -> np.ndarray:
    """The distribution over the 4 levels the draws are centred on."""
    levels = library.variables.risk_level_ids
    panel = library.panels.for_case(case.id) if library.panels else None
    if panel is not None:
        p = np.array([panel.risk.get(lv, 0) for lv in levels], float) + 0.5
    else:
        key = levels.index(case.key.risk) if case.key else 1
        spread = (0.35, 0.25, 0.1, 0.05) if case.ambiguous else (0.6, 0.18, 0.04, 0.01)
        p = np.array([spread[abs(i - key)] for i in range(len(levels))], float)
    return p / p.sum()


def _thresholds(p: np.ndarray) -> np.ndarray:
    from scipy.stats import norm

    return norm.ppf(np.clip(np.cumsum(p)[:-1], 1e-9, 1 - 1e-9))


def generate(library: "Library", *, answers: int = 100_000, teams: int = 20, years: int = 3, seed: int = 1,
             end: date | None = None, first_ids: tuple[int, int, int] = (1, 1, 1)) -> DemoData:
    """Build the synthetic data in memory (nothing is written).

    ``first_ids`` = the first free (workshop, participant, answer) ids.
    """
    import pandas as pd

    if answers < 1 or teams < 1 or years < 1:
        raise ValueError("answers, teams and years must be positive")
    end = end or date.today()
    rng = np.random.default_rng(seed)
    variables = library.variables
    cases = [c for c in library.ordered()]
    if not cases:
        raise ValueError("the case library is empty")
    n_cases = len(cases)
    case_ids = np.array([c.id for c in cases])
    not_assessable = variables.risk.not_assessable.id
    level_ids = np.array(variables.risk_level_ids)
    cuts = [_thresholds(_case_probabilities(c, library)) for c in cases]
    key_level = np.array([list(level_ids).index(c.key.risk) if c.key else -1 for c in cases])
    p_not_known = np.array([NOT_KNOWN[bool(c.ambiguous)] for c in cases])

    team_names = [f"Team {i + 1:02d}" for i in range(teams)]
    team_weight = rng.dirichlet(np.full(teams, 3.0))
    order = rng.permutation(teams)
    bias = rng.normal(0.0, 0.1, teams)
    n_low, n_high = int(round(LOW_TEAMS * teams)), int(round(HIGH_TEAMS * teams))
    bias[order[:n_low]] += LOW_BIAS
    bias[order[n_low:n_low + n_high]] += HIGH_BIAS

    # participants, until their answers reach the target
    per_person = 1 + n_cases // 2
    n_people = int(answers / (per_person * (1 + WORKSHOP_SHARE * ROUND_TWO_SHARE)) * 1.3) + 5
    team = rng.choice(teams, size=n_people, p=team_weight)
    exp = rng.choice(len(EXPERIENCE_BANDS), size=n_people, p=EXPERIENCE_SHARES)
    lang = np.where(rng.random(n_people) < 0.9, "sv", "en")
    in_workshop = rng.random(n_people) < WORKSHOP_SHARE
    start = end - timedelta(days=365 * years)
    span_days = (end - start).days
    day = rng.integers(0, span_days, size=n_people)
    k = np.clip(rng.binomial(n_cases - 1, 0.5, size=n_people) + 1, 1, n_cases)

    # workshops: one per team and month in which the team has workshop participants
    month = np.array([(start + timedelta(days=int(d))).strftime("%Y-%m") for d in day])
    wk_key = pd.Series([f"{team_names[t]} {mo}" if w else "" for t, mo, w in zip(team, month, in_workshop)])
    names = sorted(set(wk_key) - {""})
    w0, p0, a0 = first_ids
    wk_id = {name: w0 + i for i, name in enumerate(names)}
    # a workshop happens on one day: its participants share the day of its first member
    wk_day: dict[str, int] = {}
    for i, name in enumerate(wk_key):
        if name:
            day[i] = wk_day.setdefault(name, int(day[i]))
    workshops = pd.DataFrame({
        "id": [wk_id[nm] for nm in names],
        "name": [f"Demo {nm}" for nm in names],
        "join_code": [f"DEMO{wk_id[nm]:06d}" for nm in names],
        "facilitator_secret_hash": [hashlib.sha256(f"demo-{seed}-{nm}".encode()).hexdigest() for nm in names],
        "language": "sv", "min_group_size": 5, "current_round": 2,
    })

    # answers: each participant takes k distinct cases; workshop answers may get a round 2
    case_pick = np.argsort(rng.random((n_people, n_cases)), axis=1)
    person = np.repeat(np.arange(n_people), k)
    slot = np.concatenate([np.arange(kk) for kk in k])
    case_idx = case_pick[person, slot]
    r2 = in_workshop[person] & (rng.random(len(person)) < ROUND_TWO_SHARE)
    minutes = rng.integers(9 * 60, 15 * 60, size=len(person))
    minutes = np.concatenate([minutes, minutes[r2] + 45])
    person = np.concatenate([person, person[r2]])
    case_idx = np.concatenate([case_idx, case_idx[r2]])
    rnd = np.concatenate([np.ones(len(r2), int), np.full(int(r2.sum()), 2)])
    order_ = np.lexsort((rnd, slot.tolist() + slot[r2].tolist(), person))
    person, case_idx, rnd, minutes = person[order_], case_idx[order_], rnd[order_], minutes[order_]
    keep = np.arange(len(person)) < answers
    if keep.sum() < answers:
        raise RuntimeError("too few participants drawn; raise the allowance")
    person, case_idx, rnd, minutes = person[keep], case_idx[keep], rnd[keep], minutes[keep]
    n = len(person)

    # risk on the latent scale
    # agreement improves a little over the years (calibration at work): the spread narrows
    spread = 1.15 - 0.3 * day[person] / max(span_days, 1)
    z = rng.normal(size=n) * spread + bias[team[person]] + np.array(EXPERIENCE_SHIFT)[exp[person]]
    level = np.empty(n, int)
    for ci in range(n_cases):
        m = case_idx == ci
        level[m] = np.searchsorted(cuts[ci], z[m])
    # second round: after the discussion, half move one step towards the key
    towards = (rnd == 2) & (key_level[case_idx] >= 0) & (rng.random(n) < 0.5)
    level = np.where(towards, level + np.sign(key_level[case_idx] - level), level)
    not_known = rng.random(n) < p_not_known[case_idx]
    risk = np.where(not_known, not_assessable, level_ids[level])

    base = datetime.combine(start, time(0, 0), tzinfo=timezone.utc)
    submitted = [base + timedelta(days=int(d), minutes=int(mi)) for d, mi in zip(day[person], minutes)]
    answer_ids = a0 + np.arange(n)
    people_used = np.unique(person)
    pid = {int(p): p0 + i for i, p in enumerate(people_used)}
    participant_id = np.array([pid[int(p)] for p in person])

    participants = pd.DataFrame({
        "id": [pid[int(p)] for p in people_used],
        "pseudonym": [f"Demo-{pid[int(p)]:05d}" for p in people_used],
        "workshop_id": [wk_id.get(wk_key[int(p)]) for p in people_used],
        "team": [team_names[team[p]] for p in people_used],
        "experience": [EXPERIENCE_BANDS[exp[p]] for p in people_used],
        "language": lang[people_used],
        "created_at": [base + timedelta(days=int(day[p])) for p in people_used],
    })
    participants["workshop_id"] = participants["workshop_id"].astype("Int64")
    workshops = workshops[workshops["id"].isin(set(participants["workshop_id"].dropna().astype(int)))]
    answers_df = pd.DataFrame({
        "id": answer_ids, "participant_id": participant_id, "case_id": case_ids[case_idx], "round": rnd,
        "workshop_id": pd.array([wk_id.get(wk_key[int(p)]) for p in person], dtype="Int64"),
        "risk": risk, "risk_missing_info": np.where(not_known, "Demo: underlag saknas", None),
        "motivation": "", "language": lang[person], "submitted_at": submitted,
        # the Signs of Safety scale: lower at higher risk, with spread (its own generator: the rest stays as it was)
        "safety_scale": pd.array(np.where(not_known, None, np.clip(np.rint(
            8.5 - 2.4 * level + np.random.default_rng(seed + 16).normal(size=n) * 1.4), 0, 10).astype(int)),
            dtype="Int64"),
    })

    # exposures: more at higher risk, mostly the key's
    options = [(g, o) for g in EXPOSURE_GROUPS for o in variables.group(EXPOSURE, g).option_ids
               if o not in variables.group(EXPOSURE, g).exclusive]
    is_key = np.zeros((n_cases, len(options)))
    for ci, c in enumerate(cases):
        if c.key:
            for j, (g, o) in enumerate(options):
                is_key[ci, j] = o in getattr(c.key.exposure, g)
    effective = np.where(not_known, 1, level)
    n_exp = np.clip(rng.poisson(0.4 + 0.9 * effective), 0, 8)
    priority = rng.random((n, len(options))) + 0.9 * is_key[case_idx]
    ranked = np.argsort(-priority, axis=1)
    rows_a, rows_o = [], []
    for j in range(int(n_exp.max()) + 1):
        m = n_exp > j
        rows_a.append(answer_ids[m])
        rows_o.append(ranked[m, j])
    sel_answer = np.concatenate(rows_a) if rows_a else np.array([], int)
    sel_option = np.concatenate(rows_o) if rows_o else np.array([], int)
    none_home = answer_ids[n_exp == 0]  # an answer with no exposure says so at home
    home = EXPOSURE_GROUPS[0]
    no_exposure = variables.group(EXPOSURE, home).exclusive[0]
    selections = pd.DataFrame({
        "answer_id": np.concatenate([sel_answer, none_home]),
        "variable": [exposure_variable(options[o][0]) for o in sel_option] + [exposure_variable(home)] * len(none_home),
        "option_id": [options[o][1] for o in sel_option] + [no_exposure] * len(none_home),
    }).sort_values(["answer_id", "variable", "option_id"], kind="stable").reset_index(drop=True)
    return DemoData(workshops.reset_index(drop=True), participants, answers_df, selections,
                    {team_names[i]: float(bias[i]) for i in range(teams)})


def _records(df: "pd.DataFrame") -> list[dict]:
    return df.astype(object).where(df.notna(), None).to_dict("records")


def write(url: str, library: "Library", *, chunk: int = 20_000, **kwargs) -> DemoData:
    """Generate and insert in bulk, in one transaction (``Store.insert_bulk``); returns what was written."""
    written: list[DemoData] = []

    def build(first_ids: tuple[int, int, int]):
        data = generate(library, first_ids=first_ids, **kwargs)
        written.append(data)
        # each table's rows are made when it is inserted, so one table's dicts are in memory at a time
        return {"workshops": lambda: _records(data.workshops.assign(created_at=datetime.now(timezone.utc))),
                "participants": lambda: _records(data.participants), "answers": lambda: _records(data.answers),
                "selections": lambda: _records(data.selections)}

    Store(url).insert_bulk(build, chunk=chunk)
    return written[0]
