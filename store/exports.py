"""What each export may contain: one named policy per export, applied in one place.

Every export of answers is a table whose columns one ``ExportPolicy`` names:

* ``ANSWER_RECORD`` — ``samsyn export`` (the operator's file): every column of
  ``store.shapes.export_record``, pseudonyms and the trainees' own words included;
* ``MENTOR_RECORD`` — the workshop record's spreadsheet (the mentor's own workshop, one
  sheet per case): the same without the answer id, team, workshop and case;
* ``MANAGER_AGGREGATE`` — the raw sheet of the manager's export: participant codes, never
  pseudonyms, and never free text (``insight.data.load_export_rows`` reads what it needs).

A policy refuses, when it is made, a column it forbids: the manager's policy forbids every
``IDENTIFYING`` and ``FREE_TEXT`` column, so no edit can make that export carry one.
``ExportPolicy.apply`` (a record) and ``ExportPolicy.frame`` (a pandas frame) keep exactly the
policy's columns, in its order; nothing else decides an export's columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from cases.variables import MAPPING_PARTS, SELECTION_VARIABLES

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Columns that show who someone is: the self-chosen pseudonym (people may type their name;
#: behind JupyterHub, with ``SAMSYN_EXPORT_HUB_USERNAMES``, the hub user name).
IDENTIFYING = frozenset({"pseudonym"})
#: Columns that hold what a trainee typed in their own words.
FREE_TEXT = frozenset({
    "risk_missing_info", "motivation", "goals", "danger_statement", "safety_goal",
    "scaling_why_not_lower", "scaling_one_step_up", *(f"mapping.{part}" for part in MAPPING_PARTS),
})


@dataclass(frozen=True)
class ExportPolicy:
    """The columns one export may contain, in order, and the columns it must never contain."""

    name: str
    columns: tuple[str, ...]
    forbidden: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        refused = [c for c in self.columns if c in self.forbidden]
        if refused:
            raise ValueError(f"export {self.name!r} may not contain {', '.join(refused)}")
        if len(set(self.columns)) != len(self.columns):
            raise ValueError(f"export {self.name!r}: a column is named twice")

    def apply(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """The record's values of this export's columns, in its order (a missing one is an error)."""
        return {c: record[c] for c in self.columns}

    def frame(self, df: "pd.DataFrame") -> "pd.DataFrame":
        """A frame with exactly this export's columns, in its order (a missing one is left empty)."""
        return df.reindex(columns=list(self.columns))


ANSWER_RECORD = ExportPolicy("answer_record", (
    "answer_id", "pseudonym", "team", "workshop", "case_id", "round", "risk", "risk_missing_info", "safety_scale",
    "motivation", "language", "submitted_at", *SELECTION_VARIABLES, "factors", "goals",
    *(f"mapping.{part}" for part in MAPPING_PARTS),
    "danger_statement", "safety_goal", "scaling_why_not_lower", "scaling_one_step_up",
))

MENTOR_RECORD = ExportPolicy(
    "mentor_record", tuple(c for c in ANSWER_RECORD.columns if c not in ("answer_id", "team", "workshop", "case_id")))

MANAGER_AGGREGATE = ExportPolicy(
    "manager_aggregate",
    ("participant", "team", "experience", "workshop", "case_id", "round", "risk", "language", "tertial",
     "submitted_at", "exposures"),
    forbidden=IDENTIFYING | FREE_TEXT,
)

POLICIES = (ANSWER_RECORD, MENTOR_RECORD, MANAGER_AGGREGATE)
