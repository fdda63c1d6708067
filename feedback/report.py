"""The record of a workshop: a printable report (HTML and PDF) and an Excel file.

Charts come from :mod:`samsyn.charts` (the same as on the pages), rendered
by vl-convert into the files (SVG in the HTML, PNG in the PDF) — no browser
needed. Everything here is anonymised: the report holds aggregates
per case (hidden below the minimum group size); the Excel file holds the raw
answers under pseudonyms only, one sheet per case.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from cases import Library
from feedback.mapping_report import reveal_lines
from feedback.reveal import group_chart, reveal_html
from feedback.workshop import CaseReveal, Convergence, WorkshopAlpha
from samsyn import charts
from samsyn.i18n import Messages
from samsyn.documents import PdfDocument
from samsyn.escape import esc, spreadsheet_cell
from samsyn.numbers import dec, pct


@dataclass(frozen=True)
class WorkshopRecord:
    name: str
    language: str
    rounds: int
    min_group: int
    reveals: tuple[CaseReveal, ...]  # the latest round of every case
    alpha: WorkshopAlpha
    convergence: tuple[Convergence, ...]
    created: datetime
    #: The group's mappings per case (``feedback.mapping.MappingReveal``; hidden below the minimum itself).
    mappings: dict = field(default_factory=dict)
    #: The spreadsheet's rows per case (``store.exports.MENTOR_RECORD``), only case-rounds the
    #: minimum group answered (``feedback.workshop_record.workshop_record``).
    rows: dict = field(default_factory=dict)


def alpha_text(alpha: WorkshopAlpha, m: Messages) -> str:
    """The workshop's alpha with its interval and the share of "inte känt" it
    left out — one sentence pair for the mentor view, the record and the PDF.
    Numbers as the language writes them (decimal comma in Swedish)."""
    if alpha.value is None:
        return m("report.alpha_undefined")
    lang = m.lang
    text = m("report.alpha", value=dec(alpha.value, lang), low=dec(alpha.low, lang), high=dec(alpha.high, lang),
             n=alpha.n_cases)
    share = alpha.not_known_share
    if share is None:
        return text
    return f"{text} {m('report.alpha_not_known', share=pct(share, lang, 1), n=alpha.not_known, total=alpha.answers)}"


def _chart(reveal: CaseReveal, library: Library, lang: str) -> dict:
    return group_chart(reveal, library.variables, lang)[0]


def render_html(record: WorkshopRecord, library: Library) -> str:
    lang = record.language
    m = Messages(lang)
    out = [
        "<!doctype html>",
        f'<html lang="{esc(lang)}"><head><meta charset="utf-8"><title>{esc(record.name)}</title>',
        "<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;line-height:1.45}"
        "table{border-collapse:collapse}td,th{border-bottom:1px solid #ccc;padding:.2em .8em .2em 0;text-align:left}"
        ".samsyn-too-few{background:#fff6e0;padding:.4em}section{page-break-inside:avoid}</style></head><body>",
        f"<h1>{esc(m('report.title', name=record.name))}</h1>",
        f"<p>{esc(m('report.meta', date=record.created.strftime('%Y-%m-%d'), rounds=record.rounds, min=record.min_group))}</p>",
    ]
    out.append(f'<p class="samsyn-alpha">{esc(alpha_text(record.alpha, m))}</p>')
    for reveal in record.reveals:
        case = library.cases.get(reveal.case_id)
        title = case.title.get(lang) if case else reveal.case_id
        out.append(f"<section><h2>{esc(title)} – {esc(m('report.round', round=reveal.round))}</h2>")
        out.append(reveal_html(reveal, case, library.variables, lang, mapping=record.mappings.get(reveal.case_id)))
        out.append("</section>")
    if record.convergence:
        out.append(f"<h2>{esc(m('mentor.convergence'))}</h2>")
        out.append(convergence_table(record.convergence, library, lang, record.min_group))
    out.append("</body></html>")
    return "".join(out)


def convergence_table(items, library: Library, lang: str, min_group: int) -> str:
    """Round against round, one row per case: consensus before and after, who moved (counts only)."""
    m = Messages(lang)
    rows = []
    for c in items:
        case = library.cases.get(c.case_id)
        title = esc(case.title.get(lang) if case else c.case_id)
        if not c.shown:
            hidden = m("report.hidden", n=min(c.n_round1, c.n_round2), min=min_group)
            rows.append(f'<tr data-case="{esc(c.case_id)}"><td>{title}</td><td colspan="3">{esc(hidden)}</td></tr>')
            continue
        moved = m("mentor.moved_counts", up=c.moved_up, down=c.moved_down, stayed=c.stayed)
        rows.append(f'<tr class="samsyn-convergence-row" data-case="{esc(c.case_id)}"><td>{title}</td>'
                    f"<td>{esc(dec(c.consensus_round1, lang))}</td><td>{esc(dec(c.consensus_round2, lang))}</td><td>{esc(moved)}</td></tr>")
    return (f'<table class="samsyn-table"><thead><tr><th scope="col">{esc(m("progress.case"))}</th>'
            f'<th scope="col">{esc(m("mentor.consensus_r1"))}</th><th scope="col">{esc(m("mentor.consensus_r2"))}</th>'
            f'<th scope="col">{esc(m("mentor.moved"))}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def render_pdf(record: WorkshopRecord, library: Library) -> bytes:
    lang = record.language
    m = Messages(lang)
    doc = PdfDocument(title=m("report.title", name=record.name))
    pdf, para = doc.pdf, doc.para

    para(m("report.title", name=record.name), 16, 3)
    para(m("report.meta", date=record.created.strftime("%Y-%m-%d"), rounds=record.rounds, min=record.min_group))
    para(alpha_text(record.alpha, m))
    for reveal in record.reveals:
        case = library.cases.get(reveal.case_id)
        title = case.title.get(lang) if case else reveal.case_id
        para(f"{title} – {m('report.round', round=reveal.round)}", 13, 2)
        if not reveal.shown:
            para(m("report.hidden", n=reveal.n, min=reveal.min_group))
            continue
        pdf.image(io.BytesIO(charts.png(_chart(reveal, library, lang), lang=lang)), w=120)
        pdf.ln(2)
        if reveal.consensus is not None:
            para(m("feedback.consensus", value=dec(reveal.consensus, lang)))
        for risk_id in library.variables.risk_answer_ids:
            for text in reveal.motivations.get(risk_id, ()):
                para(f"{library.variables.risk_label(risk_id, lang)}: {text}", 9, 1)
        if case is not None and reveal.case_id in record.mappings:
            for line in reveal_lines(record.mappings[reveal.case_id], case, lang):
                para(line, 9, 1)
    for c in record.convergence:
        case = library.cases.get(c.case_id)
        title = case.title.get(lang) if case else c.case_id
        if c.shown:
            para(f"{m('mentor.convergence')} – {title}: {dec(c.consensus_round1, lang)} → {dec(c.consensus_round2, lang)}; "
                 + m("mentor.moved_counts", up=c.moved_up, down=c.moved_down, stayed=c.stayed))
    return doc.output()


def render_excel(rows_by_case: dict[str, list[dict]], library: Library, lang: str) -> bytes:
    """Raw answers, pseudonyms only, one sheet per case."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for case_id, rows in rows_by_case.items():
        case = library.cases.get(case_id)
        # a sheet title may not hold []:*?/\ (a case file's name could): replaced, never an error
        title = re.sub(r"[\[\]:*?/\\]", "-", case.name if case else case_id).strip("'")[:31] or case_id[:31]
        ws = wb.create_sheet(title=title)
        columns = list(rows[0].keys()) if rows else ["pseudonym", "round", "risk"]
        ws.append(columns)
        for row in rows:
            ws.append([spreadsheet_cell(row.get(c)) for c in columns])
    if not wb.sheetnames:
        wb.create_sheet("answers").append(["pseudonym", "round", "risk"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def now() -> datetime:
    return datetime.now(timezone.utc)
