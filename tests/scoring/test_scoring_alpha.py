"""Krippendorff's alpha: published figures, the `krippendorff` package, edge cases, bootstrap."""

import krippendorff
import numpy as np
import pandas as pd
import pytest
from scoring_data import (
    HAYES_KRIPPENDORFF_2007,
    HAYES_KRIPPENDORFF_2007_ORDINAL,
    HAYES_KRIPPENDORFF_2007_PAIRS,
    KRIPPENDORFF_2011,
    KRIPPENDORFF_2011_PUBLISHED,
    brute_alpha,
)

from scoring import (
    BOOTSTRAP_METHODS,
    NotAssessable,
    alpha_bootstrap,
    alpha_from_counts,
    alpha_from_counts_batch,
    krippendorff_alpha,
)

LEVELS = ["nominal", "ordinal", "interval", "ratio"]


@pytest.mark.parametrize("level", LEVELS)
def test_krippendorff_2011_published_values(level):
    res = krippendorff_alpha(KRIPPENDORFF_2011, level)
    assert res.reason is None
    assert round(res.value, 3) == KRIPPENDORFF_2011_PUBLISHED[level]
    assert res.n == 11  # unit 12 has a single value and is not pairable


@pytest.mark.parametrize("level", LEVELS)
def test_krippendorff_2011_matches_package(level):
    ours = krippendorff_alpha(KRIPPENDORFF_2011, level).value
    theirs = krippendorff.alpha(reliability_data=KRIPPENDORFF_2011, level_of_measurement=level)
    assert ours == pytest.approx(theirs, abs=1e-12)


def test_hayes_krippendorff_2007_published_ordinal():
    res = krippendorff_alpha(HAYES_KRIPPENDORFF_2007, "ordinal")
    assert round(res.value, 4) == HAYES_KRIPPENDORFF_2007_ORDINAL
    theirs = krippendorff.alpha(reliability_data=HAYES_KRIPPENDORFF_2007, level_of_measurement="ordinal")
    assert res.value == pytest.approx(theirs, abs=1e-12)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_brute_force_definition(level):
    """Against the pairwise definition of alpha (independent of coincidences)."""
    data = KRIPPENDORFF_2011
    units = [[v for v in data[:, j] if not np.isnan(v)] for j in range(data.shape[1])]
    if level == "nominal":
        dist = lambda a, b: float(a != b)  # noqa: E731
    elif level == "interval":
        dist = lambda a, b: (a - b) ** 2  # noqa: E731
    else:
        pairable = [v for u in units if len(u) >= 2 for v in u]
        vals, n = np.unique(pairable, return_counts=True)
        nv = dict(zip(vals, n))

        def dist(a, b):
            lo, hi = min(a, b), max(a, b)
            return (sum(nv[g] for g in vals if lo <= g <= hi) - (nv[a] + nv[b]) / 2) ** 2

    assert krippendorff_alpha(data, level).value == pytest.approx(brute_alpha(units, dist), abs=1e-12)


def test_string_risk_ids_equal_indices():
    ids = [
        ["hog", "mycket_hog", "inte_kant", "ingen_lag"],
        ["hog", "hog", "nagot_forhojd", "ingen_lag"],
        [None, "mycket_hog", "nagot_forhojd", "nagot_forhojd"],
    ]
    idx = [[2, 3, np.nan, 0], [2, 2, 1, 0], [np.nan, 3, 1, 1]]
    assert krippendorff_alpha(ids, "ordinal").value == pytest.approx(krippendorff_alpha(idx, "ordinal").value)
    df = pd.DataFrame(idx)
    assert krippendorff_alpha(df, "ordinal").value == pytest.approx(krippendorff_alpha(idx, "ordinal").value)


def test_value_domain_strings_and_unused_values():
    words = ["low", "mid", "high"]
    data = [["low", "mid", "high", "mid"], ["low", "high", "high", "mid"]]
    res = krippendorff_alpha(data, "ordinal", value_domain=words)
    num = krippendorff_alpha([[0, 1, 2, 1], [0, 2, 2, 1]], "ordinal")
    assert res.value == pytest.approx(num.value)
    # an unused value in the domain changes nothing for ordinal alpha
    widened = krippendorff_alpha(KRIPPENDORFF_2011, "ordinal", value_domain=[0, 1, 2, 3, 4, 5, 6])
    assert widened.value == pytest.approx(KRIPPENDORFF_2011_PUBLISHED["ordinal"], abs=5e-4)
    with pytest.raises(ValueError):
        krippendorff_alpha(KRIPPENDORFF_2011, "ordinal", value_domain=[1, 2, 3])


def test_non_integer_values_use_general_path():
    data = KRIPPENDORFF_2011 * 0.5 + 0.25
    for level in ["nominal", "ordinal", "interval"]:
        assert krippendorff_alpha(data, level).value == pytest.approx(
            krippendorff.alpha(reliability_data=data, level_of_measurement=level), abs=1e-12
        )


def test_undefined_cases_give_nan_with_reason():
    one_rater = krippendorff_alpha([[1, 2, 3]], "ordinal")
    assert np.isnan(one_rater.value) and "two or more raters" in one_rater.reason
    one_unit = krippendorff_alpha([[1], [2], [3]], "ordinal")
    assert np.isnan(one_unit.value) and "only one unit" in one_unit.reason
    no_var = krippendorff_alpha([[2, 2, 2], [2, 2, np.nan]], "nominal")
    assert np.isnan(no_var.value) and "no variation" in no_var.reason
    empty = krippendorff_alpha([[np.nan, np.nan], [np.nan, np.nan]], "interval")
    assert np.isnan(empty.value) and empty.reason
    assert not one_unit.defined and krippendorff_alpha(KRIPPENDORFF_2011, "nominal").defined


def test_bad_input_raises():
    with pytest.raises(ValueError):
        krippendorff_alpha([1, 2, 3], "ordinal")
    with pytest.raises(ValueError):
        krippendorff_alpha(KRIPPENDORFF_2011, "circular")
    with pytest.raises(ValueError):
        krippendorff_alpha([["hog", "bad_id"]], "ordinal")


def test_alpha_from_counts_matches_raw():
    counts = np.array([[2, 1, 0], [0, 3, 0], [0, 0, 2], [1, 0, 1]])
    raw = [[0, 1, 2, 0], [0, 1, 2, 2], [1, 1, np.nan, np.nan]]
    for level in ["nominal", "ordinal", "interval"]:
        assert alpha_from_counts(counts, level).value == pytest.approx(krippendorff_alpha(raw, level).value)


# -- bootstrap ---------------------------------------------------------------
@pytest.mark.parametrize("method, label", [("pairs", "bootstrap-pairs"), ("units", "bootstrap-units"),
                                           ("twoway", "bootstrap-twoway-bca"), ("raters", "bootstrap-raters-bca")])
def test_bootstrap_is_seedable_and_brackets_alpha(method, label):
    a = alpha_bootstrap(HAYES_KRIPPENDORFF_2007, "ordinal", n_boot=2000, seed=7, method=method)
    b = alpha_bootstrap(HAYES_KRIPPENDORFF_2007, "ordinal", n_boot=2000, seed=7, method=method)
    c = alpha_bootstrap(HAYES_KRIPPENDORFF_2007, "ordinal", n_boot=2000, seed=8, method=method)
    assert a == b
    assert (a.low, a.high) != (c.low, c.high)
    assert a.value == pytest.approx(HAYES_KRIPPENDORFF_2007_ORDINAL, abs=5e-5)
    assert a.low < a.value < a.high <= 1.0
    assert a.method == label and a.confidence == 0.95


def test_default_interval_is_the_two_way_bootstrap():
    default = alpha_bootstrap(HAYES_KRIPPENDORFF_2007, "ordinal", n_boot=500, seed=7)
    assert default == alpha_bootstrap(HAYES_KRIPPENDORFF_2007, "ordinal", n_boot=500, seed=7, method="twoway")
    assert BOOTSTRAP_METHODS[0] == "twoway"


def test_pairs_bootstrap_draws_the_published_239_pairs_and_is_centred():
    est, samples = alpha_bootstrap(HAYES_KRIPPENDORFF_2007, "ordinal", n_boot=4000, seed=1, method="pairs",
                                   return_samples=True)
    # The resampled observed disagreement is an unbiased mean of δ² over M
    # pairs drawn from o_ck / n, so the resampled alphas centre on alpha.
    assert samples.mean() == pytest.approx(est.value, abs=0.01)
    # M = number of pairable pairs = 239 (Hayes & Krippendorff 2007): the
    # spread of the resampled D_o matches var(δ²)/M.
    from scoring.alpha import _coincidences, _delta, _value_counts

    counts, dom = _value_counts(HAYES_KRIPPENDORFF_2007)
    o = _coincidences(counts)
    n_v = o.sum(axis=0)
    d = _delta("ordinal", dom, n_v)
    p = (o / o.sum()).ravel()
    var_delta = (p * d.ravel() ** 2).sum() - ((p * d.ravel()).sum()) ** 2
    d_e = (n_v @ d @ n_v) / (n_v.sum() * (n_v.sum() - 1))
    expected_sd = np.sqrt(var_delta / HAYES_KRIPPENDORFF_2007_PAIRS) / d_e
    assert samples.std() == pytest.approx(expected_sd, rel=0.06)


@pytest.mark.parametrize("level", LEVELS)
def test_units_bootstrap(level):
    est, samples = alpha_bootstrap(KRIPPENDORFF_2011, level, n_boot=500, seed=3, method="units", return_samples=True)
    assert est.value == pytest.approx(krippendorff_alpha(KRIPPENDORFF_2011, level).value)
    assert est.low <= est.high <= 1.0
    assert np.all(samples <= 1.0 + 1e-12)
    # every resample equals the package's alpha on the same resampled columns
    rng = np.random.default_rng(3)
    keep = np.flatnonzero((~np.isnan(KRIPPENDORFF_2011)).sum(axis=0) >= 2)
    w = rng.multinomial(len(keep), np.full(len(keep), 1 / len(keep)), size=500)
    cols = np.repeat(keep, w[0])
    theirs = krippendorff.alpha(reliability_data=KRIPPENDORFF_2011[:, cols], level_of_measurement=level)
    first = alpha_bootstrap(KRIPPENDORFF_2011, level, n_boot=1, seed=3, method="units", return_samples=True)[1]
    assert first.size == 1
    assert first[0] == pytest.approx(theirs, abs=1e-10)


def test_bootstrap_undefined_and_bad_args():
    est = alpha_bootstrap([[1, 1], [1, 1]], "nominal", n_boot=100, seed=0)
    assert np.isnan(est.value) and np.isnan(est.low) and "no variation" in est.reason
    with pytest.raises(ValueError):
        alpha_bootstrap(KRIPPENDORFF_2011, "nominal", method="jackknife")
    with pytest.raises(ValueError):
        alpha_bootstrap(KRIPPENDORFF_2011, "nominal", confidence=1.5)


@pytest.mark.parametrize("method", ["pairs", "units", "twoway", "raters"])
def test_wider_interval_for_higher_confidence(method):
    a90 = alpha_bootstrap(HAYES_KRIPPENDORFF_2007, "ordinal", n_boot=2000, seed=5, confidence=0.90, method=method)
    a99 = alpha_bootstrap(HAYES_KRIPPENDORFF_2007, "ordinal", n_boot=2000, seed=5, confidence=0.99, method=method)
    assert a99.low < a90.low and a99.high > a90.high


def test_numbers_with_none_are_generic_numbers_not_risk_levels():
    with_none = [[1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None], [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
                 [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None], [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]]
    for level in LEVELS:
        assert krippendorff_alpha(with_none, level).value == pytest.approx(krippendorff_alpha(KRIPPENDORFF_2011, level).value)


# -- batched alpha, two-way resampling, BCa ----------------------------------------
@pytest.mark.parametrize("level", LEVELS)
def test_batched_alpha_equals_scoring_table_by_table(level):
    rng = np.random.default_rng(4)
    tables = rng.integers(0, 12, size=(300, 6, 4)).astype(float)
    tables[0] = [[5, 0, 0, 0], [0, 3, 0, 0], [0, 0, 0, 0], [0, 0, 0, 7], [0, 0, 0, 0], [1, 0, 0, 0]]  # perfect agreement
    tables[1] = 0
    tables[1, 0] = [3, 2, 0, 1]  # one unit only: undefined
    tables[2] = [[4, 0, 0, 0]] * 6  # no variation: undefined
    tables[3, :, :] = 0
    tables[3, :, 2] = 1  # every unit has one rating: no pairs
    dom = [1, 2, 4, 8]
    got = alpha_from_counts_batch(tables, level, value_domain=dom)
    expected = np.array([alpha_from_counts(t, level, dom).value for t in tables])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12, equal_nan=True)
    assert got[0] == 1.0 and np.isnan(got[1:4]).all()


def test_batched_alpha_refuses_bad_tables():
    with pytest.raises(ValueError, match="3-D"):
        alpha_from_counts_batch(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="non-negative integer"):
        alpha_from_counts_batch([[[1.5, 0], [1, 1]]])
    with pytest.raises(ValueError, match="one entry per column"):
        alpha_from_counts_batch(np.ones((2, 3, 4)), value_domain=[0, 1])
    assert alpha_from_counts_batch(np.zeros((0, 3, 4))).shape == (0,)


def _draws(rng, n, n_boot):
    """How often each of n items is drawn in each resample (as the two-way and rater bootstraps draw)."""
    picks = rng.integers(0, n, size=(n_boot, n))
    return np.stack([np.bincount(row, minlength=n) for row in picks])


def _alpha_distinct_rater_pairs(data, rows, level="ordinal"):
    """Alpha of the raters ``rows`` (with repeats) by its pairwise definition:
    D_o averages δ over the pairs of values from *different* original raters on
    a unit (each unit weighted by its number of values), D_e over all pairs of
    values; ordinal ranks from the values of pairable units."""
    vals = data[rows]
    units = []
    for u in range(data.shape[1]):
        idx = [i for i in range(len(rows)) if not np.isnan(vals[i, u])]
        pairs = [(i, j) for i in idx for j in idx if i != j and rows[i] != rows[j]]
        if pairs:
            units.append((idx, pairs, u))
    allv = np.array([vals[i, u] for idx, _, u in units for i in idx]).astype(int)
    n_v = np.bincount(allv, minlength=4).astype(float)
    r = np.cumsum(n_v) - n_v / 2
    d = (r[:, None] - r[None, :]) ** 2
    num = den = 0.0
    for idx, pairs, u in units:
        num += len(idx) * np.mean([d[int(vals[i, u]), int(vals[j, u])] for i, j in pairs])
        den += len(idx)
    n = len(allv)
    return 1 - (num / den) / ((n_v @ d @ n_v) / (n * (n - 1)))


def test_rater_resamples_leave_out_pairs_of_one_rater_with_itself():
    """Every resample of method="raters" is alpha over the resampled raters
    without the pairs between two copies of one rater (brute force)."""
    data = HAYES_KRIPPENDORFF_2007
    est, samples = alpha_bootstrap(data, "ordinal", n_boot=12, seed=5, method="raters", return_samples=True)
    w = _draws(np.random.default_rng(5), 5, 12)
    defined = (w > 0).sum(axis=1) >= 2  # one rater drawn five times has no pair: dropped
    assert samples.size == defined.sum() >= 10
    expected = [_alpha_distinct_rater_pairs(data, np.repeat(np.arange(5), w[b])) for b in np.flatnonzero(defined)]
    np.testing.assert_allclose(samples, expected, rtol=0, atol=1e-12)
    assert (w[defined] > 1).any()  # some resamples did repeat a rater
    # a resample that draws every rater once is the data: alpha itself
    assert _alpha_distinct_rater_pairs(data, np.arange(5)) == pytest.approx(est.value, abs=1e-12)


def test_two_way_resamples_equal_the_package_on_resampled_cases_when_no_rater_repeats():
    data = KRIPPENDORFF_2011
    rng = np.random.default_rng(2)
    _, samples = alpha_bootstrap(data, "interval", n_boot=400, seed=2, method="twoway", return_samples=True)
    keep = np.flatnonzero((~np.isnan(data)).sum(axis=0) >= 2)
    w = _draws(rng, 4, 400)
    v = _draws(rng, len(keep), 400)
    defined = (w > 0).sum(axis=1) >= 2
    assert samples.size == defined.sum()
    position = np.cumsum(defined) - 1
    checked = 0
    for b in np.flatnonzero((w == 1).all(axis=1)):  # every rater drawn once: only the cases are resampled
        cols = np.repeat(keep, v[b])
        theirs = krippendorff.alpha(reliability_data=data[:, cols], level_of_measurement="interval")
        assert samples[position[b]] == pytest.approx(theirs, abs=1e-10)
        checked += 1
    assert checked >= 3


def test_bca_interval_matches_scipy_on_a_mean():
    """Our BCa (with the jackknife acceleration) against scipy's on the same resamples."""
    from scipy import stats

    from scoring.alpha import _bca_ci, _jackknife_influence

    x = np.random.default_rng(0).exponential(size=40)
    rng = np.random.default_rng(1)
    boot = x[rng.integers(0, 40, size=(20_000, 40))].mean(axis=1)
    loo = (x.sum() - x) / 39
    ours = _bca_ci(boot, x.mean(), [_jackknife_influence(loo)], 0.95)
    previous = stats._resampling.BootstrapResult(confidence_interval=None, bootstrap_distribution=boot,
                                                 standard_error=None)
    theirs = stats.bootstrap((x,), np.mean, method="BCa", n_resamples=0, bootstrap_result=previous).confidence_interval
    assert ours == pytest.approx((theirs.low, theirs.high), abs=1e-9)
    assert ours != pytest.approx(tuple(np.quantile(boot, [0.025, 0.975])), abs=2e-3)  # not the plain percentiles


def test_units_interval_agrees_with_gwets_variance_in_irrcac():
    """irrCAC's Krippendorff alpha (quadratic weights = interval metric) has an
    analytic standard error for sampling cases; the cases bootstrap has the
    same spread, and the two-way interval, which also samples the raters, is wider."""
    from irrCAC.raw import CAC

    data = HAYES_KRIPPENDORFF_2007
    ref = CAC(pd.DataFrame(data.T), weights="quadratic").krippendorff()["est"]
    units, samples = alpha_bootstrap(data, "interval", n_boot=4000, seed=3, method="units", return_samples=True)
    assert units.value == pytest.approx(ref["coefficient_value"], abs=5e-6)
    assert samples.std() == pytest.approx(ref["se"], rel=0.15)
    twoway = alpha_bootstrap(data, "interval", n_boot=4000, seed=3)
    assert twoway.high - twoway.low > units.high - units.low > 0


# -- "inte känt", plain lists with nan, pandas nullable dtypes, distance matrices ----
def test_alpha_counts_the_inte_kant_answers_it_leaves_out():
    data = [["hog", "mycket_hog", "inte_kant", "ingen_lag"],
            ["hog", "inte_kant", "nagot_forhojd", None],
            [None, "mycket_hog", "nagot_forhojd", "nagot_forhojd"]]
    res = krippendorff_alpha(data, "ordinal")
    assert res.not_assessable == NotAssessable(2, 10) and res.not_assessable.share == pytest.approx(0.2)
    est = alpha_bootstrap(data, "ordinal", n_boot=50, seed=0)
    assert est.not_assessable == NotAssessable(2, 10)
    # numbers cannot say "inte känt"
    assert krippendorff_alpha(KRIPPENDORFF_2011, "ordinal").not_assessable is None
    assert np.isnan(NotAssessable(0, 0).share)
    # counting "inte känt" as a level of its own is not what alpha does: dropping it changes the value
    as_missing = krippendorff_alpha(data, "ordinal").value
    assert as_missing == pytest.approx(krippendorff_alpha([[2, 3, np.nan, 0], [2, np.nan, 1, np.nan],
                                                           [np.nan, 3, 1, 1]], "ordinal").value)


def test_plain_lists_with_nan_and_pandas_nullable_dtypes():
    ids = [["hog", np.nan, "ingen_lag", "hog"], ["hog", "hog", "nagot_forhojd", pd.NA],
           ["mycket_hog", "hog", None, "hog"]]
    with_none = [[None if (v is pd.NA or (isinstance(v, float) and np.isnan(v))) else v for v in row] for row in ids]
    expected = krippendorff_alpha(with_none, "ordinal").value
    assert krippendorff_alpha(ids, "ordinal").value == pytest.approx(expected)
    assert krippendorff_alpha(pd.DataFrame(with_none, dtype="string"), "ordinal").value == pytest.approx(expected)
    numbers = [[2, None, 0, 2], [2, 2, 1, None], [3, 2, None, 2]]
    for dtype in ("Int64", "Float64"):
        frame = pd.DataFrame(numbers, dtype=dtype)
        assert krippendorff_alpha(frame, "ordinal").value == pytest.approx(expected)
        assert alpha_bootstrap(frame, "ordinal", n_boot=20, seed=1).value == pytest.approx(expected)
    assert krippendorff_alpha(np.array(numbers, dtype=float), "ordinal").value == pytest.approx(expected)


def test_a_string_array_holding_nan_gets_a_clear_message():
    with pytest.raises(ValueError, match="'nan' is what numpy makes of a missing value"):
        krippendorff_alpha(np.array([["hog", np.nan], ["hog", "hog"]]), "ordinal")


def test_asymmetric_distance_matrix_is_refused():
    counts = [[2, 1, 0], [0, 3, 0], [0, 0, 2], [1, 0, 1]]
    sym = np.array([[0, 1, 4], [1, 0, 1], [4, 1, 0]], dtype=float)
    assert alpha_from_counts(counts, sym).value == pytest.approx(alpha_from_counts(counts, "interval").value)
    asym = sym.copy()
    asym[0, 2] = 2.0
    with pytest.raises(ValueError, match=r"symmetric: d\[0, 2\] = 2 but d\[2, 0\] = 4"):
        alpha_from_counts(counts, asym)
    with pytest.raises(ValueError, match="3 × 3"):
        alpha_from_counts(counts, np.zeros((2, 2)))
