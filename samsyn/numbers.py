"""Numbers as each language writes them: a decimal comma in Swedish.

Every number a page, a record or an export shows goes through these (Babel's
CLDR data), never through ``f"{x:.2f}"``::

    from samsyn.numbers import dec, pct, num
    dec(0.684, "sv")   # '0,68'
    pct(0.8, "sv")     # '80 %' (a no-break space before the sign)
    num(1.5, "sv")     # '1,5' (as many decimals as needed, at most two)
"""

from __future__ import annotations

import decimal
from contextlib import contextmanager

LOCALES = {"sv": "sv_SE", "en": "en_GB"}
MISSING = "–"


def locale_for(lang: str) -> str:
    return LOCALES.get(lang, LOCALES["sv"])


@contextmanager
def _half_up():
    """Round halves up, as people do (12,5 % is 13 %), not to even (Babel's default)."""
    with decimal.localcontext() as ctx:
        ctx.rounding = decimal.ROUND_HALF_UP
        yield


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def dec(value: float | None, lang: str, places: int = 2) -> str:
    """A fixed number of decimals (``0,68``); "–" for a missing value."""
    from babel.numbers import format_decimal

    if _missing(value):
        return MISSING
    pattern = "0." + "0" * places if places > 0 else "0"
    with _half_up():
        return format_decimal(float(value), format=pattern, locale=locale_for(lang))


def num(value: float | None, lang: str, places: int = 2) -> str:
    """Up to ``places`` decimals, none when whole (``1``, ``1,5``); "–" for a missing value."""
    from babel.numbers import format_decimal

    if _missing(value):
        return MISSING
    pattern = "#,##0." + "#" * places if places > 0 else "#,##0"
    with _half_up():
        return format_decimal(float(value), format=pattern, locale=locale_for(lang))


def pct(share: float | None, lang: str, places: int = 0) -> str:
    """A share (0–1) as a percentage (``80 %`` in Swedish, ``80%`` in English)."""
    from babel.numbers import format_percent

    if _missing(share):
        return MISSING
    digits = "." + "#" * places if places > 0 else ""
    pattern = f"#,##0{digits}\xa0%" if lang == "sv" else f"#,##0{digits}%"
    with _half_up():
        return format_percent(float(share), format=pattern, locale=locale_for(lang))


def pct_range(low: float, high: float, lang: str) -> str:
    """A span of shares (``44–56 %``), as the report gives some counts."""
    low_text, high_text = pct(low, lang), pct(high, lang)
    if low_text == high_text:
        return low_text
    return f"{low_text.rstrip('%').rstrip()}–{high_text}"


def steps(value: float | None, lang: str) -> str:
    """A signed number of risk steps, one decimal (``−0,4``, ``+0,3``, ``±0,0``); "–" when missing.

    >>> steps(-0.4, "sv"), steps(0.25, "en"), steps(0.0, "sv"), steps(None, "sv")
    ('−0,4', '+0.3', '±0,0', '–')
    """
    if _missing(value):
        return MISSING
    text = dec(abs(value), lang, 1)
    return ("±" if text == dec(0.0, lang, 1) else "−" if value < 0 else "+") + text
