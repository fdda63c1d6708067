"""Pseudonyms as people see them, and when two are the same.

A pseudonym is stored as it will be shown: Unicode NFKC, without control and
format characters (zero-width spaces, joiners, right-to-left overrides and
other bidirectional controls), with runs of white space as one space. Two
pseudonyms are the same in a workshop when their *keys* are equal: the
displayed form, with characters that look like Latin letters (Unicode's
confusables, via ``confusable_homoglyphs``) mapped to them, case-folded. So
``Kim``, ``kim``, ``Kim`` + a zero-width space and ``Кim`` (Cyrillic К) are one
pseudonym. A name that mixes alphabets (Latin and Cyrillic letters in one
name) is refused: it is almost always a look-alike.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

MAX_PSEUDONYM = 60
#: Refusal reasons (message keys).
EMPTY = "identity.error.empty"
TOO_LONG = "identity.error.long"
MIXED_SCRIPTS = "identity.error.mixed_scripts"


class PseudonymInvalid(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def display_form(name: str) -> str:
    """NFKC, no control or format characters, single spaces, trimmed."""
    text = unicodedata.normalize("NFKC", name or "")
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if category in ("Cf", "Cc", "Cs", "Co", "Cn"):
            kept.append(" " if ch in "\t\n\r\x0b\x0c\x85" else "")
        elif category in ("Zl", "Zp"):
            kept.append(" ")
        else:
            kept.append(ch)
    return " ".join("".join(kept).split())


@lru_cache(maxsize=4096)
def _latin_lookalike(ch: str) -> str:
    from confusable_homoglyphs import confusables

    found = confusables.is_confusable(ch, preferred_aliases=["latin"], greedy=True) or []
    glyphs = [g.get("c", "") for entry in found for g in entry.get("homoglyphs", [])]
    for c in glyphs:  # a plain ASCII letter first (Cyrillic т is T, not the small capital ᴛ)
        if c and c.isascii() and c.isalpha():
            return c
    for c in glyphs:
        if c and all("LATIN" in unicodedata.name(x, "") for x in c if x.isalpha()):
            return c
    return ch


def key(name: str) -> str:
    """What two pseudonyms must differ in: look-alikes mapped to Latin, case-folded."""
    shown = display_form(name)
    return "".join(_folded_lookalike(ch) if ord(ch) > 0x7F else ch for ch in shown).casefold()[:120]


def _folded_lookalike(ch: str) -> str:
    """The key ignores case, so a letter whose capital looks like an ASCII capital maps to it (т, Т → T)."""
    found = _latin_lookalike(ch)
    if found.isascii():
        return found
    upper = _latin_lookalike(ch.upper()) if len(ch.upper()) == 1 else found
    return upper if upper.isascii() else found


def scripts(name: str) -> set[str]:
    from confusable_homoglyphs import categories

    return {categories.alias(ch) for ch in name if ch.isalpha()} - {"COMMON", "INHERITED"}


def check(name: str) -> str:
    """The pseudonym to store, or :class:`PseudonymInvalid` with a message key."""
    shown = display_form(name)
    if not shown:
        raise PseudonymInvalid(EMPTY)
    if len(shown) > MAX_PSEUDONYM:
        raise PseudonymInvalid(TOO_LONG)
    if len(scripts(shown)) > 1:
        raise PseudonymInvalid(MIXED_SCRIPTS)
    return shown
