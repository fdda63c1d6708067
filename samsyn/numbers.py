"""Numbers as each language writes them: a decimal comma in Swedish.

Every number a page, a record or an export shows goes through these (CLDR's
symbols, checked against Babel), never through ``f"{x:.2f}"``::

    from samsyn.numbers import dec, pct, num
    dec(0.684, "sv")   # '0,68'
    pct(0.8, "sv")     # '80 %' (a no-break space before the sign)
    num(1.5, "sv")     # '1,5' (as many decimals as needed, at most two)
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

LOCALES = {"sv": "sv_SE", "en": "en_GB"}
#: CLDR's number symbols for the two languages (decimal sign, group separator), as Babel gives
#: them (``babel.numbers.get_decimal_symbol("sv_SE")`` …). The formatting below is checked against
#: Babel's ``format_decimal``/``format_percent`` for thousands of values in
#: ``tests/test_numbers.py``; it does not load Babel's locale data at run time, which costs a
#: trainee's kernel about 7 MB (``benchmarks/README.md``).
SYMBOLS = {"sv": (",", "\xa0"), "en": (".", ",")}
MISSING = "–"


def locale_for(lang: str) -> str:
    return LOCALES.get(lang, LOCALES["sv"])


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _format(value: float, lang: str, *, min_places: int, max_places: int, group: bool) -> str:
    """``value`` rounded half up (12,5 % is 13 %, as people round; not to even) to ``max_places``,
    trailing zeros dropped down to ``min_places``, grouped by thousands when ``group``."""
    decimal_sign, group_sign = SYMBOLS.get(lang, SYMBOLS["sv"])
    quantum = Decimal(1).scaleb(-max_places)
    rounded = Decimal(str(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded.is_signed() else ""  # as Babel: the sign of the value, also for a rounded -0
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    fraction = fraction.rstrip("0").ljust(min_places, "0") if max_places > min_places else fraction
    if group:
        whole = f"{int(whole):,}".replace(",", group_sign)
    return sign + whole + (decimal_sign + fraction if fraction else "")


def dec(value: float | None, lang: str, places: int = 2) -> str:
    """A fixed number of decimals (``0,68``); "–" for a missing value."""
    if _missing(value):
        return MISSING
    return _format(value, lang, min_places=places, max_places=places, group=False)


def num(value: float | None, lang: str, places: int = 2) -> str:
    """Up to ``places`` decimals, none when whole (``1``, ``1,5``); "–" for a missing value."""
    if _missing(value):
        return MISSING
    return _format(value, lang, min_places=0, max_places=places, group=True)


def pct(share: float | None, lang: str, places: int = 0) -> str:
    """A share (0–1) as a percentage (``80 %`` in Swedish, ``80%`` in English)."""
    if _missing(share):
        return MISSING
    text = _format(Decimal(str(float(share))) * 100, lang, min_places=0, max_places=places, group=True)
    return f"{text}\xa0%" if lang == "sv" else f"{text}%"


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
