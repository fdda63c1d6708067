"""One case at a time: consensus, mode share, median, distances, risk_summary."""

import json

import numpy as np
import pandas as pd
import pytest

from scoring import (
    NOT_ASSESSABLE,
    RISK_LEVELS,
    consensus,
    consensus_table,
    distance_from_key,
    distance_from_median,
    level_counts,
    median_level,
    mode_share,
    risk_summary,
)


def test_tastle_wierman_reference_values():
    # Documented example of the independent R implementation (agrmt::consensus)
    assert consensus([30, 40, 210, 130, 530, 50, 10]).value == pytest.approx(0.7256876, abs=1e-7)
    # Definition anchors (Tastle & Wierman 2007): all on one level -> 1,
    # an even split between the two extremes -> 0.
    assert consensus([0, 7, 0, 0]).value == 1.0
    assert consensus([3, 0, 0, 3]).value == pytest.approx(0.0, abs=1e-15)


def test_consensus_hand_computed_uniform_four_levels():
    # p = 1/4 each, mu = 2.5, d = 3: 1 + 1/4 * 2*(log2(1-1.5/3) + log2(1-0.5/3))
    expected = 1 + 0.25 * 2 * (np.log2(0.5) + np.log2(1 - 0.5 / 3))
    assert consensus([2, 2, 2, 2]).value == pytest.approx(expected)


def test_consensus_undefined():
    none = consensus([0, 0, 0, 0])
    assert np.isnan(none.value) and "no assessable" in none.reason
    one = consensus([0, 1, 0, 0])
    assert np.isnan(one.value) and "only one" in one.reason and one.n == 1
    with pytest.raises(ValueError):
        consensus([[1, 2], [3, 4]])


def test_mode_share_and_median():
    assert mode_share([0, 1, 2, 10]).value == pytest.approx(10 / 13)
    assert np.isnan(mode_share([0, 0, 0, 0]).value)
    assert median_level([0, 0, 2, 10]) == 3.0
    assert median_level([0, 2, 2, 0]) == 1.5
    assert median_level([1, 1, 1, 0]) == 1.0
    assert np.isnan(median_level([0, 0, 0, 0]))


def test_median_matches_numpy():
    rng = np.random.default_rng(0)
    for _ in range(50):
        x = rng.integers(0, 4, size=rng.integers(1, 20))
        assert median_level(np.bincount(x, minlength=4)) == np.median(x)


def test_assi_panel():
    """Assi (n=12): mycket_hog 10, hog 2."""
    s = risk_summary(["mycket_hog"] * 10 + ["hog"] * 2, key="mycket_hog")
    assert s.counts == {"ingen_lag": 0, "nagot_forhojd": 0, "hog": 2, "mycket_hog": 10}
    assert s.n == 12 and s.n_not_assessable == 0
    assert s.mode_share.value == pytest.approx(10 / 12)
    assert s.modes == ("mycket_hog",) and s.median_levels == ("mycket_hog",)
    assert s.key_share.value == pytest.approx(10 / 12)
    assert list(s.distance_from_median) == [0.0] * 10 + [-1.0, -1.0]
    assert list(s.distance_from_key) == [0.0] * 10 + [-1.0, -1.0]
    assert 0.8 < s.consensus.value < 1.0


def test_jamila_panel_inte_kant_is_separate():
    """Jamila (n=16): ingen_lag 2, nagot_forhojd 11, hog 2, inte_kant 1."""
    answers = ["ingen_lag"] * 2 + ["nagot_forhojd"] * 11 + ["hog"] * 2 + [NOT_ASSESSABLE]
    s = risk_summary(answers, key="nagot_forhojd")
    assert s.n == 15 and s.n_not_assessable == 1 and s.n_unanswered == 0
    assert s.counts["mycket_hog"] == 0
    assert s.median == 1.0 and s.mode_share.value == pytest.approx(11 / 15)
    assert np.isnan(s.distance_from_median[-1]) and np.isnan(s.distance_from_key[-1])
    # inte_kant does not move any statistic
    s2 = risk_summary(answers[:-1], key="nagot_forhojd")
    assert s2.consensus == s.consensus and s2.median == s.median


def test_max_panel_and_to_dict_is_json():
    s = risk_summary(["nagot_forhojd"] + ["hog"] * 2 + ["mycket_hog"] * 4 + [None])
    assert s.n == 7 and s.n_unanswered == 1 and s.median == 3.0
    assert np.isnan(s.key_share.value) and s.key_share.reason == "no key for this case"
    d = s.to_dict()
    json.dumps(d)
    assert d["distance_from_median"][-1] is None and d["counts"]["hog"] == 2


def test_even_split_median_between_levels():
    s = risk_summary(["hog", "hog", "mycket_hog", "mycket_hog"])
    assert s.median == 2.5 and s.median_levels == ("hog", "mycket_hog")
    assert list(s.distance_from_median) == [-0.5, -0.5, 0.5, 0.5]
    assert s.modes == ("hog", "mycket_hog")


def test_all_inte_kant():
    s = risk_summary([NOT_ASSESSABLE] * 3, key="hog")
    assert s.n == 0 and s.n_not_assessable == 3
    assert np.isnan(s.consensus.value) and np.isnan(s.median) and s.median_levels == ()
    assert np.isnan(s.key_share.value)


def test_leave_one_out_distance():
    d = distance_from_median(["hog", "hog", "mycket_hog", NOT_ASSESSABLE], leave_one_out=True)
    assert d[0] == -0.5 and d[1] == -0.5 and d[2] == 1.0 and np.isnan(d[3])
    alone = distance_from_median(["hog"], leave_one_out=True)
    assert np.isnan(alone[0])


def test_distance_from_key():
    d = distance_from_key(["ingen_lag", "mycket_hog", None], "hog")
    assert d[0] == -2 and d[1] == 1 and np.isnan(d[2])
    assert np.isnan(distance_from_key(["hog"], NOT_ASSESSABLE)).all()


def test_consensus_table_vectorised():
    counts = pd.DataFrame([[0, 0, 2, 10], [0, 0, 0, 0], [3, 0, 0, 3], [0, 1, 0, 0]], index=["assi", "x", "split", "one"])
    t = consensus_table(counts)
    assert list(t.index) == ["assi", "x", "split", "one"]
    assert t.loc["assi", "consensus"] == pytest.approx(consensus([0, 0, 2, 10]).value)
    assert np.isnan(t.loc["x", "consensus"]) and t.loc["x", "reason"]
    assert t.loc["split", "consensus"] == pytest.approx(0.0, abs=1e-12)
    assert np.isnan(t.loc["one", "consensus"]) and t.loc["one", "mode_share"] == 1.0
    assert t.loc["assi", "median"] == 3.0


def test_level_counts():
    assert level_counts(["hog", "inte_kant", None, "hog", "ingen_lag"]).tolist() == [1, 0, 2, 0]
    assert len(RISK_LEVELS) == 4
