"""The authoring page (widgets/authoring_page.py) without a browser: a save is seen,
errors sit at their field, the preview is the trainee pages' own output, publishing
reaches a page whose kernel loaded the library before."""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path

import ipywidgets as w
import pytest

from cases import load_library
from cases.loader import LIBRARY_DIR
from formfill import html_of  # tests/formfill.py
from samsyn.config import Settings
from samsyn.i18n import Messages
from widgets.common import esc

AUTHORING = Path(__file__).resolve().parent.parent / "cases" / "AUTHORING.md"
EXAMPLE = re.search(r"^```yaml\n(.*?)^```", AUTHORING.read_text(encoding="utf-8"), re.S | re.M).group(1)
BROKEN = EXAMPLE.replace("      grandmother: {extent: 1, function: 1}", "      grandmothr: {extent: 1, function: 1}")


@pytest.fixture
def library(tmp_path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    shutil.copy(LIBRARY_DIR / "assi.yaml", folder)
    return folder


@pytest.fixture
def workspace(tmp_path) -> Path:
    folder = tmp_path / "workspace"
    folder.mkdir()
    return folder


def page_for(workspace: Path, library: Path, lang: str = "sv"):
    from widgets.authoring_page import AuthoringPage

    settings = Settings.from_env({"SAMSYN_CASES_DIR": str(library), "SAMSYN_LANG": lang})
    return AuthoringPage(workspace, settings=settings)


def save(path: Path, text: str) -> None:
    """Save as an editor does: the new content, a later modification time."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    import os

    stamp = max(path.stat().st_mtime_ns, before + 1_000_000)
    os.utime(path, ns=(stamp, stamp))


def widgets_of(widget):
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from widgets_of(child)


def test_an_error_is_shown_at_its_field_and_a_save_brings_the_preview(workspace, library):
    path = workspace / "elin.yaml"
    save(path, BROKEN)
    page = page_for(workspace, library)
    assert page.picker.value == "elin.yaml"
    errors = page.errors.value
    assert "elin.yaml: key.factors.protective" in errors
    assert esc("'grandmothr' is not one of this case's protective factors") in errors
    assert "<mark>" in errors and "grandmothr:" in errors.split("<mark>")[1].split("</mark>")[0]
    assert Messages("sv")("author.preview_unavailable") in html_of(page.preview)
    assert page.poll_once() is False  # nothing saved since

    save(path, EXAMPLE)
    assert page.poll_once() is True
    assert page.errors.value == ""
    assert "samsyn-author-ok" in page.status.value
    sv, en = page.preview.children[0].children
    assert "samsyn-preview-sv" in sv._dom_classes and "samsyn-preview-en" in en._dom_classes
    assert "Elin, 11 år" in html_of(sv) and "Elin, 11" in html_of(en) and "Elin, 11 år" not in html_of(en)


def test_the_preview_is_the_trainee_pages_own_output(workspace, library):
    from cases.authoring import check_draft
    from cases import load_variables
    from widgets.case_page import header_html, vignette_html
    from widgets.mentor_page import guide_html

    save(workspace / "elin.yaml", EXAMPLE)
    page = page_for(workspace, library)
    case = check_draft(workspace / "elin.yaml", load_variables(), workspace).case
    lib = load_library(library)
    for column, lang in zip(page.preview.children[0].children, ("sv", "en")):
        markup = html_of(column)
        m = Messages(lang)
        assert header_html(case, lang, m) in markup
        assert vignette_html(case, lib, lang, m) in markup
        assert guide_html(case, lib, lang) in markup  # the mentor notes, as the workshop shows them
        for note in case.mentor_notes:
            assert esc(note.get(lang)) in markup
        # the answer form, at its factor grid, filled in as the key
        boxes = {cls: wd for wd in widgets_of(column) for cls in wd._dom_classes if cls.startswith("samsyn-factor-")}
        for fid in case.key.factors.risk:
            assert boxes[f"samsyn-factor-risk-{fid}"].value is True
        assert m("form.step.factors") in markup
        # the feedback of an answer like the key: the key's rationale, and "agree"
        assert esc(case.key.rationale.risk.get(lang)) in markup
        assert esc(m("feedback.key", rating=lib.variables.risk_label(case.key.risk, lang))) in markup
        assert 'data-prompt="agree"' in markup


def test_lengths_are_shown_per_language_with_a_note_far_outside(workspace, library):
    save(workspace / "elin.yaml", EXAMPLE)
    page = page_for(workspace, library, lang="en")
    lengths = page.lengths.value
    assert 'class="samsyn-length-sv" data-verdict="far_short"' in lengths
    assert 'class="samsyn-length-en" data-verdict="far_short"' in lengths
    assert esc(Messages("en")("author.length_far_short", low=700, high=900)) in lengths


def test_a_new_case_from_the_template_then_publishing_is_refused_until_written(workspace, library):
    page = page_for(workspace, library)
    assert Messages("sv")("author.no_drafts") in page.status.value
    page.new_id.value, page.new_name.value = "Elin!", "Elin"
    page.create()
    assert "samsyn-notice" in page.new_status.value and not list(workspace.glob("*.yaml"))
    page.new_id.value = "elin"
    page.create()
    assert page.picker.value == "elin.yaml" and (workspace / "elin.yaml").exists()
    assert "samsyn-author-leftovers" in page.lengths.value
    page.publish()
    assert "samsyn-author-refused" in page.publish_status.value
    assert not (library / "elin.yaml").exists()


def test_publishing_a_broken_case_is_refused_and_a_valid_one_reaches_a_stale_page(workspace, library, tmp_path):
    from store import Store
    from widgets.common import page_context
    from widgets.start_page import build

    path = workspace / "elin.yaml"
    save(path, BROKEN)
    page = page_for(workspace, library)
    preheated = load_library(library)  # what a preheated kernel loaded before anything was published
    page.publish()
    assert esc(Messages("sv")("author.error.not_valid", count=1)) in page.publish_status.value
    assert sorted(p.name for p in library.iterdir()) == ["assi.yaml"]

    save(path, EXAMPLE)
    page.poll_once()
    page.publish()
    assert "samsyn-author-published" in page.publish_status.value
    assert (library / "elin.yaml").exists()
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    markup = html_of(build(page_context("lang=sv"), preheated, store))
    assert 'data-case="elin"' in markup and 'data-case="assi"' in markup
    # and the case page of a kernel preheated before the publish opens the new case
    from widgets import case_page, mentor_page

    markup = html_of(case_page.build(page_context("case=elin&lang=en"), preheated, store))
    assert '<h1 class="samsyn-case-title" data-case="elin">Elin, 11</h1>' in markup
    # the mentor can choose it for a workshop
    mentor = mentor_page.build(page_context("lang=sv"), preheated, store)
    assert any("samsyn-workshop-case-elin" in wd._dom_classes for wd in widgets_of(mentor))


def test_everything_from_the_file_is_escaped(workspace, library):
    hostile = (EXAMPLE.replace('title: {sv: "Elin, 11 år", en: "Elin, 11"}',
                               'title: {sv: "<img src=x onerror=alert(1)>", en: "<script>alert(2)</script>"}')
               .replace("age: 11", "age: <b>elva</b>"))
    save(workspace / "elin.yaml", hostile)
    page = page_for(workspace, library)
    assert "<b>elva</b>" not in page.errors.value and "&lt;b&gt;elva&lt;/b&gt;" in page.errors.value
    save(workspace / "elin.yaml", hostile.replace("age: <b>elva</b>", "age: 11"))
    page.poll_once()
    markup = html_of(page.preview)
    assert "<img src=x" not in markup and "<script>alert(2)" not in markup
    assert "&lt;img src=x onerror=alert(1)&gt;" in markup


def test_a_deleted_or_added_file_is_seen(workspace, library):
    save(workspace / "elin.yaml", EXAMPLE)
    page = page_for(workspace, library)
    save(workspace / "nils.yaml", EXAMPLE.replace("id: elin", "id: nils"))
    assert page.poll_once() is True and page.picker.options == ("elin.yaml", "nils.yaml")
    (workspace / "elin.yaml").unlink()
    assert page.poll_once() is True and page.picker.value == "nils.yaml"


def test_the_watcher_checks_on_every_save_from_the_event_loop(workspace, library):
    """What the notebook runs: an asyncio task in the kernel that sees each save."""
    path = workspace / "elin.yaml"
    save(path, BROKEN)
    page = page_for(workspace, library)

    async def scenario() -> list[bool]:
        page.start(interval=0.02)
        seen = ["samsyn-author-has-errors" in page.status.value]
        save(path, EXAMPLE)
        for _ in range(200):
            await asyncio.sleep(0.02)
            if "samsyn-author-ok" in page.status.value:
                break
        seen.append("samsyn-author-ok" in page.status.value)
        save(path, BROKEN)
        for _ in range(200):
            await asyncio.sleep(0.02)
            if "samsyn-author-has-errors" in page.status.value:
                break
        seen.append("samsyn-author-has-errors" in page.status.value)
        page.stop()
        return seen

    # in a thread of its own: another test's tools (Playwright's sync API) may hold this thread's loop
    import threading

    result: dict[str, list[bool]] = {}
    thread = threading.Thread(target=lambda: result.setdefault("seen", asyncio.run(scenario())))
    thread.start()
    thread.join(60)
    assert result.get("seen") == [True, True, True]


def test_rebuilding_the_preview_closes_the_old_widgets(workspace, library):
    path = workspace / "elin.yaml"
    save(path, EXAMPLE)
    page = page_for(workspace, library)
    old = list(widgets_of(page.preview.children[0]))
    save(path, EXAMPLE.replace("age: 11", "age: 12"))
    page.poll_once()
    assert all(wd.comm is None for wd in old if isinstance(wd, w.Widget))


def test_a_very_broken_file_lists_a_bounded_number_of_errors(workspace, library):
    from widgets.authoring_page import MAX_SHOWN_ERRORS

    sections = "".join(f"    - area: nowhere{i}\n      text: {{sv: x}}\n" for i in range(12))
    broken = EXAMPLE.split("vignette:")[0] + (
        "vignette:\n  barnets_utveckling:\n" + sections + "  foraldrarnas_formaga:\n" + sections
        + "  familj_och_miljo:\n" + sections)
    save(workspace / "elin.yaml", broken)
    page = page_for(workspace, library)
    assert len(page.last.errors) > MAX_SHOWN_ERRORS
    assert page.errors.value.count('class="samsyn-author-error"') == MAX_SHOWN_ERRORS
    more = len(page.last.errors) - MAX_SHOWN_ERRORS
    assert esc(Messages("sv")("author.more_errors", n=more)) in page.errors.value
