"""samsyn.server: Voila's page templates are compiled once per process, not once per page."""

from __future__ import annotations

import os

import pytest

from samsyn.guard import TEMPLATES_DIR
from samsyn.server import COMPILED_TEMPLATES


def _exporter(template_paths):
    import voila.notebook_renderer

    COMPILED_TEMPLATES.install()
    return voila.notebook_renderer.VoilaExporter(template_paths=template_paths, template_name="samsyn")


def _render(template, **context) -> str:
    """Render an async template (Voila's are) in a thread of its own: a browser test may leave a loop running."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, template.render_async(**context)).result()


def _no_compile(env):
    def compile_(*_args, **_kwargs):
        raise AssertionError("compiled again")

    env.compile = compile_
    return env


def test_a_second_page_uses_the_compiled_page_template(monkeypatch):
    from voila.paths import collect_template_paths

    monkeypatch.setenv("JUPYTER_PATH", str(TEMPLATES_DIR))
    paths = collect_template_paths(["voila", "nbconvert"], "samsyn")
    first = _exporter(paths).environment.get_template("index.html.j2")
    # Voila makes a new exporter (a new Jinja environment) for every page it renders
    second = _no_compile(_exporter(paths).environment).get_template("index.html.j2")
    assert second.filename == first.filename and second is not first


def test_an_edited_template_is_compiled_again(tmp_path):
    template = tmp_path / "page.j2"
    template.write_text("{% do items.append(1) %}first {{ items|length }}", encoding="utf-8")
    assert _render(_exporter([str(tmp_path)]).environment.get_template("page.j2"), items=[]) == "first 1"
    assert _render(_no_compile(_exporter([str(tmp_path)]).environment).get_template("page.j2"), items=[]) == "first 1"
    template.write_text("second", encoding="utf-8")
    os.utime(template, (1, 1))  # Jinja's own auto-reload looks at mtimes; the cache at the source's checksum
    assert _render(_exporter([str(tmp_path)]).environment.get_template("page.j2")) == "second"
    with pytest.raises(AssertionError, match="compiled again"):
        template.write_text("third", encoding="utf-8")
        _no_compile(_exporter([str(tmp_path)]).environment).get_template("page.j2")
