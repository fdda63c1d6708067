"""The mentor's programme page (``programme.ipynb``).

Without parameters: create an onboarding programme — name, language, start
week, steps over weeks (each a set of self-paced cases or a workshop), who may
join (its code; behind JupyterHub also a hub group), the calibration criterion
and the minimum group size. Creating it shows the join code and a secret link
to the cohort view (standalone; behind JupyterHub the mentor who created it
opens it as themself).

With ``?programme=ID``: the cohort view — each participant's progress and
figures under their pseudonym (behind JupyterHub their hub name: mentors know
their mentees), the cases where the cohort diverges most, the workshops of its
workshop steps, and the tertial checklist (HTML, PDF, Excel; aggregates only).
"""

from __future__ import annotations

from datetime import date, timedelta

import ipywidgets as w

from cases import Library
from programmes.calibration import Criterion
from samsyn.numbers import dec, pct, steps as fmt_steps
from samsyn import hub
from samsyn.i18n import Messages
from store import StepIn, Store
from store.throttle import Throttle
from widgets import errors
from widgets.common import (PageContext, download_link, esc, html_widget, language_switch, page_meta, page_title,
                            page_url, style)
from widgets.identity import wait_message
from widgets.mentor_page import hub_is_mentor

PROGRAMME_NOTEBOOK = "programme.ipynb"
MIN_GROUP_FLOOR = 3
MAX_STEPS = 12
MAX_WEEKS = 52


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


class StepRow:
    def __init__(self, m: Messages, library: Library, lang: str, n: int, week: int):
        self.n = n
        self.week = w.BoundedIntText(value=week, min=1, max=MAX_WEEKS, description=m("programme.form.week"),
                                     style={"description_width": "initial"}, layout=w.Layout(width="10rem"))
        self.week.add_class(f"samsyn-step-{n}-week")
        self.kind = w.Dropdown(options=[(m("programme.kind_cases"), "cases"), (m("programme.kind_workshop"), "workshop")],
                               value="cases", description=m("programme.form.kind"), style={"description_width": "initial"})
        self.kind.add_class(f"samsyn-step-{n}-kind")
        self.cases = w.SelectMultiple(options=[(c.title.get(lang), c.id) for c in library.ordered()], rows=6,
                                      description=m("programme.form.cases"), style={"description_width": "initial"})
        self.cases.add_class(f"samsyn-step-{n}-cases")
        self.widget = w.VBox([html_widget(f"<h3>{esc(m('programme.form.step', n=n))}</h3>"),
                              w.HBox([self.week, self.kind], layout=w.Layout(flex_flow="row wrap")), self.cases])
        self.widget.add_class("samsyn-step-row")


class CreateProgramme:
    def __init__(self, ctx: PageContext, store: Store, library: Library, today: date | None = None):
        self.ctx, self.store, self.library = ctx, store, library
        m = self.m = Messages(ctx.lang)
        today = today or date.today()
        wide = {"description_width": "initial"}
        self.name = w.Text(description=m("programme.form.name"), style=wide, layout=w.Layout(width="30rem"))
        self.name.add_class("samsyn-programme-name")
        self.language = w.Dropdown(options=[("Svenska", "sv"), ("English", "en")], value=ctx.lang,
                                   description=m("mentor.language"), style=wide)
        self.language.add_class("samsyn-programme-language")
        self.start = w.DatePicker(value=monday(today), description=m("programme.form.start"), style=wide)
        self.start.add_class("samsyn-programme-start")
        self.hub_group = w.Text(description=m("programme.form.hub_group"), style=wide, layout=w.Layout(width="30rem"))
        self.hub_group.add_class("samsyn-programme-hub-group")
        self.rows: list[StepRow] = []
        self.steps_box = w.VBox([])
        add = w.Button(description=m("programme.form.add_step"), icon="plus")
        add.add_class("samsyn-add-step")
        add.on_click(lambda _b: self.add_step())
        for _ in range(2):
            self.add_step()
        self.kind = w.Dropdown(options=[(m("programme.form.kind_share_lean"), "share_lean"),
                                        (m("programme.form.kind_ac2"), "ac2"), (m("programme.form.kind_alpha"), "alpha")],
                               value="share_lean", description=m("programme.form.criterion"), style=wide)
        self.kind.add_class("samsyn-criterion-kind")
        d = Criterion()
        self.window = w.BoundedIntText(value=d.window, min=2, max=50, description=m("programme.form.window"), style=wide)
        self.window.add_class("samsyn-criterion-window")
        self.min_share = w.BoundedIntText(value=round(d.min_share * 100), min=1, max=100,
                                          description=m("programme.form.min_share"), style=wide)
        self.min_share.add_class("samsyn-criterion-share")
        self.max_lean = w.BoundedFloatText(value=d.max_lean, min=0, max=3, step=0.1,
                                           description=m("programme.form.max_lean"), style=wide)
        self.max_lean.add_class("samsyn-criterion-lean")
        self.min_coefficient = w.BoundedFloatText(value=d.min_coefficient, min=-1, max=1, step=0.05,
                                                  description=m("programme.form.min_coefficient"), style=wide)
        self.min_coefficient.add_class("samsyn-criterion-coefficient")
        self.min_group = w.BoundedIntText(value=ctx.settings.workshop_min_group, min=MIN_GROUP_FLOOR, max=40,
                                          description=m("mentor.min_group"), style=wide)
        self.min_group.add_class("samsyn-programme-min-group")
        create = w.Button(description=m("programme.form.create"), button_style="primary")
        create.add_class("samsyn-create-programme")
        create.on_click(lambda _b: self.create())
        self.status = html_widget("", "samsyn-create-programme-status")
        who = [self.hub_group] if ctx.settings.behind_hub else []
        self.widget = w.VBox([
            html_widget(f"<h2>{esc(m('programme.form.heading'))}</h2><p>{esc(m('programme.form.intro'))}</p>"),
            self.name, self.language, self.start, *who,
            html_widget(f"<h2>{esc(m('programme.form.steps_heading'))}</h2><p>{esc(m('programme.form.steps_intro'))}</p>"),
            self.steps_box, add,
            html_widget(f"<h2>{esc(m('programme.form.criterion_heading'))}</h2><p>{esc(m('programme.form.criterion_intro'))}</p>"),
            self.kind, self.window, self.min_share, self.max_lean, self.min_coefficient, self.min_group,
            create, self.status,
        ])
        self.widget.add_class("samsyn-create-programme-form")

    def add_step(self) -> None:
        if len(self.rows) >= MAX_STEPS:
            return
        week = (self.rows[-1].week.value + 1) if self.rows else 1
        self.rows.append(StepRow(self.m, self.library, self.ctx.lang, len(self.rows) + 1, min(week, MAX_WEEKS)))
        self.steps_box.children = [r.widget for r in self.rows]

    def _problems(self) -> tuple[list[str], list[StepIn], Criterion | None]:
        m = self.m
        problems: list[str] = []
        name = " ".join(self.name.value.split())
        if not name:
            problems.append(m("mentor.error.name"))
        if len(name) > 200:
            problems.append(m("form.error.too_long", field=m("programme.form.name"), max=200))
        if not isinstance(self.start.value, date):
            problems.append(m("programme.error.start"))
        steps = []
        for r in self.rows:
            chosen = tuple(c for c in (r.cases.value or ()) if c in self.library.cases)
            if chosen:
                steps.append(StepIn(week=max(1, min(MAX_WEEKS, int(r.week.value))), case_ids=chosen,
                                    kind=r.kind.value if r.kind.value in ("cases", "workshop") else "cases"))
        if not steps:
            problems.append(m("programme.error.steps"))
        criterion = None
        try:
            criterion = Criterion(kind=self.kind.value, window=int(self.window.value),
                                  min_share=int(self.min_share.value) / 100, max_lean=float(self.max_lean.value),
                                  min_coefficient=float(self.min_coefficient.value))
        except (ValueError, TypeError):
            problems.append(m("programme.error.criterion"))
        return problems, steps, criterion

    def create(self) -> None:
        m = self.m
        problems, steps, criterion = self._problems()
        if problems:
            self.status.value = ('<div class="samsyn-notice" role="alert"><ul>'
                                 + "".join(f"<li>{esc(p)}</li>" for p in problems) + "</ul></div>")
            return
        programme, secret = self.store.create_programme(
            self.name.value, steps, starts_on=self.start.value, criterion=criterion.describe_values(),
            language=self.language.value, min_group_size=max(MIN_GROUP_FLOOR, int(self.min_group.value)),
            owner_hub_user=self.ctx.settings.hub_user,
            hub_group=self.hub_group.value if self.ctx.settings.behind_hub else None)
        if self.ctx.settings.behind_hub:
            cohort = page_url(PROGRAMME_NOTEBOOK, programme=str(programme.id), lang=self.ctx.lang)
        else:
            cohort = page_url(PROGRAMME_NOTEBOOK, programme=str(programme.id), secret=secret, lang=self.ctx.lang)
        self.status.value = (
            f'<div class="samsyn-notice" role="status"><p>{esc(m("programme.created", name=programme.name))}</p>'
            f'<p>{esc(m("programme.join_code_is"))} <strong class="samsyn-programme-join-code">{esc(programme.join_code)}</strong></p>'
            f'<p>{esc(m("programme.join_how"))}</p>'
            f'<p><a class="samsyn-cohort-link" href="{esc(cohort)}">{esc(m("programme.open_cohort"))}</a></p>'
            + ("" if self.ctx.settings.behind_hub else f'<p>{esc(m("mentor.keep_secret"))}</p>') + "</div>")


class Cohort:
    def __init__(self, ctx: PageContext, store: Store, library: Library, programme_id: int, today: date | None = None):
        self.ctx, self.store, self.library, self.programme_id = ctx, store, library, programme_id
        self.today = today or date.today()
        self.m = Messages(ctx.lang)
        self.body = w.VBox([])
        self.widget = w.VBox([self.body])
        self.widget.add_class("samsyn-cohort")
        self.render()

    def render(self) -> None:
        from programmes.records import criterion_text, tertials_between
        from programmes.schedule import _day
        from programmes.service import divergent_cases, states

        m = self.m
        programme = self.store.programme(self.programme_id)
        all_states = states(self.store, self.library, programme, self.today)
        criterion = Criterion.from_dict(programme.criterion)
        refresh = w.Button(description=m("mentor.refresh"), icon="refresh")
        refresh.add_class("samsyn-cohort-refresh")
        refresh.on_click(lambda _b: self.render())
        from programmes.schedule import current_week, ends_on

        week = current_week(programme.starts_on, self.today)
        last = ends_on(programme.starts_on, max(st.week for st in programme.steps))
        header = html_widget(
            f"<h1>{esc(programme.name)}</h1>"
            f'<p>{esc(m("programme.join_code_is"))} <strong class="samsyn-programme-join-code">{esc(programme.join_code)}</strong>'
            + (f' · {esc(m("programme.hub_group_is", group=programme.hub_group))}' if programme.hub_group else "")
            + f'</p><p>{esc(m("programme.period", start=_day(programme.starts_on).isoformat(), end=last.isoformat()))} · '
            f'{esc(m("programme.cohort_week", week=week))}</p>'
            f'<p>{esc(m("programme.criterion_is", criterion=criterion_text(criterion, m)))}</p>', "samsyn-cohort-header")
        parts: list[w.Widget] = [header, refresh, html_widget(self._members_html(programme, all_states), "samsyn-cohort-members"),
                                 html_widget(self._divergence_html(divergent_cases(self.store, self.library, programme)),
                                             "samsyn-cohort-divergence")]
        parts += self._workshop_steps(programme)
        tertials = tertials_between(_day(programme.starts_on), last)
        self.tertial = w.Dropdown(options=tertials, value=next((t for t in tertials if t == _label(self.today)), tertials[-1]),
                                  description=m("programme.checklist.tertial"), style={"description_width": "initial"})
        self.tertial.add_class("samsyn-checklist-tertial")
        prepare = w.Button(description=m("programme.checklist.prepare"))
        prepare.add_class("samsyn-prepare-checklist")
        prepare.on_click(lambda _b: self.prepare_checklist())
        self.exports = html_widget("", "samsyn-checklist-exports")
        parts += [html_widget(f"<h2>{esc(m('programme.checklist.heading'))}</h2><p>{esc(m('programme.checklist.intro'))}</p>"),
                  w.HBox([self.tertial, prepare], layout=w.Layout(flex_flow="row wrap")), self.exports]
        self.body.children = parts

    def _name(self, participant) -> str:
        if self.ctx.settings.behind_hub and participant.hub_user:
            return participant.hub_user  # mentors know their mentees: the hub name
        return participant.pseudonym

    def _members_html(self, programme, all_states) -> str:
        m, lang = self.m, self.ctx.lang
        members = self.store.programme_members(programme.id)
        heading = f'<h2 id="samsyn-cohort-heading">{esc(m("programme.cohort_heading", n=len(members)))}</h2>'
        if not members:
            return heading + f'<p>{esc(m("programme.cohort_empty"))}</p>'
        rows = []
        for member, participant in members:
            s = all_states[participant.id]
            f, e = s.figures, s.evaluation
            steps_done = sum(st.state == "done" for st in s.steps)
            if s.met is not None:
                goal = m("programme.met", date=s.met.until.date().isoformat() if s.met.until else "")
            elif e.enough:
                goal = m("programme.not_met")
            else:
                goal = m("programme.criterion.too_few", n=e.n_rated, window=e.criterion.window, missing=e.missing)
            driver = {"weighting": m("programme.driver_short_weighting"), "identification": m("programme.driver_short_identification"),
                      "both": m("programme.driver_short_both"), "agree": m("programme.driver_short_agree")}.get(f.driver, "–")
            cells = [f'<th scope="row"><bdi class="samsyn-name">{esc(self._name(participant))}</bdi></th>',
                     f"<td>{steps_done} / {len(s.steps)}</td>", f"<td>{f.n_answers}</td>",
                     f"<td>{esc(pct(f.share_within_one, lang))}</td>", f"<td>{esc(fmt_steps(f.lean_vs_key, lang))}</td>",
                     f"<td>{esc(fmt_steps(f.lean_vs_group, lang))}</td>", f"<td>{esc(driver)}</td>",
                     f"<td>{esc(str(f.n_not_known))}</td>", f'<td class="samsyn-member-goal">{esc(goal)}</td>']
            rows.append(f'<tr class="samsyn-member" data-member="{esc(participant.pseudonym)}" data-steps-done="{steps_done}" '
                        f'data-answers="{f.n_answers}">{"".join(cells)}</tr>')
        columns = ["programme.col.name", "programme.col.steps", "programme.col.answers", "programme.col.share",
                   "programme.col.lean_key", "programme.col.lean_group", "programme.col.driver",
                   "programme.col.not_known", "programme.col.goal"]
        head = "".join(f'<th scope="col">{esc(m(c))}</th>' for c in columns)
        return (heading + f'<table class="samsyn-table samsyn-cohort-table" aria-labelledby="samsyn-cohort-heading">'
                f'<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
                f'<p class="samsyn-case-meta">{esc(m("programme.cohort_note"))}</p>')

    def _divergence_html(self, items) -> str:
        m, lang = self.m, self.ctx.lang
        v = self.library.variables
        out = [f"<h2>{esc(m('programme.divergence_heading'))}</h2><p>{esc(m('programme.divergence_intro'))}</p>"]
        if not items:
            return "".join(out) + f'<p>{esc(m("programme.divergence_none"))}</p>'
        rows = []
        for d in items:
            case = self.library.cases[d.case_id]
            spread = ", ".join(f"{v.risk_label(r, lang)}: {n}" for r, n in zip(v.risk_level_ids, d.counts) if n)
            if d.not_known:
                spread += f", {v.risk_label(v.risk.not_assessable.id, lang)}: {d.not_known}"
            rows.append(f'<tr class="samsyn-divergent-case" data-case="{esc(d.case_id)}"><th scope="row">{esc(case.title.get(lang))}</th>'
                        f"<td>{d.n}</td><td>{esc(spread)}</td><td>{esc(dec(d.consensus, lang))}</td>"
                        f"<td>{esc(v.risk_label(d.key_risk, lang) if d.key_risk else '–')}</td></tr>")
        head = "".join(f'<th scope="col">{esc(m(c))}</th>' for c in ("progress.case", "programme.col.answers",
                                                                     "programme.col.spread", "programme.col.consensus",
                                                                     "programme.col.key"))
        return "".join(out) + f'<table class="samsyn-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'

    def _workshop_steps(self, programme) -> list[w.Widget]:
        m = self.m
        out: list[w.Widget] = []
        for st in programme.steps:
            if st.kind != "workshop":
                continue
            status = html_widget("", f"samsyn-step-workshop-status-{st.position + 1}")
            label = m("programme.step", n=st.position + 1, kind=m("programme.kind_workshop"))
            if st.workshop_id is not None:
                href = page_url("mentor.ipynb", workshop=str(st.workshop_id), lang=self.ctx.lang)
                status.value = (f"<p>{esc(label)}: {esc(m('programme.workshop_opened'))}"
                                + (f' <a href="{esc(href)}">{esc(m("mentor.open_facilitator"))}</a>' if self.ctx.settings.behind_hub else "")
                                + "</p>")
                out.append(status)
                continue
            button = w.Button(description=m("programme.open_step_workshop", n=st.position + 1))
            button.add_class(f"samsyn-open-step-workshop-{st.position + 1}")

            def open_it(_b, step_id=st.id, status=status, button=button, label=label):
                workshop, secret = self.store.open_step_workshop(step_id, owner_hub_user=self.ctx.settings.hub_user)
                params = {"workshop": str(workshop.id), "lang": self.ctx.lang}
                if not self.ctx.settings.behind_hub:
                    params["secret"] = secret
                href = page_url("mentor.ipynb", **params)
                button.disabled = True
                status.value = (f'<p role="status">{esc(label)}: {esc(m("programme.workshop_opened"))} '
                                f'<a class="samsyn-step-facilitator-link" href="{esc(href)}">{esc(m("mentor.open_facilitator"))}</a></p>'
                                + ("" if self.ctx.settings.behind_hub else f'<p>{esc(m("mentor.keep_secret"))}</p>'))

            button.on_click(open_it)
            out.append(w.VBox([button, status]))
        if out:
            out.insert(0, html_widget(f"<h2>{esc(m('programme.workshops_heading'))}</h2>"))
        return out

    def prepare_checklist(self) -> None:
        from programmes import records
        from programmes.service import checklist

        m = self.m
        programme = self.store.programme(self.programme_id)
        tertial = self.tertial.value
        c = checklist(self.store, self.library, programme, tertial, self.ctx.lang, self.today)
        stem = f"samsyn-programme-{programme.id}-{tertial.replace(' ', '-')}"
        self.exports.value = "<p>" + " · ".join([
            download_link(records.checklist_html(c).encode("utf-8"), f"{stem}.html", m("mentor.download_html"),
                          "samsyn-download samsyn-checklist-html"),
            download_link(records.checklist_pdf(c), f"{stem}.pdf", m("mentor.download_pdf"), "samsyn-download samsyn-checklist-pdf"),
            download_link(records.checklist_excel(c), f"{stem}.xlsx", m("mentor.download_excel"),
                          "samsyn-download samsyn-checklist-excel"),
        ]) + "</p>"


def _label(day: date) -> str:
    from insight.periods import label_for

    return label_for(day)


def cohort_refusal(ctx: PageContext, store: Store, programme_id: int, roles: hub.Roles | None = None) -> str | None:
    """Why the cohort view stays shut, or None. Standalone: the programme's secret (wrong ones are
    throttled); behind JupyterHub: a mentor (hub group) who created the programme."""
    m = ctx.messages
    if ctx.settings.behind_hub:
        roles = roles or hub.roles(ctx.settings)
        if programme_id >= 0 and roles and roles.mentor and store.programme_owned_by(programme_id, ctx.settings.hub_user):
            return None
        return m("mentor.refused_not_yours") if roles and roles.mentor else m("mentor.refused")
    limiter = Throttle.for_settings(store, ctx.settings)
    wait = limiter.wait(ctx.client)
    if wait > 0:
        return wait_message(m, wait)
    if programme_id >= 0 and store.programme_mentor_allowed(programme_id, ctx.secret("secret")):
        return None
    limiter.failed(ctx.client, "secret")
    return m("mentor.refused")


def build(ctx: PageContext, library: Library, store: Store | None = None, roles: hub.Roles | None = None,
          today: date | None = None) -> w.Widget:
    from cases.loader import refreshed

    library = refreshed(library)
    m = ctx.messages
    store = store or Store(ctx.settings.database_url)
    param = ctx.param("programme")
    topbar = w.HBox([html_widget(f"<p><strong>{esc(m('app.name'))}</strong> · {esc(m('programme.title'))}</p>"),
                     language_switch(ctx, PROGRAMME_NOTEBOOK, programme=param)])
    topbar.add_class("samsyn-topbar")
    parts: list[w.Widget] = [style(), page_meta(ctx, page_title(ctx, m("programme.title"))), errors.banner(), topbar]
    if param is None:
        if ctx.settings.behind_hub and not hub_is_mentor(ctx, roles):
            parts.append(html_widget(f'<p class="samsyn-notice samsyn-refused" role="alert">{esc(m("mentor.refused"))}</p>'))
        else:
            parts.append(CreateProgramme(ctx, store, library, today).widget)
    else:
        try:
            programme_id = int(param)
        except ValueError:
            programme_id = -1
        refusal = cohort_refusal(ctx, store, programme_id, roles)
        if refusal:
            parts.append(html_widget(f'<p class="samsyn-notice samsyn-refused" role="alert">{esc(refusal)}</p>'))
        else:
            parts.append(Cohort(ctx, store, library, programme_id, today).widget)
    page = w.VBox(parts)
    page.add_class("samsyn-page")
    page.add_class("samsyn-programme-page")
    return page
