"""Property tests (hypothesis): invariances, perfect agreement, bounds,
missing data, and agreement with independent implementations on random data."""

import krippendorff
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from irrCAC.raw import CAC
from statsmodels.stats.inter_rater import cohens_kappa as sm_cohen
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from scoring import (
    alpha_bootstrap,
    cohen_kappa,
    consensus,
    f1,
    fleiss_kappa,
    gwet_ac1,
    gwet_ac2,
    jaccard,
    krippendorff_alpha,
    masi_distance,
    ratings_to_counts,
    set_alpha,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LEVELS = ["nominal", "ordinal", "interval", "ratio"]


@st.composite
def reliability_data(draw, max_raters=8, max_units=12, n_values=4, missing=True):
    r = draw(st.integers(2, max_raters))
    u = draw(st.integers(2, max_units))
    vals = draw(arrays(np.float64, (r, u), elements=st.integers(1, n_values).map(float)))
    if missing:
        mask = draw(arrays(np.bool_, (r, u), elements=st.booleans()))
        vals = np.where(mask & (draw(st.integers(0, 3)) > 0), np.nan, vals)
    return vals


@SETTINGS
@given(reliability_data(), st.sampled_from(LEVELS))
def test_alpha_matches_krippendorff_package(data, level):
    ours = krippendorff_alpha(data, level)
    try:
        with np.errstate(all="ignore"):
            theirs = float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))
    except ValueError:
        theirs = np.nan  # package refuses (no pairable unit / one value)
    if ours.defined:
        assert ours.value == pytest.approx(theirs, abs=1e-9)
    else:
        assert ours.reason
        # where we refuse, the package gives nan, raises, or (one unit) a
        # meaningless 0 / (no variation) nan
        if ours.reason.startswith("only one unit") and not np.isnan(theirs):
            assert theirs == pytest.approx(0.0, abs=1e-9)
        elif ours.reason.startswith("no variation"):
            assert np.isnan(theirs)


@SETTINGS
@given(reliability_data(), st.sampled_from(LEVELS), st.randoms(use_true_random=False))
def test_alpha_invariant_to_rater_and_unit_order(data, level, rnd):
    rows = list(range(data.shape[0]))
    cols = list(range(data.shape[1]))
    rnd.shuffle(rows)
    rnd.shuffle(cols)
    a = krippendorff_alpha(data, level)
    b = krippendorff_alpha(data[rows][:, cols], level)
    if a.defined:
        assert b.value == pytest.approx(a.value, abs=1e-12)
    else:
        assert not b.defined and a.reason == b.reason


@SETTINGS
@given(reliability_data(), st.sampled_from(LEVELS))
def test_alpha_bounds_and_missing_data(data, level):
    a = krippendorff_alpha(data, level)
    assume(a.defined)
    assert a.value <= 1.0 + 1e-12
    # an extra rater with no ratings, or an extra unit with one rating, changes nothing
    extra_rater = np.vstack([data, np.full((1, data.shape[1]), np.nan)])
    assert krippendorff_alpha(extra_rater, level).value == pytest.approx(a.value, abs=1e-12)
    lonely = np.full((data.shape[0], 1), np.nan)
    lonely[0, 0] = 2.0
    assert krippendorff_alpha(np.hstack([data, lonely]), level).value == pytest.approx(a.value, abs=1e-12)


@SETTINGS
@given(st.integers(2, 10), arrays(np.float64, st.integers(2, 10), elements=st.integers(0, 3).map(float)), st.sampled_from(LEVELS[:3]))
def test_perfect_agreement_gives_one(n_raters, truth, level):
    assume(len(np.unique(truth)) > 1)
    data = np.tile(truth, (n_raters, 1))
    assert krippendorff_alpha(data, level).value == pytest.approx(1.0)
    counts, _ = ratings_to_counts(data, categories=[0, 1, 2, 3])
    assert fleiss_kappa(counts).value == pytest.approx(1.0)
    assert gwet_ac1(counts).value == pytest.approx(1.0)
    assert gwet_ac2(counts, "quadratic").value == pytest.approx(1.0)
    assert cohen_kappa(truth, truth, "linear", categories=[0, 1, 2, 3]).value == pytest.approx(1.0)


@st.composite
def count_tables(draw, equal=True):
    n = draw(st.integers(2, 10))
    k = draw(st.integers(2, 5))
    m = draw(st.integers(2, 8))
    rows = []
    for _ in range(n):
        mi = m if equal else draw(st.integers(0, m))
        cuts = sorted(draw(st.lists(st.integers(0, mi), min_size=k - 1, max_size=k - 1)))
        rows.append(np.diff([0, *cuts, mi]))
    return np.array(rows)


@SETTINGS
@given(count_tables())
def test_fleiss_matches_statsmodels(table):
    ours = fleiss_kappa(table)
    with np.errstate(all="ignore"):
        theirs = sm_fleiss(table)
    if ours.defined:
        assert ours.value == pytest.approx(theirs, abs=1e-9)
        assert -1.0 - 1e-9 <= ours.value <= 1.0 + 1e-9
    else:
        assert "no variation" in ours.reason


def _counts_to_raw(table):
    """Subjects × raters DataFrame (NaN padded) with category index values."""
    m = int(table.sum(axis=1).max())
    raw = np.full((table.shape[0], max(m, 2)), np.nan)
    for i, row in enumerate(table):
        vals = np.repeat(np.arange(table.shape[1], dtype=float), row)
        raw[i, : len(vals)] = vals
    return pd.DataFrame(raw)


@settings(max_examples=30, deadline=None)
@given(count_tables(equal=False), st.sampled_from(["identity", "linear", "quadratic"]))
def test_gwet_and_fleiss_match_irrcac_with_missing(table, weights):
    assume((table.sum(axis=1) >= 2).sum() >= 2)
    raw = _counts_to_raw(table)
    assume(raw.notna().any(axis=1).all())
    cac = CAC(raw, weights=weights, categories=list(range(table.shape[1])), digits=12)
    ours = gwet_ac2(table, None if weights == "identity" else weights)
    with np.errstate(all="ignore"):
        theirs = cac.gwet()["est"]["coefficient_value"]
    assert ours.value == pytest.approx(theirs, abs=1e-8)
    assert ours.value <= 1.0 + 1e-12
    if weights == "identity":
        fk = fleiss_kappa(table)
        if fk.defined:
            assert fk.value == pytest.approx(cac.fleiss()["est"]["coefficient_value"], abs=1e-8)


@SETTINGS
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=2, max_size=30),
    st.sampled_from([None, "linear", "quadratic"]),
)
def test_cohen_matches_statsmodels_random(pairs, weights):
    a, b = zip(*pairs)
    ours = cohen_kappa(a, b, weights, categories=[0, 1, 2, 3])
    table = np.zeros((4, 4))
    for x, y in pairs:
        table[x, y] += 1
    if ours.defined:
        assert ours.value == pytest.approx(sm_cohen(table, wt=weights, return_results=False), abs=1e-9)
        assert -1.0 - 1e-9 <= ours.value <= 1.0 + 1e-9
        # symmetric in rater and key
        assert cohen_kappa(b, a, weights, categories=[0, 1, 2, 3]).value == pytest.approx(ours.value)
    else:
        assert len(set(a)) == 1 or len(set(b)) == 1


@SETTINGS
@given(arrays(np.int64, 4, elements=st.integers(0, 20)))
def test_consensus_bounds_and_reversal(counts):
    c = consensus(counts)
    if counts.sum() >= 2:
        assert -1e-12 <= c.value <= 1.0 + 1e-12
        # reversing the scale does not change the spread
        assert consensus(counts[::-1]).value == pytest.approx(c.value)
        # everyone on one level -> 1
        assert consensus([0, 0, int(counts.sum()), 0]).value == 1.0
    else:
        assert not c.defined and c.reason


sets_st = st.frozensets(st.sampled_from("abcde"), max_size=5)


@SETTINGS
@given(sets_st, sets_st)
def test_set_measures_bounds_symmetry(a, b):
    for fn in (jaccard, f1):
        assert 0.0 <= fn(a, b) <= 1.0 and fn(a, b) == fn(b, a)
    assert (jaccard(a, b) == 1.0) == (a == b)
    assert 0.0 <= masi_distance(a, b) <= 1.0 and masi_distance(a, b) == masi_distance(b, a)
    assert f1(a, b) >= jaccard(a, b)


@SETTINGS
@given(st.lists(st.lists(st.one_of(st.none(), sets_st), min_size=4, max_size=4), min_size=2, max_size=5), st.sampled_from(["masi", "jaccard"]), st.randoms(use_true_random=False))
def test_set_alpha_invariance_and_bounds(rows, distance, rnd):
    a = set_alpha(rows, distance)
    perm = rows[:]
    rnd.shuffle(perm)
    b = set_alpha(perm, distance)
    if a.defined:
        assert a.value <= 1.0 + 1e-12
        assert b.value == pytest.approx(a.value, abs=1e-12)
    else:
        assert a.reason and b.reason == a.reason


@settings(max_examples=20, deadline=None)
@given(reliability_data(max_raters=6, max_units=10), st.sampled_from(LEVELS), st.sampled_from(["pairs", "units", "twoway", "raters"]))
def test_bootstrap_never_crashes_and_is_ordered(data, level, method):
    est = alpha_bootstrap(data, level, n_boot=50, seed=0, method=method)
    point = krippendorff_alpha(data, level)
    if not point.defined:
        assert np.isnan(est.value) and est.reason == point.reason
    elif not np.isnan(est.low):
        assert est.value == point.value
        assert est.low <= est.high <= 1.0 + 1e-9
        if method == "pairs":  # Krippendorff's algorithm floors resamples at -1
            assert est.low >= -1.0
    else:
        assert est.reason
