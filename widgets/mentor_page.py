"""The mentor's side of a calibration workshop.

``mentor.ipynb`` without parameters lets a mentor create a workshop and shows
its join code and a secret facilitator link. With ``?workshop=ID&secret=…``
(the only way in when standalone; behind JupyterHub a hub group) it is the
facilitator view: who has joined and answered (live), reveal per case, the
discussion guide, a second round with convergence, and the record (HTML, PDF,
Excel). Every aggregate honours the workshop's minimum group size; every
piece of participant text is escaped.
"""

from __future__ import annotations

import asyncio
import logging

import ipywidgets as w

from cases import Case, Library
from feedback import Response, reveal, workshop_record
from feedback.mapping_report import scale_chart
from feedback.report import alpha_text, convergence_table
from feedback.workshop import CaseReveal
from samsyn import charts, hub
from samsyn.i18n import Messages
from store import Store
from store.repository import workshop_open
from store.throttle import Throttle
from widgets import errors
from widgets.common import (PageContext, Progress, download_link, esc, html_widget, language_switch, page_meta, page_title, page_url,
                            paragraphs, style)
from widgets.identity import wait_message
from widgets.panel_view import panel_tables_html
from widgets.risk_anchors import anchors_html

log = logging.getLogger(__name__)
MENTOR_NOTEBOOK = "mentor.ipynb"
MIN_GROUP_FLOOR = 3
LIVE_INTERVAL_S = 3.0


def hub_is_mentor(ctx: PageContext, roles: hub.Roles | None = None) -> bool:
    """Behind JupyterHub the mentor role comes from a hub group, asked of the hub now."""
    roles = roles or hub.roles(ctx.settings)
    return bool(roles and roles.mentor)


def facilitator_allowed(ctx: PageContext, store: Store, workshop_id: int, secret: str | None,
                        roles: hub.Roles | None = None) -> bool:
    """Standalone: the workshop's facilitator secret. Behind JupyterHub: a mentor (hub group) who
    created the workshop or was granted it (``samsyn workshops grant``); being a mentor is not enough."""
    if ctx.settings.behind_hub:
        return hub_is_mentor(ctx, roles) and store.workshop_mentor(workshop_id, ctx.settings.hub_user)
    return store.facilitator_allowed(workshop_id, secret)


class CreateWorkshop:
    def __init__(self, ctx: PageContext, store: Store, library: Library):
        self.ctx, self.store, self.library = ctx, store, library
        m = self.m = Messages(ctx.lang)
        self.name = w.Text(description=m("mentor.name"), style={"description_width": "initial"}, layout=w.Layout(width="30rem"))
        self.name.add_class("samsyn-workshop-name")
        self.cases = {c.id: w.Checkbox(value=False, description=c.title.get(ctx.lang), indent=False) for c in library.ordered()}
        for cid, box in self.cases.items():
            box.add_class(f"samsyn-workshop-case-{cid}")
        self.language = w.Dropdown(options=[("Svenska", "sv"), ("English", "en")], value=ctx.lang,
                                   description=m("mentor.language"), style={"description_width": "initial"})
        self.min_group = w.BoundedIntText(value=ctx.settings.workshop_min_group, min=MIN_GROUP_FLOOR, max=40,
                                          description=m("mentor.min_group"), style={"description_width": "initial"})
        self.min_group.add_class("samsyn-min-group")
        self.expected = w.BoundedIntText(value=0, min=0, max=ctx.settings.mentor_room_max, description=m("mentor.expected"),
                                         style={"description_width": "initial"})
        self.expected.add_class("samsyn-expected")
        create = w.Button(description=m("mentor.create"), button_style="primary")
        create.add_class("samsyn-create-workshop")
        create.on_click(lambda _b: self.create())
        self.status = html_widget("", "samsyn-create-status")
        self.widget = w.VBox([
            html_widget(f"<h2>{esc(m('mentor.create_heading'))}</h2><p>{esc(m('mentor.create_intro'))}</p>"),
            self.name,
            html_widget(f"<p><strong>{esc(m('mentor.choose_cases'))}</strong></p>"),
            w.VBox(list(self.cases.values())),
            self.language, self.min_group,
            # Behind JupyterHub every participant has a server of their own: nothing to preheat here.
            *([] if ctx.settings.behind_hub else [
                self.expected, html_widget(f'<p class="samsyn-case-meta">{esc(m("mentor.expected_help"))}</p>')]),
            create, self.status,
        ])
        self.widget.add_class("samsyn-create")

    def create(self) -> None:
        m = self.m
        name = " ".join(self.name.value.split())
        chosen = [cid for cid, box in self.cases.items() if box.value]
        problems = []
        if not name:
            problems.append(m("mentor.error.name"))
        if len(name) > 200:
            problems.append(m("form.error.too_long", field=m("mentor.name"), max=200))
        if not chosen:
            problems.append(m("mentor.error.cases"))
        if problems:
            self.status.value = '<div class="samsyn-notice" role="alert"><ul>' + "".join(f"<li>{esc(p)}</li>" for p in problems) + "</ul></div>"
            return
        workshop, secret = self.store.create_workshop(name, chosen, language=self.language.value,
                                                      min_group_size=max(MIN_GROUP_FLOOR, int(self.min_group.value)),
                                                      owner_hub_user=self.ctx.settings.hub_user)
        facilitator = page_url(MENTOR_NOTEBOOK, workshop=str(workshop.id), secret=secret, lang=self.ctx.lang)
        room = ""
        if int(self.expected.value or 0) > 0 and not self.ctx.settings.behind_hub:
            from samsyn.rooms import request_room

            n = int(self.expected.value)
            ok = request_room(n)
            room = f'<p class="samsyn-room">{esc(m("mentor.room_ready", n=n) if ok else m("mentor.room_not_ready"))}</p>'
        participants = page_url("start.ipynb", join=workshop.join_code, lang=workshop.language)
        if self.ctx.settings.behind_hub:  # through the hub: each participant lands on their own server
            participants = hub.user_redirect_url(self.ctx.settings, f"voila/render/{participants}")
        self.status.value = (
            f'<div class="samsyn-notice" role="status"><p>{esc(m("mentor.created", name=workshop.name))}</p>'
            f'<p>{esc(m("mentor.join_code"))} <strong class="samsyn-join-code">{esc(workshop.join_code)}</strong></p>'
            f'<p>{esc(m("mentor.participant_link"))} <a class="samsyn-participant-link" href="{esc(participants)}">{esc(participants)}</a></p>'
            f'<p>{esc(m("mentor.facilitator_link"))} <a class="samsyn-facilitator-link" href="{esc(facilitator)}">{esc(m("mentor.open_facilitator"))}</a></p>'
            f'<p>{esc(m("mentor.keep_secret"))}</p>{room}</div>'
        )


def guide_html(case: Case, library: Library, lang: str) -> str:
    """The mentor's guide to one case: the notes, the prompts, the panel, the key.
    The workshop view shows it; so does the authoring preview."""
    m = Messages(lang)
    out = [f"<h4>{esc(m('mentor.notes'))}</h4><ul>"]
    out += [f"<li>{esc(note.get(lang))}</li>" for note in case.mentor_notes]
    out.append("</ul>")
    out.append(f"<h4>{esc(m('mentor.prompts'))}</h4><ul>")
    out.append(f"<li>{esc(m('prompt.relative_assessment'))}</li><li>{esc(m('prompt.lower_same_factors'))}</li>"
               f"<li>{esc(m('prompt.different_weight'))}</li><li>{esc(m('prompt.goal_baseline'))}</li></ul>")
    panel = library.panels.for_case(case.id) if library.panels else None
    if panel is not None:
        counts = ", ".join(f"{library.variables.risk_label(r, lang)}: {n}" for r, n in panel.risk.items() if n)
        out.append(f"<h4>{esc(m('start.panel_badge'))}</h4><p>{esc(m('report.panel', n=panel.n, year=panel.year, counts=counts))}</p>")
    if case.key is not None:
        out.append(f"<h4>{esc(m('feedback.key', rating=library.variables.risk_label(case.key.risk, lang)))}</h4>")
        out.append(paragraphs(case.key.rationale.risk.get(lang)))
    return "".join(out)


class Facilitator:
    def __init__(self, ctx: PageContext, store: Store, library: Library, workshop_id: int):
        self.ctx, self.store, self.library, self.workshop_id = ctx, store, library, workshop_id
        self.lang = ctx.lang
        m = self.m = Messages(ctx.lang)
        self.header = html_widget("", "samsyn-facilitator-header")
        self.live = html_widget("", "samsyn-live")
        refresh = w.Button(description=m("mentor.refresh"), icon="refresh")
        refresh.add_class("samsyn-refresh")
        refresh.on_click(lambda _b: self.refresh())
        self.next_round = w.Button(description="", button_style="warning")
        self.next_round.add_class("samsyn-next-round")
        self.next_round.on_click(lambda _b: self.open_round())
        self.close_button = w.Button(description=m("mentor.close_workshop"))
        self.close_button.add_class("samsyn-close-workshop")
        self.close_button.on_click(lambda _b: self.close())
        self.case_boxes: dict[str, dict[str, w.Widget]] = {}
        case_widgets = []
        workshop = store.workshop(workshop_id)
        for wc in workshop.cases:
            case = library.cases.get(wc.case_id)
            if case is None:
                continue
            status = html_widget("", f"samsyn-case-status-{case.id}")
            reveal = w.Button(description=m("mentor.reveal"), button_style="primary")
            reveal.add_class("samsyn-reveal")
            reveal.add_class(f"samsyn-reveal-{case.id}")
            reveal.on_click(lambda _b, cid=case.id: self.reveal(cid))
            panel = w.VBox([])
            panel.add_class(f"samsyn-reveal-panel-{case.id}")
            # a native disclosure: ipywidgets' Accordion header cannot be reached with the keyboard
            guide = html_widget(f'<details class="samsyn-guide-details"><summary>{esc(m("mentor.guide"))}</summary>'
                                f'<div class="samsyn-guide">{self.guide_html(case)}</div></details>', "samsyn-guide-box")
            box = w.VBox([html_widget(f"<h2>{esc(case.title.get(self.lang))}</h2>"), status, reveal, panel, guide])
            box.add_class("samsyn-workshop-case")
            box.add_class(f"samsyn-workshop-case-{case.id}")
            self.case_boxes[case.id] = {"status": status, "reveal": reveal, "panel": panel}
            case_widgets.append(box)
        self.convergence = html_widget("", "samsyn-convergence")
        self._convergence_seen: tuple | None = None
        self.exports = html_widget("", "samsyn-exports")
        self.record_progress = Progress(m("manager.progress_label"))
        prepare = w.Button(description=m("mentor.prepare_record"))
        prepare.add_class("samsyn-prepare-record")
        prepare.on_click(lambda _b: self.prepare_record())
        self.widget = w.VBox([
            self.header, w.HBox([refresh, self.next_round, self.close_button]), self.live, *case_widgets, self.convergence,
            html_widget(f"<h2>{esc(m('mentor.record'))}</h2><p>{esc(m('mentor.record_intro'))}</p>"), prepare,
            self.record_progress.widget, self.exports,
        ])
        self.widget.add_class("samsyn-facilitator")
        self.refresh()
        for cid in self.case_boxes:
            wc = next(x for x in workshop.cases if x.case_id == cid)
            if wc.revealed_round >= workshop.current_round:
                self.render_reveal(cid)
        self._start_live()

    # -- live ------------------------------------------------------------------------
    def _start_live(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # not in a kernel (unit tests): the refresh button still works
        self._task = loop.create_task(self._poll())

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(LIVE_INTERVAL_S)
            try:
                self.refresh()
            except Exception:  # keep polling; a passing database hiccup must not end the live view
                log.exception("live refresh failed")

    def refresh(self) -> None:
        m = self.m
        workshop = self.store.workshop(self.workshop_id)
        self.workshop = workshop
        people = self.store.workshop_participants(self.workshop_id)
        counts = self.store.answer_counts(self.workshop_id)
        hours = self.ctx.settings.workshop_join_hours
        is_open = workshop_open(workshop, hours)
        joining = (f'<span class="samsyn-workshop-open">{esc(m("mentor.open_to_join", hours=hours))}</span>' if is_open
                   else f'<span class="samsyn-workshop-closed">{esc(m("mentor.closed"))}</span>')
        self.close_button.disabled = not is_open
        self.header.value = (
            f"<h1>{esc(workshop.name)}</h1>"
            f'<p>{esc(m("mentor.join_code"))} <strong class="samsyn-join-code">{esc(workshop.join_code)}</strong> · '
            f'<span class="samsyn-current-round">{esc(m("mentor.current_round", round=workshop.current_round))}</span> · '
            f'{esc(m("mentor.min_group_is", n=workshop.min_group_size))}</p><p>{joining}</p>'
        )
        names = ", ".join(f"<bdi>{esc(p.pseudonym)}</bdi>" for p in people) or esc(m("mentor.nobody_yet"))
        self.live.value = (f'<p><strong>{esc(m("mentor.joined", n=len(people)))}</strong> '
                           f'<span class="samsyn-joined-names">{names}</span></p>')
        for wc in workshop.cases:
            boxes = self.case_boxes.get(wc.case_id)
            if not boxes:
                continue
            n = counts.get((wc.case_id, workshop.current_round), 0)
            state = m("mentor.revealed") if wc.revealed_round >= workshop.current_round else m("mentor.blind")
            boxes["status"].value = (f'<p class="samsyn-answer-count" data-case="{esc(wc.case_id)}" data-n="{n}">'
                                     f'{esc(m("mentor.answered", n=n, total=len(people), round=workshop.current_round))} · {esc(state)}</p>')
        self.next_round.description = m("mentor.open_round", round=workshop.current_round + 1)
        seen = (workshop.current_round, tuple(sorted(counts.items())))
        if workshop.current_round > 1 and seen != self._convergence_seen:  # the poll re-reads answers only on change
            self._convergence_seen = seen
            self.render_convergence()

    # -- actions -----------------------------------------------------------------------
    def reveal(self, case_id: str) -> None:
        self.store.reveal(self.workshop_id, case_id, self.store.workshop(self.workshop_id).current_round)
        self.render_reveal(case_id)
        self.refresh()

    def close(self) -> None:
        self.store.close_workshop(self.workshop_id)
        self.refresh()

    def open_round(self) -> None:
        self.store.open_round(self.workshop_id)
        for boxes in self.case_boxes.values():
            boxes["panel"].children = []
        self.refresh()

    # -- content -----------------------------------------------------------------------
    def _responses(self, case_id: str, round: int) -> dict[int, Response]:
        return workshop_record.responses(self.store, self.workshop_id, case_id, round)

    def _reveal_value(self, case_id: str, round: int) -> CaseReveal:
        return workshop_record.case_reveal_of(self.store, self.library, self.workshop_id, case_id, round,
                                              min_group=self.workshop.min_group_size)

    def render_reveal(self, case_id: str) -> None:
        v, lang = self.library.variables, self.lang
        workshop = self.workshop = self.store.workshop(self.workshop_id)
        r = self._reveal_value(case_id, workshop.current_round)
        panel = self.case_boxes[case_id]["panel"]
        if not r.shown:
            panel.children = [html_widget(reveal.reveal_html(r, None, v, lang, svg_chart=False))]
            return
        case = self.library.cases[case_id]
        spec, desc = reveal.group_chart(r, v, lang)
        figures = [charts.chart_widget(spec, desc, "samsyn-reveal-chart", lang=lang)]
        panel_chart = reveal.panel_chart(r, v, lang)
        if panel_chart is not None:
            figures.append(charts.chart_widget(*panel_chart, "samsyn-reveal-panel-chart", lang=lang))
        alpha = workshop_record.round_alpha(self.store, self.library, workshop, workshop.current_round)
        mapping = workshop_record.mapping_reveal_of(self.store, self.library, self.workshop_id, case_id,
                                                    workshop.current_round, min_group=workshop.min_group_size)
        html = reveal.reveal_html(
            r, case, v, lang, mapping=mapping, svg_chart=False, discussion=True, alpha=alpha_text(alpha, self.m),
            anchors=self._anchors(case_id, r),
            panel_tables=panel_tables_html(r.panel, v, lang, r.panel_shares, group_n=r.n) if r.panel_shares else "")
        scale = scale_chart(mapping, v, lang)
        after = [charts.chart_widget(scale[0], scale[1], "samsyn-mapping-scale-chart", lang=lang)] if scale else []
        panel.children = [*figures, html_widget(html, "samsyn-reveal-content"), *after]

    def _anchors(self, case_id: str, r) -> str:
        """The levels' definitions for the discussion: the reference assessment's level and the group's
        median marked. The workshop's cases not yet revealed in this round are no worked examples (the
        view may be on the wall while the group still answers them blind)."""
        m = self.m
        marks: dict[str, list[str]] = {}
        if r.key_risk:
            marks.setdefault(r.key_risk, []).append(m("anchors.mark_key"))
        for level in r.median_levels:
            marks.setdefault(level, []).append(m("anchors.mark_group_median"))
        workshop = self.workshop
        blind = {wc.case_id for wc in workshop.cases
                 if wc.case_id != case_id and wc.revealed_round < workshop.current_round}
        examples = {rid: [c for c in cases if c.id not in blind]
                    for rid, cases in self.library.worked_examples_by_level().items()}
        return anchors_html(self.library.variables, self.lang, examples, current_case=case_id, marks=marks)

    def guide_html(self, case: Case) -> str:
        return guide_html(case, self.library, self.lang)

    def render_convergence(self) -> None:
        m = self.m
        workshop = self.workshop
        r_now = workshop.current_round
        items = [workshop_record.case_convergence(self.store, self.library, workshop, wc.case_id, r_now)
                 for wc in workshop.cases if wc.case_id in self.library.cases]
        self.convergence.value = (
            f"<h2>{esc(m('mentor.convergence'))}</h2><p>{esc(m('mentor.convergence_intro', r1=r_now - 1, r2=r_now))}</p>"
            + convergence_table(items, self.library, self.lang, workshop.min_group_size))

    def prepare_record(self) -> None:
        m, progress = self.m, self.record_progress
        progress.start()
        record = workshop_record.workshop_record(self.store, self.library, self.workshop_id)
        files = workshop_record.record_files(record, self.library, f"samsyn-workshop-{self.workshop_id}",
                                             lambda fraction, message: progress(fraction, m(message)))
        progress.done()
        self.exports.value = "<p>" + " · ".join([
            download_link(files.html, f"{files.stem}.html", m("mentor.download_html"), "samsyn-download samsyn-download-html"),
            download_link(files.pdf, f"{files.stem}.pdf", m("mentor.download_pdf"), "samsyn-download samsyn-download-pdf"),
            download_link(files.xlsx, f"{files.stem}.xlsx", m("mentor.download_excel"), "samsyn-download samsyn-download-excel"),
        ]) + "</p>"


def facilitator_refusal(ctx: PageContext, store: Store, workshop_id: int, roles: hub.Roles | None = None) -> str | None:
    """Why the facilitator view stays shut (a message), or None. Wrong secrets are throttled."""
    m = ctx.messages
    if ctx.settings.behind_hub:
        roles = roles or hub.roles(ctx.settings)  # asked once for the page
        if workshop_id >= 0 and facilitator_allowed(ctx, store, workshop_id, None, roles):
            return None
        return m("mentor.refused_not_yours") if hub_is_mentor(ctx, roles) else m("mentor.refused")
    limiter = Throttle.for_settings(store, ctx.settings)
    wait = limiter.wait(ctx.client)
    if wait > 0:
        return wait_message(m, wait)
    if workshop_id >= 0 and facilitator_allowed(ctx, store, workshop_id, ctx.secret("secret")):
        return None
    limiter.failed(ctx.client, "secret")
    return m("mentor.refused")


def build(ctx: PageContext, library: Library, store: Store | None = None, roles: hub.Roles | None = None) -> w.Widget:
    from cases.loader import refreshed

    library = refreshed(library)  # a preheated kernel loaded it before the request: see cases published since
    m = ctx.messages
    store = store or Store(ctx.settings.database_url)
    workshop_param = ctx.param("workshop")
    # The secret is in a cookie (samsyn.guard), never in a link: the switch carries only the workshop.
    topbar = w.HBox([html_widget(f"<p><strong>{esc(m('app.name'))}</strong> · {esc(m('mentor.title'))}</p>"),
                     language_switch(ctx, MENTOR_NOTEBOOK, workshop=workshop_param)])
    topbar.add_class("samsyn-topbar")
    parts: list[w.Widget] = [style(), page_meta(ctx, page_title(ctx, m("mentor.title"))), errors.banner(), topbar]
    if workshop_param is None:
        if ctx.settings.behind_hub and not hub_is_mentor(ctx, roles):
            parts.append(html_widget(f'<p class="samsyn-notice samsyn-refused" role="alert">{esc(m("mentor.refused"))}</p>'))
        else:
            parts.append(CreateWorkshop(ctx, store, library).widget)
    else:
        try:
            workshop_id = int(workshop_param)
        except ValueError:
            workshop_id = -1
        refusal = facilitator_refusal(ctx, store, workshop_id, roles)
        if refusal:
            parts.append(html_widget(f'<p class="samsyn-notice samsyn-refused" role="alert">{esc(refusal)}</p>'))
        else:
            parts.append(Facilitator(ctx, store, library, workshop_id).widget)
    page = w.VBox(parts)
    page.add_class("samsyn-page")
    page.add_class("samsyn-mentor")
    return page
