"""Shared page plumbing: the request's page context, escaping, links, styles."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

import ipywidgets as w

from samsyn.config import Settings, normalise_language
from samsyn.escape import esc, paragraphs  # noqa: F401 - the pages take them from here
from samsyn.i18n import Messages

#: CSS classes that browser tests (and stylesheets) rely on. Keep them stable.
CSS_PREFIX = "samsyn"


@dataclass(frozen=True)
class PageContext:
    """What a page knows about the request that opened it."""

    lang: str
    params: dict[str, str]
    settings: Settings
    #: What the server moved out of the URL (samsyn.guard): ``key`` (manager), ``secret`` (facilitator).
    secrets: dict[str, str] = field(default_factory=dict)
    #: The client's address as the server saw it (for the attempt throttle).
    client: str = "local"

    @property
    def messages(self) -> Messages:
        return Messages(self.lang)

    def param(self, name: str, default: str | None = None) -> str | None:
        return self.params.get(name, default)

    def secret(self, name: str) -> str | None:
        """A secret the server handed over out of the URL (without the server: the query)."""
        return self.secrets.get(name) or self.params.get(name)


#: The server refuses a page with more query parameters (samsyn.guard.MAX_QUERY_FIELDS); the page reads at most these.
MAX_QUERY_FIELDS = 20


def parse_query(query: str | None) -> dict[str, str]:
    """The first value of each of the first 20 parameters, each at most 200 characters; never raises."""
    out: dict[str, str] = {}
    for name, value in parse_qsl((query or "")[:8000], keep_blank_values=False)[:MAX_QUERY_FIELDS]:
        out.setdefault(name[:60], value[:200])
    return out


def request_secrets(environ=None) -> dict[str, str]:
    """The manager key and facilitator secret that samsyn.guard passed to this page's kernel."""
    env = os.environ if environ is None else environ
    found = {"key": env.get("HTTP_X_SAMSYN_KEY"), "secret": env.get("HTTP_X_SAMSYN_SECRET")}
    return {k: v[:200] for k, v in found.items() if v}


def page_context(query: str | None = None) -> PageContext:
    """Build the page context from the URL query string.

    In a preheated Voila kernel this blocks until the request arrives, so call
    it after the imports and data loading that can be done ahead of time.
    """
    if query is None:
        if os.environ.get("VOILA_KERNEL_ID") or os.environ.get("VOILA_PREHEAT"):
            from samsyn.preheat import get_query_string  # not voila.utils: 43 MB less per kernel

            query = get_query_string() or ""
        else:
            query = os.environ.get("QUERY_STRING", "")
    params = parse_query(query)
    settings = Settings.from_env()
    lang = normalise_language(params.get("lang") or settings.language)
    from store.throttle import client_address
    from widgets import errors

    errors.contain(lang)  # tracebacks to the server's log, a plain message on the page
    return PageContext(lang=lang, params=params, settings=settings, secrets=request_secrets(),
                       client=client_address())


def page_url(notebook: str, **params: str) -> str:
    """A link to another page, relative to the current Voila render URL."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{notebook}?{query}" if query else notebook


_SHARED: dict[str, w.Widget] = {}


def shared_model(name: str, factory) -> w.Widget:
    """One Layout or style model for every widget of the page that looks the same.

    Each ipywidgets widget otherwise brings its own Layout and style model, and
    every model is a comm message and an object in the browser; static HTML is
    most of a page's widgets. Never change a shared model's attributes."""
    model = _SHARED.get(name)
    if model is None or getattr(model, "comm", None) is None:
        model = _SHARED[name] = factory()
    return model


def html_widget(markup: str, *classes: str) -> w.HTML:
    from ipywidgets.widgets.widget_string import HTMLStyle

    widget = w.HTML(markup, layout=shared_model("html.layout", w.Layout),
                    style=shared_model("html.style", HTMLStyle))
    for cls in classes:
        widget.add_class(cls)
    return widget


def language_switch(ctx: PageContext, notebook: str, **params: str) -> w.HTML:
    """The link to the same page in the other language. Its name starts with what it shows
    ("In English", in English) and goes on, in the page's language, with what it does (for a
    screen reader; WCAG 2.5.3 wants the visible text to be part of the name)."""
    m = ctx.messages
    other = m.other_languages()[0]
    href = page_url(notebook, **params, lang=other)
    return html_widget(
        f'<a class="samsyn-lang-link" href="{esc(href)}" hreflang="{esc(other)}">'
        f'<span lang="{esc(other)}">{esc(m("lang.switch"))}</span>'
        f'<span class="samsyn-visually-hidden"> ({esc(m("lang.switch_label"))})</span></a>',
        "samsyn-lang-switch",
    )


MIME = {"html": "text/html", "pdf": "application/pdf",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def download_link(data: bytes, filename: str, label: str, classes: str) -> str:
    """A link that saves ``data`` as ``filename`` (the file is in the link: nothing is stored on the
    server); its type from the file's extension (:data:`MIME`).

    >>> download_link(b"<p>", "r<1>.html", "Spara", "samsyn-download x")
    '<a class="samsyn-download x" download="r&lt;1&gt;.html" href="data:text/html;base64,PHA+">Spara</a>'
    """
    mime = MIME[filename.rsplit(".", 1)[-1]]
    b64 = base64.b64encode(data).decode("ascii")
    return f'<a class="{esc(classes)}" download="{esc(filename)}" href="data:{mime};base64,{b64}">{esc(label)}</a>'


def page_meta(ctx: PageContext, title: str) -> w.HTML:
    """What the page's script (samsyn-setup.js) puts on the document once the page is drawn:
    ``<html lang>`` in the page's language and the page's ``<title>`` (WCAG 3.1.1, 2.4.2)."""
    return html_widget(
        f'<span hidden class="samsyn-page-meta" data-samsyn-lang="{esc(ctx.lang)}" data-samsyn-title="{esc(title)}"></span>',
        "samsyn-meta",
    )


def page_title(ctx: PageContext, *parts: str | None) -> str:
    """"Assi – Samsyn": what the page is first, then the app."""
    return " – ".join([*(p for p in parts if p), ctx.messages("app.name")])


STYLE = """
<style>
.samsyn-page { max-width: 56rem; margin: 0 auto; font-size: 16px; line-height: 1.5;
  color: #1d2327; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.samsyn-page h1 { font-size: 1.8rem; margin: 0.2em 0; }
.samsyn-page h2 { font-size: 1.35rem; margin: 1.2em 0 0.4em; }
.samsyn-page h3 { font-size: 1.1rem; margin: 1em 0 0.3em; }
.samsyn-page a { color: #0b5394; }
.samsyn-page a:focus-visible { outline: 3px solid #f0a400 !important; outline-offset: 2px; }
.samsyn-topbar { display: flex; justify-content: space-between; align-items: baseline; gap: 1rem; }
.samsyn-tagline { color: #4a5560; margin: 0; }
.samsyn-case-list { list-style: none; padding: 0; display: grid;
  grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: 0.8rem; }
.samsyn-case-card { border: 1px solid #c9d1d8; border-radius: 8px; padding: 0.8rem 1rem; background: #fff; }
.samsyn-case-card a { font-weight: 600; font-size: 1.1rem; text-decoration: none; }
.samsyn-case-card a:hover { text-decoration: underline; }
.samsyn-case-meta { color: #4a5560; font-size: 0.9rem; margin: 0.2em 0; }
.samsyn-badge { display: inline-block; font-size: 0.75rem; padding: 0.05em 0.5em; border-radius: 1em;
  background: #e8eef4; color: #27384a; margin-right: 0.3em; }
.samsyn-notice { background: #fff6e0; border-left: 4px solid #f0a400; padding: 0.5em 0.8em; }
.samsyn-referral { background: #f4f6f8; border-left: 4px solid #0b5394; padding: 0.4em 1em; }
.samsyn-side { border-top: 2px solid #c9d1d8; margin-top: 1em; }
.samsyn-table { border-collapse: collapse; margin: 0.5em 0; }
.samsyn-table th, .samsyn-table td { border-bottom: 1px solid #c9d1d8; padding: 0.25em 0.8em 0.25em 0; text-align: left; }
.samsyn-progress-steps { display: flex; flex-wrap: wrap; gap: 0.3em 0.6em; list-style: none; padding-left: 0; margin: 0.2em 0 0.8em;
  counter-reset: step; }
.samsyn-progress-steps li { counter-increment: step; padding: 0.1em 0.6em; border-radius: 1em; background: #eef2f5; }
.samsyn-progress-steps li::before { content: counter(step) ". "; }
.samsyn-progress-steps li.samsyn-progress-current { background: #0b5394; color: #fff; }
.samsyn-progress-current { font-weight: 700; }
.samsyn-fieldset { border: 1px solid #dde3e8; border-radius: 6px; padding: 0.3em 0.8em 0.6em; margin: 0.4em 0; }
.samsyn-factor-row { display: grid !important; grid-template-columns: minmax(16rem, 1fr) 15rem 17rem; gap: 0.3em 1em;
  align-items: center; border-bottom: 1px dotted #dde3e8; padding: 0.2em 0; }
.samsyn-factor-row .widget-dropdown { width: 100% !important; }
.samsyn-factor-row .widget-dropdown select { min-width: 0; }
@media (max-width: 1000px) { .samsyn-factor-row { grid-template-columns: 1fr 1fr; }
  .samsyn-factor-row > :first-child { grid-column: 1 / -1; } }
.samsyn-page .widget-label, .samsyn-page .widget-label-basic { white-space: normal; }
.samsyn-page .widget-checkbox { height: auto; min-height: 28px; }
.samsyn-page .widget-checkbox label { white-space: normal; }
.samsyn-page button:focus-visible, .samsyn-page input:focus-visible, .samsyn-page select:focus-visible,
.samsyn-page textarea:focus-visible, .samsyn-page summary:focus-visible, .samsyn-page [tabindex]:focus-visible,
.samsyn-page .lm-TabBar-tab:focus-visible { outline: 3px solid #f0a400 !important; outline-offset: 1px; }
.samsyn-page input[type=checkbox]:focus-visible, .samsyn-page input[type=radio]:focus-visible { outline-offset: 2px; }
/* (important: ipywidgets' own input styles remove the outline with more specific selectors) */
/* ipywidgets' button colours with white text fall below 4.5:1 (WCAG 1.4.3): darker shades */
.samsyn-page .jupyter-button.mod-primary { background-color: #1565c0; color: #fff; }
.samsyn-page .jupyter-button.mod-success { background-color: #2e7d32; color: #fff; }
.samsyn-page .jupyter-button.mod-warning { background-color: #a84f00; color: #fff; }
.samsyn-page .jupyter-button.mod-danger { background-color: #b71c1c; color: #fff; }
.samsyn-page .jupyter-widget-Collapse-header, .samsyn-page .lm-TabBar-tab, .samsyn-page .lm-TabBar-tabLabel { color: #1d2327; }
.samsyn-page .widget-toggle-button.mod-active { background-color: #0b5394; color: #fff; }
.samsyn-visually-hidden { position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.samsyn-chart svg { max-width: 100%; height: auto; }
.samsyn-page .widget-button { width: auto; min-width: 8rem; max-width: 100%; height: auto;
  min-height: var(--jp-widgets-inline-height, 28px); white-space: normal; overflow: visible; text-overflow: clip;
  line-height: 1.3; padding: 0.25em 0.9em; }
.samsyn-page .widget-button .widget-label-basic, .samsyn-page .widget-button span { white-space: normal; }
.samsyn-key { background: #eef5ee; border-left: 4px solid #3b7d3b; padding: 0.3em 0.8em; }
@media (max-width: 820px) { .samsyn-page { font-size: 15px; } .samsyn-topbar { flex-direction: column; } }
</style>
"""


def style() -> w.HTML:
    return html_widget(STYLE, "samsyn-style")


class Progress:
    """A progress bar and a line of text for work a user waits on (exports, records, a first chart).

    Call it with ``(fraction, text)`` while working: ipykernel sends widget updates at once, even
    while a button's handler still runs, so the browser shows them as they happen. Updates come at
    most every 0.15 s (each is a message)."""

    MIN_INTERVAL = 0.15

    def __init__(self, label: str):
        self.bar = w.FloatProgress(value=0.0, min=0.0, max=1.0, description=label,
                                   style={"description_width": "initial"}, layout=w.Layout(width="28rem", display="none"))
        self.bar.add_class("samsyn-work-bar")
        self.text = w.HTML("")
        self.text.add_class("samsyn-work-text")
        self.widget = w.VBox([self.bar, self.text])
        self.widget.add_class("samsyn-work-progress")
        self._last = 0.0

    def start(self) -> None:
        self.bar.value = 0.0
        self.bar.layout.display = None
        self.text.value = ""
        self._last = 0.0

    def __call__(self, fraction: float, text: str) -> None:
        import time

        now = time.monotonic()
        if now - self._last < self.MIN_INTERVAL and fraction < 1.0:
            return
        self._last = now
        self.bar.value = max(0.0, min(1.0, float(fraction)))
        self.text.value = f'<p class="samsyn-case-meta" role="status">{esc(text)}</p>'

    def part(self, low: float, high: float):
        """A progress callback for one part of the work, mapped onto ``low`` … ``high`` of the bar."""
        return lambda fraction, text: self(low + (high - low) * fraction, text)

    def done(self) -> None:
        self.bar.value = 1.0
        self.bar.layout.display = "none"
        self.text.value = ""
