"""Set-valued answers: shares, consensus set, Jaccard/F1, MASI, set alpha."""

import numpy as np
import pytest
from scoring_data import brute_alpha

from scoring import (
    consensus_set,
    f1,
    jaccard,
    jaccard_distance,
    krippendorff_alpha,
    masi_distance,
    option_shares,
    set_agreement,
    set_alpha,
    set_summary,
)


def test_jaccard_f1_hand_values():
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)
    assert f1({"a", "b"}, {"b", "c"}) == pytest.approx(0.5)
    assert jaccard(set(), set()) == 1.0 and f1(set(), set()) == 1.0
    assert jaccard({"a"}, set()) == 0.0 and f1({"a"}, set()) == 0.0
    assert jaccard_distance({"a"}, {"a"}) == 0.0
    with pytest.raises(ValueError):
        jaccard("ab", {"a"})


def test_masi_passonneau_cases():
    assert masi_distance({"a"}, {"a"}) == 0.0
    assert masi_distance({"a"}, {"a", "b"}) == pytest.approx(1 - 0.5 * 2 / 3)  # subset
    assert masi_distance({"a", "c"}, {"a", "b"}) == pytest.approx(1 - (1 / 3) * (1 / 3))  # overlap
    assert masi_distance({"a"}, {"b"}) == 1.0  # disjoint


def test_jamila_exposure_shares():
    """Jamila's panel (n=16) chose fysiskt_vald 13 times, brister_i_omsorg 6 times."""
    answers = [{"fysiskt_vald"}] * 10 + [{"fysiskt_vald", "brister_i_omsorg"}] * 3 + [{"brister_i_omsorg"}] * 3
    s = option_shares(answers, options=["fysiskt_vald", "brister_i_omsorg", "ingen_utsatthet"])
    assert s["fysiskt_vald"] == pytest.approx(13 / 16)
    assert s["brister_i_omsorg"] == pytest.approx(6 / 16)
    assert s["ingen_utsatthet"] == 0.0
    assert consensus_set(answers) == frozenset({"fysiskt_vald"})
    with pytest.raises(ValueError):
        option_shares(answers, options=["fysiskt_vald"])


def test_consensus_threshold_is_at_least_half():
    answers = [{"a"}, {"a"}, {"b"}, set()]
    assert consensus_set(answers) == frozenset({"a"})
    assert consensus_set(answers, threshold=0.25) == frozenset({"a", "b"})


def test_set_agreement_per_rater():
    answers = [{"a", "b"}, {"a"}, {"a", "c"}, None, set()]
    t = set_agreement(answers, key={"a", "b", "d"})
    assert t.shape[0] == 5 and t.loc[3].isna().all()
    assert t.loc[0, "jaccard_group"] == pytest.approx(0.5)  # {a,b} vs {a}
    assert t.loc[1, "f1_group"] == 1.0
    assert t.loc[4, "n_missed_group"] == 1 and t.loc[0, "n_extra_group"] == 1
    assert t.loc[0, "jaccard_key"] == pytest.approx(2 / 3)
    assert t.loc[0, "f1_key"] == pytest.approx(0.8)
    # against the pure-Python definitions
    for i in (0, 1, 2, 4):
        assert t.loc[i, "jaccard_key"] == pytest.approx(jaccard(answers[i], {"a", "b", "d"}))
        assert t.loc[i, "f1_key"] == pytest.approx(f1(answers[i], {"a", "b", "d"}))


def test_set_agreement_leave_one_out():
    answers = [{"a"}, {"b"}, {"b"}]
    t = set_agreement(answers, leave_one_out=True)
    # others of rater 0 both chose b -> consensus {b}
    assert t.loc[0, "jaccard_group"] == 0.0
    # others of rater 1: {a},{b} -> both at 50 % -> {a,b}
    assert t.loc[1, "jaccard_group"] == pytest.approx(0.5)
    alone = set_agreement([{"a"}], leave_one_out=True)
    assert alone.loc[0].isna().all()


def test_set_summary():
    s = set_summary([{"kontaktperson"}, {"kontaktperson", "hvb"}, None], key={"hvb"})
    assert s.n == 2 and s.consensus == frozenset({"kontaktperson", "hvb"}) and s.key == frozenset({"hvb"})
    assert s.per_rater.loc[1, "jaccard_key"] == 0.5


ROWS = [
    [{"a"}, {"b"}, {"a", "b"}, {"c"}, None],
    [{"a"}, {"b"}, {"a"}, {"c", "a"}, {"b"}],
    [{"a"}, None, {"b"}, {"c"}, {"b", "c"}],
]


@pytest.mark.parametrize("distance, fn", [("masi", masi_distance), ("jaccard", jaccard_distance)])
def test_set_alpha_matches_pairwise_definition(distance, fn):
    units = [[r[j] for r in ROWS if r[j] is not None] for j in range(5)]
    assert set_alpha(ROWS, distance).value == pytest.approx(brute_alpha(units, fn), abs=1e-12)


def test_set_alpha_on_singletons_is_nominal_alpha():
    labels = [[1, 2, 3, 3, np.nan], [1, 2, 3, 1, 2], [2, np.nan, 3, 3, 2]]
    sets = [[None if np.isnan(v) else {int(v)} for v in row] for row in labels]
    nominal = krippendorff_alpha(labels, "nominal").value
    assert set_alpha(sets, "jaccard").value == pytest.approx(nominal)
    assert set_alpha(sets, "masi").value == pytest.approx(nominal)


def test_set_alpha_undefined_and_perfect():
    same = [[{"a"}, {"b", "c"}], [{"a"}, {"b", "c"}]]
    assert set_alpha(same).value == 1.0
    assert "no variation" in set_alpha([[{"a"}, {"a"}], [{"a"}, {"a"}]]).reason
    assert "only one unit" in set_alpha([[{"a"}], [{"b"}]]).reason
    with pytest.raises(ValueError):
        set_alpha(ROWS, "dice")
