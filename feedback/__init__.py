"""Feedback: what a trainee sees after submitting, and which reflection to prompt.

The last room of the story case → answer → store → score → **feedback**. It
turns stored answers into a plain ``Feedback`` value using ``scoring`` (the
statistics) — no widgets, no database: ``widgets/feedback_view.py`` renders it
and the store supplies the answers as ``Response`` values.

Privacy: the group's distribution, goals and motivations are only part of the
feedback when at least ``min_group`` people (the trainee included) answered.
"""

from feedback.model import Feedback, Prompt, Response, build_feedback, response_from_answer

__all__ = ["Feedback", "Prompt", "Response", "build_feedback", "response_from_answer"]
