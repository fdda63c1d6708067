"""Who is answering: a pseudonymous trainee identified by a personal code.

Self-paced trainees pick a pseudonym and get a personal code; the code travels
in the page links (``?code=…``), so a reload or a lost connection brings the
trainee back to their own drafts and history, and they can return another day
by typing it. Behind JupyterHub the hub user is the identity, and joining a
workshop gives them an identity in it (``widgets/hub_workshops.py``).
"""

from __future__ import annotations

from typing import Callable

import ipywidgets as w

from samsyn.i18n import Messages
from store import Participant, Store
from store.pseudonym import MAX_PSEUDONYM, PseudonymInvalid, check
from store.repository import PseudonymTaken, WorkshopClosed
from store.throttle import Throttle
from widgets.common import PageContext, esc, html_widget, page_url


def throttle(ctx: PageContext, store: Store) -> Throttle:
    return Throttle.for_settings(store, ctx.settings)


def wait_message(m: Messages, seconds: float) -> str:
    """"Too many attempts, try again in …" — in minutes once it is more than a minute and a half."""
    if seconds > 90:
        return m("identity.error.throttled_minutes", minutes=int(seconds // 60 + 1))
    return m("identity.error.throttled", seconds=int(seconds + 1))


def resolve(ctx: PageContext, store: Store) -> Participant | None:
    user = ctx.settings.hub_user
    code = ctx.param("code")
    if user:
        # A hub user's identity in a workshop travels as its code (widgets/hub_workshops.py),
        # and counts only on that user's own server.
        member = store.participant_by_code(code) if code else None
        if member is not None and member.hub_owner == user:
            return member
        found = store.participant_by_hub_user(user)
        return found or store.create_participant(user, hub_user=user, language=ctx.lang)
    if not code:
        return None
    limiter = throttle(ctx, store)
    if limiter.wait(ctx.client) > 0:
        return None  # a code in a link counts like a typed one: no checking while throttled
    participant = store.participant_by_code(code)
    if participant is None:
        limiter.failed(ctx.client, "code")
    return participant


def pseudonym_html(participant: Participant, *, own: bool = False) -> str:
    """A pseudonym as text, isolated from the text around it (a right-to-left name cannot reorder it).
    ``own``: shown to the participant themself — a hub user sees their hub user name, in a workshop
    too (others never do: they see the pseudonym)."""
    hub_name = participant.hub_user or participant.hub_owner
    name = hub_name if own and hub_name else participant.pseudonym
    return f'<bdi class="samsyn-name">{esc(name)}</bdi>'


class SignIn:
    """Pick a pseudonym (new trainee) or type a personal code (returning)."""

    def __init__(self, ctx: PageContext, store: Store, notebook: str, params: dict[str, str],
                 on_done: Callable[[Participant], None] | None = None):
        self.ctx, self.store, self.notebook, self.params = ctx, store, notebook, params
        self.on_done = on_done
        m = self.m = Messages(ctx.lang)
        self.pseudonym = w.Text(description=m("identity.pseudonym"), placeholder=m("identity.pseudonym_placeholder"),
                                style={"description_width": "initial"})
        self.pseudonym.add_class("samsyn-pseudonym")
        self.workshop_code = w.Text(value=ctx.param("join") or "", description=m("identity.workshop_code"),
                                    placeholder="ABCDE-FGHJK",
                                    style={"description_width": "initial"}, layout=w.Layout(width="30rem", max_width="100%"))
        self.workshop_code.add_class("samsyn-workshop-code")
        start = w.Button(description=m("identity.start"), button_style="primary")
        start.add_class("samsyn-start-button")
        start.on_click(lambda _b: self.create())
        self.code = w.Text(description=m("identity.code"), placeholder="ABCD-EFGH-JKMN", style={"description_width": "initial"})
        self.code.add_class("samsyn-code-input")
        resume = w.Button(description=m("identity.resume"))
        resume.add_class("samsyn-resume-button")
        resume.on_click(lambda _b: self.resume())
        self.status = html_widget("", "samsyn-identity-status")
        self.widget = w.VBox([
            html_widget(f"<h2>{esc(m('identity.heading'))}</h2><p>{esc(m('identity.intro'))}</p>"),
            w.HBox([self.pseudonym, self.workshop_code, start], layout=w.Layout(flex_flow="row wrap")),
            html_widget(f'<p class="samsyn-case-meta">{esc(m("identity.workshop_help"))}</p>'),
            html_widget(f"<p>{esc(m('identity.returning'))}</p>"),
            w.HBox([self.code, resume]),
            self.status,
        ])
        self.widget.add_class("samsyn-identity")

    def _alert(self, text: str) -> None:
        self.status.value = f'<p class="samsyn-notice" role="alert">{esc(text)}</p>'

    def _continue(self, participant: Participant, created: bool) -> None:
        m = self.m
        href = page_url(self.notebook, **self.params, code=participant.personal_code, lang=self.ctx.lang)
        key = "identity.created" if created else "identity.welcome_back"
        intro = esc(m(key, pseudonym="\x00")).replace("\x00", pseudonym_html(participant))
        self.status.value = (
            f'<div class="samsyn-notice" role="status"><p>{intro}</p>'
            f'<p>{esc(m("identity.your_code"))} <strong class="samsyn-personal-code">{esc(participant.personal_code)}</strong></p>'
            f'<p>{esc(m("identity.keep_code"))}</p>'
            f'<p><a class="samsyn-continue-link" href="{esc(href)}">{esc(m("identity.continue"))}</a></p></div>'
        )
        if self.on_done:
            self.on_done(participant)

    def create(self) -> None:
        m = self.m
        try:
            name = check(self.pseudonym.value)
        except PseudonymInvalid as exc:
            self._alert(m(exc.reason, max=MAX_PSEUDONYM))
            return
        code = self.workshop_code.value.strip()
        if code:
            limiter = throttle(self.ctx, self.store)
            wait = limiter.wait(self.ctx.client)
            if wait > 0:
                self._alert(wait_message(m, wait))
                return
            try:
                participant = self.store.join_workshop(code, name, language=self.ctx.lang,
                                                       join_hours=self.ctx.settings.workshop_join_hours)
            except WorkshopClosed:
                limiter.failed(self.ctx.client, "join")
                self._alert(m("identity.error.workshop_closed"))
                return
            except (LookupError, PseudonymTaken):
                # One answer for a wrong code and a taken pseudonym: who is in a workshop stays unknown.
                limiter.failed(self.ctx.client, "join")
                self._alert(m("identity.error.cannot_join"))
                return
            except PseudonymInvalid as exc:
                self._alert(m(exc.reason, max=MAX_PSEUDONYM))
                return
        else:
            participant = self.store.create_participant(name, self_paced=True, language=self.ctx.lang)
        self._continue(participant, created=True)

    def resume(self) -> None:
        m = self.m
        if not self.code.value.strip():
            self._alert(m("identity.error.unknown_code"))
            return
        limiter = throttle(self.ctx, self.store)
        wait = limiter.wait(self.ctx.client)
        if wait > 0:
            self._alert(wait_message(m, wait))
            return
        participant = self.store.participant_by_code(self.code.value)
        if participant is None:
            limiter.failed(self.ctx.client, "code")
            self._alert(m("identity.error.unknown_code"))
            return
        self._continue(participant, created=False)


def signed_in_bar(ctx: PageContext, participant: Participant, workshop=None) -> w.HTML:
    m = Messages(ctx.lang)
    text = esc(m("identity.signed_in", pseudonym="\x00")).replace("\x00", pseudonym_html(participant, own=True))
    if workshop is not None:
        text += " " + esc(m("identity.in_workshop", workshop=workshop.name))
    code = "" if participant.hub_owner else participant.personal_code or ""  # behind the hub, the hub is the key
    return html_widget(
        f'<p class="samsyn-signed-in">{text}'
        + (f' <span class="samsyn-case-meta">({esc(m("identity.your_code"))} <strong>{esc(code)}</strong>)</span>' if code else "")
        + "</p>",
        "samsyn-signed-in-bar",
    )
