"""`samsyn author`: the workspace it prepares and how it starts JupyterLab (loopback, a token)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from samsyn.author import NOTEBOOK, TEMPLATE, is_loopback, lab_argv, notebook_json, prepare_workspace


def test_the_workspace_gets_a_thin_notebook_and_a_template(tmp_path):
    folder = prepare_workspace(tmp_path / "ws")
    notebook = json.loads((folder / NOTEBOOK).read_text(encoding="utf-8"))
    code = "\n".join(c["source"] for c in notebook["cells"] if c["cell_type"] == "code")
    lines = [line for line in code.splitlines() if line.strip() and not line.startswith("#")]
    assert lines == ["from widgets.authoring_page import build", 'build(".")']
    assert "sys.path" not in code
    markdown = "".join(c["source"] for c in notebook["cells"] if c["cell_type"] == "markdown")
    assert "Shift+Enter" in markdown and "Kör cellen" in markdown and "Run the cell" in markdown  # both languages
    assert (folder / TEMPLATE).read_text(encoding="utf-8").startswith("# Mall för ett nytt ärende")


def test_nothing_the_author_wrote_is_overwritten(tmp_path):
    folder = prepare_workspace(tmp_path / "ws")
    (folder / NOTEBOOK).write_text("my notebook", encoding="utf-8")
    (folder / TEMPLATE).write_text("my template", encoding="utf-8")
    prepare_workspace(folder)
    assert (folder / NOTEBOOK).read_text(encoding="utf-8") == "my notebook"
    assert (folder / TEMPLATE).read_text(encoding="utf-8") == "my template"


def test_the_notebook_is_valid_nbformat():
    import nbformat

    nbformat.validate(nbformat.from_dict(notebook_json()))


def test_jupyterlab_gets_loopback_a_token_and_its_own_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMSYN_DATA_DIR", str(tmp_path / "data"))
    argv = lab_argv(tmp_path, ip="127.0.0.1", port=8890, token="s3cret-token", open_browser=False)
    assert "--ServerApp.ip=127.0.0.1" in argv and "--IdentityProvider.token=s3cret-token" in argv
    assert "--ServerApp.port_retries=0" in argv  # a busy port is an error, not a surprise port
    assert f"--LabApp.default_url=/lab/tree/{NOTEBOOK}" in argv
    settings = tmp_path / "data" / "jupyterlab" / "user-settings"
    news = json.loads((settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").read_text())
    assert news == {"fetchNews": "false", "checkForUpdates": False}
    with pytest.raises(ValueError):
        lab_argv(tmp_path, ip="127.0.0.1", port=8890, token=" ", open_browser=False)


@pytest.mark.parametrize("ip, loopback", [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                          ("127.0.0.2", True), ("0.0.0.0", False), ("192.0.2.1", False), ("x", False)])
def test_is_loopback(ip, loopback):
    assert is_loopback(ip) is loopback


def test_cli_refuses_an_empty_token(tmp_path):
    result = subprocess.run([sys.executable, "-m", "samsyn.cli", "author", str(tmp_path / "ws"), "--token", "",
                             "--no-browser"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "token may not be empty" in result.stderr
    assert not (tmp_path / "ws").exists()


def test_settings_read_the_author_environment():
    from samsyn.config import Settings

    s = Settings.from_env({"SAMSYN_AUTHOR_PORT": "9000", "SAMSYN_AUTHOR_IP": "::1", "SAMSYN_AUTHOR_TOKEN": "t",
                           "SAMSYN_VARIABLES_FILE": "/srv/local.yaml"})
    assert (s.author_port, s.author_ip, s.author_token, str(s.variables_file)) == (9000, "::1", "t", "/srv/local.yaml")
    d = Settings.from_env({})
    assert (d.author_port, d.author_ip, d.author_token, d.variables_file) == (8890, "127.0.0.1", None, None)
