"""Benchmark: scoring.krippendorff_alpha vs the `krippendorff` package.

Run from the repository root:

    .venv/bin/python benchmarks/scoring.py [--raters 1000] [--cases 50] [--boot 1000]

Data: ``raters`` × ``cases`` ordinal risk levels 0..3 (each case has a true
level, raters deviate by -1/0/+1 step, 10 % missing), fixed seed. Times are
the best of several rounds (``time.perf_counter``) in which the contenders take
turns, so one-off hiccups and background load do not favour either side. Both implementations see the same array in the same run; the script
also checks that both alphas agree.

Lines printed:
  * ordinal alpha: scoring vs krippendorff.alpha, and the ratio
    krippendorff / scoring (> 1 means scoring is faster);
  * 1,000 bootstrap resamples: scoring.alpha_bootstrap with method="units"
    (resample cases, recompute alpha) vs the same resampling done by calling
    krippendorff.alpha 1,000 times on resampled columns (the package has no
    bootstrap of its own), plus scoring's default method="twoway" (raters and
    cases resampled, BCa interval), method="raters" and method="pairs"
    (Hayes & Krippendorff 2007) for reference.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import krippendorff  # noqa: E402

from scoring import alpha_bootstrap, krippendorff_alpha  # noqa: E402


def make_data(raters: int, cases: int, seed: int = 20261123) -> np.ndarray:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 4, size=cases)
    noise = rng.choice([-1, 0, 0, 0, 1], size=(raters, cases))
    data = np.clip(truth[None, :] + noise, 0, 3).astype(float)
    data[rng.random((raters, cases)) < 0.10] = np.nan
    return data


def _once(fn, number: int) -> float:
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def race(fns, repeats: int, number: int = 1) -> list[float]:
    """Best wall time per call for each function over ``repeats`` rounds of
    ``number`` calls. The functions take turns within every round, so a busy
    machine slows both sides alike."""
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            best[i] = min(best[i], _once(fn, number))
    return best


def fmt(sec: float) -> str:
    return f"{sec * 1e3:9.3f} ms"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raters", type=int, default=1000)
    ap.add_argument("--cases", type=int, default=50)
    ap.add_argument("--boot", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args(argv)

    data = make_data(args.raters, args.cases)
    ours = krippendorff_alpha(data, "ordinal").value
    theirs = float(krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal"))
    if not np.isclose(ours, theirs, rtol=1e-10, atol=1e-12):
        print(f"MISMATCH: scoring {ours!r} vs krippendorff {theirs!r}")
        return 1

    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}")
    print(f"data: {args.raters} raters x {args.cases} cases, ordinal 0..3, 10% missing; alpha = {ours:.6f} (both)")

    t_ours, t_theirs = race(
        [
            lambda: krippendorff_alpha(data, "ordinal"),
            lambda: krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal"),
        ],
        args.repeats,
        number=20,
    )
    print(f"ordinal alpha     scoring {fmt(t_ours)} | krippendorff {fmt(t_theirs)} | ratio krippendorff/scoring = {t_theirs / t_ours:6.2f}")

    rng = np.random.default_rng(1)
    idx = rng.integers(0, args.cases, size=(args.boot, args.cases))

    def theirs_boot():
        for cols in idx:
            krippendorff.alpha(reliability_data=data[:, cols], level_of_measurement="ordinal")

    reps = max(2, args.repeats // 3)
    t_ub, t_kb, t_pb, t_tw, t_rb = race(
        [
            lambda: alpha_bootstrap(data, "ordinal", n_boot=args.boot, seed=1, method="units"),
            theirs_boot,
            lambda: alpha_bootstrap(data, "ordinal", n_boot=args.boot, seed=1, method="pairs"),
            lambda: alpha_bootstrap(data, "ordinal", n_boot=args.boot, seed=1, method="twoway"),
            lambda: alpha_bootstrap(data, "ordinal", n_boot=args.boot, seed=1, method="raters"),
        ],
        reps,
    )
    print(f"{args.boot} resamples (units)  scoring {fmt(t_ub)} | krippendorff loop {fmt(t_kb)} | ratio krippendorff/scoring = {t_kb / t_ub:6.2f}")
    print(f"{args.boot} resamples (pairs, Hayes & Krippendorff)  scoring {fmt(t_pb)}")
    print(f"{args.boot} resamples (twoway, the default; raters and cases, BCa)  scoring {fmt(t_tw)}")
    print(f"{args.boot} resamples (raters, BCa)  scoring {fmt(t_rb)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
