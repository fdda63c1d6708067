"""Small result objects shared by the scoring functions.

Every statistic that can be undefined returns one of these instead of a bare
float: ``value`` is ``nan`` exactly when ``reason`` says why. Nothing in
``scoring`` raises for "too little data"; it raises only for programming
errors (wrong shapes, unknown ids, unknown options).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Stat", "Estimate", "NotAssessable", "nan_stat"]


@dataclass(frozen=True)
class NotAssessable:
    """How many of the answers behind a statistic were "inte känt".

    ``n`` answers were ``inte_kant`` out of ``answers`` given (a rater who did
    not answer a case is not counted). Statistics treat ``inte_kant`` as
    missing, so dropping many of them can make agreement look higher than it
    is: show :attr:`share` next to the statistic.
    """

    n: int
    answers: int

    @property
    def share(self) -> float:
        """``n / answers``; ``nan`` when there are no answers."""
        return self.n / self.answers if self.answers else math.nan


@dataclass(frozen=True)
class Stat:
    """A statistic that may be undefined.

    Attributes
    ----------
    value:
        The statistic, or ``nan`` when it is undefined.
    reason:
        ``None`` when ``value`` is defined, otherwise a short English sentence
        saying why it is undefined (e.g. "no variation ...").
    n:
        The amount of data the statistic rests on. Its meaning is stated by
        each function (units with two or more ratings, raters, pairs ...).
    not_assessable:
        For alpha on risk answers: the :class:`NotAssessable` count of
        "inte känt" answers; ``None`` when the input cannot say (numbers,
        count tables) and for the other statistics.
    """

    value: float
    reason: str | None = None
    n: int | None = None
    not_assessable: NotAssessable | None = None

    @property
    def defined(self) -> bool:
        return not math.isnan(self.value)

    def __float__(self) -> float:
        return float(self.value)


@dataclass(frozen=True)
class Estimate:
    """A point estimate with a confidence interval.

    ``value`` may be defined while ``low``/``high`` are ``nan`` (e.g. a mean of
    a single observation); ``reason`` then says why the interval is missing.
    """

    value: float
    low: float
    high: float
    confidence: float
    n: int
    reason: str | None = None
    method: str = ""
    not_assessable: NotAssessable | None = None

    @property
    def defined(self) -> bool:
        return not math.isnan(self.value)

    @property
    def direction(self) -> str:
        """``"higher"``/``"lower"`` when the whole interval lies above/below 0,
        ``"no_clear_tendency"`` when it contains 0, ``"undefined"`` when there
        is no interval."""
        if math.isnan(self.low) or math.isnan(self.high):
            return "undefined"
        if self.low > 0:
            return "higher"
        if self.high < 0:
            return "lower"
        return "no_clear_tendency"

    def __float__(self) -> float:
        return float(self.value)


def nan_stat(reason: str, n: int | None = None, not_assessable: NotAssessable | None = None) -> Stat:
    return Stat(math.nan, reason, n, not_assessable)
