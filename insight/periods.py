"""Tertials: the four-month periods managers compile results by.

T1 is January–April, T2 May–August, T3 September–December. An answer belongs
to the tertial of its submission time in Swedish local time (an answer given
just after midnight on 1 May, Stockholm time, is in T2).
"""

from __future__ import annotations

from datetime import date, datetime

LOCAL_TZ = "Europe/Stockholm"


def tertial_of(month: int) -> int:
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, got {month}")
    return (month - 1) // 4 + 1


def tertial_label(year: int, tertial: int) -> str:
    """``2026 T1`` — sorts chronologically as text."""
    return f"{year} T{tertial}"


def tertial_start(label: str) -> date:
    year, t = label.split(" T")
    return date(int(year), (int(t) - 1) * 4 + 1, 1)


def label_for(moment: datetime | date) -> str:
    if isinstance(moment, datetime) and moment.tzinfo is not None:
        from zoneinfo import ZoneInfo

        moment = moment.astimezone(ZoneInfo(LOCAL_TZ))
    return tertial_label(moment.year, tertial_of(moment.month))


def tertial_series(submitted_at):
    """Vectorised: a pandas Series of UTC timestamps → tertial labels."""
    import pandas as pd

    ts = pd.to_datetime(submitted_at, utc=True).dt.tz_convert(LOCAL_TZ)
    t = (ts.dt.month - 1) // 4 + 1
    return ts.dt.year.astype(str) + " T" + t.astype(str)
