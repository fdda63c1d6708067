"""The interval shown with alpha holds: simulated coverage of a known alpha.

5 raters × 40 cases, population ordinal alpha 0.64, raters with and without
systematic leniency differences (see alpha_coverage.py for the model and the
longer run whose figures are in scoring/README.md). 150 seeded
replications per model keep this to a few seconds; the binomial standard
error of a 95 % coverage is then about 1.8 points, so "at least 90 %" fails a
method whose coverage is below about 0.87 — the old default ("pairs") covers
about 58 % and fails by far.
"""

import numpy as np
import pytest
from alpha_coverage import TOTAL_NOISE_SD, TRUE_ALPHA, coverage, population_alpha, simulate

from scoring import krippendorff_alpha

REPS = 150


def test_the_model_has_the_stated_population_alpha():
    assert population_alpha(TOTAL_NOISE_SD) == pytest.approx(TRUE_ALPHA, abs=1e-9)
    # the quadrature against brute force: 2,000 raters × 2,000 cases from the model
    big = simulate(np.random.default_rng(0), 2000, 2000, rater_sd=0.3, missing=0.0)
    assert krippendorff_alpha(big, "ordinal").value == pytest.approx(TRUE_ALPHA, abs=0.01)


@pytest.mark.parametrize("rater_sd", [0.0, 0.5])
def test_default_interval_covers_the_true_alpha(rater_sd):
    default = coverage(None, reps=REPS, seed=11, rater_sd=rater_sd, n_boot=500)
    assert default.coverage >= 0.90, default
    # … and it is not bought with an absurd width: at most 1.6 × the width of
    # an exact normal interval (± 1.96 SD of the estimates across replications)
    assert default.mean_width <= 1.6 * 2 * 1.96 * default.estimate_sd, default


def test_the_old_default_fails_the_same_check():
    pairs = coverage("pairs", reps=REPS, seed=11, rater_sd=0.0, n_boot=500)
    assert pairs.coverage < 0.80, pairs


def test_resampling_cases_alone_misses_the_raters_share():
    """With raters who differ in leniency, resampling only the cases treats the
    five raters as the whole population and covers far too rarely."""
    units = coverage("units", reps=REPS, seed=11, rater_sd=0.5, n_boot=500)
    assert units.coverage < 0.87, units
