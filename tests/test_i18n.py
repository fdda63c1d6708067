"""Every user-facing message exists in Swedish and English."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest

from cases.authoring import ERROR_CODES
from cases.schema import Case, Referral
from cases.schema import MAPPING_COLUMNS
from feedback.mapping import MAPPING_PROMPT_IDS, PARTS
from feedback.model import PROMPT_IDS, SPECIFIC_PROMPTS, VERDICTS
from widgets.answer_form import STEPS
from samsyn.config import LANGUAGES
from samsyn.i18n import Messages, MissingMessage, catalog

REPO = Path(__file__).resolve().parent.parent
CODE_DIRS = ["samsyn", "widgets", "cases", "scoring", "store", "feedback", "insight", "programmes"]
#: A literal key passed to a Messages object: m("key"), self.m("key"), messages("key").
LITERAL_KEY = re.compile(r"""\b(?:m|msg|messages|self\.m)\(\s*["']([a-z_]+(?:\.[a-z0-9_]+)+)["']""")
#: A key built at run time: m(f"prefix.{value}") — the families are listed below.
DYNAMIC_KEY = re.compile(r"""\b(?:m|msg|messages|self\.m)\(\s*f["']([a-z_.]+)\{""")


def _literal_args(annotation) -> tuple[str, ...]:
    return typing.get_args(annotation)


#: Every value a dynamic key can take, from the data models themselves.
DYNAMIC_FAMILIES = {
    "case.referral_from.": _literal_args(Referral.model_fields["from_"].annotation),
    "case.sex.": _literal_args(Case.model_fields["sex"].annotation),
    "case.difficulty.": _literal_args(Case.model_fields["difficulty"].annotation),
    "prompt.": PROMPT_IDS + tuple(f"{p}.specific" for p in SPECIFIC_PROMPTS) + MAPPING_PROMPT_IDS,
    "mapping.col.": tuple(MAPPING_COLUMNS),
    "mapping.part.": PARTS,
    "mapping.placeholder.": PARTS,
    "form.step.": STEPS,
    "feedback.verdict.": VERDICTS,
    "author.error.": ERROR_CODES,
}


def code_files():
    for d in CODE_DIRS:
        yield from (REPO / d).rglob("*.py")


def used_keys() -> tuple[set[str], set[str]]:
    literal, dynamic = set(), set()
    for path in code_files():
        source = path.read_text(encoding="utf-8")
        literal.update(LITERAL_KEY.findall(source))
        dynamic.update(DYNAMIC_KEY.findall(source))
    return literal, dynamic


def test_catalogs_have_the_same_messages():
    sv, en = set(catalog("sv")), set(catalog("en"))
    assert sv - en == set(), f"missing in English: {sorted(sv - en)}"
    assert en - sv == set(), f"missing in Swedish: {sorted(en - sv)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_used_in_code_exists(lang):
    literal, dynamic = used_keys()
    assert literal, "the scan found no message keys at all"
    keys = set(literal)
    for prefix in dynamic:
        assert prefix in DYNAMIC_FAMILIES, f"dynamic message family {prefix!r} must be listed in DYNAMIC_FAMILIES"
        keys.update(prefix + value for value in DYNAMIC_FAMILIES[prefix])
    missing = sorted(k for k in keys if k not in catalog(lang))
    assert missing == [], f"missing in the {lang} catalog: {missing}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_agree_between_languages(lang):
    other = "en" if lang == "sv" else "sv"
    field = re.compile(r"\{(\w+)\}")
    for key, text in catalog(lang).items():
        assert set(field.findall(text)) == set(field.findall(catalog(other)[key])), key


def test_missing_message_is_an_error_not_a_fallback():
    with pytest.raises(MissingMessage):
        Messages("sv")("no.such.message")


def test_unknown_language_falls_back_to_swedish():
    assert Messages("de").lang == "sv"
    assert Messages("en-GB").lang == "en"
