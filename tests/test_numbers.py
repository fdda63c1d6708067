"""Numbers as each language writes them: a decimal comma everywhere in Swedish —
in the feedback, the mentor's reveal, the workshop record and My progress."""

from __future__ import annotations

import re

import pytest

from cases import load_library
from feedback import build_feedback
from feedback.model import Response
from formfill import complete, html_of
from samsyn.numbers import dec, num, pct, pct_range
from store import Store
from widgets import mentor_page, progress_view
from widgets.common import page_context
from widgets.feedback_view import FeedbackView
from widgets.trainee import TraineeLoop

#: A number with a decimal point, as English writes it: never in a Swedish page.
POINT_DECIMAL = re.compile(r"(?<![\w.])\d+\.\d+(?!\w|\.\d)")


def shown_text(markup: str) -> str:
    """What a person reads: no styles, no SVG geometry, no tags or attributes."""
    markup = re.sub(r"<style.*?</style>", " ", markup, flags=re.S)
    markup = re.sub(r"<svg.*?</svg>", " ", markup, flags=re.S)
    texts = re.findall(r'aria-label="([^"]*)"', markup)  # text alternatives are read too
    return " ".join(texts) + " " + re.sub(r"<[^>]+>", " ", markup)


def test_the_formatters():
    assert dec(0.684, "sv") == "0,68" and dec(0.684, "en") == "0.68"
    assert dec(1.25, "sv", 1) in ("1,2", "1,3")
    assert num(1.5, "sv") == "1,5" and num(2.0, "sv") == "2" and num(1.5, "en") == "1.5"
    assert pct(0.8, "sv") == "80\xa0%" and pct(0.8, "en") == "80%"
    assert pct(1 / 6, "sv", 1) == "16,7\xa0%"
    assert pct_range(7 / 16, 9 / 16, "sv") == "44–56\xa0%" and pct_range(7 / 16, 9 / 16, "en") == "44–56%"
    assert dec(None, "sv") == "–" and pct(float("nan"), "sv") == "–"


def _babel(kind: str, value: float, lang: str, places: int) -> str:
    """What Babel (CLDR) writes, with the module's patterns and half-up rounding."""
    import decimal

    from babel.numbers import format_decimal, format_percent

    locale = {"sv": "sv_SE", "en": "en_GB"}[lang]
    with decimal.localcontext() as ctx:
        ctx.rounding = decimal.ROUND_HALF_UP
        if kind == "dec":
            return format_decimal(value, format="0." + "0" * places if places else "0", locale=locale)
        if kind == "num":
            return format_decimal(value, format="#,##0." + "#" * places if places else "#,##0", locale=locale)
        digits = "." + "#" * places if places else ""
        return format_percent(value, format=f"#,##0{digits}\xa0%" if lang == "sv" else f"#,##0{digits}%", locale=locale)


def test_the_formatters_write_what_babel_writes():
    """samsyn.numbers does not load Babel's locale data in a kernel; it must write exactly what Babel
    (CLDR) writes, for small and large, negative, halfway and whole values in both languages."""
    import random

    rng = random.Random(2026)
    values = [0.0, -0.0, 0.5, 1.5, 2.5, 0.125, 0.135, 0.005, -0.005, 0.0049, 12.5, -12.5, 999.995, 1000, 1234.5,
              -1234.5, 12345.678, 1e6, 0.684, 0.999, 1.0, 0.1 + 0.2, 41.0 / 3]
    values += [rng.uniform(-2, 2) for _ in range(400)] + [rng.uniform(-1e6, 1e6) for _ in range(200)]
    values += [round(rng.uniform(0, 1), 3) for _ in range(300)]  # shares with a halfway digit
    formatters = {"dec": dec, "num": num, "pct": pct}
    for lang in ("sv", "en"):
        for kind, formatter in formatters.items():
            for places in (0, 1, 2):
                for value in values:
                    if kind == "pct" and abs(value) > 10:
                        continue
                    assert formatter(value, lang, places) == _babel(kind, value, lang, places), (kind, value, lang, places)


def test_the_scan_finds_a_point_decimal():
    assert POINT_DECIMAL.search(shown_text("<p>Samstämmighet: 0.68</p>"))
    assert POINT_DECIMAL.search(shown_text("<p>Samstämmighet i gruppen (0–1): 0.68.</p>"))  # at a sentence's end
    assert not POINT_DECIMAL.search(shown_text('<p>Samstämmighet: 0,68</p><svg><path d="M0.5,1.5"/></svg>'))


@pytest.fixture(scope="module")
def library():
    return load_library()


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'numbers.sqlite3'}"
    monkeypatch.setenv("SAMSYN_DATABASE_URL", url)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    return Store(url)


def _response(risk: str, severity: int) -> Response:
    return Response(risk=risk, selections={"exposure.home": ("brister_i_omsorg",), "intervention": ("kontaktperson",)},
                    factors={"risk": {"drug-use": {"severity": severity, "extent": 2}}, "protective": {}})


def test_swedish_feedback_has_no_point_decimal(library):
    case = library.get("tobias")
    others = [_response(r, s) for r, s in (("hog", 4), ("mycket_hog", 3), ("nagot_forhojd", 2), ("hog", 1), ("hog", 3))]
    fb = build_feedback(case, library.variables, _response("nagot_forhojd", 1), others,
                        panel=library.panels.for_case("tobias"), min_group=3)
    assert fb.group_consensus is not None and fb.group_consensus != round(fb.group_consensus)  # a real decimal to show
    sv = shown_text(html_of(FeedbackView(fb, case, library.variables, "sv").widget))
    en = shown_text(html_of(FeedbackView(fb, case, library.variables, "en").widget))
    assert not POINT_DECIMAL.findall(sv), POINT_DECIMAL.findall(sv)
    assert POINT_DECIMAL.search(en)  # the same number, as English writes it
    assert re.search(r"\d,\d", sv)


def test_swedish_reveal_record_and_progress_have_no_point_decimal(store, library):
    workshop, secret = store.create_workshop("W", ["tobias", "jamila"], min_group_size=3, language="sv")
    people = []
    for i, (t, j) in enumerate([("hog", "nagot_forhojd"), ("mycket_hog", "hog"), ("nagot_forhojd", "nagot_forhojd"),
                                ("hog", "ingen_lag")]):
        p = store.join_workshop(workshop.join_code, f"P{i}")
        people.append(p)
        for case_id, risk in (("tobias", t), ("jamila", j)):
            loop = TraineeLoop(library.get(case_id), library, store, p, "sv", workshop=store.workshop(workshop.id))
            complete(loop, risk, "En motivering som är lång nog.")
    f = mentor_page.Facilitator(page_context(f"workshop={workshop.id}&secret={secret}"), store, library, workshop.id)
    f.reveal("tobias")
    reveal = shown_text(html_of(f.case_boxes["tobias"]["panel"]))
    assert "Krippendorffs alfa" in reveal and re.search(r"\d,\d\d", reveal)
    assert not POINT_DECIMAL.findall(reveal), POINT_DECIMAL.findall(reveal)

    from feedback import report
    from feedback.workshop import case_reveal, workshop_alpha

    reveals = tuple(f._reveal_value(c, 1) for c in ("tobias", "jamila"))
    by_case = {c: {p: a.risk for p, a in f._responses(c, 1).items()} for c in ("tobias", "jamila")}
    record = report.WorkshopRecord("W", "sv", 1, 3, reveals, workshop_alpha(by_case, library.variables, min_group=3),
                                   (), report.now())
    html = shown_text(report.render_html(record, library))
    assert not POINT_DECIMAL.findall(html), POINT_DECIMAL.findall(html)
    assert case_reveal  # imported for the record's type

    progress = shown_text(html_of(progress_view.build(store, people[0], library, "sv", min_group=3)))
    assert not POINT_DECIMAL.findall(progress), POINT_DECIMAL.findall(progress)


def test_chart_axis_numbers_have_a_decimal_comma_in_swedish():
    import altair as alt

    from samsyn import charts

    spec = alt.Chart(alt.Data(values=[{"x": 0.25, "y": "a"}, {"x": 0.75, "y": "b"}])).mark_bar().encode(
        x=alt.X("x:Q", scale=alt.Scale(domain=[0, 1])), y="y:N").to_dict()
    labels = lambda svg: re.findall(r"<text[^>]*>([^<]*)</text>", svg)  # noqa: E731
    sv, en = labels(charts.svg(spec, "sv")), labels(charts.svg(spec, "en"))
    assert "0,2" in sv and "0.2" not in sv
    assert "0.2" in en
