"""The authoring page: the JupyterLab notebook a mentor writes a case with.

Pick a case file of the workspace (or make one from the template); every time
the file is saved the page checks it and shows

* the check's errors — the same *file: field: problem* as ``samsyn cases
  check`` (``cases.authoring.check_draft``) — each with the lines of the file
  where its field is;
* the words and reading time per language, against the library's 700–900;
* the case as the trainee sees it, Swedish and English side by side, built by
  the trainee pages' own code: the header, referral and investigation
  (``case_page.case_widgets``), the answer form at its factor grid filled in
  as the key (``AnswerForm``), the feedback for an answer like the key
  (``build_feedback`` + ``FeedbackView``) and the mentor's guide
  (``mentor_page.guide_html``);
* a button that publishes the checked case into the library the server reads.

"On every save" is a watcher in the kernel: an asyncio task that looks at the
file's inode, modification time and size about once a second
(``poll_once``), so a save from JupyterLab's editor or any other is seen.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import ipywidgets as w

from cases import Case, Library, load_library
from cases.authoring import (
    LIBRARY_WORDS,
    AuthoringError,
    DraftCheck,
    check_draft,
    drafts,
    file_stamp,
    new_case,
    publish,
)
from cases.loader import CaseError, CaseFileError, load_variables
from cases.variables import Variables
from samsyn.config import Settings
from samsyn.i18n import Messages
from store.shapes import payload_from_key
from widgets.common import esc, html_widget, style

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
#: The most errors listed with their source lines (a badly broken file is fixed from the top).
MAX_SHOWN_ERRORS = 30

AUTHOR_STYLE = """
<style>
.samsyn-author { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2327; }
.samsyn-author h1 { font-size: 1.6rem; margin: 0.2em 0; }
.samsyn-author h2 { font-size: 1.25rem; margin: 1em 0 0.3em; }
.samsyn-author-errors { list-style: none; padding: 0; }
.samsyn-author-error { border-left: 4px solid #b3261e; background: #fdf0ef; padding: 0.3em 0.8em; margin: 0.5em 0; }
.samsyn-author-source { background: #fff; border: 1px solid #e0c4c2; padding: 0.3em 0.5em; margin: 0.3em 0 0;
  font-size: 0.85rem; line-height: 1.35; overflow-x: auto; white-space: pre; }
.samsyn-author-source mark { background: #ffe08a; color: inherit; }
.samsyn-author-ok { border-left: 4px solid #3b7d3b; background: #eef5ee; padding: 0.3em 0.8em; }
.samsyn-preview-grid { align-items: start; }
.samsyn-preview { border: 1px solid #c9d1d8; border-radius: 8px; padding: 0.5rem 1rem; min-width: 0; max-width: none !important; }
.samsyn-preview-label { color: #4a5560; text-transform: uppercase; font-size: 0.8rem; letter-spacing: 0.04em;
  border-top: 1px dashed #c9d1d8; padding-top: 0.6em; margin-top: 1em; }
/* half a notebook is narrower than a trainee's screen: a factor's weights go under it */
.samsyn-preview .samsyn-factor-row { grid-template-columns: minmax(0, 1fr); }
</style>
"""


def key_payload(case: Case) -> dict[str, Any]:
    """The answer form's payload for an answer exactly like the case's key, at the factor grid."""
    from widgets.answer_form import STEPS

    return {"step": STEPS.index("factors"), **payload_from_key(case.key)}


def _close(widget: w.Widget) -> None:
    """Close a widget and everything inside it (a rebuilt preview must not leak)."""
    for child in getattr(widget, "children", ()) or ():
        _close(child)
    widget.close()


def preview_column(case: Case, library: Library, lang: str, ui: Messages, min_group: int) -> w.VBox:
    """One language of the preview, built by the trainee pages' own code."""
    from feedback import build_feedback
    from feedback.model import key_response
    from widgets.answer_form import STEPS, AnswerForm
    from widgets.case_page import case_widgets
    from widgets.feedback_view import FeedbackView
    from widgets.mentor_page import guide_html

    m = Messages(lang)
    variables = library.variables
    heading = ui("author.lang_sv") if lang == "sv" else ui("author.lang_en")

    def label(text: str) -> w.HTML:
        return html_widget(f'<p class="samsyn-preview-label">{esc(text)}</p>')

    parts: list[w.Widget] = [html_widget(f'<h2 lang="{esc(lang)}">{esc(heading)}</h2>'), label(ui("author.preview_case")),
                             *case_widgets(case, library, lang, m)]
    form = AnswerForm(case, variables, lang)
    form.load(key_payload(case))
    form.go(STEPS.index("factors"))  # builds the step (the form may build steps when they are reached)
    parts += [label(ui("author.preview_grid")), form.widget]
    if case.key is not None:
        panel = library.panels.for_case(case.id) if library.panels else None
        fb = build_feedback(case, variables, key_response(case), [], panel=panel, min_group=min_group)
        view = FeedbackView(fb, case, variables, lang)
        for child in view.widget.children:  # a preview saves no reflection
            for grandchild in getattr(child, "children", ()):
                if isinstance(grandchild, w.Button):
                    grandchild.disabled = True
        parts += [label(ui("author.preview_feedback")), view.widget]
    else:
        parts += [label(ui("author.preview_feedback")),
                  html_widget(f'<p class="samsyn-notice">{esc(ui("author.preview_no_key"))}</p>', "samsyn-preview-no-key")]
    parts += [label(ui("author.preview_mentor")), html_widget(guide_html(case, library, lang), "samsyn-mentor-guide")]
    column = w.VBox(parts, layout=w.Layout(min_width="0", width="100%"))
    for cls in ("samsyn-page", "samsyn-preview", f"samsyn-preview-{lang}"):
        column.add_class(cls)
    return column


class AuthoringPage:
    def __init__(self, folder: Path | str = ".", settings: Settings | None = None, lang: str | None = None):
        self.folder = Path(folder).resolve()
        self.settings = settings or Settings.from_env()
        self.m = m = Messages(lang or self.settings.language)
        self.last: DraftCheck | None = None
        self._stamp: tuple = ()
        self._listing: tuple[str, ...] = ()
        self._task: asyncio.Task | None = None

        intro = (f"<h1>{esc(m('author.title'))}</h1><p>{esc(m('author.intro'))}</p>"
                 f'<p class="samsyn-case-meta">{esc(m("author.folders", workspace=str(self.folder), library=str(self.settings.cases_dir)))}</p>')
        self.picker = w.Dropdown(options=[], description=m("author.pick"), style={"description_width": "initial"},
                                 layout=w.Layout(width="28rem"))
        self.picker.add_class("samsyn-author-picker")
        self._quiet = False
        self.picker.observe(self._picked, names="value")
        self.check_button = w.Button(description=m("author.check_now"))
        self.check_button.add_class("samsyn-author-check")
        self.check_button.on_click(lambda _b: self.check())

        self.new_id = w.Text(description=m("author.new_id"), placeholder=m("author.new_id_placeholder"),
                             style={"description_width": "initial"})
        self.new_id.add_class("samsyn-author-new-id")
        self.new_name = w.Text(description=m("author.new_name"), style={"description_width": "initial"})
        self.new_name.add_class("samsyn-author-new-name")
        self.new_button = w.Button(description=m("author.new_button"))
        self.new_button.add_class("samsyn-author-new")
        self.new_button.on_click(lambda _b: self.create())
        self.new_status = html_widget("", "samsyn-author-new-status")
        new_box = w.VBox([html_widget(f"<h2>{esc(m('author.new_heading'))}</h2>"),
                          w.HBox([self.new_id, self.new_name, self.new_button], layout=w.Layout(flex_flow="row wrap")),
                          self.new_status])

        self.status = html_widget("", "samsyn-author-status")
        self.errors = html_widget("", "samsyn-author-error-list")
        self.lengths = html_widget("", "samsyn-author-lengths")
        self.preview = w.VBox([])
        self.preview.add_class("samsyn-author-preview")

        self.replace = w.Checkbox(value=False, description=m("author.replace"), indent=False, layout=w.Layout(width="auto"))
        self.replace.add_class("samsyn-author-replace")
        self.publish_button = w.Button(description=m("author.publish_button"), button_style="success")
        self.publish_button.add_class("samsyn-author-publish")
        self.publish_button.on_click(lambda _b: self.publish())
        self.publish_status = html_widget("", "samsyn-author-publish-status")
        publish_box = w.VBox([html_widget(f"<h2>{esc(m('author.publish_heading'))}</h2>"),
                              w.HBox([self.publish_button, self.replace], layout=w.Layout(align_items="center")),
                              self.publish_status])

        self.widget = w.VBox([
            style(), html_widget(AUTHOR_STYLE, "samsyn-style"), html_widget(intro, "samsyn-author-intro"),
            w.HBox([self.picker, self.check_button], layout=w.Layout(align_items="center")), new_box,
            self.status, self.errors, self.lengths, publish_box,
            html_widget(f"<h2>{esc(m('author.preview_heading'))}</h2>"), self.preview,
        ])
        self.widget.add_class("samsyn-author")
        self.refresh_files()
        self.check()

    # -- files ----------------------------------------------------------------------------
    @property
    def path(self) -> Path | None:
        return self.folder / self.picker.value if self.picker.value else None

    def refresh_files(self, select: str | None = None) -> bool:
        """Offer the folder's case files; True when the list changed."""
        names = tuple(p.name for p in drafts(self.folder))
        if names == self._listing and select is None:
            return False
        self._listing = names
        current = select or self.picker.value
        self._quiet = True  # the caller checks once, after the list is right
        try:
            self.picker.options = names
            self.picker.value = current if current in names else (names[0] if names else None)
        finally:
            self._quiet = False
        return True

    def _picked(self, _change) -> None:
        if not self._quiet:
            self.check()

    def create(self) -> None:
        m = self.m
        try:
            path = new_case(self.folder, self.new_id.value, self.new_name.value)
        except AuthoringError as exc:
            self.new_status.value = f'<p class="samsyn-notice" role="alert">{esc(self.error_text(exc))}</p>'
            return
        self.new_status.value = f'<p role="status">{esc(m("author.created", file=path.name))}</p>'
        self.new_id.value = self.new_name.value = ""
        self.refresh_files(select=path.name)
        self.check()

    # -- checking -------------------------------------------------------------------------
    def _variables(self) -> Variables | list[CaseError]:
        try:
            return load_variables()
        except CaseFileError as exc:
            return exc.errors

    def check(self) -> DraftCheck | None:
        """Check the chosen file now and show the result."""
        m = self.m
        path = self.path
        self.publish_status.value = ""
        if path is None:
            self.last = None
            self._stamp = ()
            self.status.value = f'<p class="samsyn-notice">{esc(m("author.no_drafts"))}</p>'
            self.errors.value = self.lengths.value = ""
            self._set_preview([])
            return None
        self._stamp = file_stamp(path)
        variables = self._variables()
        time = datetime.now().strftime("%H:%M:%S")
        if isinstance(variables, list):  # the variables themselves are broken: as `samsyn cases check` says
            self.last = None
            self.status.value = f'<p class="samsyn-notice" role="alert">{esc(m("author.variables_errors"))}</p>'
            self.errors.value = self._errors_html([(e, None, ()) for e in variables])
            self.lengths.value = ""
            self._set_preview([])
            return None
        check = check_draft(path, variables, self.folder)
        self.last = check
        if check.errors:
            self.status.value = (f'<p class="samsyn-notice samsyn-author-has-errors" role="status">'
                                 f'{esc(m("author.checked_errors", time=time, count=len(check.errors), file=path.name))}</p>')
        else:
            self.status.value = (f'<p class="samsyn-author-ok" role="status">'
                                 f'{esc(m("author.checked_ok", time=time, file=path.name))}</p>')
        self.errors.value = self._errors_html([(p.error, p.line, p.excerpt) for p in check.errors])
        self.lengths.value = self._lengths_html(check)
        if check.valid:
            self._set_preview([self._preview(check.case, variables)])
        else:
            self._set_preview([html_widget(f'<p class="samsyn-notice">{esc(m("author.preview_unavailable"))}</p>',
                                           "samsyn-preview-unavailable")])
        return check

    def _errors_html(self, errors: list[tuple[CaseError, int | None, tuple]]) -> str:
        if not errors:
            return ""
        m = self.m
        items = []
        for error, line, excerpt in errors[:MAX_SHOWN_ERRORS]:
            where = f" ({esc(m('author.error_line', line=line))})" if line else ""
            source = ""
            if excerpt:
                rows = []
                for n, text in excerpt:
                    row = f"{n:>4} │ {esc(text)}"
                    rows.append(f"<mark>{row}</mark>" if n == line else row)
                source = f'<pre class="samsyn-author-source" aria-label="{esc(m("author.source_label"))}">' + "\n".join(rows) + "</pre>"
            items.append(f'<li class="samsyn-author-error" data-field="{esc(error.field)}">'
                         f"<p><strong>{esc(error.file)}: {esc(error.field)}</strong>: {esc(error.problem)}{where}</p>{source}</li>")
        more = len(errors) - MAX_SHOWN_ERRORS
        if more > 0:
            items.append(f'<li class="samsyn-author-more-errors">{esc(m("author.more_errors", n=more))}</li>')
        return (f"<h2>{esc(m('author.errors_heading'))}</h2>"
                f'<ul class="samsyn-author-errors">{"".join(items)}</ul>')

    def _lengths_html(self, check: DraftCheck) -> str:
        m = self.m
        low, high = LIBRARY_WORDS
        notes = {
            "far_short": m("author.length_far_short", low=low, high=high),
            "short": m("author.length_short", low=low, high=high),
            "within": m("author.length_within", low=low, high=high),
            "long": m("author.length_long", low=low, high=high),
            "far_long": m("author.length_far_long", low=low, high=high),
        }
        rows = []
        for length in check.lengths:
            lang = m("author.lang_sv") if length.lang == "sv" else m("author.lang_en")
            rows.append(f'<tr class="samsyn-length-{esc(length.lang)}" data-verdict="{esc(length.verdict)}"><td>{esc(lang)}</td>'
                        f"<td>{length.words}</td><td>{esc(m('author.minutes', n=length.minutes))}</td>"
                        f"<td>{esc(notes[length.verdict])}</td></tr>")
        html = (f"<h2>{esc(m('author.length_heading'))}</h2>"
                f'<table class="samsyn-table"><thead><tr><th scope="col">{esc(m("author.col_lang"))}</th>'
                f'<th scope="col">{esc(m("author.col_words"))}</th><th scope="col">{esc(m("author.col_time"))}</th>'
                f'<th scope="col">{esc(m("author.col_note"))}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
        if check.leftovers:
            html += (f'<p class="samsyn-notice samsyn-author-leftovers">'
                     f'{esc(m("author.leftovers", fields=", ".join(check.leftovers)))}</p>')
        return html

    def _preview(self, case: Case, variables: Variables) -> w.Widget:
        panels = None
        cases_dir = self.settings.cases_dir
        if Path(cases_dir).is_dir():
            panels = load_library(cases_dir).panels  # the served library's reference panel, if the case has one
        library = Library(variables=variables, cases={case.id: case}, panels=panels)
        columns = [preview_column(case, library, lang, self.m, self.settings.workshop_min_group) for lang in ("sv", "en")]
        grid = w.GridBox(columns, layout=w.Layout(grid_template_columns="minmax(0, 1fr) minmax(0, 1fr)", grid_gap="1rem"))
        grid.add_class("samsyn-preview-grid")
        return grid

    def _set_preview(self, children: list[w.Widget]) -> None:
        old = list(self.preview.children)
        self.preview.children = children
        for widget in old:
            _close(widget)

    # -- publishing -----------------------------------------------------------------------
    def error_text(self, exc: AuthoringError) -> str:
        return self.m(f"author.error.{exc.code}", **exc.params)

    def publish(self) -> None:
        m = self.m
        path = self.path
        if path is None:
            return
        if file_stamp(path) != self._stamp:  # saved since the last check: show what is being published
            self.check()
        try:  # publish() checks the file again itself: what is published is what is on disk now
            variables = load_variables()
            done = publish(path, self.settings.cases_dir, variables, folder=self.folder, replace=self.replace.value)
        except AuthoringError as exc:
            self.publish_status.value = f'<p class="samsyn-notice samsyn-author-refused" role="alert">{esc(self.error_text(exc))}</p>'
            return
        except CaseFileError as exc:
            self.publish_status.value = (f'<p class="samsyn-notice samsyn-author-refused" role="alert">'
                                         f'{esc(m("author.error.not_valid", count=len(exc.errors)))}</p>')
            return
        if done.unchanged:
            text = m("author.published_unchanged", file=done.target.name)
        elif done.backup is not None:
            text = m("author.published_replaced", file=done.target.name, backup=done.backup.name)
        else:
            text = m("author.published", file=done.target.name)
        self.replace.value = False
        self.publish_status.value = f'<p class="samsyn-author-ok samsyn-author-published" role="status">{esc(text)}</p>'

    # -- watching -------------------------------------------------------------------------
    def poll_once(self) -> bool:
        """Check again if the folder's files or the chosen file changed; True when it did."""
        listed = self.refresh_files()
        path = self.path
        stamp = file_stamp(path) if path is not None else ()
        if not listed and stamp == self._stamp:
            return False
        self.check()
        return True

    async def watch(self, interval: float = POLL_SECONDS) -> None:
        while True:
            try:
                self.poll_once()
            except Exception:  # never let one bad moment stop the watcher
                log.exception("checking the case file failed")
            await asyncio.sleep(interval)

    def start(self, interval: float = POLL_SECONDS) -> None:
        """Watch the files from the kernel's event loop (the notebook keeps running it)."""
        global _WATCHING
        if _WATCHING is not None and _WATCHING is not self:
            _WATCHING.stop()  # the notebook was run again: one watcher is enough
        _WATCHING = self
        self.stop()
        self._task = asyncio.ensure_future(self.watch(interval))

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None


_WATCHING: AuthoringPage | None = None


def build(folder: Path | str = ".", lang: str | None = None) -> w.Widget:
    """The authoring page for a workspace folder, watching its files; what the notebook shows."""
    page = AuthoringPage(folder, lang=lang)
    page.start()
    return page.widget
