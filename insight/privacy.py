"""The one rule every manager table, chart and export passes through.

A group — a team × case cell, a tertial, a filter result, a cross-table cell —
with fewer than ``min_group`` answers, or fewer than ``min_group`` different
people, is never shown: its numbers are removed and it is marked hidden with
the reason. ``min_group`` is ``Settings.workshop_min_group`` (default 5).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Why a group is hidden (message keys in the catalogs).
FEW_ANSWERS = "insight.hidden_few_answers"
FEW_PEOPLE = "insight.hidden_few_people"


@dataclass(frozen=True)
class Hidden:
    """A group that may not be shown, and why (``reason`` is a message key)."""

    n: int
    min_group: int
    reason: str


def check_group(n_answers: int, min_group: int, n_people: int | None = None) -> Hidden | None:
    """``None`` when the group may be shown, else the :class:`Hidden` reason."""
    if min_group < 1:
        raise ValueError("min_group must be at least 1")
    if n_answers < min_group:
        return Hidden(int(n_answers), min_group, FEW_ANSWERS)
    if n_people is not None and n_people < min_group:
        return Hidden(int(n_people), min_group, FEW_PEOPLE)
    return None


def suppress(table, min_group: int, *, n: str = "n", people: str | None = None, keep: tuple[str, ...] = ()):
    """Blank every row of ``table`` whose group is too small.

    ``n`` names the column with the number of answers, ``people`` (optional)
    the number of different people. Every other column except ``keep`` (the
    group's labels) is set to missing in hidden rows, the counts included;
    a boolean ``hidden`` column and a ``hidden_reason`` column (message key
    or ``None``) are added. Returns a new DataFrame.
    """
    import numpy as np

    if min_group < 1:
        raise ValueError("min_group must be at least 1")
    out = table.copy()
    few_answers = out[n].fillna(0).to_numpy() < min_group
    few_people = out[people].fillna(0).to_numpy() < min_group if people else np.zeros(len(out), bool)
    hidden = few_answers | few_people
    value_cols = [c for c in out.columns if c not in keep]
    for col in value_cols:
        if hidden.any():
            if out[col].dtype.kind in "iub":
                out[col] = out[col].astype("float64" if out[col].dtype.kind != "b" else "object")
            out.loc[hidden, col] = np.nan if out[col].dtype.kind == "f" else None
    out["hidden"] = hidden
    out["hidden_reason"] = np.where(few_answers, FEW_ANSWERS, np.where(few_people, FEW_PEOPLE, None))
    return out


def suppress_counts(counts, min_group: int):
    """Cross-table cells 1..min_group-1 become missing (zero stays zero)."""
    import numpy as np

    out = counts.astype("float64").copy()
    small = (out > 0) & (out < min_group)
    return out.mask(small, np.nan), small
