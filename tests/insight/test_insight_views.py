"""The manager's views on hand-made data with known answers."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import scoring
from insight import Filters, apply_filters, bias, consistency, exposures_risk, filter_options, vignette_quality
from insight.privacy import FEW_ANSWERS
from insight.views import UNDER_RATING_STEPS, rater_bootstrap_alpha

from insight_data import frame, ratings

KEYS = {"a": "hog", "b": "nagot_forhojd", "c": "mycket_hog"}


def _random_answers(seed=0, teams=("Team A", "Team B", "Team C"), people=30, shift=None, tertials=("2025 T3", "2026 T1")):
    rng = np.random.default_rng(seed)
    shift = shift or {}
    rows, pid = [], 0
    for tertial in tertials:
        for team in teams:
            for _ in range(people):
                pid += 1
                for case, key in KEYS.items():
                    k = scoring.RISK_LEVELS.index(key)
                    lv = int(np.clip(np.round(k + rng.normal(0, 0.7) + shift.get(team, 0)), 0, 3))
                    rows.append({"participant_id": pid, "case_id": case, "risk": scoring.RISK_LEVELS[lv],
                                 "team": team, "tertial": tertial})
    return frame(rows, KEYS)


def test_alpha_per_tertial_equals_scoring_on_the_raters_by_cases_matrix():
    df = _random_answers()
    result = consistency(df, 5, n_boot=200, seed=3)
    assert result.hidden is None
    for _, row in result.per_tertial.iterrows():
        g = df[df["tertial"] == row["tertial"]]
        matrix = g.pivot(index="participant_id", columns="case_id", values="level")
        expected = scoring.krippendorff_alpha(matrix.to_numpy(), "ordinal").value
        assert row["alpha"] == pytest.approx(expected, abs=1e-12)
        assert row["low"] < row["alpha"] < row["high"]
        assert row["n"] == len(g) and row["people"] == g["participant_id"].nunique()


def test_rater_bootstrap_is_reproducible_and_narrows_with_more_people():
    small = _random_answers(people=8, tertials=("2026 T1",))
    large = _random_answers(people=120, tertials=("2026 T1",))
    a = rater_bootstrap_alpha(small, 300, seed=1)
    assert a[1:] == rater_bootstrap_alpha(small, 300, seed=1)[1:]
    b = rater_bootstrap_alpha(large, 300, seed=1)
    assert (b[2] - b[1]) < (a[2] - a[1])


def test_alpha_on_one_case_is_undefined_with_its_reason():
    df = frame(ratings("a", ["hog", "hog", "mycket_hog", "nagot_forhojd", "hog", "hog"]), KEYS)
    row = consistency(df, 5).per_tertial.iloc[0]
    assert np.isnan(row["alpha"]) and "one unit" in row["alpha_reason"]


def test_within_one_step_of_key_and_panel():
    levels = ["ingen_lag", "nagot_forhojd", "hog", "mycket_hog", "hog", "inte_kant"]
    df = frame(ratings("c", levels), KEYS, panels={"c": 2.0})
    case = consistency(df, 5).per_case.iloc[0]
    # key mycket_hog (3): within one step are hog and mycket_hog: 3 of 5 assessable
    assert case["within_key"] == pytest.approx(3 / 5)
    # panel median 2: nagot_forhojd, hog, mycket_hog, hog: 4 of 5
    assert case["within_panel"] == pytest.approx(4 / 5)
    assert case["not_known_share"] == pytest.approx(1 / 6)
    assert case["consensus"] == pytest.approx(scoring.consensus([1, 1, 2, 1]).value)


def test_second_round_answers_do_not_count():
    rows = ratings("a", ["hog"] * 6) + ratings("a", ["ingen_lag"] * 6, round=2)
    result = consistency(frame(rows, KEYS), 5)
    assert result.per_case.iloc[0]["n"] == 6 and result.per_case.iloc[0]["within_key"] == 1.0


def test_a_filter_result_below_min_group_shows_nothing():
    df = _random_answers()
    tiny = df[df["participant_id"].isin([1, 2])]  # 2 people, 6 answers
    for view in (consistency(tiny, 5), bias(tiny, 5), vignette_quality(tiny, 5), exposures_risk(tiny, 5)):
        assert view.hidden is not None
        tables = [v for v in vars(view).values() if isinstance(v, pd.DataFrame)]
        assert tables == []
    assert consistency(tiny, 5).hidden.reason != FEW_ANSWERS  # 6 answers, but only 2 people


def test_small_team_case_cells_are_suppressed_in_bias():
    df = _random_answers()
    few = frame(ratings("a", ["ingen_lag"] * 3, team="Team Tiny", start=10_000), KEYS)
    df = pd.concat([df, few], ignore_index=True)
    result = bias(df, 5)
    cell = result.cells[(result.cells["team"] == "Team Tiny")].iloc[0]
    assert cell["hidden"] and np.isnan(cell["d_key"]) and np.isnan(cell["share_0"]) and np.isnan(cell["n"])
    team = result.teams[result.teams["team"] == "Team Tiny"].iloc[0]
    assert team["hidden"] and team["under_rating"] is None


def test_under_rating_flag_finds_the_team_with_a_known_bias():
    df = _random_answers(seed=7, shift={"Team B": -0.8})
    result = bias(df, 5)
    teams = result.teams.set_index("team")
    assert bool(teams.loc["Team B", "under_rating"]) is True
    assert not teams.loc["Team A", "under_rating"] and not teams.loc["Team C", "under_rating"]
    b = teams.loc["Team B"]
    assert b["d_key"] <= -UNDER_RATING_STEPS and b["d_key_low"] < b["d_key"] < b["d_key_high"] < 0
    # the size is each person's mean distance from the key, averaged over people
    g = df[(df["team"] == "Team B")]
    per_person = (g["level"] - g["key_level"]).groupby(g["participant_id"]).mean()
    assert b["d_key"] == pytest.approx(per_person.mean())
    assert b["d_key"] == pytest.approx(-0.8, abs=0.25)
    assert b["d_national"] < 0


def test_no_flag_when_nobody_is_biased():
    result = bias(_random_answers(seed=11), 5)
    assert not result.teams["under_rating"].any()


def test_drift_per_team_and_tertial():
    df = _random_answers(seed=2, shift={"Team C": -1})
    d = bias(df, 5).drift.set_index(["team", "tertial"])
    assert d.loc[("Team C", "2026 T1"), "d_key"] < d.loc[("Team A", "2026 T1"), "d_key"] - 0.5


def test_vignette_quality_flags_the_ambiguous_case():
    spread = ["ingen_lag", "nagot_forhojd", "hog", "mycket_hog"] * 5 + ["inte_kant"] * 4
    clear = ["hog"] * 18 + ["mycket_hog"] * 5 + ["inte_kant"]
    unclear_but_known = ["ingen_lag", "mycket_hog"] * 12
    rows = ratings("a", spread) + ratings("b", clear, start=100) + ratings("c", unclear_but_known, start=200)
    q = vignette_quality(frame(rows, KEYS), 5).cases.set_index("case_id")
    assert q.loc["a", "ambiguous"] and q.loc["a", "low_agreement"] and q.loc["a", "many_not_known"]
    assert not q.loc["b", "ambiguous"]
    assert q.loc["c", "low_agreement"] and not q.loc["c", "many_not_known"] and not q.loc["c", "ambiguous"]


def test_spearman_and_kendall_on_a_hand_made_cross_table():
    # exposures (rows) × risk level (columns), five answers per non-empty cell
    table = {0: [10, 5, 0, 0], 1: [5, 10, 5, 0], 2: [0, 5, 10, 5], 3: [0, 0, 5, 10]}
    rows, pid = [], 0
    for n_exp, counts in table.items():
        for level, count in enumerate(counts):
            for _ in range(count):
                pid += 1
                rows.append({"participant_id": pid, "case_id": "a", "risk": scoring.RISK_LEVELS[level],
                             "n_exposures": n_exp})
    result = exposures_risk(frame(rows, KEYS), 5)
    x = np.repeat([0, 0, 1, 1, 1, 2, 2, 2, 3, 3], [10, 5, 5, 10, 5, 5, 10, 5, 5, 10])
    y = np.repeat([0, 1, 0, 1, 2, 1, 2, 3, 2, 3], [10, 5, 5, 10, 5, 5, 10, 5, 5, 10])
    assert result.spearman[0] == pytest.approx(stats.spearmanr(x, y).statistic)
    assert result.kendall[0] == pytest.approx(stats.kendalltau(x, y).statistic)
    assert result.spearman[0] > 0.6 and result.spearman[1] < 1e-6
    assert result.table.loc[0].tolist() == [10, 5, 0, 0]
    assert result.n == 70


def test_exposure_cross_table_hides_cells_of_one_to_four():
    rows = ratings("a", ["hog"] * 8, n_exposures=2) + ratings("a", ["ingen_lag"] * 3, start=50, n_exposures=0)
    result = exposures_risk(frame(rows, KEYS), 5)
    assert np.isnan(result.table.loc[0, 0]) and bool(result.small.loc[0, 0])
    assert result.table.loc[2, 2] == 8 and result.table.loc[2, 3] == 0
    per_row = result.rows.set_index("n_exposures")
    assert per_row.loc[0, "hidden"] and np.isnan(per_row.loc[0, "mean_level"])


def test_a_row_with_a_hidden_cell_shows_no_total_or_mean():
    # 6 at "hög" and 2 at "ingen/låg" with two exposures: the total (8) and the mean would reveal the 2
    rows = ratings("a", ["hog"] * 6 + ["ingen_lag"] * 2, n_exposures=2) + ratings("a", ["hog"] * 5, start=50)
    result = exposures_risk(frame(rows, KEYS), 5)
    assert np.isnan(result.table.loc[2, 0]) and result.table.loc[2, 2] == 6
    row = result.rows.set_index("n_exposures").loc[2]
    assert row["hidden"] and np.isnan(row["n"]) and np.isnan(row["mean_level"])
    assert result.rows.set_index("n_exposures").loc[0, "mean_level"] == 2.0


def test_filters_and_their_options():
    df = _random_answers()
    only = apply_filters(df, Filters(team="Team B", case="a", tertial="2026 T1"))
    assert set(only["team"]) == {"Team B"} and set(only["case_id"]) == {"a"} and set(only["tertial"]) == {"2026 T1"}
    assert apply_filters(df, Filters()) is df
    opts = filter_options(df)
    assert opts["tertial"] == ["2025 T3", "2026 T1"] and opts["case"] == ["a", "b", "c"]


def test_person_level_interval_is_scorings_rater_bootstrap():
    df = _random_answers(people=12, tertials=("2026 T1",))
    stat, low, high = rater_bootstrap_alpha(df, 300, seed=4)
    matrix = df.pivot(index="participant_id", columns="case_id", values="risk").to_numpy(dtype=object)
    est = scoring.alpha_bootstrap(matrix, "ordinal", n_boot=300, seed=4, method="raters",
                                  value_domain=scoring.RISK_LEVELS)
    assert (stat.value, low, high) == (est.value, est.low, est.high)
    assert est.method == "bootstrap-raters-bca"


def test_not_known_share_per_tertial():
    rows = (ratings("a", ["hog"] * 5 + ["inte_kant"], tertial="2025 T3")
            + ratings("b", ["nagot_forhojd"] * 4 + ["hog"] * 2, tertial="2025 T3")
            + ratings("a", ["hog"] * 6, tertial="2026 T1", start=50)
            + ratings("b", ["hog"] * 3 + ["mycket_hog"] * 3, tertial="2026 T1", start=50))
    pt = consistency(frame(rows, KEYS), 5, n_boot=50).per_tertial.set_index("tertial")
    assert pt.loc["2025 T3", "not_known_share"] == pytest.approx(1 / 12)
    assert pt.loc["2026 T1", "not_known_share"] == 0.0


def test_level_columns_follow_the_levels_given():
    df = _random_answers(people=10, tertials=("2026 T1",))
    five = (*scoring.RISK_LEVELS, "akut")
    result = bias(df, 5, levels=five)
    assert [c for c in result.cells.columns if c.startswith("share_")] == [f"share_{i}" for i in range(5)]
    assert (result.cells["share_4"].dropna() == 0).all()
    assert list(exposures_risk(df, 5, levels=five).table.columns) == [0, 1, 2, 3, 4]
    assert list(exposures_risk(df, 5).table.columns) == [0, 1, 2, 3]
