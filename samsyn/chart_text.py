"""Chart text that is never clipped.

vl-convert measures text on the server with the fonts it finds, the browser
draws it with its own: when the browser's ``sans-serif`` is wider (DejaVu Sans
on Debian), a right-aligned axis label such as "Inte känt – kan inte bedömas"
runs off the left edge of the SVG. So every chart is measured in one wide
font (DejaVu Sans, which ships with Debian; vl-convert measures a single
family, not a list), allows long labels and keeps a margin round the plot
(``unclipped(spec)``); the SVG then names DejaVu Sans first and Verdana (as
wide) after it (``svg(spec)``), so a browser never draws wider than measured.
"""

from __future__ import annotations

FONT = "DejaVu Sans"
FONT_STACK = "DejaVu Sans, Verdana, sans-serif"
#: The longest axis or legend label drawn in full (pixels); longer ones end in "…".
LABEL_LIMIT = 320
PADDING = {"left": 16, "right": 16, "top": 8, "bottom": 8}


def unclipped(spec: dict) -> dict:
    """``spec`` with fonts, label limits and padding that keep every label inside the chart
    (values already set in the spec's own config are kept)."""
    config = spec.setdefault("config", {})
    for part in ("axis", "legend", "header"):
        section = config.setdefault(part, {})
        section.setdefault("labelFont", FONT)
        section.setdefault("titleFont", FONT)
        section.setdefault("labelLimit", LABEL_LIMIT)
    config.setdefault("title", {}).setdefault("font", FONT)
    config.setdefault("text", {}).setdefault("font", FONT)
    config.setdefault("font", FONT)
    spec.setdefault("padding", dict(PADDING))
    return spec


#: d3-format locale definitions (d3-format's sv-SE and en-GB): axis numbers as each language
#: writes them (0,2 and 1 000 in Swedish). The same definitions go to vl-convert for files and to
#: vega-embed (``formatLocale``) for the pages, so a chart reads alike in both.
FORMAT_LOCALES = {
    "sv": {"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", "\u00a0kr"]},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["£", ""]},
}


def _locale(lang: str | None) -> dict:
    return {"format_locale": FORMAT_LOCALES[lang]} if lang in FORMAT_LOCALES else {}


def svg(spec: dict, lang: str | None = None) -> str:
    """The chart as SVG markup, measured in ``FONT``, drawn with ``FONT_STACK``; axis
    numbers in ``lang``'s format when given."""
    import vl_convert

    markup = vl_convert.vegalite_to_svg(unclipped(spec), **_locale(lang))
    return markup.replace(f'font-family="{FONT}"', f'font-family="{FONT_STACK}"')


def png(spec: dict, scale: float = 2.0, lang: str | None = None) -> bytes:
    import vl_convert

    return vl_convert.vegalite_to_png(unclipped(spec), scale=scale, **_locale(lang))
