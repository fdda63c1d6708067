"""Benchmark: what a programme's pages compute, on a cohort of trainees (issue 18).

Run from the repository root:

    .venv/bin/python benchmarks/programmes.py [--trainees 40] [--cases 16] [--database-url URL]

A programme of ``cases`` library cases in steps of two, ``trainees`` members who
each answer every case (a risk level around the key, the key's factors with
weights off by up to one step, one "inte känt" in ten), stored through the
Store in a throwaway SQLite file (or ``--database-url``). Times are the best of
three rounds (``time.perf_counter``):

  * one trainee's programme state — what their start page computes;
  * the cohort's states — what the mentor's cohort view computes for everyone;
  * the divergent cases, and the tertial checklist with its HTML, PDF and Excel;
  * one certificate PDF.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cases import load_library  # noqa: E402
from store import AnswerIn, StepIn, Store  # noqa: E402


def best(fn, rounds: int = 3) -> tuple[float, object]:
    times, out = [], None
    for _ in range(rounds):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trainees", type=int, default=40)
    parser.add_argument("--cases", type=int, default=16)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    library = load_library()
    levels = library.variables.risk_level_ids
    case_ids = [c.id for c in library.ordered() if c.key is not None][: args.cases]
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='samsyn-bench-')}/programmes.sqlite3"
    store = Store(url)
    steps = [StepIn(week=1 + i, case_ids=tuple(case_ids[2 * i:2 * i + 2])) for i in range((len(case_ids) + 1) // 2)]
    start = date.today() - timedelta(days=7 * len(steps))
    programme, _ = store.create_programme("Bench", steps, starts_on=start, criterion={"kind": "share_lean"})
    rng = random.Random(18)
    t0 = time.perf_counter()
    members = []
    for i in range(args.trainees):
        p = store.create_participant(f"T{i}", self_paced=True)
        store.join_programme(programme.id, p.id)
        members.append(p)
        for cid in case_ids:
            case = library.cases[cid]
            if rng.random() < 0.1:
                risk = library.variables.risk.not_assessable.id
            else:
                risk = levels[max(0, min(len(levels) - 1, levels.index(case.key.risk) + rng.choice((-1, 0, 0, 1))))]
            factors = []
            for fid, wgt in case.key.factors.risk.items():
                if rng.random() < 0.8:
                    factors.append({"kind": "risk", "factor_id": fid,
                                    "severity": max(1, min(4, wgt.severity + rng.choice((-1, 0, 1)))),
                                    "extent": max(1, min(3, wgt.extent + rng.choice((-1, 0, 1))))})
            store.submit_answer(p.id, AnswerIn(case_id=cid, risk=risk, factors=factors,
                                               risk_missing_info="x" if risk == "inte_kant" else None))
    fill = time.perf_counter() - t0
    from programmes.records import certificate, certificate_pdf, checklist_excel, checklist_html, checklist_pdf
    from programmes.service import checklist, divergent_cases, states, trainee_state

    one, state = best(lambda: trainee_state(store, library, members[0].id))
    cohort, _ = best(lambda: states(store, library, programme))
    diverge, _ = best(lambda: divergent_cases(store, library, programme))
    tertial = __import__("insight.periods", fromlist=["label_for"]).label_for(date.today())

    def records():
        c = checklist(store, library, programme, tertial, "sv")
        return checklist_html(c), checklist_pdf(c), checklist_excel(c)

    record, _ = best(records)
    ev = state.evaluation
    cert = None
    if ev.enough and state.met is not None:
        cert, _ = best(lambda: certificate_pdf(certificate("Bench", "T0", start, state.met, "sv")))
    load = os.getloadavg()
    print(f"programmes: {args.trainees} trainees × {len(case_ids)} cases ({args.trainees * len(case_ids)} answers), "
          f"{url.split(':')[0]}, {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"  storing the answers: {fill:.1f} s")
    print(f"  one trainee's state (start page): {one * 1000:.0f} ms")
    print(f"  the cohort's states (cohort view): {cohort * 1000:.0f} ms")
    print(f"  divergent cases: {diverge * 1000:.0f} ms")
    print(f"  tertial checklist + HTML, PDF, Excel: {record * 1000:.0f} ms")
    print(f"  certificate PDF: {'not met' if cert is None else f'{cert * 1000:.0f} ms'}")


if __name__ == "__main__":
    main()
