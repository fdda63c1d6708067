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

from insight.data import EXPOSURE_VARIABLES, load_answers, load_export_rows, prepare
from insight.filters import ALL, Filters, apply_filters, filter_options
from insight.periods import tertial_label, tertial_of, tertial_start
from insight.privacy import Hidden, check_group, suppress
from insight.views import (
    AMBIGUOUS_CONSENSUS,
    AMBIGUOUS_NOT_KNOWN,
    UNDER_RATING_STEPS,
    Bias,
    Consistency,
    ExposuresRisk,
    Quality,
    bias,
    consistency,
    exposures_risk,
    vignette_quality,
)

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
