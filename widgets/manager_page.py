"""The manager view: consistency of risk assessment across teams and over time.

Opened with ``manager.ipynb?key=…`` (standalone) or by a member of the
manager group behind JupyterHub (see :mod:`insight.access`). Nothing is read
from the database before access is granted. The answers are loaded once per
page with one query; filters re-aggregate in memory, and only the visible tab
is computed. Every number passes :mod:`insight.privacy` (groups below the
minimum size are hidden); no table ranks or lists individuals.
"""

from __future__ import annotations

import asyncio
import logging

import ipywidgets as w

from cases import Library, load_library
from cases.loader import refreshed
from widgets.common import PageContext, Progress, download_link, esc, html_widget, language_switch, page_meta, style

log = logging.getLogger(__name__)
MANAGER_NOTEBOOK = "manager.ipynb"
ALL = "*"
TABS = ("consistency", "bias", "quality", "exposures", "scaling", "export")

MANAGER_STYLE = """
<style>
.samsyn-manager .samsyn-page { max-width: 72rem; }
.samsyn-manager-filters { flex-wrap: wrap; gap: 0.3em 1em; }
.samsyn-manager-filters .widget-dropdown { width: 19rem; }
.samsyn-manager-filters .widget-label { min-width: 5.5rem; }
.samsyn-manager-table caption { text-align: left; font-weight: 600; padding: 0.3em 0; }
.samsyn-manager-table td.samsyn-num { text-align: right; }
.samsyn-manager-table { font-size: 0.92rem; }
.samsyn-manager-table th, .samsyn-manager-table td { white-space: nowrap; }
.samsyn-manager-table-wrap { overflow-x: auto; max-width: 100%; }
.samsyn-manager-view, .samsyn-manager-view > .widget-html-content { width: 100%; max-width: 100%; min-width: 0;
  display: block; white-space: normal; line-height: 1.5; height: auto; overflow: hidden; }
.samsyn-manager-section figure { margin: 0.6em 0; }
.samsyn-manager-fact { font-weight: 600; }
.samsyn-manager-tabs { --jp-widgets-horizontal-tab-width: auto; }
.samsyn-manager-tabs .lm-TabBar-tab, .samsyn-manager-tabs .p-TabBar-tab {
  max-width: none !important; flex: 0 0 auto !important; min-width: 0 !important; }
.samsyn-manager-note { color: #4a5560; font-size: 0.9rem; }
.samsyn-manager-downloads a { display: inline-block; margin: 0.3em 1em 0.3em 0; font-weight: 600; }
</style>
"""


def refused(ctx: PageContext, reason: str | None, text: str | None = None) -> w.Widget:
    m = ctx.messages
    page = w.VBox([style(), page_meta(ctx, m("manager.title")), html_widget(
        f'<h1>{esc(m("manager.title"))}</h1>'
        f'<p class="samsyn-notice samsyn-manager-refused" role="alert">{esc(text or m(reason))}</p>',
        "samsyn-manager-header")])
    page.add_class("samsyn-page")
    page.add_class("samsyn-manager")
    return page


class ManagerView:
    def __init__(self, ctx: PageContext, library: Library, data):
        from insight import Filters, filter_options

        self.ctx, self.library, self.data = ctx, library, data
        self.lang = ctx.lang
        m = self.m = ctx.messages
        self.min_group = ctx.settings.workshop_min_group
        self.filters = Filters()
        self._sections: dict = {}
        opts = filter_options(data)
        lang_names = {"sv": m("manager.language_name_sv"), "en": m("manager.language_name_en")}

        def dropdown(name: str, label: str, all_label: str, values: list[tuple[str, str]]) -> w.Dropdown:
            dd = w.Dropdown(options=[(all_label, ALL), *values], value=ALL, description=label,
                            style={"description_width": "initial"})
            dd.add_class("samsyn-manager-filter")
            dd.add_class(f"samsyn-manager-filter-{name}")
            dd.observe(lambda _c: self.on_filter(), names="value")
            return dd

        self.dropdowns = {
            "team": dropdown("team", m("manager.filter_team"), m("manager.all_teams"),
                             [(t or m("manager.no_team"), t) for t in opts["team"]]),
            "case": dropdown("case", m("manager.filter_case"), m("manager.all_cases"),
                             sorted(((self._case_name(c), c) for c in opts["case"]), key=lambda p: p[0])),
            "tertial": dropdown("tertial", m("manager.filter_tertial"), m("manager.all_tertials"),
                                [(t, t) for t in opts["tertial"]]),
            "language": dropdown("language", m("manager.filter_language"), m("manager.all_languages"),
                                 [(lang_names.get(v, v), v) for v in opts["language"]]),
            "experience": dropdown("experience", m("manager.filter_experience"), m("manager.all_experience"),
                                   [(v or m("manager.not_stated"), v) for v in opts["experience"]]),
        }
        filters = w.HBox(list(self.dropdowns.values()))
        filters.add_class("samsyn-manager-filters")
        self.summary = html_widget("", "samsyn-manager-summary")
        self.panes = {key: self._pane(key) for key in TABS[:-1]}
        self.export_status = html_widget("", "samsyn-manager-downloads")
        buttons = []
        for kind, label in (("xlsx", m("manager.export_excel")), ("html", m("manager.export_html")),
                            ("pdf", m("manager.export_pdf"))):
            b = w.Button(description=label, icon="download")
            b.add_class("samsyn-manager-export")
            b.add_class(f"samsyn-manager-export-{kind}")
            b.on_click(lambda _b, k=kind: self.export(k))
            buttons.append(b)
        self.export_progress = Progress(m("manager.progress_label"))
        export_box = w.VBox([html_widget(f"<h2>{esc(m('manager.tab_export'))}</h2><p>{esc(m('manager.export_intro', min=self.min_group))}</p>"),
                             w.HBox(buttons, layout=w.Layout(flex_flow="row wrap")), self.export_progress.widget,
                             self.export_status])
        export_box.add_class("samsyn-manager-view-export")
        self.tabs = w.Tab(children=[*self.panes.values(), export_box])
        titles = [m("manager.tab_consistency"), m("manager.tab_bias"), m("manager.tab_quality"),
                  m("manager.tab_exposures"), m("manager.tab_scaling"), m("manager.tab_export")]
        for i, title in enumerate(titles):
            self.tabs.set_title(i, title)
        self.tabs.add_class("samsyn-manager-tabs")
        self.tabs.observe(lambda _c: self.render_current(), names="selected_index")
        self.widget = w.VBox([filters, self.summary, self.tabs])
        self.on_filter()

    # -- helpers ---------------------------------------------------------------
    @staticmethod
    def _pane(key: str) -> w.VBox:
        pane = w.VBox([])
        pane.add_class("samsyn-manager-view")
        pane.add_class(f"samsyn-manager-view-{key}")
        return pane

    def _case_name(self, case_id: str) -> str:
        case = self.library.get(case_id)
        return case.title.get(self.lang) if case else case_id

    def _context(self):
        from insight.report import Context

        from feedback.mapping import rules

        return Context(self.data, self.filters, self.library, self.lang, self.min_group,
                       scale_ranges=rules().scale_for_risk)

    def section(self, key: str):
        from insight.report import build_section

        if key not in self._sections:
            self._sections[key] = build_section(key, self._context())
        return self._sections[key]

    # -- events ------------------------------------------------------------------
    def on_filter(self) -> None:
        from insight import Filters, apply_filters
        from insight.privacy import check_group
        from insight.report import filter_summary

        values = {k: (None if dd.value == ALL else dd.value) for k, dd in self.dropdowns.items()}
        self.filters = Filters(**values)
        self._sections = {}
        self.export_status.value = ""
        m = self.m
        view = apply_filters(self.data, self.filters)
        hidden = check_group(len(view), self.min_group, int(view["participant_id"].nunique()))
        selection = esc(m("manager.selection", filters=filter_summary(self._context())))
        if hidden:
            self.summary.value = (f"<p>{selection}</p><p class=\"samsyn-notice samsyn-manager-hidden\" role=\"status\">"
                                  f"{esc(m(hidden.reason, min=self.min_group))}</p>")
        else:
            counts = m("manager.selection_counts", answers=f"{len(view):,}".replace(",", "\u00a0"),
                       people=f"{view['participant_id'].nunique():,}".replace(",", "\u00a0"))
            self.summary.value = f"<p>{selection} <span class=\"samsyn-manager-counts\">{esc(counts)}</span></p>"
        for pane in self.panes.values():
            pane.children = []
        self.render_current()

    def render_current(self) -> None:
        from insight.report import section_parts, table_id
        from samsyn import charts

        index = self.tabs.selected_index or 0
        key = TABS[index]
        if key == "export" or self.panes[key].children:
            return
        pane = self.panes[key]
        pane.children = [html_widget(f'<p class="samsyn-manager-busy" role="status">{esc(self.m("manager.working"))}</p>')]
        section = self.section(key)
        head, figures, tail = section_parts(section, self._context())
        parts: list[w.Widget] = [html_widget(head, "samsyn-manager-section", f"samsyn-manager-{key}")]
        # each chart's caption says what it shows and links to the table with its numbers
        parts += [charts.chart_widget(c.spec, c.spec.get("description", ""), "samsyn-manager-chart", c.css,
                                      numbers=(table_id(c.numbers), self.m("manager.chart_numbers", table=c.numbers.caption))
                                      if c.numbers is not None else None, lang=self.m.lang)
                  for c in figures]
        if tail:
            parts.append(html_widget(tail, "samsyn-manager-tables"))
        pane.children = parts

    def export(self, kind: str) -> None:
        from insight.report import SECTIONS, report_excel, report_html, report_pdf

        m = self.m
        self.export_status.value = ""
        progress = self.export_progress
        progress.start()
        ctx = self._context()
        names = {"consistency": m("manager.tab_consistency"), "bias": m("manager.tab_bias"),
                 "quality": m("manager.tab_quality"), "exposures": m("manager.tab_exposures"),
                 "scaling": m("manager.tab_scaling")}
        sections = []
        for i, key in enumerate(SECTIONS):  # the page keeps the sections it has computed
            if key not in self._sections:
                progress(0.3 * i / len(SECTIONS), m("manager.progress_section", section=names[key]))
            sections.append(self.section(key))
        rest = progress.part(0.3, 1.0)
        stem = "samsyn-" + ("chefsrapport" if self.lang == "sv" else "manager-report")
        if kind == "xlsx":
            link = download_link(report_excel(ctx, self.ctx.settings.database_url, sections, progress=rest),
                                 f"{stem}.xlsx", m("manager.download_excel"), "samsyn-manager-download samsyn-manager-download-xlsx")
        elif kind == "html":
            link = download_link(report_html(ctx, sections, progress=rest).encode("utf-8"), f"{stem}.html",
                                 m("manager.download_html"), "samsyn-manager-download samsyn-manager-download-html")
        else:
            link = download_link(report_pdf(ctx, sections, progress=rest), f"{stem}.pdf",
                                 m("manager.download_pdf"), "samsyn-manager-download samsyn-manager-download-pdf")
        progress.done()
        self.export_status.value = f"<p>{link}</p>"


def _kernel_loop():
    """The running kernel's event loop, or None outside a kernel (an event loop alone is not a kernel)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return None
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return None
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def build(ctx: PageContext, library: Library | None = None, roles=None) -> w.Widget:
    """The page. ``roles``: the hub user's (``samsyn.hub.Roles``); asked of the hub when not given.

    Nothing heavy (pandas, scipy, the aggregations) is imported before access is granted: a preheated
    manager kernel waits in the pool as light as a trainee's, and a refused request costs no more than that."""
    from insight.access import WRONG_KEY, check_access

    limiter = None
    if not ctx.settings.behind_hub:  # a key can be guessed: throttled per client and page
        from store import Store
        from store.throttle import Throttle

        limiter = Throttle.for_settings(Store(ctx.settings.database_url), ctx.settings)
        wait = limiter.wait(ctx.client)
        if wait > 0:
            from widgets.identity import wait_message

            return refused(ctx, None, wait_message(ctx.messages, wait))
    access = check_access(ctx.secret("key"), ctx.settings, roles)
    if not access.allowed:
        if limiter is not None and access.reason == WRONG_KEY:
            limiter.failed(ctx.client, "key")
        return refused(ctx, access.reason)
    library = refreshed(library) if library is not None else load_library(ctx.settings.cases_dir)
    m = ctx.messages
    header = html_widget(f'<h1 lang="{esc(ctx.lang)}">{esc(m("manager.title"))}</h1>'
                         f'<p class="samsyn-tagline">{esc(m("manager.tagline"))}</p>', "samsyn-manager-header")
    # The key is in a cookie (samsyn.guard), never in a link: the language switch carries nothing secret.
    topbar = w.HBox([header, language_switch(ctx, MANAGER_NOTEBOOK)])
    topbar.add_class("samsyn-topbar")
    from widgets import errors

    parts: list[w.Widget] = [style(), page_meta(ctx, m("manager.title")), errors.banner(), html_widget(MANAGER_STYLE, "samsyn-style"), topbar,
                             html_widget(f"<p>{esc(m('manager.intro'))}</p>"
                                         f"<p>{esc(m('manager.privacy_note', min=ctx.settings.workshop_min_group))}</p>",
                                         "samsyn-manager-intro")]
    body = w.VBox([])
    page = w.VBox([*parts, body])
    page.add_class("samsyn-page")
    page.add_class("samsyn-manager")

    def fill(progress: Progress | None = None) -> None:
        from insight import load_answers, prepare

        if progress is not None:
            progress(0.05, m("manager.progress_reading"))
        raw = load_answers(ctx.settings.database_url, library.variables)
        if progress is not None:
            progress(0.5, m("manager.progress_section", section=m("manager.tab_consistency")))
        data = prepare(raw, library)
        if data.empty:
            body.children = [html_widget(f'<p class="samsyn-notice samsyn-manager-empty">{esc(m("manager.no_answers"))}</p>')]
        else:
            body.children = [ManagerView(ctx, library, data).widget]

    loop = _kernel_loop()
    if loop is None:  # not in a kernel (tests, benchmarks): build it all now
        fill()
        return page
    # In a kernel: the page (and its progress bar) is shown at once; the answers are read and the
    # first view is computed right after, with progress, instead of before anything appears.
    progress = Progress(m("manager.progress_label"))
    progress.start()
    body.children = [progress.widget]

    def fill_later() -> None:
        try:
            fill(progress)
        except Exception:
            log.exception("the manager view could not be built")
            body.children = [html_widget(f'<p class="samsyn-notice" role="alert">{esc(m("manager.failed"))}</p>')]

    loop.call_later(0.05, fill_later)
    return page
