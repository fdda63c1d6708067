"""Messages: every user-facing string comes from a gettext catalog.

Catalogs are ordinary gettext ``.po`` files under ``samsyn/locale/<lang>/
LC_MESSAGES/samsyn.po``, read with Babel. Message ids are stable symbolic keys
(``start.cases_heading``), so a missing translation is a missing key in one catalog —
``tests/test_i18n.py`` fails on it — and never silently falls back to the
other language.

Use::

    from samsyn.i18n import Messages
    m = Messages("sv")
    m("start.cases_heading")
    m("start.case_age", age=15)
"""

from __future__ import annotations

import importlib.resources
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

from samsyn.config import LANGUAGES, normalise_language

LOCALE_DIR = Path(str(importlib.resources.files("samsyn") / "locale"))  # package data
DOMAIN = "samsyn"


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    """The translated messages of one language, id → text (empty ones left out)."""
    with catalog_path(lang).open("rb") as fh:
        po = read_po(fh, locale=lang, domain=DOMAIN)
    return {m.id: m.string for m in po if m.id and isinstance(m.id, str) and m.string}


class MissingMessage(KeyError):
    pass


class Messages:
    """Looks up and formats messages in one language."""

    def __init__(self, lang: str | None = None):
        self.lang = normalise_language(lang)
        self._catalog = catalog(self.lang)

    def __call__(self, key: str, /, **values: object) -> str:
        try:
            text = self._catalog[key]
        except KeyError:
            raise MissingMessage(f"message {key!r} is missing in the {self.lang!r} catalog") from None
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in self._catalog

    def other_languages(self) -> tuple[str, ...]:
        return tuple(lang for lang in LANGUAGES if lang != self.lang)


def text(value: dict[str, str] | object, lang: str) -> str:
    """Pick one language from a bilingual data value such as ``{sv: …, en: …}``."""
    if isinstance(value, dict):
        return value[normalise_language(lang)]
    return getattr(value, normalise_language(lang))
