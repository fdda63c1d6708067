"""Onboarding programmes with a calibration goal (issue 18).

A mentor's cohort works through steps over weeks (``schedule``); each trainee's
calibration figures over the programme and the mentor's criterion
(``calibration``); the certificate and the tertial checklist (``records``).
Pure functions over what the store returns; the pages are in
``widgets/programme_page.py`` and ``widgets/programme_view.py``.
"""

from programmes.calibration import (
    CRITERION_KINDS,
    CaseResult,
    Criterion,
    Evaluation,
    Figures,
    case_results,
    evaluate,
    figures,
    first_met,
)
from programmes.schedule import StepStatus, current_week, ends_on, step_statuses

__all__ = [
    "CRITERION_KINDS", "CaseResult", "Criterion", "Evaluation", "Figures", "StepStatus", "case_results",
    "current_week", "ends_on", "evaluate", "figures", "first_met", "step_statuses",
]
