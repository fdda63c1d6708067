"""Samsyn scoring: agreement statistics that turn answers into feedback.

Pure, vectorised functions over numpy/pandas. No widgets, notebooks or
database code is imported here. See ``scoring/README.md`` for the API with a
worked example per function.

Undefined statistics never raise and never return a misleading 0: they return
a :class:`Stat` (or :class:`Estimate`) whose ``value`` is ``nan`` and whose
``reason`` says why.
"""

from ._result import Estimate, NotAssessable, Stat
from .alpha import BOOTSTRAP_METHODS, alpha_bootstrap, alpha_from_counts, alpha_from_counts_batch, krippendorff_alpha
from .consensus import (
    RiskSummary,
    consensus,
    consensus_table,
    distance_from_key,
    distance_from_median,
    leave_one_out_medians,
    level_counts,
    median_level,
    mode_share,
    risk_summary,
)
from .drift import Drift, drift, drift_table, mean_ci
from .factors import (
    DIMENSIONS,
    OWN_PREFIX,
    SCALES,
    FactorAgreement,
    FactorComparison,
    FactorFeedback,
    Identification,
    compare_factors,
    factor_agreement,
    factor_feedback,
)
from .kappa import agreement_weights, cohen_kappa, fleiss_kappa, gwet_ac1, gwet_ac2, ratings_to_counts
from .levels import NOT_ASSESSABLE, RISK_LEVELS, encode_risk, level_id, load_risk_levels
from .sets import (
    SetSummary,
    consensus_set,
    f1,
    jaccard,
    jaccard_distance,
    masi_distance,
    option_shares,
    set_agreement,
    set_alpha,
    set_summary,
)

__all__ = [
    # results
    "Stat",
    "Estimate",
    "NotAssessable",
    # levels
    "RISK_LEVELS",
    "NOT_ASSESSABLE",
    "encode_risk",
    "level_id",
    "load_risk_levels",
    # 1. multi-case reliability
    "krippendorff_alpha",
    "alpha_from_counts",
    "alpha_from_counts_batch",
    "alpha_bootstrap",
    "BOOTSTRAP_METHODS",
    # 2. kappa family
    "ratings_to_counts",
    "fleiss_kappa",
    "cohen_kappa",
    "gwet_ac1",
    "gwet_ac2",
    "agreement_weights",
    # 3. one case at a time
    "consensus",
    "consensus_table",
    "mode_share",
    "median_level",
    "level_counts",
    "distance_from_median",
    "distance_from_key",
    "leave_one_out_medians",
    "risk_summary",
    "RiskSummary",
    # 4. set-valued answers
    "jaccard",
    "f1",
    "jaccard_distance",
    "masi_distance",
    "option_shares",
    "consensus_set",
    "set_agreement",
    "set_summary",
    "set_alpha",
    "SetSummary",
    # 5. factor grid
    "DIMENSIONS",
    "SCALES",
    "OWN_PREFIX",
    "factor_feedback",
    "compare_factors",
    "factor_agreement",
    "FactorFeedback",
    "FactorComparison",
    "FactorAgreement",
    "Identification",
    # 6. drift
    "mean_ci",
    "drift",
    "drift_table",
    "Drift",
]
