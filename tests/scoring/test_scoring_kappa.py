"""Kappa family: Fleiss, Cohen (weighted), Gwet AC1/AC2 vs published figures,
statsmodels and irrCAC."""

import numpy as np
import pandas as pd
import pytest
from irrCAC.raw import CAC
from scoring_data import (
    FLEISS_1971,
    FLEISS_1971_PUBLISHED,
    GWET_AC1_4RATERS,
    GWET_FLEISS_4RATERS,
    KRIPPENDORFF_2011,
    WIKIPEDIA_FLEISS,
)
from statsmodels.stats.inter_rater import cohens_kappa as sm_cohen
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from scoring import agreement_weights, cohen_kappa, fleiss_kappa, gwet_ac1, gwet_ac2, ratings_to_counts


def test_fleiss_wikipedia_worked_example():
    res = fleiss_kappa(WIKIPEDIA_FLEISS)
    assert round(res.value, 3) == 0.210
    assert res.value == pytest.approx(sm_fleiss(WIKIPEDIA_FLEISS), abs=1e-12)
    assert res.n == 10


def test_fleiss_1971_psychiatric_diagnoses():
    counts, cats = ratings_to_counts(FLEISS_1971)
    assert cats == (1.0, 2.0, 3.0, 4.0, 5.0)
    assert counts.shape == (30, 5) and (counts.sum(axis=1) == 6).all()
    res = fleiss_kappa(counts)
    assert round(res.value, 3) == FLEISS_1971_PUBLISHED
    assert res.value == pytest.approx(sm_fleiss(counts), abs=1e-12)


def test_gwet_published_example_4_raters():
    counts, _ = ratings_to_counts(KRIPPENDORFF_2011)
    assert round(gwet_ac1(counts).value, 4) == GWET_AC1_4RATERS
    assert round(fleiss_kappa(counts).value, 4) == GWET_FLEISS_4RATERS


def _irr(data_raters_by_units, weights="identity", categories=None):
    df = pd.DataFrame(np.asarray(data_raters_by_units, dtype=float).T)
    return CAC(df, weights=weights, categories=categories, digits=12)


@pytest.mark.parametrize("weights", ["linear", "quadratic"])
def test_gwet_ac2_matches_irrcac_with_missing(weights):
    counts, cats = ratings_to_counts(KRIPPENDORFF_2011)
    ours = gwet_ac2(counts, weights, values=cats).value
    theirs = _irr(KRIPPENDORFF_2011, weights).gwet()["est"]["coefficient_value"]
    assert ours == pytest.approx(theirs, abs=1e-9)


def test_prevalence_paradox_assi_panel():
    """Assi: 10 of 12 panel members say mycket_hog, 2 say hog."""
    counts = np.array([[0, 0, 2, 10]])
    # kappa on one case is refused rather than reported as a negative number
    k = fleiss_kappa(counts)
    assert np.isnan(k.value) and "single case" in k.reason
    ac1 = gwet_ac1(counts)
    assert ac1.defined and ac1.value > 0.6
    # Two such cases: kappa is near zero/negative although 83 % agree, AC1 stays high.
    two = np.array([[0, 0, 2, 10], [0, 0, 1, 11]])
    assert fleiss_kappa(two).value < 0.1
    assert gwet_ac1(two).value > 0.7


def test_fleiss_undefined():
    assert "no case" in fleiss_kappa([[1, 0], [0, 1]]).reason
    nv = fleiss_kappa([[3, 0], [4, 0]])
    assert np.isnan(nv.value) and "no variation" in nv.reason
    with pytest.raises(ValueError):
        fleiss_kappa([[1.5, 2]])
    with pytest.raises(ValueError):
        fleiss_kappa([1, 2, 3])


def test_gwet_undefined():
    assert np.isnan(gwet_ac1([[1, 0], [0, 1]]).value)
    single = gwet_ac1([[5], [3]])
    assert np.isnan(single.value) and "two categories" in single.reason


def test_unequal_row_totals_match_irrcac():
    data = np.array(
        [
            [1, 2, 3, 3, np.nan, 1, 2],
            [1, 2, 3, 2, 2, np.nan, 2],
            [np.nan, 2, 3, 3, 2, 1, 1],
            [1, np.nan, 2, 3, 2, 1, np.nan],
        ]
    )
    counts, _ = ratings_to_counts(data)
    irr = _irr(data)
    assert fleiss_kappa(counts).value == pytest.approx(irr.fleiss()["est"]["coefficient_value"], abs=1e-9)
    assert gwet_ac1(counts).value == pytest.approx(irr.gwet()["est"]["coefficient_value"], abs=1e-9)


def test_ratings_to_counts_with_risk_ids():
    counts, cats = ratings_to_counts([["hog", "mycket_hog"], ["inte_kant", "hog"], ["hog", None]])
    assert cats == ("ingen_lag", "nagot_forhojd", "hog", "mycket_hog")
    assert counts.tolist() == [[0, 0, 2, 0], [0, 0, 1, 1]]


# -- Cohen ----------------------------------------------------------------------
RATER = [0, 1, 2, 3, 1, 2, 2, 0, 3, 3, 1, 2]
KEY = [0, 1, 1, 3, 2, 2, 3, 0, 3, 2, 1, 2]


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_matches_statsmodels(weights):
    table = np.zeros((4, 4))
    for a, b in zip(RATER, KEY):
        table[a, b] += 1
    ours = cohen_kappa(RATER, KEY, weights, categories=[0, 1, 2, 3])
    assert ours.value == pytest.approx(sm_cohen(table, wt=weights, return_results=False), abs=1e-12)
    assert ours.n == len(RATER)


def test_cohen_two_raters_matches_irrcac():
    data = np.array([RATER, KEY], dtype=float)
    for w in ["identity", "linear", "quadratic"]:
        # irrCAC's Cohen kappa (conger() reduces to Cohen for two raters)
        theirs = _irr(data, w, categories=[0, 1, 2, 3]).conger()["est"]["coefficient_value"]
        ours = cohen_kappa(RATER, KEY, None if w == "identity" else w, categories=[0, 1, 2, 3]).value
        assert ours == pytest.approx(theirs, abs=1e-9)


def test_cohen_with_risk_ids_and_missing():
    rater = ["hog", "mycket_hog", "inte_kant", "nagot_forhojd", "hog"]
    key = ["hog", "hog", "hog", "nagot_forhojd", None]
    res = cohen_kappa(rater, key)
    idx = cohen_kappa([2, 3, 1], [2, 2, 1], categories=[0, 1, 2, 3])
    assert res.n == 3 and res.value == pytest.approx(idx.value)


def test_cohen_undefined():
    assert "fewer than two" in cohen_kappa([1], [1]).reason
    const_key = cohen_kappa([1, 2, 1, 2], [2, 2, 2, 2])
    assert np.isnan(const_key.value) and "key used one category" in const_key.reason
    const_rater = cohen_kappa([2, 2, 2], [1, 2, 3], weights="linear")
    assert np.isnan(const_rater.value) and "rater" in const_rater.reason


def test_agreement_weights():
    w = agreement_weights(4, "linear")
    assert w[0, 3] == 0 and w[0, 1] == pytest.approx(2 / 3) and (np.diag(w) == 1).all()
    q = agreement_weights(4, "quadratic")
    assert q[0, 1] == pytest.approx(1 - 1 / 9)
    with pytest.raises(ValueError):
        agreement_weights(3, "cubic")


def test_ratings_to_counts_numbers_with_none():
    counts, cats = ratings_to_counts([[1, 5, None], [5, 5, 7]])
    assert cats == (1.0, 5.0, 7.0)
    assert counts.tolist() == [[1, 1, 0], [0, 2, 0], [0, 0, 1]]


def test_gwet_ac2_weight_matrix_documented_example():
    """irrCAC documents AC2 = 0.90037 with bipolar weights on Gwet's 4-rater data."""
    from irrCAC.weights import Weights

    counts, cats = ratings_to_counts(KRIPPENDORFF_2011)
    w = np.asarray(Weights(list(cats))["bipolar"], dtype=float)
    assert round(gwet_ac2(counts, w).value, 5) == 0.90037
    with pytest.raises(ValueError):
        gwet_ac2(counts, np.eye(3))


def test_asymmetric_weight_matrix_is_refused():
    counts = [[0, 2, 1], [1, 1, 1], [3, 0, 0]]
    sym = np.array([[1, 0.5, 0], [0.5, 1, 0.5], [0, 0.5, 1]])
    assert gwet_ac2(counts, sym).value == pytest.approx(gwet_ac2(counts, "linear").value)
    asym = sym.copy()
    asym[1, 0] = 0.25
    with pytest.raises(ValueError, match=r"symmetric: w\[0, 1\] = 0.5 but w\[1, 0\] = 0.25"):
        gwet_ac2(counts, asym)


def test_nullable_and_missing_inputs_to_the_kappa_family():
    frame = pd.DataFrame([[1, None, 2], [1, 2, 2]], dtype="Int64")
    counts, cats = ratings_to_counts(frame)
    assert counts.tolist() == [[2, 0], [0, 1], [0, 2]] and cats == (1.0, 2.0)
    listed, _ = ratings_to_counts([["hog", np.nan], ["hog", "mycket_hog"]])
    assert listed.tolist() == [[0, 0, 2, 0], [0, 0, 0, 1]]
    rater = pd.Series([1, 2, None, 3, 1], dtype="Int64")
    key = [1, 2, 3, 3, 2]
    assert cohen_kappa(rater, key).value == pytest.approx(cohen_kappa([1, 2, 3, 1], [1, 2, 3, 2]).value)
