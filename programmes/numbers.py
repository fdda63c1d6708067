"""Numbers as the language writes them (decimal comma and a space before % in Swedish)."""

from __future__ import annotations


def _locale(lang: str) -> str:
    return "sv_SE" if lang == "sv" else "en_GB"


def decimal(value: float | None, lang: str, digits: int = 2) -> str:
    """A decimal number.

    >>> decimal(0.75, "sv"), decimal(0.75, "en"), decimal(None, "sv")
    ('0,75', '0.75', '–')
    """
    from babel.numbers import format_decimal

    if value is None:
        return "–"
    return format_decimal(value, format="0." + "0" * digits if digits else "0", locale=_locale(lang))


def steps(value: float | None, lang: str) -> str:
    """A signed number of steps.

    >>> steps(-0.4, "sv"), steps(0.25, "en"), steps(0.0, "sv")
    ('−0,4', '+0.2', '±0,0')
    """
    if value is None:
        return "–"
    text = decimal(abs(value), lang, 1)
    return ("−" if value < -0.05 else "+" if value > 0.05 else "±") + text


def percent(value: float | None, lang: str) -> str:
    """A share as per cent (a no-break space before % in Swedish).

    >>> percent(0.8, "sv") == "80\xa0%", percent(0.8, "en")
    (True, '80%')
    """
    from babel.numbers import format_percent

    if value is None:
        return "–"
    return format_percent(value, format="#,##0\xa0%" if lang == "sv" else "#,##0%", locale=_locale(lang))
