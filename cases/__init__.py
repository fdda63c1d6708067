"""Cases: the constructed vignettes, the variables they are answered with, and
the published reference panel — as validated, bilingual data files.

Public API::

    from cases import load_library, check_paths, load_variables
    library = load_library()          # valid cases; broken ones left out, logged
    case = library.get("assi")
    case.title.get("sv"), case.age
    library.panels.for_case("assi")   # the Webbkollen panel, or None
    anchor = library.variables.risk_anchor("hog", "sv")   # definition + "typically" items
    library.worked_examples("hog")    # the cases whose key sits at that level
    case.mapping                      # the author's reference Signs of Safety mapping, or None
    for placement, i, entry in case.mapping.entries():   # placement.column, placement.part
        case.mapping_text(entry, "sv")  # a factor entry's label, or the author's words
    case.mapping.danger_statement.get("sv"), case.mapping.safety_goal.get("en")
    case.factor_placements()          # {factor id: Placement("worries", "harm") or None}
"""

from cases.loader import (
    LIBRARY_DIR,
    CaseError,
    CaseFileError,
    Library,
    check_paths,
    load_case_file,
    load_library,
    load_variables,
)
from cases.schema import MAPPING_COLUMNS, Case, Mapping, MappingEntry, Placement
from cases.variables import RiskAnchorText, Variables

__all__ = [
    "LIBRARY_DIR",
    "MAPPING_COLUMNS",
    "Case",
    "CaseError",
    "CaseFileError",
    "Library",
    "Mapping",
    "MappingEntry",
    "Placement",
    "RiskAnchorText",
    "Variables",
    "check_paths",
    "load_case_file",
    "load_library",
    "load_variables",
]
