"""Samsyn scoring: agreement statistics that turn answers into feedback.

Pure, vectorised functions over numpy/pandas. No widgets, notebooks or
database code is imported here. See ``scoring/README.md`` for the API with a
worked example per function.

Undefined statistics never raise and never return a misleading 0: they return
a :class:`Stat` (or :class:`Estimate`) whose ``value`` is ``nan`` and whose
``reason`` says why.
"""

import sys as _sys
import types as _types

# Loaded on first use (PEP 562): ``scoring.plain`` (a trainee's feedback) never pulls numpy, pandas
# and scipy into a page's kernel just because it lives in this package.
_WHERE = {
    "Estimate": "_result",
    "NotAssessable": "_result",
    "Stat": "_result",
    "BOOTSTRAP_METHODS": "alpha",
    "alpha_bootstrap": "alpha",
    "alpha_from_counts": "alpha",
    "alpha_from_counts_batch": "alpha",
    "krippendorff_alpha": "alpha",
    "RiskSummary": "consensus",
    "consensus": "consensus",
    "consensus_table": "consensus",
    "distance_from_key": "consensus",
    "distance_from_median": "consensus",
    "leave_one_out_medians": "consensus",
    "level_counts": "consensus",
    "median_level": "consensus",
    "mode_share": "consensus",
    "risk_summary": "consensus",
    "Drift": "drift",
    "drift": "drift",
    "drift_table": "drift",
    "mean_ci": "drift",
    "DIMENSIONS": "factors",
    "FactorAgreement": "factors",
    "FactorComparison": "factors",
    "FactorFeedback": "factors",
    "Identification": "factors",
    "OWN_PREFIX": "factors",
    "SCALES": "factors",
    "compare_factors": "factors",
    "factor_agreement": "factors",
    "factor_feedback": "factors",
    "agreement_weights": "kappa",
    "cohen_kappa": "kappa",
    "fleiss_kappa": "kappa",
    "gwet_ac1": "kappa",
    "gwet_ac2": "kappa",
    "ratings_to_counts": "kappa",
    "NOT_ASSESSABLE": "levels",
    "RISK_LEVELS": "levels",
    "encode_risk": "levels",
    "level_id": "levels",
    "load_risk_levels": "levels",
    "SetSummary": "sets",
    "consensus_set": "sets",
    "f1": "sets",
    "jaccard": "sets",
    "jaccard_distance": "sets",
    "masi_distance": "sets",
    "option_shares": "sets",
    "set_agreement": "sets",
    "set_alpha": "sets",
    "set_summary": "sets",
}


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'scoring' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"scoring.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


class _Package(_types.ModuleType):
    """``scoring.consensus`` and ``scoring.drift`` are functions *and* submodules; importing a submodule
    would make the package attribute the module. Here the function always wins."""

    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, _types.ModuleType) and _WHERE.get(name) == name:
            return
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package


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
