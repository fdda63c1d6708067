"""A workshop's reveal and record, read through ``store.Store``: what the mentor's page calls
and the tests call directly.

* :func:`case_reveal_of` and :func:`mapping_reveal_of` — one case in one round, anonymised;
* :func:`round_alpha` — the workshop's alpha over its cases in one round;
* :func:`workshop_record` — the whole record (every case's latest round, the convergence,
  the alpha, and the spreadsheet's rows under ``store.exports.MENTOR_RECORD``);
* :func:`record_files` — the record as the three files (HTML, PDF, Excel).

The privacy rule is :func:`feedback.workshop.group_shown`, here as in every reveal: a
case-round answered by fewer than the workshop's minimum group is hidden in the HTML and PDF
(only its count) and absent from the spreadsheet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cases import Library
from feedback import report
from feedback.mapping import MappingReveal, mapping_reveal
from feedback.model import Response, response_from_answer
from feedback.workshop import CaseReveal, WorkshopAlpha, case_reveal, convergence, group_shown, workshop_alpha
from store import Store
from store.exports import MENTOR_RECORD


def responses(store: Store, workshop_id: int, case_id: str, round: int) -> dict[int, Response]:
    """The workshop's answers to one case in one round, keyed by participant id (never shown)."""
    return {a.participant_id: response_from_answer(a)
            for a in store.answers(case_id=case_id, round=round, workshop_id=workshop_id)}


def case_reveal_of(store: Store, library: Library, workshop_id: int, case_id: str, round: int, *,
                   min_group: int) -> CaseReveal:
    """The reveal of one case in one round (hidden below ``min_group``)."""
    return _case_reveal(library, workshop_id, case_id, round, list(responses(store, workshop_id, case_id, round).values()),
                        min_group)


def _case_reveal(library: Library, workshop_id: int, case_id: str, round: int, answers: list, min_group: int) -> CaseReveal:
    panel = library.panels.for_case(case_id) if library.panels else None
    return case_reveal(library.cases[case_id], library.variables, answers, round=round, min_group=min_group,
                       panel=panel, shuffle_seed=workshop_id)


def mapping_reveal_of(store: Store, library: Library, workshop_id: int, case_id: str, round: int, *,
                      min_group: int) -> MappingReveal:
    """The group's mappings of one case in one round (hidden below ``min_group``)."""
    answers = list(responses(store, workshop_id, case_id, round).values())
    return mapping_reveal(library.cases[case_id], answers, min_group=min_group, shuffle_seed=workshop_id)


def case_convergence(store: Store, library: Library, workshop, case_id: str, round: int):
    """How one case's ratings moved from ``round - 1`` to ``round`` (hidden below the minimum)."""
    first, second = (
        {p: r.risk for p, r in responses(store, workshop.id, case_id, n).items()} for n in (round - 1, round))
    return convergence(case_id, first, second, library.variables.risk_level_ids, min_group=workshop.min_group_size)


def round_alpha(store: Store, library: Library, workshop, round: int) -> WorkshopAlpha:
    """The workshop's alpha over every case in ``round`` (cases below the minimum left out)."""
    by_case = {wc.case_id: {p: r.risk for p, r in responses(store, workshop.id, wc.case_id, round).items()}
               for wc in workshop.cases}
    return workshop_alpha(by_case, library.variables, min_group=workshop.min_group_size, seed=workshop.id)


def workshop_record(store: Store, library: Library, workshop_id: int, *, created=None) -> report.WorkshopRecord:
    """The record of a workshop: every case's latest answered round, the convergence from the round
    before, the alpha over those rounds, and the spreadsheet's rows — all anonymised, every
    case-round below the minimum group hidden (and absent from the rows)."""
    workshop = store.workshop(workshop_id)
    min_group = workshop.min_group_size
    counts = store.answer_counts(workshop_id)
    reveals, conv, mappings, by_case = [], [], {}, {}
    for wc in workshop.cases:
        if wc.case_id not in library.cases:
            continue
        latest = max([r for (cid, r), n in counts.items() if cid == wc.case_id and n] or [1])
        answers = responses(store, workshop_id, wc.case_id, latest)  # read once for the reveal, mapping and alpha
        reveals.append(_case_reveal(library, workshop_id, wc.case_id, latest, list(answers.values()), min_group))
        mappings[wc.case_id] = mapping_reveal(library.cases[wc.case_id], list(answers.values()), min_group=min_group,
                                              shuffle_seed=workshop_id)
        by_case[wc.case_id] = {p: a.risk for p, a in answers.items()}
        if latest > 1:
            conv.append(case_convergence(store, library, workshop, wc.case_id, latest))
    alpha = workshop_alpha(by_case, library.variables, min_group=min_group, seed=workshop_id)
    rows: dict[str, list[dict]] = {}
    for row in store.export_rows(workshop_id=workshop_id):
        if group_shown(counts.get((row["case_id"], row["round"]), 0), min_group):
            rows.setdefault(row["case_id"], []).append(MENTOR_RECORD.apply(row))
    return report.WorkshopRecord(workshop.name, workshop.language, workshop.current_round, min_group, tuple(reveals),
                                 alpha, tuple(conv), created or report.now(), mappings, rows)


@dataclass(frozen=True)
class RecordFiles:
    stem: str
    html: bytes
    pdf: bytes
    xlsx: bytes


def record_files(record: report.WorkshopRecord, library: Library, stem: str,
                 progress: Callable[[float, str], None] | None = None) -> RecordFiles:
    """The record as its three files. ``progress(fraction, message id)`` is told before each file."""
    step = progress or (lambda _f, _m: None)
    step(0.05, "mentor.progress_html")
    html = report.render_html(record, library).encode("utf-8")
    step(0.4, "mentor.progress_pdf")
    pdf = report.render_pdf(record, library)
    step(0.8, "mentor.progress_excel")
    xlsx = report.render_excel(record.rows, library, record.language)
    return RecordFiles(stem, html, pdf, xlsx)
