"""The reference panel on every variable it has: exposure (home, guardian,
child), intervention (with the group totals) and focus, as shares of the
panel's respondents, row by row beside someone's choices (pure functions).

The report gives some counts for several options together (``combined``:
"brister i omsorg or annat skäl, 12") and some only as a span (``range``:
"other areas 7–9"); such a row names all its options and keeps the span.
An option the report gives no figure for has no panel row value (None) —
it is never taken to be zero.
"""

from __future__ import annotations

from dataclasses import dataclass

from cases import Variables
from cases.panel import GroupCounts, Panel
from cases.variables import EXPOSURE, FOCUS, INTERVENTION, SELECTION_VARIABLES, exposure_group

#: The variables the panel may have, in the order they are shown.
PANEL_VARIABLES = SELECTION_VARIABLES


@dataclass(frozen=True)
class PanelCell:
    """Respondents (a count, or a span low–high) out of the panel's n."""

    low: int
    high: int
    n: int

    @property
    def share_low(self) -> float:
        return self.low / self.n

    @property
    def share_high(self) -> float:
        return self.high / self.n

    @property
    def exact(self) -> bool:
        return self.low == self.high


@dataclass(frozen=True)
class ShareRow:
    """One row: an option (or several the report counts together, or an
    intervention group's total), the panel's figure, and whose choice it is."""

    options: tuple[str, ...]
    panel: PanelCell | None
    kind: str = "option"  # option | combined | range | group
    group: str | None = None  # for kind == "group": the intervention group's id


def _counts(panel: Panel, variable: str) -> GroupCounts | None:
    if exposure_group(variable) is not None:
        return getattr(panel.exposure, exposure_group(variable)) if panel.exposure else None
    if variable == INTERVENTION:
        return panel.interventions
    if variable == FOCUS:
        return panel.focus
    raise KeyError(variable)


def _option_order(variables: Variables, variable: str) -> tuple[tuple[str, ...], ...]:
    """The variable's options, offered ones and retired ones alike, group by group."""
    if exposure_group(variable) is not None:
        return (variables.group(EXPOSURE, exposure_group(variable)).all_option_ids,)
    if variable == INTERVENTION:
        return tuple(g.all_option_ids for g in variables.intervention.groups)
    return tuple(variables.bbic_areas(s.id, include_retired=True) for s in variables.bbic.sides)


def panel_variables(panel: Panel | None) -> tuple[str, ...]:
    """The variables this panel has figures for (in ``PANEL_VARIABLES`` order)."""
    if panel is None:
        return ()
    return tuple(v for v in PANEL_VARIABLES if _counts(panel, v) is not None)


def panel_rows(panel: Panel, variables: Variables, variable: str, *, include: frozenset[str] = frozenset()) -> list[ShareRow]:
    """The panel's rows for one variable, in the variables' order: every option the
    panel has a figure for, and every option in ``include`` (someone's choices) even
    without one. An intervention group's total comes before its options."""
    gc = _counts(panel, variable)
    if gc is None:
        return []
    n = panel.n
    grouped: dict[str, ShareRow] = {}  # first option of a combined/range row → the row
    member: dict[str, str] = {}
    for c in gc.combined:
        grouped[c.options[0]] = ShareRow(tuple(c.options), PanelCell(c.count, c.count, n), "combined")
        member.update({o: c.options[0] for o in c.options})
    for r in gc.range:
        grouped[r.options[0]] = ShareRow(tuple(r.options), PanelCell(r.low, r.high, n), "range")
        member.update({o: r.options[0] for o in r.options})
    groups = variables.intervention.groups if variable == INTERVENTION else ()
    rows: list[ShareRow] = []
    for i, options in enumerate(_option_order(variables, variable)):
        if groups and groups[i].id in gc.groups:
            count = gc.groups[groups[i].id]
            rows.append(ShareRow(tuple(o for o in options if o in gc.counts), PanelCell(count, count, n), "group",
                                 groups[i].id))
        for option in options:
            if option in gc.counts:
                rows.append(ShareRow((option,), PanelCell(gc.counts[option], gc.counts[option], n)))
            elif option in member:
                if member[option] == option:
                    rows.append(grouped[option])
            elif option in include:
                rows.append(ShareRow((option,), None))
    return rows


def row_options(row: ShareRow, variables: Variables) -> frozenset[str]:
    """The options whose choice counts as choosing the row (a group total: any of the group's)."""
    if row.kind == "group" and row.group:
        return frozenset(variables.group(INTERVENTION, row.group).all_option_ids)
    return frozenset(row.options)


def chose_row(row: ShareRow, chosen: frozenset[str] | set[str], variables: Variables) -> bool:
    return bool(row_options(row, variables) & set(chosen))


def row_share(row: ShareRow, answers: list[frozenset[str]], variables: Variables) -> float | None:
    """The share of ``answers`` (each a set of chosen options) that chose the row; None without answers."""
    if not answers:
        return None
    wanted = row_options(row, variables)
    return sum(bool(wanted & a) for a in answers) / len(answers)


def panel_comparison(panel: Panel | None, variables: Variables, choices: dict[str, list[frozenset[str]]]) -> dict[str, tuple[tuple[ShareRow, float | None], ...]]:
    """Every variable the panel has: its rows, each with the share of ``choices[variable]``
    (one set per answer: a trainee's own answer, or a group's) that chose it."""
    out: dict[str, tuple[tuple[ShareRow, float | None], ...]] = {}
    for variable in panel_variables(panel):
        answers = choices.get(variable, [])
        include = frozenset().union(*answers) if answers else frozenset()
        rows = panel_rows(panel, variables, variable, include=include)
        out[variable] = tuple((row, row_share(row, answers, variables)) for row in rows)
    return out
