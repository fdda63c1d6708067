"""Published data sets used by the scoring tests (shared helper module)."""

import numpy as np

nan = np.nan

# Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability", the
# 4 observers × 12 units example with missing values. Published alphas:
# nominal .743, ordinal .815, interval .849, ratio .797.
KRIPPENDORFF_2011 = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ]
)
KRIPPENDORFF_2011_PUBLISHED = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}

# Hayes & Krippendorff (2007), Table 1: 40 units × 5 observers, ordinal
# ratings 0..3 with missing values; published ordinal alpha .7598 computed
# from 239 pairs of judgements.
_HK = """
1 1 2 . 2 / 1 1 0 1 . / 2 3 3 3 . / . 0 0 . 0 / 0 0 0 . 0 / 0 0 0 . 0 / 1 0 2 . 1 / 1 . 2 0 . /
2 2 2 . 2 / 2 1 1 1 . / . 1 0 0 . / 0 0 0 0 . / 1 2 2 2 . / 3 3 2 2 3 / 1 1 1 . 1 / 1 1 1 . 1 /
2 1 2 . 2 / 1 2 3 3 . / 1 1 0 1 . / 0 0 0 . 0 / 0 0 1 1 . / 0 0 . 0 0 / 2 3 3 3 . / 0 0 0 0 . /
1 2 . 2 2 / 0 1 1 1 . / 0 0 0 1 0 / 1 2 1 2 . / 1 1 2 2 . / 1 1 2 . 2 / 1 1 0 . 0 / 2 1 2 1 . /
2 2 . 2 2 / 3 2 2 2 . / 2 2 2 . 2 / 2 2 3 . 2 / 2 2 2 . 2 / 2 2 . 1 2 / 2 2 2 2 . / 1 1 1 . 1
"""
HAYES_KRIPPENDORFF_2007 = np.array(
    [[nan if v == "." else float(v) for v in unit.split()] for unit in _HK.replace("\n", " ").split("/")]
).T  # observers × units
HAYES_KRIPPENDORFF_2007_ORDINAL = 0.7598
HAYES_KRIPPENDORFF_2007_PAIRS = 239

# Fleiss kappa worked example on Wikipedia (10 subjects, 14 raters,
# 5 categories): kappa = 0.210 (P̄ = 0.378, P̄e = 0.213).
WIKIPEDIA_FLEISS = np.array(
    [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
)

# Fleiss (1971) psychiatric diagnoses: 30 patients, 6 raters each, 5
# categories (1 depression, 2 personality disorder, 3 schizophrenia,
# 4 neurosis, 5 other). Published overall kappa .430.
FLEISS_1971 = np.array(
    [
        [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
        [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
        [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
        [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
        [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
        [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
    ]
).T  # raters × patients
FLEISS_1971_PUBLISHED = 0.430

# Gwet, Handbook of Inter-Rater Reliability: the same 4 raters × 12 units
# data as Krippendorff (2011) give AC1 = 0.7754 (pa 0.8182, pe 0.1903) and
# Fleiss' generalised kappa 0.7612 (as reproduced in the irrCAC docs).
GWET_AC1_4RATERS = 0.7754
GWET_FLEISS_4RATERS = 0.7612


def brute_alpha(units, dist):
    """Krippendorff's alpha straight from its pairwise definition.

    ``units``: list of lists of the non-missing values per unit; ``dist``:
    distance function δ(a, b). O(n²); only for small test data.
    """
    pairable = [u for u in units if len(u) >= 2]
    n = sum(len(u) for u in pairable)
    d_o = sum(
        sum(dist(a, b) for i, a in enumerate(u) for j, b in enumerate(u) if i != j) / (len(u) - 1) for u in pairable
    ) / n
    allv = [v for u in pairable for v in u]
    d_e = sum(dist(a, b) for i, a in enumerate(allv) for j, b in enumerate(allv) if i != j) / (n * (n - 1))
    return 1 - d_o / d_e
