"""scoring.plain (a trainee's feedback without numpy) gives the vectorised functions' numbers."""

import json
import math
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

import scoring
from scoring import plain

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RISK = st.sampled_from([*plain.RISK_LEVELS, plain.NOT_ASSESSABLE, None])
OPTIONS = st.frozensets(st.sampled_from(["a", "b", "c", "d"]), max_size=4)


def same(a: float, b: float, tol: float = 1e-9) -> bool:
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) < tol


def grid():
    factor = st.sampled_from(["f1", "f2", "f3", "own:r1", "own:p1"])

    def kind(dims):
        return st.dictionaries(factor, st.fixed_dictionaries(
            {d: st.one_of(st.none(), st.integers(1, plain.SCALES[d][1])) for d in dims}), max_size=4)

    return st.fixed_dictionaries({k: kind(d) for k, d in plain.DIMENSIONS.items()})


def test_the_module_imports_nothing_heavy():
    code = "import sys, scoring.plain, feedback.model, feedback.progress; print(sorted(m for m in ('numpy', 'pandas', 'scipy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out.strip().replace("'", '"')) == []


@SETTINGS
@given(st.lists(RISK, max_size=30))
def test_risk_summary(answers):
    ours, theirs = plain.risk_summary(answers), scoring.risk_summary(answers)
    assert ours.counts == theirs.counts and ours.n == theirs.n and ours.n_not_assessable == theirs.n_not_assessable
    assert same(ours.median, theirs.median) and ours.median_levels == theirs.median_levels
    assert same(ours.consensus.value, theirs.consensus.value) and ours.consensus.reason == theirs.consensus.reason


@SETTINGS
@given(st.lists(st.integers(0, 9), min_size=2, max_size=6))
def test_median_and_consensus_of_counts(counts):
    assert same(plain.median_level(counts), scoring.median_level(counts))
    assert same(plain.consensus(counts).value, scoring.consensus(counts).value)


@SETTINGS
@given(st.lists(st.one_of(st.none(), OPTIONS), max_size=20))
def test_option_shares(answers):
    theirs = scoring.option_shares([None if a is None else list(a) for a in answers])
    ours = plain.option_shares([None if a is None else list(a) for a in answers])
    assert list(ours) == list(theirs.index)
    assert all(same(ours[o], float(theirs[o])) for o in ours)


def _comparisons_equal(ours, theirs):
    if theirs is None:
        return ours is None
    assert ours.verdict == theirs.verdict and ours.reference == theirs.reference
    for key, ident in theirs.identification.items():
        mine = ours.identification[key]
        assert (mine.shared, mine.missed, mine.extra, mine.unmatched_own) == (
            ident.shared, ident.missed, ident.extra, ident.unmatched_own)
        assert same(mine.f1, ident.f1) and same(mine.jaccard, ident.jaccard)
    for key, stat in theirs.weight_bias.items():
        assert same(ours.weight_bias[key].value, stat.value)
    assert same(ours.weight_gap.value, theirs.weight_gap.value)
    rows = list(theirs.weighting.itertuples(index=False))
    assert len(rows) == len(ours.weighting)
    for a, b in zip(ours.weighting, rows):
        assert (a.kind, a.factor, a.dimension) == (b.kind, b.factor, b.dimension)
        assert same(a.trainee, b.trainee) and same(a.reference, b.reference) and same(a.diff, b.diff)
    return True


@SETTINGS
@given(grid(), st.lists(grid(), max_size=6), st.one_of(st.none(), grid()))
def test_factor_feedback(trainee, group, key):
    ours, theirs = plain.factor_feedback(trainee, group, key), scoring.factor_feedback(trainee, group, key)
    assert _comparisons_equal(ours.vs_group, theirs.vs_group)
    assert _comparisons_equal(ours.vs_key, theirs.vs_key)


@pytest.mark.parametrize("df", [1, 2, 3, 5, 9, 30, 200])
@pytest.mark.parametrize("q", [0.025, 0.5, 0.9, 0.975, 0.995])
def test_t_quantile(df, q):
    assert abs(plain.t_ppf(q, df) - stats.t.ppf(q, df)) < 1e-7  # intervals are shown to 2 decimals


@SETTINGS
@given(st.lists(st.tuples(RISK, st.one_of(st.just(math.nan), st.sampled_from([0, 0.5, 1, 1.5, 2, 3])),
                          st.one_of(st.just(math.nan), st.sampled_from([0.0, 1.0, 2.0, 3.0]))), max_size=12))
def test_drift(rows):
    trainee = [r[0] for r in rows]
    medians = [r[1] for r in rows]
    keys = [r[2] for r in rows]
    ours, theirs = plain.drift(trainee, medians, keys), scoring.drift(trainee, medians, keys)
    for a, b in ((ours.vs_group, theirs.vs_group), (ours.vs_key, theirs.vs_key)):
        assert a.n == b.n and same(a.value, b.value) and a.reason == b.reason
        assert same(a.low, b.low, 1e-7) and same(a.high, b.high, 1e-7) and a.direction == b.direction
