"""Case authoring in Chromium: `samsyn author` (JupyterLab on loopback, with a token) next to
the running app. Open the authoring notebook, load a draft with a deliberate error and see the
named error at its field, fix it in JupyterLab's editor and save, see the Swedish and English
preview, publish, and find the case on the app's start page — served by a kernel that was
preheated before the case was published."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect
from rootconf import root_conftest  # tests/rootconf.py

_root = root_conftest()
REPO, free_port, wait_for_port = _root.REPO, _root.free_port, _root.wait_for_port

pytestmark = pytest.mark.browser
# README images are written here; `make screenshots` copies them to docs/screenshots (never make test).
SCREENSHOTS = REPO / "tests" / "artifacts" / "screenshots"
TOKEN = "authoring-test-token-4711"
#: One preheated start page, nothing else: the start page's kernel loads the library before its request.
POOLS = {"VoilaKernelManager": {"kernel_pools_config": {
    "start.ipynb": {"pool_size": 1}, "case.ipynb": {"pool_size": 0}, "mentor.ipynb": {"pool_size": 0},
    "manager.ipynb": {"pool_size": 0}, "default": {"pool_size": 0}}}}


def draft_with_an_error() -> str:
    """The AUTHORING.md example, with the key first (near the top of the editor) and a key
    that weighs a factor the case does not define: `grandmothr`, at the end of its line."""
    text = (REPO / "cases" / "AUTHORING.md").read_text(encoding="utf-8")
    data = yaml.safe_load(re.search(r"^```yaml\n(.*?)^```", text, re.S | re.M).group(1))
    protective = data["key"]["factors"]["protective"]
    protective["grandmothr"] = protective.pop("grandmother")
    ordered = {k: data[k] for k in ("schema_version", "id", "name", "age", "sex", "difficulty", "ambiguous", "key")}
    ordered.update((k, v) for k, v in data.items() if k not in ordered)
    out = yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    assert re.search(r"(?m)^ +grandmothr:$", out)
    return out


class LabServer:
    """`samsyn author FOLDER` as a user starts it, in its own process group."""

    def __init__(self, tmp: Path, workspace: Path, library: Path):
        self.port = free_port()
        self.log_path = tmp / "lab.log"
        env = {**os.environ, "SAMSYN_DATA_DIR": str(tmp / "lab-data"), "JUPYTER_RUNTIME_DIR": str(tmp / "lab-runtime"),
               "JUPYTER_CONFIG_DIR": str(tmp / "lab-config"), "JUPYTER_DATA_DIR": str(tmp / "lab-jupyter-data"),
               "PYTHONUNBUFFERED": "1"}
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "samsyn.cli", "author", str(workspace), "--port", str(self.port), "--token", TOKEN,
             "--cases-dir", str(library), "--lang", "sv", "--no-browser"],
            cwd=tmp, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait(self) -> None:
        try:
            wait_for_port(self.port, self.proc)
        except Exception:
            self.stop()
            raise RuntimeError(f"JupyterLab did not start; log:\n{self.log_path.read_text()}") from None

    @property
    def notebook_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/lab/tree/authoring.ipynb?token={TOKEN}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
        self._log.close()


@pytest.fixture
def lab_and_app(tmp_path, voila_factory):
    library = tmp_path / "library"
    library.mkdir()
    shutil.copy(REPO / "cases" / "library" / "assi.yaml", library)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "elin.yaml").write_text(draft_with_an_error(), encoding="utf-8")
    lab = LabServer(tmp_path, workspace, library)
    try:
        app = voila_factory(tmp_path / "app", extra_env={"SAMSYN_CASES_DIR": str(library)}, voila_config=POOLS)
        lab.wait()
        yield lab, app, library
    finally:
        lab.stop()


def run_the_notebook(page) -> None:
    """Shift+Enter in the notebook's code cell, once its kernel is ready."""
    expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status=idle]")).to_be_attached()
    for _attempt in range(3):  # a keystroke that reaches a kernel still connecting is dropped
        page.locator(".jp-CodeCell .cm-content").first.click()
        page.keyboard.press("Shift+Enter")
        try:
            page.locator(".samsyn-author").wait_for(timeout=30_000)
            return
        except Exception:
            continue
    expect(page.locator(".samsyn-author")).to_be_visible()


def test_write_check_preview_publish_and_find_it_on_the_start_page(lab_and_app, page):
    lab, app, library = lab_and_app
    started = time.monotonic()

    # the app's start page, before: no Elin (and its pool refills with a kernel that loads the library now)
    app_page = page.context.new_page()
    app_page.set_default_timeout(120_000)
    app_page.goto(app.page("start.ipynb", lang="sv"))
    expect(app_page.locator('.samsyn-case-card[data-case="assi"]')).to_be_visible()
    expect(app_page.locator('.samsyn-case-card[data-case="elin"]')).to_have_count(0)

    # JupyterLab, with the token, opens the authoring notebook
    page.goto(lab.notebook_url)
    run_the_notebook(page)

    # the deliberate error, named and shown at its field
    error = page.locator('.samsyn-author-error[data-field="key.factors.protective"]')
    expect(error).to_contain_text("elin.yaml: key.factors.protective")
    expect(error).to_contain_text("'grandmothr' is not one of this case's protective factors")
    expect(error.locator("mark")).to_contain_text("grandmothr:")
    expect(page.locator(".samsyn-preview-unavailable")).to_be_visible()
    # a failing case is never published
    page.locator(".samsyn-author-publish").click()
    expect(page.locator(".samsyn-author-refused")).to_be_visible()
    assert sorted(p.name for p in library.iterdir()) == ["assi.yaml"]

    # fix it in JupyterLab's editor and save
    page.locator(".jp-DirListing-item", has_text="elin.yaml").dblclick()
    line = page.locator(".jp-FileEditor .cm-line", has_text="grandmothr:")
    line.click()
    page.keyboard.press("End")
    for _ in "grandmothr:":
        page.keyboard.press("Backspace")
    page.keyboard.type("grandmother:")
    page.keyboard.press("Control+s")
    expect(page.locator(".jp-FileEditor .cm-line", has_text="grandmother:")).to_be_visible()

    # back in the notebook: the save was seen; the Swedish and English preview
    page.locator(".lm-TabBar-tab", has_text="authoring.ipynb").click()
    expect(page.locator(".samsyn-author-ok")).to_be_visible()
    expect(page.locator(".samsyn-author-error")).to_have_count(0)
    sv, en = page.locator(".samsyn-preview-sv"), page.locator(".samsyn-preview-en")
    expect(sv.locator(".samsyn-case-title")).to_have_text("Elin, 11 år")
    expect(en.locator(".samsyn-case-title")).to_have_text("Elin, 11")
    expect(sv.locator(".samsyn-factors-risk")).to_contain_text("Pappans depression begränsar omsorgen")
    expect(en.locator(".samsyn-factors-protective")).to_contain_text("Grandmother lives close by")
    expect(sv.locator(".samsyn-factor-protective-grandmother input[type=checkbox]")).to_be_checked()
    expect(en.locator(".samsyn-key-box")).to_contain_text("Somewhat elevated risk")
    expect(sv.locator(".samsyn-mentor-guide")).to_contain_text("Är Elins skolresultat en skyddsfaktor")
    expect(page.locator('.samsyn-length-sv[data-verdict="far_short"]')).to_be_visible()
    page.locator(".samsyn-author-preview").scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "authoring-sv.png"))

    # publish
    page.locator(".samsyn-author-publish").scroll_into_view_if_needed()
    page.locator(".samsyn-author-publish").click()
    expect(page.locator(".samsyn-author-published")).to_contain_text("elin.yaml")
    assert (library / "elin.yaml").exists()

    # the running app offers it, without a restart, from a kernel preheated before publishing
    app_page.reload()
    expect(app_page.locator('.samsyn-case-card[data-case="elin"]')).to_be_visible()
    expect(app_page.locator('.samsyn-case-card[data-case="elin"]')).to_contain_text("Elin, 11 år")
    expect(app_page.locator('.samsyn-case-card[data-case="assi"]')).to_be_visible()
    print(f"authoring flow: {time.monotonic() - started:.1f} s")
