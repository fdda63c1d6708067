"""The mapping exercise without a browser (issue 16): the rules data, the checks behind
the prompts, the step's draft and validation, the trainee's feedback and the group's reveal."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from cases import load_library
from feedback.mapping import (
    MAPPING_PROMPT_IDS,
    MappingResponse,
    counterpart,
    mapping_prompts,
    mapping_reveal,
    plain_language,
    rules,
    scale_fits,
)
from feedback.model import Response
from samsyn.i18n import Messages
from store import AnswerInvalid, Store, validate_answer
from widgets.answer_form import STEPS, AnswerForm
from widgets.trainee import TraineeLoop
from formfill import fill_mapping, html_of  # tests/formfill.py

XSS = '<img src=x onerror="window.__xss=1">'


@pytest.fixture(scope="module")
def library():
    return load_library()


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'mapping.sqlite3'}"
    monkeypatch.setenv("SAMSYN_DATABASE_URL", url)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    return Store(url)


# -- the rules data ------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_worked_example_is_bilingual_and_passes_its_own_checks(library, lang):
    example = rules().example
    for key in ("situation", "danger_statement", "safety_goal"):
        assert example[key][lang].strip()
    assert plain_language(example["danger_statement"][lang]).ok
    assert plain_language(example["safety_goal"][lang]).ok
    assert counterpart(example["danger_statement"][lang], example["safety_goal"][lang]).ok
    # … and is not one of the library's cases
    names = {c.name for c in library.cases.values()}
    assert "Elin" not in names
    for case in library.cases.values():
        assert example["danger_statement"][lang] != case.mapping.danger_statement.get(lang)


def test_the_scale_ranges_cover_every_risk_level_and_fit_every_key(library):
    assert set(rules().scale_for_risk) == set(library.variables.risk_level_ids)
    for case in library.cases.values():
        assert scale_fits(case.key.safety_scale, case.key.risk), case.id


def test_every_abstract_word_list_is_bilingual():
    assert set(rules().abstract) == {"sv", "en"} and all(rules().abstract.values())


# -- the checks ----------------------------------------------------------------------------------
def test_professional_and_abstract_words_are_found_as_written():
    check = plain_language("Vårdnadshavarna har brister i omsorgen och missbruk.")
    assert check.words == ("Vårdnadshavarna", "brister i omsorgen", "missbruk")
    assert plain_language("Pappa slår mamma när han har druckit, och Leo hör det från sitt rum.").ok
    assert plain_language("The guardians show inadequate parenting.").words == ("guardians", "inadequate")


def test_a_long_sentence_is_counted():
    long = " ".join(["ord"] * (rules().max_words + 3)) + "."
    assert plain_language(long).long_sentences == (rules().max_words + 3,)
    assert plain_language("Kort mening. En till.").long_sentences == ()


def test_counterpart_shares_content_words_not_small_words():
    danger = "Mormor är rädd att Elin blir ensam på kvällen när mamma har druckit."
    assert counterpart(danger, "Mormor behöver se att Elin har en vuxen hemma varje kväll.").ok
    unrelated = counterpart(danger, "Familjen ska ha det bra och alla ska må bättre.")
    assert not unrelated.ok and unrelated.shared == ()


@pytest.mark.parametrize("scale,risk,fits", [(8, "hog", False), (3, "hog", True), (9, "ingen_lag", True),
                                             (1, "ingen_lag", False), (None, "hog", None), (5, "inte_kant", None)])
def test_scale_against_risk(scale, risk, fits):
    assert scale_fits(scale, risk) is fits


def test_every_prompt_fires_on_a_mapping_that_earns_it_and_none_on_a_good_one():
    bad = MappingResponse(entries=(("harm", None, "Slag"),),
                          danger_statement="Vårdnadshavarna brister i omsorgen. " + " ".join(["ord"] * 25) + ".",
                          safety_goal="Det psykosociala läget stabiliseras genom insatser. " + " ".join(["ord"] * 25) + ".")
    ids = [p.id for p in mapping_prompts(bad, 8, "hog")]
    assert ids == list(MAPPING_PROMPT_IDS)
    ex = rules().example
    good = MappingResponse(entries=(("harm", None, "Ensam"), ("steps", None, "Möte på måndag")),
                           danger_statement=ex["danger_statement"]["sv"], safety_goal=ex["safety_goal"]["sv"])
    assert mapping_prompts(good, 3, "hog") == []


# -- the step in the form ---------------------------------------------------------------------------
def test_the_mapping_step_validates_and_its_draft_round_trips(library):
    case = library.get("leo")
    form = AnswerForm(case, library.variables, "sv")
    problems = form.problems(STEPS.index("mapping"))
    m = Messages("sv")
    for key in ("form.error.mapping_danger", "form.error.mapping_goal", "form.error.mapping_scale",
                "form.error.mapping_why", "form.error.mapping_step_up"):
        assert m(key) in problems
    assert any(m("mapping.col.worries") in p for p in problems)
    fill_mapping(form)
    assert form.problems(STEPS.index("mapping")) == []
    form.mapping.parts["strengths"].value = "- Mamma skyddar\n\n• Skolan ser Leo"
    form.mapping.parts["goals"].value = XSS
    restored = AnswerForm(case, library.variables, "sv")
    restored.load(form.payload())
    assert restored.payload() == form.payload()
    entries = restored.answer().mapping.entries
    assert [(e.part, e.text) for e in entries if e.part == "strengths"] == [("strengths", "Mamma skyddar"),
                                                                            ("strengths", "Skolan ser Leo")]
    # a draft with nonsense in it is ignored, not trusted
    restored.load({"mapping": {"parts": {"harm": 5}, "factors": {"no-such": "harm", case.factors.risk[0].id: "goals"},
                               "danger_statement": ["x"]}})
    assert restored.mapping.payload()["factors"] == {} and restored.mapping.danger.value == ""


def test_the_server_refuses_a_mapping_that_does_not_fit_the_case(library):
    case = library.get("leo")
    form = AnswerForm(case, library.variables, "sv")
    fill_mapping(form)
    data = form.answer().model_dump()
    base = {**data, "risk": "hog", "motivation": "x" * 30}
    fid = case.factors.risk[0].id
    for entries, field in (([{"part": "harm", "factor_id": "not-a-factor"}], "mapping.entries[0]"),
                           ([{"part": "harm", "factor_id": fid}, {"part": "safety", "factor_id": fid}], "mapping.entries[1]"),
                           ([{"part": "goals", "factor_id": fid}], "mapping.entries.0")):
        with pytest.raises(AnswerInvalid) as err:
            validate_answer({**base, "mapping": {**data["mapping"], "entries": entries}}, case, library.variables)
        assert any(f.startswith(field) for f, _p in err.value.problems), err.value.problems


# -- submitted: the feedback -------------------------------------------------------------------------
def test_feedback_shows_reference_scaling_and_prompts_escaped(library, store):
    case = library.get("leo")
    m = Messages("sv")
    p = store.create_participant("Kartläggare", self_paced=True)
    loop = TraineeLoop(case, library, store, p, "sv")
    fill_mapping(loop.form, safety=4)
    loop.form.mapping.parts["harm"].value = XSS
    complete_without_refill(loop, "hog")
    answer = store.answer_for(p.id, case.id)
    assert answer.mapping is not None and answer.safety_scale == 4
    assert [(e.part, e.text) for e in answer.mapping_entries if e.part == "harm"] == [("harm", XSS)]
    text = html_of(loop.widget)
    assert m("mapping.reference_heading") in text
    assert case.mapping.danger_statement.get("sv") in text
    assert m("mapping.scale_key", scale=case.key.safety_scale) in text
    assert m("mapping.scale_group_hidden", n=1, min=5) in text
    assert XSS not in text and "&lt;img src=x" in text  # the trainee's words, escaped
    assert not any(f'data-prompt="{pid}"' in text for pid in MAPPING_PROMPT_IDS)  # a good mapping: no prompt

    p2 = store.create_participant("Kartläggare 2", self_paced=True)
    loop2 = TraineeLoop(case, library, store, p2, "sv")
    fill_mapping(loop2.form, safety=8, danger="Vårdnadshavarna brister i omsorgen.", goal="Allt blir bra för alla.",
                 steps="")
    complete_without_refill(loop2, "hog")
    text = html_of(loop2.widget)
    prompts = {pid for pid in MAPPING_PROMPT_IDS if f'data-prompt="{pid}"' in text}
    assert prompts == {"mapping_danger_words", "mapping_not_counterpart", "mapping_no_next_step", "mapping_scale_risk"}
    assert m("prompt.mapping_scale_risk", scale=8, risk="Hög risk", low=2, high=6) in text
    assert m("mapping.rules_heading") in text


def complete_without_refill(loop, risk: str) -> None:
    """Like formfill.complete, keeping the mapping already in the form."""
    f = loop.form
    f.exposure["home"]["brister_i_omsorg"].value = True
    f.exposure["guardian"]["inga_svarigheter"].value = True
    f.exposure["child"]["annat"].value = True
    row = next(r for r in f.factor_rows if r.kind == "risk" and not r.own)
    row.on.value = True
    row.weights["severity"].value = 3
    row.weights["extent"].value = 2
    f.risk.value = risk
    f.interventions["strukturerat_program"].value = True
    f.focus["kanslor_och_beteende"].value = True
    f.goals[0]["goal"].value = "Mål"
    f.motivation.value = "En motivering som är lång nog."
    f.go(len(STEPS) - 1)
    f.submit()


def test_the_group_scaling_appears_from_the_minimum_group(library, store):
    case = library.get("leo")
    for i in range(5):
        p = store.create_participant(f"Skalare {i}", self_paced=True)
        loop = TraineeLoop(case, library, store, p, "sv", min_group=5)
        fill_mapping(loop.form, safety=4)
        complete_without_refill(loop, "nagot_forhojd")
    text = html_of(loop.widget)
    assert Messages("sv")("mapping.scale_group", n=4, counts="4: 4", median="4") in text


# -- the group's mappings --------------------------------------------------------------------------
def _response(mapping: MappingResponse, scale: int = 5) -> Response:
    return Response(risk="hog", selections={}, factors={}, safety_scale=scale, mapping=mapping)


def test_the_reveal_hides_below_the_minimum_and_counts_placements_from_it(library):
    case = library.get("leo")
    fid = case.factors.risk[0].id
    answers = [_response(MappingResponse(entries=(("harm", fid, ""), ("strengths", None, f"styrka {i}")),
                                         danger_statement=f"farhåga {i}", safety_goal=f"mål {i}"), scale=i)
               for i in range(4)]
    hidden = mapping_reveal(case, answers, min_group=5)
    assert not hidden.shown and hidden.n == 4 and hidden.statements == () and hidden.own_words == {}
    answers.append(_response(MappingResponse(entries=(("safety", fid, ""),), danger_statement="farhåga 4",
                                             safety_goal="mål 4"), scale=4))
    shown = mapping_reveal(case, answers, min_group=5, shuffle_seed=1)
    assert shown.shown and shown.factor_parts[fid]["harm"] == 4 and shown.factor_parts[fid]["safety"] == 1
    assert shown.own_words["strengths"] == tuple(f"styrka {i}" for i in range(4))
    assert sorted(shown.statements) == sorted((f"farhåga {i}", f"mål {i}") for i in range(5))
    assert shown.scale_counts == {0: 1, 1: 1, 2: 1, 3: 1, 4: 1}


def test_the_workshop_record_has_the_mappings_escaped(library, store):
    from widgets import mentor_page
    from widgets.common import page_context

    workshop, secret = store.create_workshop("Kartläggning", ["leo"], min_group_size=5)
    for i in range(5):
        p = store.join_workshop(workshop.join_code, f"Deltagare {i}")
        loop = TraineeLoop(library.get("leo"), library, store, p, "sv", workshop=store.workshop(workshop.id))
        fill_mapping(loop.form, danger=f"=HYPERLINK(\"x\") {XSS} farhåga {i}")
        complete_without_refill(loop, "hog")
    ctx = page_context(f"workshop={workshop.id}&secret={secret}&lang=sv")
    fac = mentor_page.Facilitator(ctx, store, library, workshop.id)
    fac.reveal("leo")
    text = html_of(fac.widget)
    assert Messages("sv")("mapping.reveal_heading") in text and "farhåga 3" in text and XSS not in text
    fac.prepare_record()
    import base64
    import re

    links = dict(re.findall(r'download="[^"]+\.(html|xlsx|pdf)" href="data:[^;]+;base64,([^"]+)"', fac.exports.value))
    html = base64.b64decode(links["html"]).decode("utf-8")
    assert Messages("sv")("mapping.reveal_statements") in html and "farhåga 2" in html and XSS not in html
    wb = load_workbook(io.BytesIO(base64.b64decode(links["xlsx"])))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    col = header.index("danger_statement")
    values = [row[col].value for row in ws.iter_rows(min_row=2)]
    assert values and all(v.startswith("'=HYPERLINK") for v in values)  # a formula never reaches the sheet


def test_the_ends_of_the_scale_ask_only_what_makes_sense(library):
    """At 10 there is no step up to describe, at 0 nothing lower: those questions are not required there."""
    m = Messages("sv")
    form = AnswerForm(library.get("leo"), library.variables, "sv")
    fill_mapping(form)
    form.mapping.why_not_lower.value = form.mapping.one_step_up.value = ""
    for scale, missing in ((10, {"form.error.mapping_why"}), (0, {"form.error.mapping_step_up"}),
                           (5, {"form.error.mapping_why", "form.error.mapping_step_up"})):
        form.safety.value = str(scale)
        problems = form.problems(STEPS.index("mapping"))
        assert {k for k in ("form.error.mapping_why", "form.error.mapping_step_up") if m(k) in problems} == missing


def test_a_key_at_the_top_of_the_scale_has_feedback_without_a_step_up(library, store):
    """Leo's reference scaling is 10 ("stäng"): the feedback shows why, and no step up."""
    case = library.get("leo")
    assert case.key.safety_scale == 10 and case.mapping.scaling_reasons.one_step_up is None
    p = store.create_participant("Överst", self_paced=True)
    loop = TraineeLoop(case, library, store, p, "sv")
    fill_mapping(loop.form, safety=10)
    loop.form.mapping.one_step_up.value = ""
    complete_without_refill(loop, "ingen_lag")
    text = html_of(loop.widget)
    assert Messages("sv")("feedback.failed") not in text
    assert case.mapping.scaling_reasons.why_not_lower.get("sv") in text
    assert store.answer_for(p.id, case.id).safety_scale == 10
