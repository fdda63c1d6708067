"""The shipped case library: loads cleanly and meets the library's content rules.

These are rules for the *shipped* set (count, length, spread of ages and
exposures), not validation rules: a municipality's own case may be shorter.
"""

from __future__ import annotations

import pytest

from cases import LIBRARY_DIR, check_paths, load_library

MIN_CASES = 13
#: Every level of the scale has worked examples, so that a trainee's lean (higher
#: or lower than the key) can be seen at both ends. Webbkollen's 2017 data had
#: 18 % ingen/låg, 42 % något förhöjd, 28 % hög, 12 % mycket hög (seed 004, Figure 8).
MIN_KEYS_PER_LEVEL = {"ingen_lag": 2, "nagot_forhojd": 3, "hog": 3, "mycket_hog": 1}
#: Ages 7–12 are 35 % of the 2017 population.
MIN_AGED_7_TO_12 = 3
MIN_WORDS, MAX_WORDS = 400, 900
LANGS = ("sv", "en")
#: Home-environment exposures the keys must cover between them. The rarer
#: options (ingen_utsatthet, annat, vardnadstvist, …) are not required.
REQUIRED_HOME_EXPOSURES = ("fysiskt_vald", "brister_i_omsorg", "bevittnat_vald", "hedersrelaterat")
#: Reached by a deliberately ambiguous case: the suspicion is the subject of the
#: case, but an experienced group would not mark it as *identified* exposure,
#: so the key leaves it out. The case must still be in the library.
SUSPECTED_ONLY = {"sexuella_overgrepp": "sexualised-behaviour"}


@pytest.fixture(scope="module")
def library():
    return load_library(LIBRARY_DIR, use_cache=False)


@pytest.fixture(scope="module")
def cases(library):
    return library.ordered()


def test_every_shipped_file_loads(library):
    assert library.errors == [], "\n".join(str(e) for e in library.errors)
    files = sorted(p.stem for p in LIBRARY_DIR.iterdir() if p.suffix in (".yaml", ".yml"))
    assert sorted(library.cases) == files


def test_check_paths_agrees_with_load_library(library):
    good, errors = check_paths([LIBRARY_DIR])
    assert errors == []
    assert sorted(c.id for c in good) == sorted(library.cases)


def test_library_has_enough_cases(cases):
    assert len(cases) >= MIN_CASES, f"only {len(cases)} cases: {[c.id for c in cases]}"


def test_keys_span_the_whole_scale(library, cases):
    counts = {level: len(library.worked_examples(level)) for level in MIN_KEYS_PER_LEVEL}
    short = {level: n for level, n in counts.items() if n < MIN_KEYS_PER_LEVEL[level]}
    assert not short, f"too few keys at {short} (need {MIN_KEYS_PER_LEVEL}; have {counts})"


def test_children_aged_7_to_12(cases):
    middle = [c.id for c in cases if 7 <= c.age <= 12]
    assert len(middle) >= MIN_AGED_7_TO_12, f"only {middle} are aged 7-12"


def test_a_key_may_need_no_intervention(library, variables, case_data, tmp_path, write_case):
    """No intervention is a legitimate key (an investigation closed without one):
    empty interventions and focus validate, and the library has such a case."""
    assert any(not c.key.interventions and not c.key.focus for c in library.worked_examples("ingen_lag"))
    case_data["key"].update(risk="ingen_lag", interventions=[], focus=[])
    del case_data["key"]["rationale"]["interventions"], case_data["key"]["rationale"]["focus"]
    good, errors = check_paths([write_case(tmp_path / "lib", case_data)])
    assert errors == [] and good[0].key.interventions == [] and good[0].key.focus == []
    case_data["key"].pop("interventions"), case_data["key"].pop("focus")  # left out altogether
    good, errors = check_paths([write_case(tmp_path / "lib2", case_data)])
    assert errors == [] and good[0].key.interventions == []


def test_every_case_is_bilingual(cases):
    for case in cases:
        texts = [case.title, case.summary, case.referral.text]
        texts += [section.text for _side, section in case.vignette.sections()]
        texts += [f.label for f in (*case.factors.risk, *case.factors.protective)]
        if case.key:
            texts.append(case.key.rationale.risk)
        for text in texts:
            for lang in LANGS:
                assert text.get(lang).strip(), f"{case.id}: empty {lang} text in {text!r}"
            # a copy of the Swedish text is not a translation
            assert text.sv != text.en or len(text.sv) < 30, f"{case.id}: English identical to Swedish: {text.sv[:60]!r}"


@pytest.mark.parametrize("lang", LANGS)
def test_vignette_length(cases, lang):
    wrong = {c.id: c.word_count(lang) for c in cases if not MIN_WORDS <= c.word_count(lang) <= MAX_WORDS}
    assert not wrong, f"vignettes outside {MIN_WORDS}–{MAX_WORDS} words ({lang}): {wrong}"


def test_word_count_counts_referral_and_every_section(cases):
    case = cases[0]
    assert case.word_count("sv") > len(case.referral.text.sv.split())


def test_ages_span_childhood(cases):
    ages = sorted(c.age for c in cases)
    assert all(0 <= a <= 17 for a in ages)
    assert ages[0] < 2, f"no case under 2 (ages {ages})"
    assert ages[-1] > 14, f"no case over 14 (ages {ages})"


def test_at_least_one_ambiguous_case(cases):
    assert any(c.ambiguous for c in cases)


def test_every_key_weighs_every_factor(cases):
    keyed = [c for c in cases if c.key]
    assert keyed, "no case has a key"
    for case in keyed:
        risk = {f.id for f in case.factors.risk}
        protective = {f.id for f in case.factors.protective}
        # names in the key exist (validation) …
        assert set(case.key.factors.risk) <= risk
        assert set(case.key.factors.protective) <= protective
        # … and every factor of the case has a weight in the key
        assert set(case.key.factors.risk) == risk, f"{case.id}: risk factors without weights: {risk - set(case.key.factors.risk)}"
        assert set(case.key.factors.protective) == protective, (
            f"{case.id}: protective factors without weights: {protective - set(case.key.factors.protective)}"
        )


def test_keys_cover_the_home_exposures(cases):
    covered = {option for c in cases if c.key for option in c.key.exposure.home}
    missing = [o for o in REQUIRED_HOME_EXPOSURES if o not in covered]
    assert not missing, f"no shipped case's key has {missing} (covered: {sorted(covered)})"


def test_suspected_only_exposures_are_reached_by_an_ambiguous_case(cases):
    for option, factor_id in SUSPECTED_ONLY.items():
        reaching = [c for c in cases if c.ambiguous and any(f.id == factor_id for f in c.factors.risk)]
        assert reaching, f"no ambiguous case has the risk factor {factor_id!r} for {option!r}"
        assert all(option not in c.key.exposure.home for c in reaching if c.key)


def test_required_exposures_are_real_options(variables):
    home = variables.group("exposure", "home").option_ids
    assert set(REQUIRED_HOME_EXPOSURES) | set(SUSPECTED_ONLY) <= set(home)


def test_webbkollen_cases_are_shipped_with_their_panel(library):
    for case_id in ("assi", "max", "jamila", "tobias"):
        assert case_id in library.cases, f"{case_id} is missing from the library"
        assert library.panels.for_case(case_id) is not None


def test_option_labels_are_found_by_the_answers_variable_name(variables):
    assert variables.option_label("exposure.home", "fysiskt_vald", "sv") == "Fysiskt våld mot barnet"
    assert variables.option_label("exposure.child", "annat", "en") == "Other risk behaviour / reason"
    assert variables.option_label("exposure.guardian", "annat", "en") == "Other reason"
    assert variables.option_label("intervention", "hvb", "sv") == "HVB (hem för vård eller boende)"
    assert variables.option_label("focus", "halsa", "en") == "Health"
    assert variables.option_label("intervention", "nonsense", "sv") == "nonsense"
