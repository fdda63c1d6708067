"""What a programme files: a trainee's certificate (PDF) and the tertial checklist (HTML, PDF, Excel).

The certificate is issued only for a criterion that is met, with the programme,
the period and the figures of the cases that met it. The checklist is for a
unit head: aggregates only — what was practised (steps, cases, how many
answers), how consistency moved month by month, how many met the criterion —
and every group below the programme's minimum group size is hidden, as in the
manager view. Text people typed (the programme's name) is escaped in HTML and
guarded against formulas in Excel (``samsyn.escape.spreadsheet_cell``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from programmes.calibration import Criterion, Evaluation
from samsyn.documents import PdfDocument
from samsyn.numbers import dec, pct, steps
from samsyn.i18n import Messages


def criterion_text(criterion: Criterion, m: Messages) -> str:
    """The criterion in words, for the pages and the records."""
    lang = m.lang
    if criterion.kind == "share_lean":
        return m("programme.criterion.share_lean", window=criterion.window, share=pct(criterion.min_share, lang),
                 lean=dec(criterion.max_lean, lang, 1))
    key = "programme.criterion.ac2" if criterion.kind == "ac2" else "programme.criterion.alpha"
    return m(key, window=criterion.window, min=dec(criterion.min_coefficient, lang))


def evaluation_lines(e: Evaluation, m: Messages) -> list[str]:
    """The criterion's figures in sentences (none when there are too few cases)."""
    lang = m.lang
    if not e.enough:
        return [m("programme.criterion.too_few", n=e.n_rated, window=e.criterion.window, missing=e.missing)]
    lines = [m("programme.criterion.share", share=pct(e.share_within_one, lang), window=e.criterion.window),
             m("programme.criterion.lean", lean=steps(e.lean, lang))]
    if e.criterion.kind != "share_lean":
        name = m("programme.ac2") if e.criterion.kind == "ac2" else m("programme.alpha")
        if e.coefficient is None:
            lines.append(m("programme.criterion.coefficient_undefined", name=name))
        else:
            lines.append(m("programme.criterion.coefficient", name=name, value=dec(e.coefficient, lang)))
    if e.n_not_known:
        lines.append(m("programme.criterion.not_known", n=e.n_not_known))
    return lines


def _pdf(title: str | None = None):
    doc = PdfDocument(title=title)
    return doc, doc.para


@dataclass(frozen=True)
class Certificate:
    programme: str
    person: str
    start: date
    end: date
    evaluation: Evaluation
    lang: str
    issued: date


def certificate(programme: str, person: str, start: date, evaluation: Evaluation, lang: str,
                issued: date | None = None) -> Certificate:
    """A certificate for a met criterion; ValueError when it is not met (or rests on too few cases)."""
    if not (evaluation.enough and evaluation.met):
        raise ValueError("a certificate needs a met criterion")
    end = evaluation.until.date() if isinstance(evaluation.until, datetime) else (issued or date.today())
    return Certificate(programme, person, start, end, evaluation, lang, issued or date.today())


def certificate_lines(c: Certificate) -> list[str]:
    m = Messages(c.lang)
    return [
        m("programme.certificate.title"),
        m("programme.certificate.person", person=c.person),
        m("programme.certificate.programme", name=c.programme),
        m("programme.certificate.period", start=c.start.isoformat(), end=c.end.isoformat()),
        m("programme.certificate.criterion", criterion=criterion_text(c.evaluation.criterion, m)),
        *evaluation_lines(c.evaluation, m),
        m("programme.certificate.met"),
        m("programme.certificate.issued", date=c.issued.isoformat()),
    ]


def certificate_pdf(c: Certificate) -> bytes:
    lines = certificate_lines(c)
    doc, para = _pdf(lines[0])
    para(lines[0], 20, 6)
    for line in lines[1:]:
        para(line, 12, 3)
    return doc.output()


# -- the tertial checklist ------------------------------------------------------------------------
def tertial_bounds(label: str) -> tuple[date, date]:
    """First and last day of a tertial (``2026 T3``).

    >>> tertial_bounds("2026 T3"), tertial_bounds("2027 T1")[1]
    ((datetime.date(2026, 9, 1), datetime.date(2026, 12, 31)), datetime.date(2027, 4, 30))
    """
    from insight.periods import tertial_start

    start = tertial_start(label)
    month = start.month + 4
    end = date(start.year + (month > 12), (month - 1) % 12 + 1, 1) - timedelta(days=1)
    return start, end


def tertials_between(start: date, end: date) -> list[str]:
    """The tertials a period touches, oldest first.

    >>> tertials_between(date(2026, 8, 24), date(2027, 2, 1))
    ['2026 T2', '2026 T3', '2027 T1']
    """
    from insight.periods import label_for

    out, day = [], start
    while day <= end:
        label = label_for(day)
        if label not in out:
            out.append(label)
        day = tertial_bounds(label)[1] + timedelta(days=1)
    return out


@dataclass(frozen=True)
class Row:
    """One line of a checklist table; ``hidden`` replaces the figures for a group below the minimum."""

    label: str
    n: int
    people: int
    share_within_one: float | None
    mean_lean: float | None
    hidden: bool


@dataclass(frozen=True)
class Checklist:
    programme: str
    tertial: str
    lang: str
    min_group: int
    members: int
    steps: tuple[tuple[int, str, tuple[str, ...]], ...]  # (week, kind, case titles) of steps in the tertial
    cases: tuple[Row, ...]
    months: tuple[Row, ...]
    met: int | None  # members who met the criterion (None: fewer members than the minimum)
    alpha: float | None  # Krippendorff's alpha (ordinal) among the members over the tertial's cases


def _row(label: str, results: list, min_group: int) -> Row:
    rated = [r for _pid, r in results if r.rated]
    people = len({pid for pid, _r in results})
    hidden = len(results) < min_group or people < min_group
    share = sum(bool(r.within_one) for r in rated) / len(rated) if rated and not hidden else None
    lean = sum(r.steps_from_key for r in rated) / len(rated) if rated and not hidden else None
    return Row(label, len(results), people, share, lean, hidden)


def build_checklist(programme, tertial: str, results_by_member: dict[int, list], evaluations: dict[int, Evaluation],
                    case_titles: dict[str, str], levels, lang: str) -> Checklist:
    """The checklist of one tertial. ``results_by_member``: participant id → their
    ``CaseResult`` list over the programme; only results submitted in the tertial count."""
    from insight.periods import label_for
    from programmes.schedule import _day

    min_group = programme.min_group_size
    start, end = tertial_bounds(tertial)
    in_tertial = [(pid, r) for pid, rs in results_by_member.items() for r in rs if label_for(r.submitted_at) == tertial]
    first = _day(programme.starts_on)
    step_rows = []
    for st in programme.steps:
        week_start = first + timedelta(days=7 * (st.week - 1))
        if start <= week_start <= end:
            step_rows.append((st.week, st.kind, tuple(case_titles.get(c, c) for c in st.case_ids)))
    by_case: dict[str, list] = {}
    for pid, r in in_tertial:
        by_case.setdefault(r.case_id, []).append((pid, r))
    cases = tuple(_row(case_titles.get(c, c), rows, min_group) for c, rows in sorted(by_case.items()))
    by_month: dict[str, list] = {}
    for pid, r in in_tertial:
        from zoneinfo import ZoneInfo

        when = r.submitted_at
        when = when.astimezone(ZoneInfo("Europe/Stockholm")) if when.tzinfo else when
        by_month.setdefault(when.strftime("%Y-%m"), []).append((pid, r))
    months = tuple(_row(k, v, min_group) for k, v in sorted(by_month.items()))
    members = len(results_by_member)
    met = sum(1 for e in evaluations.values() if e.met) if members >= min_group else None
    alpha = None
    rated = [(pid, r) for pid, r in in_tertial if r.rated]
    if len({pid for pid, _ in rated}) >= min_group:
        import numpy as np

        from scoring import krippendorff_alpha

        people = sorted({pid for pid, _ in rated})
        case_ids = sorted({r.case_id for _, r in rated})
        data = np.full((len(people), len(case_ids)), np.nan)
        for pid, r in rated:
            data[people.index(pid), case_ids.index(r.case_id)] = levels.index(r.risk)
        stat = krippendorff_alpha(data, "ordinal", value_domain=list(range(len(levels))))
        alpha = float(stat.value) if stat.defined else None
    return Checklist(programme.name, tertial, lang, min_group, members, tuple(step_rows), cases, months, met, alpha)


def _table_rows(c: Checklist, rows: tuple[Row, ...], m: Messages) -> list[list[str]]:
    out = []
    for r in rows:
        if r.hidden:
            out.append([r.label, m("programme.checklist.hidden", min=c.min_group), "", ""])
        else:
            out.append([r.label, str(r.n), pct(r.share_within_one, c.lang), steps(r.mean_lean, c.lang)])
    return out


def checklist_sections(c: Checklist) -> list[tuple[str, list[str], list[str], list[list[str]]]]:
    """(heading, sentences, table columns, table rows) — the same content for HTML, PDF and Excel."""
    m = Messages(c.lang)
    practised = [m("programme.checklist.step", week=w, kind=m("programme.kind_workshop") if k == "workshop"
                   else m("programme.kind_cases"), cases=", ".join(t)) for w, k, t in c.steps] \
        or [m("programme.checklist.no_steps")]
    columns = [m("programme.checklist.col_label"), m("programme.checklist.col_n"),
               m("programme.checklist.col_share"), m("programme.checklist.col_lean")]
    facts = [m("programme.checklist.members", n=c.members)]
    facts.append(m("programme.checklist.met", n=c.met, members=c.members) if c.met is not None
                 else m("programme.checklist.met_hidden", min=c.min_group))
    facts.append(m("programme.checklist.alpha", value=dec(c.alpha, c.lang)) if c.alpha is not None
                 else m("programme.checklist.alpha_none", min=c.min_group))
    return [
        (m("programme.checklist.practised"), practised, [], []),
        (m("programme.checklist.by_case"), [], columns, _table_rows(c, c.cases, m)),
        (m("programme.checklist.consistency"), facts, columns, _table_rows(c, c.months, m)),
    ]


def checklist_html(c: Checklist) -> str:
    from samsyn.escape import esc

    m = Messages(c.lang)
    title = m("programme.checklist.title", name=c.programme, tertial=c.tertial)
    out = ["<!doctype html>", f'<html lang="{esc(c.lang)}"><head><meta charset="utf-8"><title>{esc(title)}</title>',
           "<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;line-height:1.45}"
           "table{border-collapse:collapse}td,th{border-bottom:1px solid #ccc;padding:.2em .8em .2em 0;text-align:left}"
           "</style></head><body>", f"<h1>{esc(title)}</h1>",
           f"<p>{esc(m('programme.checklist.privacy', min=c.min_group))}</p>"]
    for heading, sentences, columns, rows in checklist_sections(c):
        out.append(f"<section><h2>{esc(heading)}</h2>")
        out += [f"<p>{esc(s)}</p>" for s in sentences]
        if columns:
            head = "".join(f'<th scope="col">{esc(col)}</th>' for col in columns)
            body = "".join("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>" for row in rows)
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>" if rows
                       else f"<p>{esc(m('programme.checklist.no_answers'))}</p>")
        out.append("</section>")
    out.append("</body></html>")
    return "".join(out)


def checklist_pdf(c: Checklist) -> bytes:
    m = Messages(c.lang)
    doc, para = _pdf(m("programme.checklist.title", name=c.programme, tertial=c.tertial))
    para(m("programme.checklist.title", name=c.programme, tertial=c.tertial), 16, 3)
    para(m("programme.checklist.privacy", min=c.min_group), 9, 3)
    for heading, sentences, columns, rows in checklist_sections(c):
        para(heading, 13, 2)
        for s in sentences:
            para(s, 10, 1)
        if columns:
            for row in rows or [[m("programme.checklist.no_answers")]]:
                para(" · ".join(v for v in row if v), 10, 1)
        doc.pdf.ln(2)
    return doc.output()


def checklist_excel(c: Checklist) -> bytes:
    from openpyxl import Workbook

    from samsyn.escape import spreadsheet_cell as _cell

    m = Messages(c.lang)
    wb = Workbook()
    ws = wb.active
    ws.title = c.tertial.replace(" ", "-")
    ws.append([_cell(m("programme.checklist.title", name=c.programme, tertial=c.tertial))])
    ws.append([_cell(m("programme.checklist.privacy", min=c.min_group))])
    for heading, sentences, columns, rows in checklist_sections(c):
        ws.append([])
        ws.append([_cell(heading)])
        for s in sentences:
            ws.append([_cell(s)])
        if columns:
            ws.append([_cell(col) for col in columns])
            source = c.cases if heading == m("programme.checklist.by_case") else c.months
            for r in source:  # numbers as numbers; a hidden group's figures never leave the program
                if r.hidden:
                    ws.append([_cell(r.label), _cell(m("programme.checklist.hidden", min=c.min_group))])
                else:
                    ws.append([_cell(r.label), r.n, None if r.share_within_one is None else round(r.share_within_one, 3),
                               None if r.mean_lean is None else round(r.mean_lean, 2)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
