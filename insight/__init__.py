"""Insight: the manager's view of how consistently units assess risk.

Pure functions over pandas DataFrames. The answers are read from the store
with one SQL query (:func:`insight.data.load_answers`); everything after that
is in memory, so filtering and re-aggregating is fast on 100,000 answers.
Statistics come from :mod:`scoring`; every table passes through the privacy
helper :func:`insight.privacy.suppress` before anyone sees it.

Public API::

    from insight import load_answers, prepare, Filters, apply_filters
    from insight import consistency, bias, vignette_quality, exposures_risk
    raw = load_answers(url)                  # one query
    data = prepare(raw, library)             # levels, tertials, key and panel
    view = apply_filters(data, Filters(team="Team 03"))
    consistency(view, min_group=5)
"""

# The names below are loaded on first use (PEP 562), so ``import insight.access`` — the manager
# page's access check — does not import numpy, pandas and scipy before access is granted.
_WHERE = {
    "EXPOSURE_VARIABLES": "insight.data", "load_answers": "insight.data", "load_export_rows": "insight.data",
    "prepare": "insight.data",
    "ALL": "insight.filters", "Filters": "insight.filters", "apply_filters": "insight.filters",
    "filter_options": "insight.filters",
    "tertial_label": "insight.periods", "tertial_of": "insight.periods", "tertial_start": "insight.periods",
    "Hidden": "insight.privacy", "check_group": "insight.privacy", "suppress": "insight.privacy",
    **{name: "insight.views" for name in (
        "AMBIGUOUS_CONSENSUS", "AMBIGUOUS_NOT_KNOWN", "UNDER_RATING_STEPS", "Bias", "Consistency", "ExposuresRisk",
        "Quality", "bias", "consistency", "exposures_risk", "vignette_quality")},
}


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'insight' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "ALL",
    "AMBIGUOUS_CONSENSUS",
    "AMBIGUOUS_NOT_KNOWN",
    "EXPOSURE_VARIABLES",
    "UNDER_RATING_STEPS",
    "Bias",
    "Consistency",
    "ExposuresRisk",
    "Filters",
    "Hidden",
    "Quality",
    "apply_filters",
    "bias",
    "check_group",
    "consistency",
    "exposures_risk",
    "filter_options",
    "load_answers",
    "load_export_rows",
    "prepare",
    "suppress",
    "tertial_label",
    "tertial_of",
    "tertial_start",
    "vignette_quality",
]
