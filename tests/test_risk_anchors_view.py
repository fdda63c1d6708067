"""The anchored risk levels, shown in every place they belong: where the trainee
rates (a closed disclosure, the case being rated left out of the examples), next
to the reference assessment in the feedback, and in the mentor's reveal."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from cases import load_library
from feedback import build_feedback
from feedback.model import key_response
from formfill import complete, html_of
from store import Store
from widgets import mentor_page
from widgets.answer_form import STEPS, AnswerForm
from widgets.common import page_context
from widgets.feedback_view import FeedbackView
from widgets.risk_anchors import anchors_html
from widgets.trainee import TraineeLoop


@pytest.fixture(scope="module")
def library():
    return load_library()


def _anchor_blocks(markup: str) -> dict[str, str]:
    """risk id → the HTML of its anchor block."""
    return dict(re.findall(r'<div class="samsyn-anchor" data-risk="([a-z_]+)">(.*?)</dd></div>', markup, flags=re.S))


def _example_ids(block: str) -> list[str]:
    return re.findall(r'<li data-case="([a-z0-9-]+)"', block)


def _assert_every_definition(markup: str, library, lang: str) -> None:
    blocks = _anchor_blocks(markup)
    assert list(blocks) == list(library.variables.risk_answer_ids)
    for anchor in library.variables.risk_anchors(lang):
        block = htmllib.unescape(blocks[anchor.id])
        assert anchor.label in block and anchor.definition in block
        assert all(item in block for item in anchor.typical)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_rating_step_has_every_definition_in_a_closed_disclosure(library, lang):
    case = library.get("tobias")
    form = AnswerForm(case, library.variables, lang, worked_examples=library.worked_examples_by_level())
    form.go(STEPS.index("risk"))
    markup = html_of(form.widget)
    assert '<details class="samsyn-anchors">' in markup  # closed: not in the way
    assert "<summary>" in markup
    _assert_every_definition(markup, library, lang)
    assert htmllib.unescape(library.variables.risk.anchor_note.get(lang)) in htmllib.unescape(markup)


def test_the_rating_step_lists_other_cases_per_level_but_never_the_case_being_rated(library):
    by_level = library.worked_examples_by_level()
    for case in library.ordered():
        form = AnswerForm(case, library.variables, "sv", worked_examples=by_level)
        form.go(STEPS.index("risk"))
        blocks = _anchor_blocks(html_of(form.widget))
        listed = {cid for block in blocks.values() for cid in _example_ids(block)}
        assert case.id not in listed, f"{case.id}'s own reference assessment is given away"
        for rid, block in blocks.items():
            assert _example_ids(block) == [c.id for c in by_level[rid] if c.id != case.id]
    # the library spans the scale, so every level has examples to learn from
    assert all(by_level[rid] for rid in library.variables.risk_level_ids)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_feedback_shows_the_definitions_next_to_the_reference_assessment(library, lang):
    case = library.get("leo")
    own = key_response(case)
    own = type(own)("hog", own.selections, own.factors)
    fb = build_feedback(case, library.variables, own, [], panel=None)
    view = FeedbackView(fb, case, library.variables, lang, worked_examples=library.worked_examples_by_level())
    markup = html_of(view.widget)
    key_box = markup[markup.index('class="samsyn-key"'):]
    key_box = key_box[:key_box.index("</div>")]
    definition = library.variables.risk_anchor("ingen_lag", lang).definition
    assert 'class="samsyn-level-definition" data-risk="ingen_lag"' in key_box
    assert htmllib.escape(definition) in key_box
    _assert_every_definition(markup, library, lang)
    blocks = _anchor_blocks(markup)
    mark_key = "referensbedömningen" if lang == "sv" else "reference assessment"
    mark_own = "ditt svar" if lang == "sv" else "your answer"
    assert mark_key in blocks["ingen_lag"] and mark_own in blocks["hog"] and mark_own not in blocks["ingen_lag"]
    # after submitting, the case itself is a worked example, named as this case
    assert "leo" in _example_ids(blocks["ingen_lag"])
    assert ("det här ärendet" if lang == "sv" else "this case") in blocks["ingen_lag"]


def test_anchor_texts_are_escaped(library):
    from cases.variables import Variables

    data = library.variables.model_dump()
    data["risk"]["anchors"][0]["definition"]["sv"] = "<script>alert(1)</script>"
    hostile = Variables.model_validate(data)
    markup = anchors_html(hostile, "sv")
    assert "<script>alert(1)" not in markup and "&lt;script&gt;" in markup


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'anchors.sqlite3'}"
    monkeypatch.setenv("SAMSYN_DATABASE_URL", url)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    return Store(url)


def test_the_mentor_reveal_shows_the_definitions_with_the_reference_assessment_marked(store, library):
    workshop, secret = store.create_workshop("W", ["tobias", "leo"], min_group_size=3)
    for i, risk in enumerate(["hog", "mycket_hog", "mycket_hog"]):
        p = store.join_workshop(workshop.join_code, f"P{i}")
        loop = TraineeLoop(library.get("tobias"), library, store, p, "sv", workshop=store.workshop(workshop.id))
        complete(loop, risk, "En motivering som är lång nog.")
    f = mentor_page.Facilitator(page_context(f"workshop={workshop.id}&secret={secret}"), store, library, workshop.id)
    f.reveal("tobias")
    markup = html_of(f.case_boxes["tobias"]["panel"])
    _assert_every_definition(markup, library, "sv")
    blocks = _anchor_blocks(markup)
    assert "referensbedömningen" in blocks["mycket_hog"]  # Tobias's key
    assert "gruppens median" in blocks["mycket_hog"]
    assert "tobias" in _example_ids(blocks["mycket_hog"])
    # Leo is still answered blind in this workshop: not an example until it is revealed
    listed = {cid for block in blocks.values() for cid in _example_ids(block)}
    assert "leo" not in listed
    f.reveal("leo")
    f.reveal("tobias")
    listed = {cid for block in _anchor_blocks(html_of(f.case_boxes["tobias"]["panel"])).values() for cid in _example_ids(block)}
    assert "leo" in listed


def test_in_a_workshop_the_rating_step_lists_none_of_the_workshops_cases(store, library):
    """The group answers the workshop's cases blind: no example list gives one of their keys away."""
    workshop, _secret = store.create_workshop("W", ["tobias", "leo", "assi"], min_group_size=3)
    p = store.join_workshop(workshop.join_code, "P1")
    loop = TraineeLoop(library.get("tobias"), library, store, p, "sv", workshop=store.workshop(workshop.id))
    loop.form.go(STEPS.index("risk"))
    blocks = _anchor_blocks(html_of(loop.form.widget))
    listed = {cid for block in blocks.values() for cid in _example_ids(block)}
    assert listed and not listed & {"tobias", "leo", "assi"}
    self_paced = TraineeLoop(library.get("tobias"), library, store, store.create_participant("S", self_paced=True), "sv")
    self_paced.form.go(STEPS.index("risk"))
    listed = {cid for block in _anchor_blocks(html_of(self_paced.form.widget)).values() for cid in _example_ids(block)}
    assert {"leo", "assi"} <= listed and "tobias" not in listed
