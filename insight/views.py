"""The manager's five views as pure functions over the prepared answers.

Every function takes the output of :func:`insight.data.prepare` (already
filtered) and ``min_group``; every table it returns has been through
:func:`insight.privacy.suppress`, and a result whose whole filter result is
too small carries ``hidden`` and no tables at all.

Only first-round answers count: a second round is given after the group
discussion, so it measures the discussion, not independent assessment, and
the same person would appear twice on one case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from insight.privacy import FEW_ANSWERS, Hidden, check_group, suppress, suppress_counts
from scoring import RISK_LEVELS, Stat, alpha_bootstrap, krippendorff_alpha

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: A team is flagged for under-rating (relative assessment) when its whole
#: 95 % interval vs the key lies below zero and the mean is at least this far below.
UNDER_RATING_STEPS = 0.25
#: A vignette is flagged as ambiguous when its consensus is below this …
AMBIGUOUS_CONSENSUS = 0.6
#: … and at least this share of answers is "inte känt".
AMBIGUOUS_NOT_KNOWN = 0.10
#: Exposure counts at or above this are pooled in the cross-table.
EXPOSURE_CAP = 6
#: Webbkollen's 2017 analysis of exposures and risk rested on this many answers.
WEBBKOLLEN_N = 416


def first_round(df: "pd.DataFrame") -> "pd.DataFrame":
    return df[df["round"] == 1]


def _whole(df: "pd.DataFrame", min_group: int) -> Hidden | None:
    return check_group(len(df), min_group, int(df["participant_id"].nunique()))


def level_counts_by(df: "pd.DataFrame", by, levels: Sequence[str] | None = None) -> "pd.DataFrame":
    """Assessable answers per group and level: columns ``0..len(levels) - 1``.

    ``levels`` are the risk level ids lowest first — the page passes the
    library's (``variables.yaml``); default ``scoring.RISK_LEVELS``.
    """
    n_levels = len(levels or RISK_LEVELS)
    assessable = df[df["level"].notna()]
    if assessable.empty:
        import pandas as pd

        return pd.DataFrame(columns=list(range(n_levels)), dtype=int)
    table = assessable.groupby([*([by] if isinstance(by, str) else by), assessable["level"].astype(int)]).size()
    return table.unstack(fill_value=0).reindex(columns=range(n_levels), fill_value=0)


def _within_one(df: "pd.DataFrame", ref: str) -> tuple[float, int]:
    x = df.loc[df["level"].notna() & df[ref].notna()]
    if x.empty:
        return np.nan, 0
    return float(((x["level"] - x[ref]).abs() <= 1).mean()), int(len(x))


# -- 2. consistency over time ----------------------------------------------------
@dataclass
class Consistency:
    hidden: Hidden | None
    per_tertial: "pd.DataFrame | None" = None
    per_case: "pd.DataFrame | None" = None
    n: int = 0
    n_boot: int = 0


def rater_bootstrap_alpha(df: "pd.DataFrame", n_boot: int = 500, seed: int = 0, confidence: float = 0.95,
                          levels: Sequence[str] | None = None):
    """Ordinal alpha of one period with an interval from resampling *people*.

    The people × cases table of risk answers goes to
    :func:`scoring.alpha_bootstrap` with ``method="raters"``: participants are
    resampled with replacement (each with all their answers in the period),
    the cases stay — the people are what a manager samples. Returns
    ``(Stat, low, high)``; ``low``/``high`` are ``nan`` when undefined, and
    ``Stat.not_assessable`` counts the "inte känt" answers.
    """
    levels = tuple(levels or RISK_LEVELS)
    answered = df[df["risk"].notna()]
    matrix = answered.pivot(index="participant_id", columns="case_id", values="risk")
    data = matrix.to_numpy(dtype=object)
    if n_boot <= 0:
        return krippendorff_alpha(data, "ordinal", value_domain=levels), np.nan, np.nan
    est = alpha_bootstrap(data, "ordinal", n_boot=n_boot, confidence=confidence, seed=seed, method="raters",
                          value_domain=levels)
    point = Stat(est.value, None if est.defined else est.reason, est.n, est.not_assessable)
    return point, est.low, est.high


def consistency(df: "pd.DataFrame", min_group: int, *, n_boot: int = 500, seed: int = 0,
                confidence: float = 0.95, levels: Sequence[str] | None = None) -> Consistency:
    """Alpha per tertial (with interval and the share of "inte känt" it left
    out), per-case consensus, shares within one step."""
    import pandas as pd

    first = first_round(df)[["participant_id", "case_id", "tertial", "risk", "level", "not_known", "key_level",
                             "panel_median"]]
    hidden = _whole(first, min_group)
    if hidden:
        return Consistency(hidden)
    rows = []
    for tertial, g in first.groupby("tertial", sort=True):
        stat, lo, hi = rater_bootstrap_alpha(g, n_boot, seed, confidence, levels)
        wk, nk = _within_one(g, "key_level")
        wp, npn = _within_one(g, "panel_median")
        rows.append({"tertial": tertial, "n": len(g), "people": g["participant_id"].nunique(),
                     "cases": g["case_id"].nunique(), "alpha": stat.value, "low": lo, "high": hi,
                     "alpha_reason": stat.reason, "not_known_share": stat.not_assessable.share,
                     "within_key": wk, "n_key": nk, "within_panel": wp, "n_panel": npn})
    per_tertial = suppress(pd.DataFrame(rows), min_group, people="people", keep=("tertial",))
    return Consistency(None, per_tertial, per_case_table(first, min_group, levels), len(first), n_boot)


def per_case_table(first: "pd.DataFrame", min_group: int, levels: Sequence[str] | None = None) -> "pd.DataFrame":
    """Per case: answers, people, consensus, median, shares within one step, "inte känt" (suppressed)."""
    import pandas as pd

    from scoring import consensus_table

    counts = level_counts_by(first, "case_id", levels)
    table = consensus_table(counts) if len(counts) else pd.DataFrame(columns=["consensus", "mode_share", "median", "n"])
    grouped = first.groupby("case_id")
    per_case = pd.DataFrame({"n": grouped.size(), "people": grouped["participant_id"].nunique(),
                             "not_known_share": grouped["not_known"].mean()})
    per_case["n_assessable"] = table["n"].reindex(per_case.index).fillna(0).astype(int)
    per_case["consensus"] = table["consensus"].reindex(per_case.index)
    per_case["median"] = table["median"].reindex(per_case.index)
    per_case["within_key"] = [_within_one(g, "key_level")[0] for _c, g in grouped]
    per_case["within_panel"] = [_within_one(g, "panel_median")[0] for _c, g in grouped]
    per_case = per_case.reset_index()
    return suppress(per_case, min_group, people="people", keep=("case_id",))


# -- 3. bias and drift ---------------------------------------------------------------
@dataclass
class Bias:
    hidden: Hidden | None
    cells: "pd.DataFrame | None" = None  # team × case
    teams: "pd.DataFrame | None" = None  # the under-rating flag
    drift: "pd.DataFrame | None" = None  # team × tertial
    panel: "pd.DataFrame | None" = None  # the published panel's shares per case
    n: int = 0


def _person_means(x: "pd.DataFrame", diff: "pd.Series") -> "pd.Series":
    return diff.groupby(x["participant_id"]).mean()


def bias(df: "pd.DataFrame", min_group: int, *, reference: "pd.DataFrame | None" = None,
         panels: dict[str, list[int]] | None = None, confidence: float = 0.95,
         levels: Sequence[str] | None = None) -> Bias:
    """Each team's risk distribution per case against the key, the panel and all units.

    ``reference`` is the answers the national comparison is made with (the
    page passes the data filtered by everything but the team); default ``df``.
    ``panels`` maps case id → the published panel's counts per level.

    The under-rating flag: per team, each person's mean signed distance from
    the key (steps; negative = rated lower) over the cases they assessed;
    ``scoring.mean_ci`` over those people gives the size and its interval
    (people, not answers, are the independent units). Flagged when the whole
    interval is below 0 and the mean is at most ``-UNDER_RATING_STEPS`` *and*
    the team is also lower than all units together (its interval vs the
    national mean per case lies below 0) — where everyone is below the key,
    that is the case, not one unit's relative assessment.
    """
    import pandas as pd

    from scoring import mean_ci

    first = first_round(df)[["participant_id", "team", "case_id", "tertial", "level", "not_known", "key_level",
                             "panel_median"]]
    hidden = _whole(first, min_group)
    if hidden:
        return Bias(hidden)
    ref = first_round(reference) if reference is not None else first
    national = ref[ref["level"].notna()].groupby("case_id")["level"].mean()
    x = first[first["level"].notna()].copy()
    x["d_key"] = x["level"] - x["key_level"]
    x["d_panel"] = x["level"] - x["panel_median"]
    x["d_national"] = x["level"] - x["case_id"].map(national)

    # team × case cells
    g_all = first.groupby(["team", "case_id"])
    cells = pd.DataFrame({"n": g_all.size(), "people": g_all["participant_id"].nunique(),
                          "not_known_share": g_all["not_known"].mean()})
    n_levels = len(levels or RISK_LEVELS)
    counts = level_counts_by(first, ["team", "case_id"], levels).reindex(cells.index, fill_value=0)
    n_assess = counts.sum(axis=1).replace(0, np.nan)
    for lv in range(n_levels):
        cells[f"share_{lv}"] = counts[lv] / n_assess
    gx = x.groupby(["team", "case_id"])
    cells["mean_level"] = gx["level"].mean()
    cells["d_key"] = gx["d_key"].mean()
    cells["d_panel"] = gx["d_panel"].mean()
    cells["d_national"] = gx["d_national"].mean()
    cells = suppress(cells.reset_index(), min_group, people="people", keep=("team", "case_id"))

    # per team: the flag
    rows = []
    for team, g in x.groupby("team"):
        all_team = first[first["team"] == team]
        est_key = mean_ci(_person_means(g, g["d_key"]).to_numpy(), confidence)
        est_panel = mean_ci(_person_means(g, g["d_panel"]).dropna().to_numpy(), confidence)
        est_nat = mean_ci(_person_means(g, g["d_national"]).to_numpy(), confidence)
        flagged = bool(est_key.defined and est_key.high < 0 and est_key.value <= -UNDER_RATING_STEPS
                       and est_nat.defined and est_nat.high < 0)
        rows.append({"team": team, "n": len(all_team), "people": all_team["participant_id"].nunique(),
                     "d_key": est_key.value, "d_key_low": est_key.low, "d_key_high": est_key.high,
                     "d_panel": est_panel.value, "d_panel_low": est_panel.low, "d_panel_high": est_panel.high,
                     "d_national": est_nat.value, "d_national_low": est_nat.low,
                     "d_national_high": est_nat.high, "under_rating": flagged})
    teams = suppress(pd.DataFrame(rows, columns=["team", "n", "people", "d_key", "d_key_low", "d_key_high",
                                                 "d_panel", "d_panel_low", "d_panel_high", "d_national",
                                                 "d_national_low", "d_national_high", "under_rating"]),
                     min_group, people="people", keep=("team",))

    # drift: team × tertial
    gd = first.groupby(["team", "tertial"])
    drift_t = pd.DataFrame({"n": gd.size(), "people": gd["participant_id"].nunique()})
    drift_t["d_key"] = x.groupby(["team", "tertial"])["d_key"].mean()
    drift_t = suppress(drift_t.reset_index(), min_group, people="people", keep=("team", "tertial"))

    panel_rows = []
    for case_id, pc in (panels or {}).items():
        total = sum(pc)
        if total:
            panel_rows.append({"case_id": case_id, "n": total,
                               **{f"share_{lv}": pc[lv] / total for lv in range(n_levels)}})
    return Bias(None, cells, teams, drift_t, pd.DataFrame(panel_rows), len(first))


# -- 4. vignette quality ----------------------------------------------------------------
@dataclass
class Quality:
    hidden: Hidden | None
    cases: "pd.DataFrame | None" = None


def vignette_quality(df: "pd.DataFrame", min_group: int, *, levels: Sequence[str] | None = None) -> Quality:
    """Per case: consensus and the share of "inte känt"; ambiguous when both are bad."""
    first = first_round(df)
    hidden = _whole(first, min_group)
    if hidden:
        return Quality(hidden)
    c = per_case_table(first[["participant_id", "case_id", "level", "not_known", "key_level", "panel_median"]],
                       min_group, levels)
    c = c[["case_id", "n", "people", "n_assessable", "consensus", "not_known_share", "hidden", "hidden_reason"]].copy()
    c["low_agreement"] = (c["consensus"] < AMBIGUOUS_CONSENSUS).where(~c["hidden"], None)
    c["many_not_known"] = (c["not_known_share"] >= AMBIGUOUS_NOT_KNOWN).where(~c["hidden"], None)
    c["ambiguous"] = (c["low_agreement"].fillna(False).astype(bool) & c["many_not_known"].fillna(False).astype(bool))
    return Quality(None, c.sort_values("case_id").reset_index(drop=True))


# -- 5. exposures and risk --------------------------------------------------------------
@dataclass
class ExposuresRisk:
    hidden: Hidden | None
    table: "pd.DataFrame | None" = None  # rows: number of exposures (EXPOSURE_CAP = "6+"), columns: the levels
    small: "pd.DataFrame | None" = None  # which cells were suppressed
    rows: "pd.DataFrame | None" = None  # per exposure count: n, mean level (suppressed)
    spearman: tuple[float, float] = (np.nan, np.nan)
    kendall: tuple[float, float] = (np.nan, np.nan)
    n: int = 0
    reference_n: int = WEBBKOLLEN_N
    reason: str | None = None


def exposures_risk(df: "pd.DataFrame", min_group: int, *, levels: Sequence[str] | None = None) -> ExposuresRisk:
    """Number of identified exposures against the risk level (Webbkollen 2017, n = 416).

    Spearman's rho and Kendall's tau-b (scipy) over the assessable first-round
    answers, and the cross-table, whose cells with 1..min_group-1 answers are
    hidden.
    """
    import pandas as pd
    from scipy import stats

    first = first_round(df)
    x = first[first["level"].notna()]
    hidden = _whole(x, min_group)
    if hidden:
        return ExposuresRisk(hidden)
    exp = x["n_exposures"].clip(upper=EXPOSURE_CAP).astype(int)
    lev = x["level"].astype(int)
    table = pd.crosstab(exp, lev).reindex(index=range(0, EXPOSURE_CAP + 1), columns=range(len(levels or RISK_LEVELS)),
                                                                                         fill_value=0)
    shown, small = suppress_counts(table, min_group)
    per_row = pd.DataFrame({"n_exposures": range(0, EXPOSURE_CAP + 1),
                            "n": table.sum(axis=1).to_numpy(),
                            "people": x.groupby(exp)["participant_id"].nunique().reindex(range(0, EXPOSURE_CAP + 1),
                                                                                        fill_value=0).to_numpy(),
                            "mean_level": lev.groupby(exp).mean().reindex(range(0, EXPOSURE_CAP + 1)).to_numpy()})
    per_row = suppress(per_row, min_group, people="people", keep=("n_exposures",))
    # a row with a hidden cell shows no total or mean: they would give the hidden cell away
    partly = small.any(axis=1).to_numpy() & ~per_row["hidden"].to_numpy()
    per_row.loc[partly, ["n", "people", "mean_level"]] = np.nan
    per_row.loc[partly, "hidden_reason"] = FEW_ANSWERS
    per_row.loc[partly, "hidden"] = True
    reason = None
    if exp.nunique() < 2 or lev.nunique() < 2:
        reason = "insight.no_variation"
        rho = tau = (np.nan, np.nan)
    else:
        r = stats.spearmanr(exp, lev)
        t = stats.kendalltau(exp, lev)
        rho, tau = (float(r.statistic), float(r.pvalue)), (float(t.statistic), float(t.pvalue))
    return ExposuresRisk(None, shown, small, per_row, rho, tau, len(x), WEBBKOLLEN_N, reason)


# -- 6. scaling and risk (issue 16) -------------------------------------------------------
#: The Signs of Safety scale runs 0 ("övervägande om placering") to 10 ("stäng").
SCALE_VALUES = range(0, 11)


@dataclass
class ScalingRisk:
    hidden: Hidden | None
    table: "pd.DataFrame | None" = None  # rows: the scale 0..10, columns: the levels (cells 1..min-1 hidden)
    small: "pd.DataFrame | None" = None
    groups: "pd.DataFrame | None" = None  # team × tertial: n, people, rho, share in the expected range (suppressed)
    spearman: tuple[float, float] = (np.nan, np.nan)
    fit_share: float = np.nan
    n: int = 0
    reason: str | None = None


def _rho(scale, level) -> tuple[float, float]:
    from scipy import stats

    if scale.nunique() < 2 or level.nunique() < 2:
        return np.nan, np.nan
    r = stats.spearmanr(scale, level)
    return float(r.statistic), float(r.pvalue)


def scaling_risk(df: "pd.DataFrame", min_group: int, *, levels: Sequence[str] | None = None,
                 scale_ranges: dict[str, tuple[int, int]] | None = None) -> ScalingRisk:
    """The safety scale against the risk level: do the two instruments tell the same story?

    Over the first-round answers with both a risk level and a scale: Spearman's rho
    (scipy; expected negative — higher risk, lower on the safety scale), the
    cross-table scale × level with cells of 1..min_group-1 answers hidden, the
    share of answers whose scale lies in the range ``scale_ranges`` expects for
    their level (``feedback/mapping.yaml``), and the same per team and tertial
    (groups below ``min_group`` answers or people hidden).
    """
    import pandas as pd

    first = first_round(df)
    x = first[first["level"].notna() & first["safety_scale"].notna()]
    hidden = _whole(x, min_group)
    if hidden:
        return ScalingRisk(hidden)
    n_levels = len(levels or RISK_LEVELS)
    scale = x["safety_scale"].astype(int)
    lev = x["level"].astype(int)
    table = pd.crosstab(scale, lev).reindex(index=SCALE_VALUES, columns=range(n_levels), fill_value=0)
    shown, small = suppress_counts(table, min_group)
    ranges = scale_ranges or {}
    low = x["risk"].map({r: lo for r, (lo, _hi) in ranges.items()}).astype(float)
    high = x["risk"].map({r: hi for r, (_lo, hi) in ranges.items()}).astype(float)
    fits = ((scale >= low) & (scale <= high)).where(low.notna())
    xg = pd.DataFrame({"team": x["team"], "tertial": x["tertial"], "participant_id": x["participant_id"],
                       "scale": scale, "level": lev, "fits": fits.astype(float)})
    grouped = xg.groupby(["team", "tertial"], sort=True)
    groups = pd.DataFrame({"n": grouped.size(), "people": grouped["participant_id"].nunique(),
                           "rho": [_rho(g["scale"], g["level"])[0] for _k, g in grouped],
                           "fit_share": grouped["fits"].mean() if ranges else np.nan}).reset_index()
    groups = suppress(groups[["team", "tertial", "n", "people", "rho", "fit_share"]], min_group,
                      people="people", keep=("team", "tertial"))
    rho = _rho(scale, lev)
    reason = "insight.no_variation" if np.isnan(rho[0]) else None
    return ScalingRisk(None, shown, small, groups, rho, float(fits.mean()) if ranges else np.nan, len(x), reason)
