"""Behind JupyterHub: join a workshop as the signed-in hub user, and get back to it.

Hub users never see the pseudonym form, so the start page gives them this
instead. The mentor shares the join code, or a link through the hub
(``/hub/user-redirect/voila/render/start.ipynb?join=CODE``) that opens each
participant's own server with the code filled in. Joining gives the hub user
an identity in that workshop (``Store.join_workshop_as_hub_user``) under a
pseudonym of its own ("hub-…": the mentor and the exports never see hub user
names; the user sees their own name): a case they practised on their own and
answer again in the workshop are two answers. A closed workshop takes no new
hub users, and wrong codes are throttled like the pseudonym form's. That identity's code travels in
the page links (``?code=…``) and counts only on the same user's server
(``widgets.identity.resolve``).
"""

from __future__ import annotations

import ipywidgets as w

from samsyn.i18n import Messages
from store import Participant, Store
from widgets.common import PageContext, esc, html_widget, page_url

START_NOTEBOOK = "start.ipynb"


class HubWorkshops:
    """The workshops a hub user has joined (links) and a field to join one by its code."""

    def __init__(self, ctx: PageContext, store: Store, user: str, current: Participant | None = None):
        self.ctx, self.store, self.user = ctx, store, user
        m = self.m = Messages(ctx.lang)
        self.code = w.Text(value=ctx.param("join") or "", description=m("identity.workshop_code"), placeholder="ABCDE-FGHJK",
                           style={"description_width": "initial"}, layout=w.Layout(width="30rem", max_width="100%"))
        self.code.add_class("samsyn-hub-join-code")
        join = w.Button(description=m("hubjoin.join"), button_style="primary")
        join.add_class("samsyn-hub-join")
        join.on_click(lambda _b: self.join())
        self.status = html_widget("", "samsyn-hub-join-status")
        self.widget = w.VBox([
            html_widget(self._joined_html(current), "samsyn-hub-workshops"),
            html_widget(f"<h2>{esc(m('hubjoin.heading'))}</h2><p>{esc(m('hubjoin.intro'))}</p>"),
            w.HBox([self.code, join], layout=w.Layout(flex_flow="row wrap")),
            self.status,
        ])
        self.widget.add_class("samsyn-hub-join-box")

    def _link(self, participant: Participant, text: str) -> str:
        href = page_url(START_NOTEBOOK, code=participant.personal_code, lang=self.ctx.lang)
        return f'<a class="samsyn-hub-workshop-link" href="{esc(href)}">{esc(text)}</a>'

    def _joined_html(self, current: Participant | None) -> str:
        m = self.m
        items = []
        for participant, workshop in self.store.hub_workshops(self.user):
            if current is not None and participant.id == current.id:
                items.append(f'<li aria-current="page">{esc(workshop.name)}</li>')
            else:
                items.append(f"<li>{self._link(participant, m('hubjoin.open', workshop=workshop.name))}</li>")
        out = []
        if items:
            out.append(f"<h2>{esc(m('hubjoin.your_workshops'))}</h2><ul>{''.join(items)}</ul>")
        if current is not None:
            href = page_url(START_NOTEBOOK, lang=self.ctx.lang)
            out.append(f'<p><a class="samsyn-hub-self-paced" href="{esc(href)}">{esc(m("hubjoin.self_paced"))}</a></p>')
        return "".join(out)

    def _alert(self, text: str) -> None:
        self.status.value = f'<p class="samsyn-notice" role="alert">{esc(text)}</p>'

    def join(self) -> None:
        from store.repository import WorkshopClosed
        from widgets.identity import throttle, wait_message

        m = self.m
        code = self.code.value.strip()
        if not code:
            self._alert(m("hubjoin.error.empty"))
            return
        limiter = throttle(self.ctx, self.store)  # join codes can be guessed here too
        wait = limiter.wait(self.ctx.client)
        if wait > 0:
            self._alert(wait_message(m, wait))
            return
        try:
            participant = self.store.join_workshop_as_hub_user(code, self.user, language=self.ctx.lang,
                                                               join_hours=self.ctx.settings.workshop_join_hours)
        except WorkshopClosed:
            limiter.failed(self.ctx.client, "join")
            self._alert(m("identity.error.workshop_closed"))
            return
        except LookupError:
            limiter.failed(self.ctx.client, "join")
            self._alert(m("identity.error.unknown_workshop"))
            return
        workshop = self.store.workshop(participant.workshop_id)
        self.status.value = (f'<div class="samsyn-notice" role="status"><p>{esc(m("hubjoin.joined", workshop=workshop.name))}</p>'
                             f"<p>{self._link(participant, m('hubjoin.open', workshop=workshop.name))}</p></div>")
