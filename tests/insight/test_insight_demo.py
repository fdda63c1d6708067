"""The demo generator: deterministic, valid ids, the biases it promises."""

from collections import defaultdict
from datetime import date

import numpy as np
import pandas as pd
import pytest

from cases import load_library
from insight import bias, exposures_risk, prepare, vignette_quality
from insight.demo import EXPERIENCE_BANDS, generate

END = date(2026, 11, 23)


@pytest.fixture(scope="module")
def library():
    return load_library()


@pytest.fixture(scope="module")
def data(library):
    return generate(library, answers=6000, teams=10, years=3, seed=5, end=END)


def _prepared(data, library):
    raw = data.answers.rename(columns={"id": "answer_id"}).merge(
        data.participants[["id", "team", "experience"]].rename(columns={"id": "participant_id"}), on="participant_id")
    exposures = data.selections[data.selections["option_id"] != "ingen_utsatthet"].groupby("answer_id").size()
    raw["n_exposures"] = raw["answer_id"].map(exposures).fillna(0).astype(int)
    raw["submitted_at"] = pd.to_datetime(raw["submitted_at"], utc=True)
    return prepare(raw, library)


def test_same_seed_same_data_other_seed_other_data(library, data):
    again = generate(library, answers=6000, teams=10, years=3, seed=5, end=END)
    for name in ("workshops", "participants", "answers", "selections"):
        pd.testing.assert_frame_equal(getattr(data, name), getattr(again, name))
    other = generate(library, answers=6000, teams=10, years=3, seed=6, end=END)
    assert not data.answers["risk"].equals(other.answers["risk"])


def test_exact_size_unique_keys_and_valid_ids(library, data):
    variables = library.variables
    a = data.answers
    assert len(a) == 6000 and a["id"].is_unique
    assert not a.duplicated(["participant_id", "case_id", "round"]).any()
    assert set(a["risk"]) <= set(variables.risk_answer_ids)
    assert set(a["case_id"]) <= set(library.cases)
    assert set(a["participant_id"]) <= set(data.participants["id"])
    assert set(a["round"]) <= {1, 2}
    second = a[a["round"] == 2]
    firsts = set(zip(a.loc[a["round"] == 1, "participant_id"], a.loc[a["round"] == 1, "case_id"]))
    assert all((p, c) in firsts for p, c in zip(second["participant_id"], second["case_id"]))
    assert set(data.participants["experience"]) <= set(EXPERIENCE_BANDS)
    assert data.participants["team"].str.fullmatch(r"Team \d\d").all()
    assert data.participants["pseudonym"].str.fullmatch(r"Demo-\d{5}").all()
    dates = pd.to_datetime(a["submitted_at"], utc=True)
    assert dates.min().date() >= date(2023, 11, 23) and dates.max().date() <= END
    # every answer's exposure selection passes the variables' own check
    chosen = defaultdict(lambda: defaultdict(list))
    for answer_id, variable, option in data.selections.itertuples(index=False):
        chosen[answer_id][variable].append(option)
    assert set(chosen) == set(a["id"])
    for answer_id, groups in chosen.items():
        for variable, options in groups.items():
            assert variable.startswith("exposure.")
            assert variables.check_selection("exposure", variable.split(".")[1], options) is None, (answer_id, options)


def test_biased_teams_are_the_ones_flagged(library, data):
    df = _prepared(data, library)
    teams = bias(df, 5).teams.set_index("team")
    flagged = set(teams.index[teams["under_rating"].fillna(False).astype(bool)])
    low = {t for t, b in data.team_bias.items() if b < -0.5}
    assert low and flagged == low


def test_exposures_correlate_with_risk_and_the_ambiguous_case_shows(library, data):
    df = _prepared(data, library)
    rho, p = exposures_risk(df, 5).spearman
    assert rho > 0.3 and p < 1e-6
    q = vignette_quality(df, 5).cases.set_index("case_id")
    assert q.loc["alva", "ambiguous"]
    assert not q.loc["assi", "ambiguous"]


def test_one_team_and_more_answers_than_people_needed(library):
    d = generate(library, answers=37, teams=1, years=1, seed=2, end=END)
    assert len(d.answers) == 37 and set(d.participants["team"]) == {"Team 01"}
    with pytest.raises(ValueError):
        generate(library, answers=0, end=END)
