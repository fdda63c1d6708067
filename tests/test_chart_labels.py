"""Chart labels are never clipped: the risk chart's longest label ("Inte känt –
kan inte bedömas") fits inside the SVG as a browser draws it in the wide font
the chart names first (DejaVu Sans), wherever a chart is drawn into a file
(the records and reports; pages draw in the browser, which measures itself); and "Annat skäl" names its group out of context."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cases import load_library
from samsyn.chart_text import FONT_STACK

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _room_and_width(svg: str, label: str) -> tuple[float, float]:
    """Pixels between the SVG's left edge and the right end of the right-aligned label,
    and the label's width in DejaVu Sans at the size it is drawn."""
    root_x = float(re.search(r'<g fill="none" stroke-miterlimit="10" transform="translate\(([\d.]+),', svg).group(1))
    match = re.search(r'<text text-anchor="end" transform="translate\((-?[\d.]+),[^)]*\)"([^>]*)>' + re.escape(label) + "</text>", svg)
    assert match, f"label {label!r} not drawn"
    size = float(re.search(r'font-size="([\d.]+)px"', match.group(2)).group(1))
    from PIL import ImageFont

    return root_x + float(match.group(1)), ImageFont.truetype(str(DEJAVU), round(size)).getlength(label)


@pytest.fixture(scope="module")
def library():
    return load_library()


@pytest.mark.skipif(not DEJAVU.exists(), reason="DejaVu Sans is not installed (Debian: fonts-dejavu-core)")
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_risk_chart_labels_fit_in_the_feedback_and_the_record(library, lang):
    from feedback.report import _chart
    from feedback.workshop import CaseReveal
    from samsyn import charts

    v = library.variables
    pairs = [(v.risk_label(r, lang), i + 1) for i, r in enumerate(v.risk_answer_ids)]
    reveal = CaseReveal("assi", 1, 10, 3, True, risk_counts={r: i + 1 for i, r in enumerate(v.risk_level_ids)}, not_known=5)
    for svg in (charts.svg(charts.distribution(pairs, pairs[0][0], title="T", description="d", count_title="n",
                                               level_title="l"), lang),
                charts.svg(_chart(reveal, library, lang), lang)):
        assert f'font-family="{FONT_STACK}"' in svg
        for label, _n in pairs:
            room, width = _room_and_width(svg, label)
            assert room >= width, f"{label!r} is clipped at the left edge ({room} px for {width:.0f})"


def test_annat_skal_names_its_group_out_of_context(library):
    v = library.variables
    assert v.qualified_option_label("exposure.home", "annat", "sv") == "Annat skäl (I hemmiljön)"
    assert v.qualified_option_label("exposure.guardian", "annat", "sv") == "Annat skäl (Vårdnadshavarens svårigheter)"
    assert v.qualified_option_label("exposure.guardian", "annat", "en") == "Other reason (Difficulties of the guardian)"
    # "Fysisk ohälsa" is in the guardian's and the child's groups: also named
    assert "(Barnets eget" in v.qualified_option_label("exposure.child", "fysisk_ohalsa", "sv")
    # an option only one group has keeps its plain label
    assert v.qualified_option_label("exposure.home", "fysiskt_vald", "sv") == "Fysiskt våld mot barnet"
    assert v.qualified_option_label("intervention", "hvb", "sv") == v.option_label("intervention", "hvb", "sv")


def test_the_feedback_names_the_group_of_a_missed_annat_skal(library):
    from feedback import build_feedback
    from feedback.model import Response
    from formfill import html_of
    from widgets.feedback_view import FeedbackView

    case = library.get("jamila")
    own = Response("hog", {"exposure.home": ("fysiskt_vald", "annat"), "exposure.guardian": ("inga_svarigheter",)},
                   {"risk": {}, "protective": {}})
    fb = build_feedback(case, library.variables, own, [])
    html = html_of(FeedbackView(fb, case, library.variables, "sv").widget)
    exposure = html[html.index("samsyn-missed") - 200:]
    assert "Annat skäl (I hemmiljön)" in exposure or "Annat skäl (Vårdnadshavarens svårigheter)" in exposure
