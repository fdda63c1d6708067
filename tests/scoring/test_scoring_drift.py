"""Drift over a trainee's cases, checked against scipy's t interval."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scoring import drift, drift_table, mean_ci


def test_mean_ci_matches_scipy():
    x = np.array([1, 1, 0, 2, 1, 0.5, 1, 1.5])
    e = mean_ci(x, 0.95)
    ci = stats.ttest_1samp(x, 0).confidence_interval(0.95)
    assert e.value == pytest.approx(x.mean())
    assert (e.low, e.high) == pytest.approx((ci.low, ci.high))
    assert e.n == 8 and e.direction == "higher"


def test_mean_ci_edge_cases():
    assert np.isnan(mean_ci([]).value) and mean_ci([np.nan]).reason
    one = mean_ci([1.0])
    assert one.value == 1.0 and np.isnan(one.low) and "one case" in one.reason and one.direction == "undefined"
    const = mean_ci([1.0, 1.0, 1.0])
    assert const.low == const.high == 1.0 and const.direction == "higher"
    assert mean_ci([-1, 1, 0]).direction == "no_clear_tendency"
    assert mean_ci([-1, -1.5, -1, -0.5]).direction == "lower"
    with pytest.raises(ValueError):
        mean_ci([1, 2], confidence=95)


def test_drift_one_step_higher():
    trainee = ["hog", "mycket_hog", "hog", "nagot_forhojd", "mycket_hog", "inte_kant"]
    medians = [1, 2, 1, 0, 2, 1]
    key = ["nagot_forhojd", "hog", "hog", "ingen_lag", "hog", "hog"]
    d = drift(trainee, medians, key)
    assert d.vs_group.value == pytest.approx(1.0) and d.vs_group.n == 5
    assert d.vs_group.direction == "higher"
    assert d.vs_key.value == pytest.approx(np.mean([1, 1, 0, 1, 1]))
    only = drift(trainee, medians)
    assert np.isnan(only.vs_key.value) and only.vs_key.reason == "no reference given"
    with pytest.raises(ValueError):
        drift(trainee, medians[:3])


def test_drift_table_leave_one_out():
    df = pd.DataFrame(
        {
            "rater": list("aaabbbccc"),
            "case": [1, 2, 3] * 3,
            "level": ["hog", "hog", "mycket_hog", "nagot_forhojd", "nagot_forhojd", "hog", "nagot_forhojd", "hog", "inte_kant"],
        }
    )
    t = drift_table(df, keys={1: "hog", 2: "hog", 3: "hog"})
    # rater a, case 1: others b,c = nagot_forhojd, nagot_forhojd -> median 1 -> +1
    # case 2: others 1, 2 -> 1.5 -> +0.5 ; case 3: others: hog only -> +1
    assert t.loc["a", "group_mean"] == pytest.approx(np.mean([1, 0.5, 1]))
    assert t.loc["a", "key_mean"] == pytest.approx(np.mean([0, 0, 1]))
    assert t.loc["c", "group_n"] == 2 and t.loc["c", "key_n"] == 2
    for r in "abc":
        rows = df[df.rater == r]
        assert t.loc[r, "group_n"] == (rows.level != "inte_kant").sum()
    assert list(t.columns) == ["group_mean", "group_low", "group_high", "group_n", "key_mean", "key_low", "key_high", "key_n"]
