import numpy as np
import pandas as pd
import pytest

from insight.privacy import FEW_ANSWERS, FEW_PEOPLE, check_group, suppress, suppress_counts


def test_check_group_at_the_boundary():
    assert check_group(5, 5) is None
    hidden = check_group(4, 5)
    assert hidden.reason == FEW_ANSWERS and hidden.min_group == 5
    assert check_group(12, 5, n_people=4).reason == FEW_PEOPLE
    assert check_group(12, 5, n_people=5) is None
    with pytest.raises(ValueError):
        check_group(3, 0)


def test_suppress_removes_every_number_of_small_groups():
    table = pd.DataFrame({"team": ["A", "B", "C"], "n": [4, 5, 9], "people": [4, 5, 3],
                          "mean": [1.2, 2.0, 0.5], "flag": [True, False, True]})
    out = suppress(table, 5, people="people", keep=("team",))
    assert out["hidden"].tolist() == [True, False, True]
    assert out["hidden_reason"].tolist() == [FEW_ANSWERS, None, FEW_PEOPLE]
    assert out["team"].tolist() == ["A", "B", "C"]
    for col in ("n", "people", "mean", "flag"):
        assert out.loc[0, col] is None or np.isnan(out.loc[0, col]), col
        assert out.loc[2, col] is None or np.isnan(out.loc[2, col]), col
    assert out.loc[1, "mean"] == 2.0 and out.loc[1, "n"] == 5
    assert table.loc[0, "n"] == 4  # the input is untouched


def test_suppress_counts_keeps_zero_and_hides_small_cells():
    counts = pd.DataFrame([[0, 3, 7], [5, 1, 0]])
    shown, small = suppress_counts(counts, 5)
    assert small.to_numpy().tolist() == [[False, True, False], [False, True, False]]
    assert shown.iloc[0, 0] == 0 and np.isnan(shown.iloc[0, 1]) and shown.iloc[1, 0] == 5
