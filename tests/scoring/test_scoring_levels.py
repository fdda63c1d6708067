"""Risk level ids and the package boundary."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scoring import NOT_ASSESSABLE, RISK_LEVELS, encode_risk, level_id, load_risk_levels

REPO = Path(__file__).resolve().parents[2]


def test_levels_match_variables_yaml():
    levels, na = load_risk_levels(REPO / "cases" / "variables.yaml")
    assert levels == RISK_LEVELS
    assert na == NOT_ASSESSABLE == "inte_kant"


def test_encode_risk():
    x = encode_risk(["ingen_lag", "mycket_hog", "inte_kant", None, "", 2, np.nan, 1.0])
    assert x[:2].tolist() == [0.0, 3.0] and np.isnan(x[2:5]).all() and x[5] == 2 and np.isnan(x[6]) and x[7] == 1
    assert encode_risk(np.array([[0, 3], [np.nan, 1]])).shape == (2, 2)
    assert level_id(2.0) == "hog" and level_id(np.nan) is None
    for bad in (["very_high"], [4], [1.5], np.array([-1.0])):
        with pytest.raises(ValueError):
            encode_risk(bad)


def test_scoring_imports_no_ui_or_database_code():
    code = (
        "import sys, scoring\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('ipywidgets','voila','IPython','sqlalchemy','alembic','psycopg','widgets','store','samsyn','yaml')]\n"
        "print(','.join(sorted(bad)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_missing_answers_in_every_form():
    expected = np.array([2.0, np.nan, np.nan, np.nan, np.nan, 0.0])
    np.testing.assert_array_equal(encode_risk(["hog", None, np.nan, pd.NA, "inte_kant", "ingen_lag"]), expected)
    series = pd.Series(["hog", None, None, None, "inte_kant", "ingen_lag"], dtype="string")
    np.testing.assert_array_equal(encode_risk(series), expected)
    np.testing.assert_array_equal(encode_risk(pd.Series([2, None, 0], dtype="Int64")), [2.0, np.nan, 0.0])
    from scoring.levels import encode_risk_counted

    _, n_not_assessable, n_answered = encode_risk_counted([["hog", "inte_kant"], [None, "inte_kant"]])
    assert (n_not_assessable, n_answered) == (2, 3)


def test_drift_accepts_nullable_references():
    from scoring import drift

    d = drift(["hog", "mycket_hog", "hog"], group_medians=pd.Series([1, None, 1], dtype="Float64"))
    assert d.vs_group.value == 1.0 and d.vs_group.n == 2
