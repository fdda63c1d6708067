"""The trainee loop on a case page: assess → submit → feedback → reflect.

Wires the answer form to the store (a draft saved on every change, one answer
per submit) and, once submitted, replaces the form with the feedback view.
"""

from __future__ import annotations

import logging
from typing import Any

import ipywidgets as w

from cases import Case, Library
from samsyn.i18n import Messages
from store import AnswerInvalid, Participant, Store, validate_answer
from store.shapes import payload_from_answer
from widgets.answer_form import AnswerForm, bounded
from widgets.common import esc, html_widget

log = logging.getLogger(__name__)


class TraineeLoop:
    """One trainee, one case. Self-paced: round 1, feedback right after submitting.
    In a workshop: the workshop's current round, and feedback only once the
    mentor has revealed the case for that round (blind until then)."""

    def __init__(self, case: Case, library: Library, store: Store, participant: Participant, lang: str,
                 *, round: int = 1, min_group: int = 5, workshop=None):
        self.case, self.library, self.store, self.participant = case, library, store, participant
        self.workshop = workshop
        if workshop is not None:
            round = workshop.current_round
            min_group = workshop.min_group_size
        self.lang, self.round, self.min_group = lang, round, min_group
        self.m = Messages(lang)
        self.status = html_widget("", "samsyn-save-status")
        self.body = w.VBox([])
        self.widget = w.VBox([self.body, self.status])
        self.widget.add_class("samsyn-trainee")
        self._last_draft: dict[str, Any] | None = None
        answer = store.answer_for(participant.id, case.id, round)
        if answer is not None:
            self.show_feedback(answer.id)
        else:
            self.form = AnswerForm(case, library.variables, lang, round=round,
                                   on_change=self.save_draft, on_submit=self.submit,
                                   worked_examples=self.rating_examples())
            draft = store.load_draft(participant.id, case.id, round)
            if draft is None and round > 1:
                earlier = store.answer_for(participant.id, case.id, round - 1)
                if earlier is not None:  # a new round starts from the trainee's own earlier answer
                    self.form.load(payload_from_answer(earlier))
                    self.form.saved.value = f'<span class="samsyn-previous-round">{esc(self.m("form.previous_round_loaded"))}</span>'
            if draft:
                self.form.load(draft)
                self._last_draft = draft
                self.form.saved.value = f'<span class="samsyn-draft-restored">{esc(self.m("form.draft_restored"))}</span>'
            self.body.children = [self.form.widget]

    def rating_examples(self) -> dict[str, list[Case]]:
        """The worked examples shown while rating: never this case (the form leaves it out) and,
        in a workshop, none of the workshop's cases, which the group answers blind."""
        examples = self.library.worked_examples_by_level()
        if self.workshop is None:
            return examples
        blind = {wc.case_id for wc in self.workshop.cases}
        return {rid: [c for c in cases if c.id not in blind] for rid, cases in examples.items()}

    def save_draft(self, payload: dict[str, Any]) -> None:
        payload = bounded(payload)  # the browser may send anything; a draft never stores more than the form allows
        if payload == self._last_draft:
            return
        try:
            self.store.save_draft(self.participant.id, self.case.id, payload, round=self.round)
        except Exception:  # keep the form usable; say so instead of losing silently
            log.exception("saving a draft failed")
            self.form.saved.value = f'<span class="samsyn-notice" role="alert">{esc(self.m("form.draft_failed"))}</span>'
            return
        self._last_draft = payload
        self.form.saved.value = f'<span class="samsyn-draft-saved">{esc(self.m("form.draft_saved"))}</span>'

    def submit(self, answer) -> None:
        try:
            answer = validate_answer(answer, self.case, self.library.variables)
        except AnswerInvalid as exc:
            items = "".join(f"<li>{esc(field)}: {esc(problem)}</li>" for field, problem in exc.problems)
            self.form.error.value = f'<div class="samsyn-notice" role="alert"><p>{esc(self.m("form.error.server"))}</p><ul>{items}</ul></div>'
            self.form.submit_button.disabled = False
            return
        submitted = self.store.submit_answer(self.participant.id, answer, workshop_id=self.participant.workshop_id)
        try:
            self.show_feedback(submitted.answer_id)
        except Exception:  # the answer is stored; say so rather than leave the trainee guessing
            log.exception("building feedback failed")
            self.body.children = [html_widget(
                f'<p class="samsyn-notice samsyn-feedback-failed" role="alert">{esc(self.m("feedback.failed"))}</p>')]

    def revealed(self) -> bool:
        if self.workshop is None:
            return True
        fresh = self.store.workshop(self.workshop.id)
        return any(wc.case_id == self.case.id and wc.revealed_round >= self.round for wc in fresh.cases)

    def show_waiting(self, answer_id: int) -> None:
        m = self.m
        check = w.Button(description=m("workshop.check_again"))
        check.add_class("samsyn-check-reveal")
        check.on_click(lambda _b: self.show_feedback(answer_id))
        self.body.children = [html_widget(
            f'<div class="samsyn-notice samsyn-waiting" role="status"><p>{esc(m("workshop.waiting", round=self.round))}</p></div>'),
            check]

    def show_feedback(self, answer_id: int) -> None:
        from feedback import build_feedback, response_from_answer
        from widgets.feedback_view import FeedbackView

        if not self.revealed():
            self.show_waiting(answer_id)
            return
        own_row = self.store.answer(answer_id)
        # In a workshop: its own answers. Self-paced: colleagues practising on their own, never a workshop's blind round.
        pool = self.store.answers(case_id=self.case.id, round=self.round,
                                  workshop_id=self.workshop.id if self.workshop is not None else None,
                                  self_paced_only=self.workshop is None)
        others = [response_from_answer(a) for a in pool if a.id != answer_id]
        panel = self.library.panels.for_case(self.case.id) if self.library.panels else None
        fb = build_feedback(self.case, self.library.variables, response_from_answer(own_row), others,
                            panel=panel, min_group=self.min_group)
        saved = {r.prompt_id: r.text for r in own_row.reflections}
        from feedback.mapping import build_mapping_feedback

        mapping = build_mapping_feedback(self.case, response_from_answer(own_row), others, min_group=self.min_group)
        view = FeedbackView(fb, self.case, self.library.variables, self.lang, saved_reflections=saved,
                            worked_examples=self.library.worked_examples_by_level(),
                            on_reflect=lambda pid, text: self.store.save_reflection(answer_id, pid, text),
                            mapping=mapping)
        submitted = html_widget(f'<p class="samsyn-submitted" role="status">{esc(self.m("feedback.submitted"))}</p>')
        self.body.children = [submitted, view.widget]
