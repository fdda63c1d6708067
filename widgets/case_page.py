"""The case page: the vignette, readable, by the three sides of the BBIC triangle."""

from __future__ import annotations

import ipywidgets as w

from cases import Case, Library, load_library
from cases.loader import refreshed
from cases.schema import SIDES
from widgets import errors
from widgets.common import PageContext, esc, html_widget, language_switch, page_url, paragraphs, style
from store import Store
from widgets.identity import SignIn, resolve, signed_in_bar
from widgets.start_page import CASE_NOTEBOOK, START_NOTEBOOK


def assessment(ctx: PageContext, case: Case, library: Library, store: Store | None) -> w.Widget:
    """The trainee's part of the page: sign in, then the stepper or the feedback."""
    from widgets.trainee import TraineeLoop

    store = store or Store(ctx.settings.database_url)
    participant = resolve(ctx, store)
    if participant is None:
        return SignIn(ctx, store, CASE_NOTEBOOK, {"case": case.id}).widget
    workshop = store.workshop(participant.workshop_id) if participant.workshop_id else None
    if workshop is not None and case.id not in {wc.case_id for wc in workshop.cases}:
        return html_widget(f'<p class="samsyn-notice" role="alert">{esc(ctx.messages("workshop.case_not_in_workshop"))}</p>',
                           "samsyn-not-in-workshop")
    loop = TraineeLoop(case, library, store, participant, ctx.lang, min_group=ctx.settings.workshop_min_group,
                       workshop=workshop)
    box = w.VBox([signed_in_bar(ctx, participant, workshop), loop.widget])
    box.add_class("samsyn-assessment")
    return box


def vignette_html(case: Case, library: Library, lang: str, m) -> str:
    variables = library.variables
    source = m(f"case.referral_from.{case.referral.from_}")
    out = [
        f'<h2>{esc(m("case.referral_heading"))}</h2>',
        f'<div class="samsyn-referral"><p class="samsyn-case-meta">{esc(m("case.referral_from", source=source))}</p>',
        paragraphs(case.referral.text.get(lang)),
        "</div>",
        f'<h2>{esc(m("case.investigation_heading"))}</h2>',
    ]
    for side in SIDES:
        out.append(f'<section class="samsyn-side" data-side="{esc(side)}">')
        out.append(f"<h3>{esc(variables.bbic_side_label(side, lang))}</h3>")
        for section in getattr(case.vignette, side):
            out.append(f'<h4>{esc(variables.bbic_area_label(section.area, lang))}</h4>')
            out.append(paragraphs(section.text.get(lang)))
        out.append("</section>")
    return "".join(out)


def header_html(case: Case, lang: str, m) -> str:
    facts = m("case.facts", sex=m(f"case.sex.{case.sex}"), age=case.age)
    badges = [m(f"case.difficulty.{case.difficulty}")] + ([m("case.ambiguous")] if case.ambiguous else [])
    return (
        f'<h1 class="samsyn-case-title" data-case="{esc(case.id)}">{esc(case.title.get(lang))}</h1>'
        f'<p class="samsyn-case-meta">{esc(facts)} '
        + "".join(f'<span class="samsyn-badge">{esc(b)}</span>' for b in badges)
        + f'</p><p class="samsyn-case-meta">{esc(m("case.constructed_notice"))}</p>'
    )


def case_widgets(case: Case, library: Library, lang: str, m) -> list[w.Widget]:
    """What the trainee reads before assessing: the header, the referral and the
    investigation, the source. The case page shows these; so does the authoring preview."""
    parts = [html_widget(header_html(case, lang, m), "samsyn-case-header"),
             html_widget(vignette_html(case, library, lang, m), "samsyn-vignette")]
    if case.source:
        parts.append(html_widget(f'<p class="samsyn-case-meta">{esc(m("case.source", source=case.source.get(lang)))}</p>',
                                 "samsyn-source"))
    return parts


def build(ctx: PageContext, library: Library | None = None, store: Store | None = None) -> w.Widget:
    # a preheated kernel loaded its library before the request: see cases published since
    library = refreshed(library) if library is not None else load_library(ctx.settings.cases_dir)
    m = ctx.messages
    case_id = ctx.param("case")
    code = ctx.param("code")
    case = library.get(case_id)
    back = html_widget(
        f'<a class="samsyn-back-link" href="{esc(page_url(START_NOTEBOOK, lang=ctx.lang, code=code))}">{esc(m("case.back"))}</a>',
        "samsyn-back",
    )
    topbar = w.HBox([back, language_switch(ctx, CASE_NOTEBOOK, case=case_id or "", code=code)])
    topbar.add_class("samsyn-topbar")
    parts: list[w.Widget] = [style(), errors.banner(), topbar]
    if case is None:
        parts.append(html_widget(f'<p class="samsyn-notice" role="alert">{esc(m("case.not_found"))}</p>', "samsyn-case-missing"))
    else:
        parts += case_widgets(case, library, ctx.lang, m)
        parts.append(assessment(ctx, case, library, store))
    page = w.VBox(parts)
    page.add_class("samsyn-page")
    page.add_class("samsyn-case")
    return page
