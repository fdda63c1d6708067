"""The trainee's programme on the start page: this week's cases first, what is done, what comes next,
and their own calibration figures over the programme — in plain words and a chart (its numbers in
the text alternative), never ranked against anyone. A trainee without a programme can join one with
its code (throttled like every code); behind JupyterHub membership of the programme's hub group is enough.
"""

from __future__ import annotations

from datetime import date, timedelta

import ipywidgets as w

from samsyn.numbers import pct, steps as fmt_steps
from samsyn.i18n import Messages
from store import AlreadyInProgramme, Participant, Store
from widgets.common import PageContext, download_link, esc, html_widget, page_url

CASE_NOTEBOOK = "case.ipynb"
START_NOTEBOOK = "start.ipynb"
#: A lean smaller than this (in steps) is "about the same" in words.
NEAR = 0.25


def lean_text(m: Messages, value: float | None, reference: str, n: int) -> str:
    if value is None:
        return m("programme.lean_none", reference=reference)
    if abs(value) < NEAR:
        return m("programme.lean_same", reference=reference, steps=fmt_steps(value, m.lang), n=n)
    key = "programme.lean_higher" if value > 0 else "programme.lean_lower"
    return m(key, reference=reference, steps=fmt_steps(value, m.lang), n=n)


def driver_text(m: Messages, f) -> str | None:
    if f.driver is None:
        return None
    if f.driver == "agree":
        return m("programme.driver_agree", n=f.n_factor_cases)
    if f.driver == "weighting":
        return m("programme.driver_weighting", n=f.n_weighing_differs, total=f.n_factor_cases)
    if f.driver == "identification":
        return m("programme.driver_identification", n=f.n_identification_differs, total=f.n_factor_cases)
    return m("programme.driver_both", n=f.n_weighing_differs, total=f.n_factor_cases)


def status_html(state, m: Messages) -> str:
    """The criterion: met (since when), not yet (with the window's figures), or too few cases yet."""
    from programmes.records import criterion_text, evaluation_lines

    e = state.evaluation
    out = [f'<p class="samsyn-criterion-text">{esc(m("programme.criterion_is", criterion=criterion_text(e.criterion, m)))}</p>']
    if state.met is not None:
        when = state.met.until.date().isoformat() if state.met.until else ""
        out.append(f'<p class="samsyn-key samsyn-criterion-met" role="status" data-met="1">'
                   f'{esc(m("programme.met", date=when))}</p>')
    elif e.enough:
        out.append(f'<p class="samsyn-notice samsyn-criterion-not-met" data-met="0">{esc(m("programme.not_met"))}</p>')
    else:
        out.append(f'<p class="samsyn-notice samsyn-criterion-too-few" data-met="0">{esc(m("programme.not_yet"))}</p>')
    out += [f'<p class="samsyn-criterion-figure">{esc(line)}</p>' for line in evaluation_lines(e, m)]
    return "".join(out)


def figures_html(state, library, m: Messages) -> tuple[str, dict | None, str]:
    """The figures in words, and the chart (a spec for ``samsyn.charts``) with its text alternative,
    which carries the chart's numbers."""
    f = state.figures
    lang = m.lang
    words = []
    if f.n_answers == 0:
        words.append(m("programme.figures_none"))
    else:
        if f.n_rated:
            words.append(m("programme.share", share=pct(f.share_within_one, lang), n=f.n_rated))
        words.append(lean_text(m, f.lean_vs_key, m("progress.ref_key"), f.n_rated))
        words.append(lean_text(m, f.lean_vs_group, m("progress.ref_group"), f.n_vs_group))
        driver = driver_text(m, f)
        if driver:
            words.append(driver)
        if f.n_not_known:
            words.append(m("programme.not_known", n=f.n_not_known))
    text = "".join(f'<p class="samsyn-programme-figure">{esc(t)}</p>' for t in words)
    points = [(i + 1, r.steps_from_key, r.steps_from_group) for i, r in enumerate(state.results)]
    if sum(1 for _i, k, g in points if k is not None or g is not None) < 2:
        return text, None, ""
    from samsyn import charts

    def title(case_id):
        case = library.cases.get(case_id)
        return case.title.get(lang) if case else case_id

    numbers = "; ".join(m("programme.chart_point", number=i, case=title(r.case_id), key=fmt_steps(k, lang),
                          group=fmt_steps(g, lang))
                        for (i, k, g), r in zip(points, state.results))
    description = m("programme.chart_description", points=numbers)
    spec = charts.distance(points, title=m("programme.chart_title"), description=description,
                           x_title=m("progress.case_number"), y_title=m("progress.steps_axis"),
                           key_label=m("progress.ref_key"), group_label=m("progress.ref_group"),
                           reference_title=m("chart.reference"))
    return text, spec, description


class ProgrammeSection:
    """The programme part of a trainee's start page (``widget``)."""

    def __init__(self, ctx: PageContext, store: Store, library, participant: Participant, today: date | None = None):
        self.ctx, self.store, self.library, self.participant = ctx, store, library, participant
        self.today = today or date.today()
        self.m = Messages(ctx.lang)
        self.widget = w.VBox([])
        self.widget.add_class("samsyn-programme")
        self.render()

    def render(self) -> None:
        from programmes.service import trainee_state

        state = trainee_state(self.store, self.library, self.participant.id, self.today)
        self.widget.children = [self._join_box()] if state is None else self._programme(state)

    # -- joining ---------------------------------------------------------------------------------
    def _join_box(self) -> w.Widget:
        m = self.m
        self.code = w.Text(description=m("programme.join_code"), placeholder="ABCDE-FGHJK",
                           style={"description_width": "initial"}, layout=w.Layout(width="22rem"))
        self.code.add_class("samsyn-programme-code")
        join = w.Button(description=m("programme.join"), button_style="primary")
        join.add_class("samsyn-programme-join")
        join.on_click(lambda _b: self.join())
        self.status = html_widget("", "samsyn-programme-join-status")
        box = w.VBox([html_widget(f"<h2>{esc(m('programme.join_heading'))}</h2><p>{esc(m('programme.join_intro'))}</p>"),
                      w.HBox([self.code, join], layout=w.Layout(flex_flow="row wrap")), self.status])
        box.add_class("samsyn-programme-join-box")
        return box

    def join(self) -> None:
        from widgets.identity import throttle, wait_message

        m = self.m
        limiter = throttle(self.ctx, self.store)
        wait = limiter.wait(self.ctx.client)
        if wait > 0:
            self.status.value = f'<p class="samsyn-notice" role="alert">{esc(wait_message(m, wait))}</p>'
            return
        if not self.code.value.strip():
            self.status.value = f'<p class="samsyn-notice" role="alert">{esc(m("programme.error.code"))}</p>'
            return
        try:
            self.store.join_programme_by_code(self.code.value, self.participant.id, self.today)
        except AlreadyInProgramme:
            self.status.value = f'<p class="samsyn-notice" role="alert">{esc(m("programme.error.already"))}</p>'
            return
        except LookupError:
            limiter.failed(self.ctx.client, "join")
            self.status.value = f'<p class="samsyn-notice" role="alert">{esc(m("programme.error.code"))}</p>'
            return
        self.render()

    # -- the programme ---------------------------------------------------------------------------
    def _case_link(self, case_id: str, done: bool) -> str:
        m, lang = self.m, self.ctx.lang
        case = self.library.cases.get(case_id)
        if case is None:
            return ""
        title = case.title.get(lang)
        href = page_url(CASE_NOTEBOOK, case=case_id, lang=lang, code=self.ctx.param("code"))
        badge = f' <span class="samsyn-badge samsyn-answered">{esc(m("start.answered"))}</span>' if done else ""
        return (f'<li class="samsyn-programme-case" data-case="{esc(case_id)}" data-done="{int(done)}">'
                f'<a class="samsyn-programme-case-link" href="{esc(href)}">{esc(title)}</a>{badge}</li>')

    def _week_dates(self, programme, week: int) -> str:
        from programmes.schedule import _day

        start = _day(programme.starts_on) + timedelta(days=7 * (week - 1))
        return self.m("programme.week_dates", week=week, start=start.isoformat(),
                      end=(start + timedelta(days=6)).isoformat())

    def _workshop_step(self, state, st) -> w.Widget | None:
        m = self.m
        if st.state == "done" or st.workshop_id is None:
            return None
        button = w.Button(description=m("programme.open_workshop_step"), button_style="primary")
        button.add_class("samsyn-programme-workshop")
        button.add_class(f"samsyn-programme-workshop-{st.position + 1}")
        out = html_widget("", "samsyn-programme-workshop-link")

        def go(_b):
            identity = self.store.join_step_workshop(state.member.id, st.workshop_id)
            href = page_url(START_NOTEBOOK, code=identity.personal_code, lang=self.ctx.lang)
            out.value = (f'<p role="status"><a class="samsyn-step-workshop-link" href="{esc(href)}">'
                         f'{esc(m("programme.workshop_go"))}</a></p>')

        button.on_click(go)
        return w.VBox([button, out])

    def _step_html(self, state, st, heading: str) -> str:
        m = self.m
        kind = m("programme.kind_workshop") if st.kind == "workshop" else m("programme.kind_cases")
        items = "".join(self._case_link(c, c in st.answered) for c in st.case_ids)
        note = ""
        if st.kind == "workshop" and st.state != "done":
            note = f'<p class="samsyn-case-meta">{esc(m("programme.workshop_note" if st.workshop_id else "programme.workshop_not_open"))}</p>'
        return (f'<section class="samsyn-programme-step samsyn-step-{esc(st.state)}" data-step="{st.position + 1}" '
                f'data-state="{esc(st.state)}"><{heading}>{esc(m("programme.step", n=st.position + 1, kind=kind))} · '
                f'{esc(self._week_dates(state.programme, st.week))}</{heading}>'
                f'<p class="samsyn-case-meta">{esc(m("programme.step_done", done=len(st.answered), total=len(st.case_ids)))}</p>'
                f'{note}<ul class="samsyn-programme-cases">{items}</ul></section>')

    def _programme(self, state) -> list[w.Widget]:
        m = self.m
        programme = state.programme
        if state.week <= 0:
            when = m("programme.not_started", start=programme.starts_on.date().isoformat())
        elif self.today > state.ends_on:
            when = m("programme.ended", end=state.ends_on.isoformat())
        else:
            when = m("programme.this_week", week=state.week, end=state.ends_on.isoformat())
        parts: list[w.Widget] = [html_widget(
            f'<h2 id="samsyn-programme-heading">{esc(m("programme.heading", name=programme.name))}</h2>'
            f'<p class="samsyn-programme-week">{esc(when)}</p>', "samsyn-programme-header")]
        now = [st for st in state.steps if st.state == "now"]
        done = [st for st in state.steps if st.state == "done"]
        later = [st for st in state.steps if st.state == "next"]
        now.sort(key=lambda st: -st.week)  # this week's step first, then what is left from earlier weeks
        parts.append(html_widget(f'<h3>{esc(m("programme.now_heading"))}</h3>'
                                 + ("".join(self._step_html(state, st, "h4") for st in now)
                                    or f'<p>{esc(m("programme.nothing_now"))}</p>'), "samsyn-programme-now"))
        for st in now:
            if st.kind == "workshop":
                extra = self._workshop_step(state, st)
                if extra is not None:
                    parts.append(extra)
        if done:
            parts.append(html_widget(f'<h3>{esc(m("programme.done_heading"))}</h3>'
                                     + "".join(self._step_html(state, st, "h4") for st in done), "samsyn-programme-done"))
        if later:
            parts.append(html_widget(f'<h3>{esc(m("programme.next_heading"))}</h3>'
                                     + "".join(self._step_html(state, st, "h4") for st in later), "samsyn-programme-next"))
        text, spec, description = figures_html(state, self.library, m)
        parts.append(html_widget(f'<h3>{esc(m("programme.figures_heading"))}</h3>{text}'
                                 f'<p class="samsyn-case-meta">{esc(m("programme.no_ranking"))}</p>', "samsyn-programme-figures"))
        if spec is not None:
            from samsyn import charts

            parts.append(charts.chart_widget(spec, description, "samsyn-programme-chart", lang=m.lang))
        parts.append(html_widget(f'<h3>{esc(m("programme.goal_heading"))}</h3>{status_html(state, m)}',
                                 "samsyn-programme-status"))
        if state.met is not None:
            parts.append(html_widget(self._certificates(state), "samsyn-programme-certificates"))
        if self.today > state.ends_on:
            parts.append(self._join_box())  # the programme is over: the next one can be joined
        return parts

    def _certificates(self, state) -> str:
        from programmes.records import certificate, certificate_pdf

        m = self.m
        name = self.participant.hub_user or self.participant.hub_owner or self.participant.pseudonym
        start = max(state.programme.starts_on, state.member.joined_at).date()
        links = []
        for lang, label in (("sv", m("programme.certificate_sv")), ("en", m("programme.certificate_en"))):
            pdf = certificate_pdf(certificate(state.programme.name, name, start, state.met, lang, self.today))
            links.append(download_link(pdf, f"samsyn-certificate-{lang}.pdf", label, f"samsyn-download samsyn-certificate-{lang}"))
        return f'<p>{esc(m("programme.certificate_intro"))}</p><p>{" · ".join(links)}</p>'


def join_by_hub_groups(store: Store, participant: Participant, roles) -> None:
    """Behind JupyterHub: a trainee in a programme's hub group is in that programme (one running
    programme at a time; the store refuses a second one before the first has ended)."""
    if roles is None or not participant.hub_user:
        return
    store.join_programme_by_hub_groups(participant.id, sorted(roles.groups))
