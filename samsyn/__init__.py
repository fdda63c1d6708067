"""Samsyn: a training and calibration environment for risk assessment in
Swedish child and youth social services.

The application is assembled from top-level packages that tell the story of an
answer: ``cases`` (what is assessed) → ``widgets`` (how it is answered) →
``store`` (where it is kept) → ``scoring`` (how it agrees) → feedback.
This package holds what they share: configuration, messages (i18n) and the
command line.
"""

__version__ = "0.1.0"
