"""The manager's filters: team/unit, case, tertial, language, experience band."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: The filter value meaning "everything".
ALL = None

_COLUMNS = {"team": "team", "case": "case_id", "tertial": "tertial", "language": "language",
            "experience": "experience"}


@dataclass(frozen=True)
class Filters:
    """``None`` = all; ``""`` for team/experience = not stated."""

    team: str | None = ALL
    case: str | None = ALL
    tertial: str | None = ALL
    language: str | None = ALL
    experience: str | None = ALL

    def active(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not ALL}


def apply_filters(df: "pd.DataFrame", filters: Filters) -> "pd.DataFrame":
    mask = None
    for name, value in filters.active().items():
        m = df[_COLUMNS[name]] == value
        mask = m if mask is None else (mask & m)
    return df if mask is None else df[mask]


def filter_options(df: "pd.DataFrame") -> dict[str, list[str]]:
    """The values each filter can take in the data, sorted (tertials oldest first)."""
    return {name: sorted(str(v) for v in df[col].dropna().unique()) for name, col in _COLUMNS.items()}
