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
from dataclasses import dataclass
from datetime import datetime, timezone

from cases import Library
from feedback.workshop import CaseReveal, Convergence, WorkshopAlpha
from samsyn.i18n import Messages
from samsyn.escape import esc, spreadsheet_cell


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


def alpha_text(alpha: WorkshopAlpha, m: Messages) -> str:
    """The workshop's alpha with its interval and the share of "inte känt" it
    left out — one sentence pair for the mentor view, the record and the PDF.
    Numbers as the language writes them (decimal comma in Swedish)."""
    from babel.numbers import format_decimal, format_percent

    if alpha.value is None:
        return m("report.alpha_undefined")
    locale = "sv_SE" if m.lang == "sv" else "en_GB"

    def dec(x: float | None) -> str:
        return "–" if x is None else format_decimal(x, format="0.00", locale=locale)

    text = m("report.alpha", value=dec(alpha.value), low=dec(alpha.low), high=dec(alpha.high), n=alpha.n_cases)
    share = alpha.not_known_share
    if share is None:
        return text
    pct = format_percent(share, format="#,##0.#\xa0%" if m.lang == "sv" else "#,##0.#%", locale=locale)
    return f"{text} {m('report.alpha_not_known', share=pct, n=alpha.not_known, total=alpha.answers)}"


def _risk_pairs(reveal: CaseReveal, library: Library, lang: str) -> list[tuple[str, int]]:
    counts = dict(reveal.risk_counts)
    counts[library.variables.risk.not_assessable.id] = reveal.not_known
    return [(library.variables.risk_label(r, lang), int(counts.get(r, 0))) for r in library.variables.risk_answer_ids]


def _chart(reveal: CaseReveal, library: Library, lang: str) -> dict:
    from samsyn import charts

    m = Messages(lang)
    pairs = _risk_pairs(reveal, library, lang)
    title = m("report.group_chart", n=reveal.n)
    description = m("mentor.chart_description", title=title, counts="; ".join(f"{a}: {b}" for a, b in pairs))
    return charts.distribution(pairs, None, title=title, description=description,
                               count_title=m("feedback.count_axis"), level_title=m("chart.level"))


def render_html(record: WorkshopRecord, library: Library) -> str:
    from samsyn import charts

    lang = record.language
    m = Messages(lang)
    out = [
        "<!doctype html>",
        f'<html lang="{esc(lang)}"><head><meta charset="utf-8"><title>{esc(record.name)}</title>',
        "<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;line-height:1.45}"
        "table{border-collapse:collapse}td,th{border-bottom:1px solid #ccc;padding:.2em .8em .2em 0;text-align:left}"
        ".hidden{background:#fff6e0;padding:.4em}section{page-break-inside:avoid}</style></head><body>",
        f"<h1>{esc(m('report.title', name=record.name))}</h1>",
        f"<p>{esc(m('report.meta', date=record.created.strftime('%Y-%m-%d'), rounds=record.rounds, min=record.min_group))}</p>",
    ]
    out.append(f'<p class="samsyn-alpha">{esc(alpha_text(record.alpha, m))}</p>')
    for reveal in record.reveals:
        case = library.cases.get(reveal.case_id)
        title = case.title.get(lang) if case else reveal.case_id
        out.append(f"<section><h2>{esc(title)} – {esc(m('report.round', round=reveal.round))}</h2>")
        if not reveal.shown:
            out.append(f'<p class="hidden">{esc(m("report.hidden", n=reveal.n, min=reveal.min_group))}</p></section>')
            continue
        out.append(charts.svg(_chart(reveal, library, lang)))
        if reveal.consensus is not None:
            out.append(f"<p>{esc(m('feedback.consensus', value=f'{reveal.consensus:.2f}'))}</p>")
        if reveal.panel is not None:
            panel = ", ".join(f"{library.variables.risk_label(r, lang)}: {n}" for r, n in reveal.panel.risk.items())
            out.append(f"<p>{esc(m('report.panel', n=reveal.panel.n, year=reveal.panel.year, counts=panel))}</p>")
        if reveal.key_risk:
            out.append(f"<p>{esc(m('feedback.key', rating=library.variables.risk_label(reveal.key_risk, lang)))}</p>")
        out.append(f"<h3>{esc(m('mentor.motivations'))}</h3>")
        for risk_id in library.variables.risk_answer_ids:
            texts = reveal.motivations.get(risk_id)
            if texts:
                items = "".join(f"<li>{esc(t)}</li>" for t in texts)
                out.append(f"<p><strong>{esc(library.variables.risk_label(risk_id, lang))}</strong></p><ul>{items}</ul>")
        if reveal.goals:
            items = "".join(f"<li>{esc(g.get('goal', ''))} ({esc(m('form.baseline'))}: {esc(g.get('baseline', '') or '–')})</li>"
                            for g in reveal.goals)
            out.append(f"<h3>{esc(m('feedback.group_goals'))}</h3><ul>{items}</ul>")
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
                    f"<td>{c.consensus_round1:.2f}</td><td>{c.consensus_round2:.2f}</td><td>{esc(moved)}</td></tr>")
    return (f'<table class="samsyn-table"><thead><tr><th scope="col">{esc(m("progress.case"))}</th>'
            f'<th scope="col">{esc(m("mentor.consensus_r1"))}</th><th scope="col">{esc(m("mentor.consensus_r2"))}</th>'
            f'<th scope="col">{esc(m("mentor.moved"))}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def render_pdf(record: WorkshopRecord, library: Library) -> bytes:
    from fpdf import FPDF

    from samsyn import charts

    lang = record.language
    m = Messages(lang)
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    font = _unicode_font()
    family = "Helvetica"
    if font:
        pdf.add_font("Body", "", font)
        family = "Body"
    pdf.add_page()

    def para(text: str, size: int = 10, gap: float = 2) -> None:
        pdf.set_font(family, size=size)
        pdf.multi_cell(0, size * 0.5, text if font else text.encode("latin-1", "replace").decode("latin-1"))
        pdf.ln(gap)

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
        pdf.image(io.BytesIO(charts.png(_chart(reveal, library, lang))), w=120)
        pdf.ln(2)
        if reveal.consensus is not None:
            para(m("feedback.consensus", value=f"{reveal.consensus:.2f}"))
        for risk_id in library.variables.risk_answer_ids:
            for text in reveal.motivations.get(risk_id, ()):
                para(f"{library.variables.risk_label(risk_id, lang)}: {text}", 9, 1)
    for c in record.convergence:
        case = library.cases.get(c.case_id)
        title = case.title.get(lang) if case else c.case_id
        if c.shown:
            para(f"{m('mentor.convergence')} – {title}: {c.consensus_round1} → {c.consensus_round2}; "
                 + m("mentor.moved_counts", up=c.moved_up, down=c.moved_down, stayed=c.stayed))
    return bytes(pdf.output())


def _unicode_font() -> str | None:
    """A TrueType font with Swedish letters and dashes (DejaVu ships with Debian and matplotlib)."""
    from pathlib import Path

    candidates = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")]
    try:
        import fpdf

        candidates += list(Path(fpdf.__file__).parent.glob("**/*.ttf"))
    except ImportError:  # pragma: no cover
        pass
    for path in candidates:
        if path.exists():
            return str(path)
    return None


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
