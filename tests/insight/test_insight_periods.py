from datetime import date, datetime, timezone

import pandas as pd
import pytest

from insight.periods import label_for, tertial_label, tertial_of, tertial_series, tertial_start


@pytest.mark.parametrize("month, tertial", [(1, 1), (4, 1), (5, 2), (8, 2), (9, 3), (12, 3)])
def test_months_fall_in_their_tertial(month, tertial):
    assert tertial_of(month) == tertial


def test_bad_month_is_refused():
    with pytest.raises(ValueError):
        tertial_of(13)


def test_labels_sort_chronologically_and_round_trip():
    labels = [tertial_label(2025, 3), tertial_label(2026, 1), tertial_label(2025, 1)]
    assert sorted(labels) == ["2025 T1", "2025 T3", "2026 T1"]
    assert tertial_start("2026 T2") == date(2026, 5, 1)
    assert tertial_start("2025 T3") == date(2025, 9, 1)


def test_bucketing_uses_swedish_local_time():
    # 22:30 UTC on 30 April is 00:30 on 1 May in Stockholm (summer time): T2.
    late = datetime(2026, 4, 30, 22, 30, tzinfo=timezone.utc)
    early = datetime(2026, 4, 30, 21, 30, tzinfo=timezone.utc)
    assert label_for(late) == "2026 T2"
    assert label_for(early) == "2026 T1"
    # New Year's Eve 23:30 UTC is already next year in Stockholm.
    series = pd.Series([late, early, datetime(2025, 12, 31, 23, 30, tzinfo=timezone.utc),
                        datetime(2025, 9, 1, 12, 0, tzinfo=timezone.utc)])
    assert tertial_series(series).tolist() == ["2026 T2", "2026 T1", "2026 T1", "2025 T3"]
