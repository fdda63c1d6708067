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

from scoring import alpha_bootstrap, alpha_from_counts, krippendorff_alpha

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
def test_bootstrap_is_seedable_and_brackets_alpha():
    a = alpha_bootstrap(HAYES_KRIPPENDORFF_2007, "ordinal", n_boot=2000, seed=7)
    b = alpha_bootstrap(HAYES_KRIPPENDORFF_2007, "ordinal", n_boot=2000, seed=7)
    c = alpha_bootstrap(HAYES_KRIPPENDORFF_2007, "ordinal", n_boot=2000, seed=8)
    assert a == b
    assert (a.low, a.high) != (c.low, c.high)
    assert a.value == pytest.approx(HAYES_KRIPPENDORFF_2007_ORDINAL, abs=5e-5)
    assert a.low < a.value < a.high <= 1.0
    assert a.method == "bootstrap-pairs" and a.confidence == 0.95


def test_pairs_bootstrap_draws_the_published_239_pairs_and_is_centred():
    est, samples = alpha_bootstrap(HAYES_KRIPPENDORFF_2007, "ordinal", n_boot=4000, seed=1, return_samples=True)
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


def test_wider_interval_for_higher_confidence():
    a90 = alpha_bootstrap(HAYES_KRIPPENDORFF_2007, "ordinal", n_boot=2000, seed=5, confidence=0.90)
    a99 = alpha_bootstrap(HAYES_KRIPPENDORFF_2007, "ordinal", n_boot=2000, seed=5, confidence=0.99)
    assert a99.low < a90.low and a99.high > a90.high


def test_numbers_with_none_are_generic_numbers_not_risk_levels():
    with_none = [[1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None], [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
                 [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None], [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]]
    for level in LEVELS:
        assert krippendorff_alpha(with_none, level).value == pytest.approx(krippendorff_alpha(KRIPPENDORFF_2011, level).value)
