"""How often alpha_bootstrap's 95 % interval covers a known alpha (simulation).

A latent-severity model of the risk question: case ``u`` has a severity
``z_u ~ N(0, 1)``; rater ``r`` has a leniency ``b_r ~ N(0, rater_sd²)`` (raters
who systematically rate higher or lower — the report's worry); each rating
adds noise ``e ~ N(0, noise_sd²)`` and is cut into the four levels at the
thresholds that reproduce the 2017 distribution (seed 004, Figure 8: 18 / 42 /
28 / 12 %). A share ``missing`` of ratings is "inte känt" (missing).

The population ordinal alpha of this model is computed exactly (quadrature):
for two different raters on one case, ``b + e`` are independent, so the
coincidences are ``P(c, k) = ∫ φ(z) p_c(z) p_k(z) dz`` with total noise
``s² = rater_sd² + noise_sd²``. ``noise_sd`` is solved so that it is
``TRUE_ALPHA`` = 0.64 (the figure in issue 15).

The coverage test (tests/scoring/test_scoring_coverage.py) runs a small,
seeded version; for the figures in the report run::

    .venv/bin/python tests/scoring/alpha_coverage.py --reps 1000 --seed 2024
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from scoring import alpha_bootstrap

#: Webbkollen 2017 (seed 004, Figure 8): ingen/låg, något förhöjd, hög, mycket hög.
SHARES = np.array([70, 166, 110, 46]) / 392
TRUE_ALPHA = 0.64


def population_alpha(total_noise_sd: float, shares: np.ndarray = SHARES) -> float:
    """Ordinal alpha of the model for infinitely many cases and raters."""
    cum = np.cumsum(shares)[:-1]
    spread = np.sqrt(1.0 + total_noise_sd**2)
    cuts = np.r_[-np.inf, stats.norm.ppf(cum) * spread, np.inf]
    z, w = np.polynomial.hermite_e.hermegauss(120)
    w = w / w.sum()
    p = (stats.norm.cdf((cuts[None, 1:] - z[:, None]) / total_noise_sd)
         - stats.norm.cdf((cuts[None, :-1] - z[:, None]) / total_noise_sd))
    pair = np.einsum("q,qc,qk->ck", w, p, p)
    ranks = np.cumsum(shares) - shares / 2.0  # Krippendorff's ordinal metric on the population shares
    delta = (ranks[:, None] - ranks[None, :]) ** 2
    return float(1.0 - (pair * delta).sum() / (np.outer(shares, shares) * delta).sum())


#: Total noise SD giving the population alpha TRUE_ALPHA.
TOTAL_NOISE_SD = optimize.brentq(lambda s: population_alpha(s) - TRUE_ALPHA, 0.2, 2.0, xtol=1e-12)


def simulate(rng: np.random.Generator, raters: int, cases: int, rater_sd: float = 0.0,
             missing: float = 0.05) -> np.ndarray:
    """Raters × cases level indices 0..3 (``nan`` = "inte känt")."""
    noise_sd = np.sqrt(TOTAL_NOISE_SD**2 - rater_sd**2)
    z = rng.standard_normal(cases)
    b = rng.standard_normal(raters) * rater_sd
    y = z[None, :] + b[:, None] + rng.standard_normal((raters, cases)) * noise_sd
    cuts = stats.norm.ppf(np.cumsum(SHARES)[:-1]) * np.sqrt(1.0 + TOTAL_NOISE_SD**2)
    levels = np.searchsorted(cuts, y).astype(float)
    levels[rng.random(levels.shape) < missing] = np.nan
    return levels


@dataclass(frozen=True)
class Coverage:
    method: str
    coverage: float
    below: float  # the true alpha lay below the interval
    above: float  # … above it
    mean_width: float
    estimate_mean: float  # the point estimates across replications: their mean …
    estimate_sd: float  # … and spread
    reps: int


def coverage(method: str | None, *, reps: int, seed: int, raters: int = 5, cases: int = 40,
             rater_sd: float = 0.0, missing: float = 0.05, n_boot: int = 1000) -> Coverage:
    """``method=None`` uses ``alpha_bootstrap``'s default. The same seed gives
    every method the same data sets."""
    data_rng = np.random.default_rng(seed)
    boot_rng = np.random.default_rng(seed + 1)
    kw = {} if method is None else {"method": method}
    below = above = 0
    widths, points = [], []
    for _ in range(reps):
        data = simulate(data_rng, raters, cases, rater_sd, missing)
        est = alpha_bootstrap(data, "ordinal", n_boot=n_boot, seed=boot_rng, value_domain=[0, 1, 2, 3], **kw)
        points.append(est.value)
        if np.isnan(est.low):
            below += 1  # no interval counts as a miss
            continue
        below += TRUE_ALPHA < est.low
        above += TRUE_ALPHA > est.high
        widths.append(est.high - est.low)
    label = method or "default"
    return Coverage(label, 1.0 - (below + above) / reps, below / reps, above / reps, float(np.mean(widths)),
                    float(np.nanmean(points)), float(np.nanstd(points)), reps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--raters", type=int, default=5)
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--rater-sd", type=float, nargs="*", default=[0.0, 0.3, 0.5])
    parser.add_argument("--methods", nargs="*", default=["pairs", "units", "raters", "twoway"])
    args = parser.parse_args()
    print(f"population ordinal alpha {TRUE_ALPHA} (total noise SD {TOTAL_NOISE_SD:.4f}); "
          f"{args.raters} raters × {args.cases} cases, 5 % inte känt; {args.reps} replications, "
          f"{args.n_boot} resamples, seed {args.seed}")
    for rater_sd in args.rater_sd:
        print(f"\nrater leniency SD {rater_sd}")
        for method in args.methods:
            t0 = time.perf_counter()
            c = coverage(method, reps=args.reps, seed=args.seed, raters=args.raters, cases=args.cases,
                         rater_sd=rater_sd, n_boot=args.n_boot)
            print(f"  {method:7s} coverage {c.coverage:.3f} (true alpha below {c.below:.3f}, above {c.above:.3f}); "
                  f"mean width {c.mean_width:.3f}; estimates mean {c.estimate_mean:.3f}, SD {c.estimate_sd:.3f} "
                  f"[{time.perf_counter() - t0:.0f} s]")


if __name__ == "__main__":
    main()
