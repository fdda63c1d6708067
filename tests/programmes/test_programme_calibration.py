"""The criterion and its edge cases (too few cases, "inte känt", undefined coefficients), the figures,
the schedule, and the doctests of programmes/."""

from __future__ import annotations

import doctest
import importlib
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from programmes import CaseResult, Criterion, evaluate, figures, first_met
from scoring import gwet_ac2, krippendorff_alpha

LEVELS = ("ingen_lag", "nagot_forhojd", "hog", "mycket_hog")
T0 = datetime(2026, 9, 7, 9, tzinfo=timezone.utc)


def result(risk: str, key: str | None, i: int = 0, *, f1=None, gap=None, group=None) -> CaseResult:
    rated = risk in LEVELS and key in LEVELS
    return CaseResult(f"c{i}", T0 + timedelta(days=i), risk, key, risk == "inte_kant",
                      float(LEVELS.index(risk) - LEVELS.index(key)) if rated else None, group, f1, gap)


def series(pairs):
    return [result(r, k, i) for i, (r, k) in enumerate(pairs)]


@pytest.mark.parametrize("module", ["programmes.calibration", "programmes.schedule", "samsyn.numbers",
                                    "programmes.records"])
def test_doctests(module):
    failures, tried = doctest.testmod(importlib.import_module(module))
    assert tried > 0 and failures == 0


def test_default_criterion_is_five_cases_80_percent_and_half_a_step():
    c = Criterion()
    assert (c.kind, c.window, c.min_share, c.max_lean) == ("share_lean", 5, 0.8, 0.5)


def test_too_few_cases_give_no_figure_at_all():
    four = series([("hog", "hog")] * 4)
    e = evaluate(Criterion(), four, LEVELS)
    assert not e.enough and not e.met and e.missing == 1
    assert (e.share_within_one, e.lean, e.coefficient, e.case_ids) == (None, None, None, ())
    for kind in ("ac2", "alpha"):
        e = evaluate(Criterion(kind=kind), four, LEVELS)
        assert not e.enough and e.coefficient is None and not e.met


def test_inte_kant_neither_fills_the_window_nor_counts_as_a_hit():
    pairs = [("hog", "hog"), ("inte_kant", "hog"), ("hog", "hog"), ("inte_kant", "mycket_hog"), ("hog", "hog"),
             ("hog", "hog")]
    e = evaluate(Criterion(), series(pairs), LEVELS)
    assert not e.enough and e.n_rated == 4 and e.n_not_known == 2 and e.share_within_one is None
    e = evaluate(Criterion(), series(pairs + [("mycket_hog", "hog")]), LEVELS)
    assert e.enough and e.n_rated == 5 and e.met
    assert e.case_ids == ("c0", "c2", "c4", "c5", "c6")  # the not-known answers are skipped
    assert e.share_within_one == 1.0 and e.lean == pytest.approx(0.2)


def test_cases_without_a_key_do_not_count():
    e = evaluate(Criterion(), series([("hog", None)] * 5 + [("hog", "hog")] * 4), LEVELS)
    assert not e.enough and e.n_rated == 4


def test_share_and_lean_both_needed():
    # 4 of 5 within one step (80 %) but the mean lean is −0.8: not met
    low = series([("ingen_lag", "hog"), ("nagot_forhojd", "hog"), ("nagot_forhojd", "hog"), ("nagot_forhojd", "hog"),
                  ("hog", "hog")])
    e = evaluate(Criterion(), low, LEVELS)
    assert e.enough and e.share_within_one == pytest.approx(0.8) and e.lean == pytest.approx(-1.0) and not e.met
    assert evaluate(Criterion(max_lean=1.0), low, LEVELS).met
    # exactly 80 % within one step, lean 0.4: met (the bounds are inclusive)
    edge = series([("hog", "hog"), ("hog", "hog"), ("mycket_hog", "hog"), ("mycket_hog", "nagot_forhojd"),
                   ("hog", "nagot_forhojd")])
    e = evaluate(Criterion(), edge, LEVELS)
    assert e.share_within_one == pytest.approx(0.8) and not e.met  # lean (0+0+1+2+1)/5 = 0.8 > 0.5
    ok = series([("hog", "hog"), ("hog", "hog"), ("hog", "hog"), ("mycket_hog", "hog"), ("ingen_lag", "hog")])
    e = evaluate(Criterion(), ok, LEVELS)
    assert e.share_within_one == pytest.approx(0.8) and e.lean == pytest.approx(-0.2) and e.met


def test_only_the_last_window_counts():
    early_misses = series([("ingen_lag", "mycket_hog")] * 3 + [("hog", "hog")] * 5)
    assert evaluate(Criterion(), early_misses, LEVELS).met
    met = first_met(Criterion(), early_misses, LEVELS)
    assert met is not None and met.until == early_misses[-1].submitted_at
    late_misses = series([("hog", "hog")] * 5 + [("ingen_lag", "mycket_hog")] * 2)
    assert not evaluate(Criterion(), late_misses, LEVELS).met
    assert first_met(Criterion(), late_misses, LEVELS).until == late_misses[4].submitted_at


def test_ac2_and_alpha_use_the_scoring_package_on_trainee_and_key():
    pairs = [("hog", "hog"), ("mycket_hog", "mycket_hog"), ("nagot_forhojd", "hog"), ("ingen_lag", "ingen_lag"),
             ("hog", "mycket_hog")]
    rs = series(pairs)
    own = [LEVELS.index(a) for a, _ in pairs]
    key = [LEVELS.index(b) for _, b in pairs]
    counts = np.zeros((5, 4), dtype=int)
    for i, (a, b) in enumerate(zip(own, key)):
        counts[i, a] += 1
        counts[i, b] += 1
    ac2 = gwet_ac2(counts, weights="quadratic").value
    alpha = krippendorff_alpha(np.array([own, key], dtype=float), "ordinal", value_domain=[0, 1, 2, 3]).value
    e = evaluate(Criterion(kind="ac2", min_coefficient=0.7), rs, LEVELS)
    assert e.coefficient == pytest.approx(ac2) and e.met == (ac2 >= 0.7)
    e = evaluate(Criterion(kind="alpha", min_coefficient=0.7), rs, LEVELS)
    assert e.coefficient == pytest.approx(alpha) and e.met == (alpha >= 0.7)
    assert evaluate(Criterion(kind="alpha", min_coefficient=0.99), rs, LEVELS).met is False


def test_an_undefined_coefficient_is_not_met():
    same_key = series([("mycket_hog", "mycket_hog")] * 5)
    e = evaluate(Criterion(kind="alpha"), same_key, LEVELS)
    assert e.enough and e.coefficient is None and e.coefficient_reason and not e.met


def test_bad_criteria_are_refused():
    for bad in ({"kind": "kappa"}, {"window": 1}, {"min_share": 0}, {"max_lean": -1}, {"min_coefficient": 2}):
        with pytest.raises(ValueError):
            Criterion.from_dict(bad)


def test_figures_say_what_drives_the_differences():
    weigh = [result("hog", "hog", i, f1=1.0, gap=1.5) for i in range(3)] + [result("hog", "hog", 3, f1=0.2, gap=0.0)]
    assert figures(weigh).driver == "weighting" and figures(weigh).n_weighing_differs == 3
    ident = [result("hog", "hog", i, f1=0.3, gap=0.0) for i in range(2)]
    assert figures(ident).driver == "identification"
    assert figures([result("hog", "hog", 0, f1=1.0, gap=0.2)]).driver == "agree"
    assert figures([result("hog", "hog", 0, f1=0.2, gap=1.0)]).driver == "both"
    assert figures([result("hog", "hog")]).driver is None


def test_figures_over_the_programme_leave_out_inte_kant():
    rs = [result("mycket_hog", "hog", 0, group=1.0), result("inte_kant", "hog", 1), result("hog", "hog", 2, group=0.0)]
    f = figures(rs)
    assert (f.n_answers, f.n_rated, f.n_not_known) == (3, 2, 1)
    assert f.share_within_one == 1.0 and f.lean_vs_key == 0.5 and f.lean_vs_group == 0.5 and f.n_vs_group == 2
