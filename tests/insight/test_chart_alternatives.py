"""Every manager chart has a text alternative that carries its numbers (WCAG 1.1.1).

A chart is named (``aria-label``: title, what it shows, which table has its numbers) and the
table it names holds every number the chart draws. Checked for every chart of every view, in
both languages, on demo data (with and without a case chosen).
"""

from __future__ import annotations

import math
from datetime import date

import pytest

from cases import load_library
from insight import Filters, load_answers, prepare
from insight.demo import write
from insight.report import SECTIONS, Context, build_section, chart_alt, section_html
from samsyn.i18n import Messages
from store.db import dispose_all

#: Channels whose quantitative field a reader reads off the chart (not the stacking order).
READ_CHANNELS = ("x", "x2", "y", "y2", "theta", "size")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('alt') / 'demo.sqlite3'}"
    library = load_library()
    write(url, library, answers=1500, teams=5, seed=3, end=date(2026, 11, 23))
    prepared = prepare(load_answers(url), library)
    dispose_all()
    return prepared, library


def _layers(spec: dict):
    yield spec
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for sub in spec.get(key, []) or []:
            yield from _layers(sub)


def drawn_numbers(spec: dict) -> list[float]:
    """The numbers a chart draws: the quantitative fields of its encodings, in its data rows
    (reference lines with a single constant — the zero line, a cut-off — are not data)."""
    fields = set()
    for layer in _layers(spec):
        for channel, enc in (layer.get("encoding") or {}).items():
            if channel in READ_CHANNELS and isinstance(enc, dict) and enc.get("field") and enc.get("type") == "quantitative":
                fields.add(enc["field"])
    datasets = list((spec.get("datasets") or {}).values())
    for layer in _layers(spec):
        values = (layer.get("data") or {}).get("values")
        if values:
            datasets.append(values)
    out = []
    for rows in datasets:
        if len(rows) == 1 and len(rows[0]) == 1:
            continue  # a constant line
        for row in rows:
            out += [float(row[f]) for f in fields if isinstance(row.get(f), (int, float)) and not isinstance(row.get(f), bool)]
    return out


def table_numbers(table) -> list[float]:
    out = []
    for row in table.rows:
        for cell in row:
            for v in (cell if isinstance(cell, tuple) else (cell,)):
                if isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isnan(v):
                    out.append(float(v))
    return out


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("case", [None, "max"])
def test_every_chart_names_a_table_with_all_its_numbers(data, lang, case):
    prepared, library = data
    ctx = Context(prepared, Filters(case=case), library, lang, 5, n_boot=50)
    m = Messages(lang)
    seen = drawing = 0
    for key in SECTIONS:
        section = build_section(key, ctx)
        for chart in section.charts:
            seen += 1
            label = chart.css or chart.spec.get("description", "")
            assert chart.numbers is not None and chart.numbers in section.tables, f"{key}: {label} names no table"
            alt = chart_alt(chart, m)
            assert chart.numbers.caption in alt and chart.spec["description"] in alt
            drawn, shown = drawn_numbers(chart.spec), table_numbers(chart.numbers)
            drawing += len(drawn)
            missing = [v for v in drawn if not any(math.isclose(v, t, abs_tol=1e-9) for t in shown)]
            assert not missing, f"{key}: {label}: numbers drawn but not in “{chart.numbers.caption}”: {missing[:5]}"
        html = section_html(section, ctx)
        for chart in section.charts:  # the page and the printable report carry the same name
            from widgets.common import esc

            from insight.report import table_id

            assert f'role="img" aria-label="{esc(chart_alt(chart, m))}" aria-details="{table_id(chart.numbers)}"' in html
            assert f'id="{table_id(chart.numbers)}"' in html
    assert drawing > 20  # the charts draw numbers, and all of them were checked
    assert seen >= 6  # consistency 2 (1 when alpha is undefined), bias 2 (+1 for a case), quality 1, exposures 1


def test_a_chart_without_its_table_is_caught(data):
    """The check above fails on a chart whose numbers are not in the table it names."""
    prepared, library = data
    ctx = Context(prepared, Filters(), library, "en", 5, n_boot=50)
    section = build_section("bias", ctx)
    drift = next(c for c in section.charts if c.numbers is not None and c.numbers.css == "samsyn-manager-drift")
    other = next(t for t in section.tables if t.css == "samsyn-manager-cells")
    drawn, shown = drawn_numbers(drift.spec), table_numbers(other)
    assert any(not any(math.isclose(v, t, abs_tol=1e-9) for t in shown) for v in drawn)
