"""The start page: the available cases, by name and age, in the chosen language."""

from __future__ import annotations

import ipywidgets as w

from cases import Library, load_library
from cases.loader import refreshed
from samsyn import hub
from store import Store
from widgets.hub_workshops import HubWorkshops
from widgets.identity import SignIn, resolve, signed_in_bar
from widgets import errors
from widgets.common import PageContext, esc, html_widget, language_switch, page_meta, page_title, page_url, style

CASE_NOTEBOOK = "case.ipynb"
START_NOTEBOOK = "start.ipynb"


def case_card(case, ctx: PageContext, has_panel: bool, answered: bool = False) -> str:
    m = ctx.messages
    title = case.title.get(ctx.lang)
    href = page_url(CASE_NOTEBOOK, case=case.id, lang=ctx.lang, code=ctx.param("code"))
    done = f'<span class="samsyn-badge samsyn-answered">{esc(m("start.answered"))}</span>' if answered else ""
    badges = [m(f"case.difficulty.{case.difficulty}")]
    if case.ambiguous:
        badges.append(m("case.ambiguous"))
    if has_panel:
        badges.append(m("start.panel_badge"))
    badge_html = "".join(f'<span class="samsyn-badge">{esc(b)}</span>' for b in badges)
    return (
        f'<li class="samsyn-case-card" data-case="{esc(case.id)}">'
        f'<a class="samsyn-case-link" data-case="{esc(case.id)}" href="{esc(href)}" '
        f'aria-label="{esc(m("start.open_case", title=title))}">{esc(title)}</a>'
        f'<p class="samsyn-case-meta"><span class="samsyn-case-age">{esc(m("start.case_age", age=case.age))}</span></p>'
        f"<p>{esc(case.summary.get(ctx.lang))}</p>"
        f"<div>{done}{badge_html}</div></li>"
    )


def role_links(ctx: PageContext, roles: hub.Roles) -> w.HTML:
    """Behind JupyterHub: links to the views the user's hub groups open."""
    m = ctx.messages
    links = []
    if roles.mentor:
        links.append(f'<li><a class="samsyn-mentor-link" href="{esc(page_url("mentor.ipynb", lang=ctx.lang))}">'
                     f'{esc(m("start.mentor_link"))}</a></li>')
        links.append(f'<li><a class="samsyn-programmes-link" href="{esc(page_url("programme.ipynb", lang=ctx.lang))}">'
                     f'{esc(m("start.programmes_link"))}</a></li>')
    if roles.manager:
        links.append(f'<li><a class="samsyn-manager-link" href="{esc(page_url("manager.ipynb", lang=ctx.lang))}">'
                     f'{esc(m("start.manager_link"))}</a></li>')
    markup = (f'<nav aria-label="{esc(m("start.roles_label"))}"><ul class="samsyn-role-links">{"".join(links)}</ul></nav>'
              if links else "")
    if roles.problem:
        markup += f'<p class="samsyn-notice samsyn-hub-problem" role="status">{esc(m("hub.groups_unavailable"))}</p>'
    return html_widget(markup, "samsyn-roles")


def build(ctx: PageContext, library: Library | None = None, store=None, roles: hub.Roles | None = None) -> w.Widget:
    # a preheated kernel loaded its library before the request: see cases published since
    library = refreshed(library) if library is not None else load_library(ctx.settings.cases_dir)
    m = ctx.messages
    participant, answered, identity = None, set(), None
    store = store or Store(ctx.settings.database_url)
    participant = resolve(ctx, store)
    workshop = None
    if participant is None:
        identity = SignIn(ctx, store, START_NOTEBOOK, {}).widget
    else:
        workshop = store.workshop(participant.workshop_id) if participant.workshop_id else None
        identity = signed_in_bar(ctx, participant, workshop)
        current_round = workshop.current_round if workshop else 1
        answered = {a.case_id for a in store.answers(participant_id=participant.id, round=current_round)}
    header = html_widget(
        f'<h1 lang="{esc(ctx.lang)}">{esc(m("app.name"))}</h1><p class="samsyn-tagline">{esc(m("app.tagline"))}</p>',
        "samsyn-header",
    )
    topbar = w.HBox([header, language_switch(ctx, START_NOTEBOOK, code=ctx.param("code"))])
    topbar.add_class("samsyn-topbar")
    parts: list[w.Widget] = [style(), page_meta(ctx, page_title(ctx)), errors.banner(), topbar, html_widget(f"<p>{esc(m('start.intro'))}</p>", "samsyn-intro")]
    if identity is not None:
        parts.append(identity)
    if ctx.settings.behind_hub:
        roles = roles or hub.roles(ctx.settings)
        parts.append(role_links(ctx, roles))
        parts.append(HubWorkshops(ctx, store, ctx.settings.hub_user,
                                  current=participant if participant.hub_owner else None).widget)
    if participant is not None and workshop is None:  # the trainee's programme first: this week's cases
        from widgets import programme_view

        if ctx.settings.behind_hub:
            programme_view.join_by_hub_groups(store, participant, roles)
        parts.append(programme_view.ProgrammeSection(ctx, store, library, participant).widget)
    cases = library.ordered()
    if workshop is not None:  # a workshop participant sees the workshop's cases, in the mentor's order
        cases = [library.cases[wc.case_id] for wc in workshop.cases if wc.case_id in library.cases]
    if cases:
        cards = "".join(
            case_card(c, ctx, bool(library.panels and library.panels.for_case(c.id)), c.id in answered) for c in cases
        )
        parts.append(
            html_widget(
                f'<h2 id="samsyn-cases-heading">{esc(m("start.cases_heading"))}</h2>'
                f'<ul class="samsyn-case-list" aria-labelledby="samsyn-cases-heading">{cards}</ul>',
                "samsyn-cases",
            )
        )
    else:
        parts.append(html_widget(f'<p class="samsyn-notice">{esc(m("start.no_cases"))}</p>', "samsyn-no-cases"))
    broken = len({e.file for e in library.errors})
    if broken:
        parts.append(
            html_widget(f'<p class="samsyn-notice">{esc(m("start.broken_cases", count=broken))}</p>', "samsyn-broken-cases")
        )
    if participant is not None and workshop is None:
        from widgets import progress_view

        parts.append(progress_view.build(store, participant, library, ctx.lang, ctx.settings.workshop_min_group))
    page = w.VBox(parts)
    page.add_class("samsyn-page")
    page.add_class("samsyn-start")
    return page
