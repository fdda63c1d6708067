"""``samsyn author``: JupyterLab on an authoring workspace.

The workspace is a folder with

* the author's case files (``*.yaml``), checked and previewed by
* ``authoring.ipynb``, a thin notebook calling ``widgets.authoring_page.build``,
* ``templates/case.yaml``, the template new cases are made from (a copy of
  ``cases/template.yaml`` the municipality may adapt).

Nothing the author wrote is overwritten: the notebook and the template are
written only when missing. JupyterLab listens on loopback by default, always
with a token (made up at every start unless one is given), and keeps its
settings and layout in the user data folder, not in the user's own
JupyterLab settings. The kernels inherit the library folder
(``SAMSYN_CASES_DIR``) that publishing writes to and the server reads.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import shutil
from pathlib import Path

from samsyn.config import Settings

NOTEBOOK = "authoring.ipynb"
TEMPLATE = Path("templates") / "case.yaml"
#: JupyterLab's own settings for the workspace: no news or update checks (the machine may have no internet).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    # open the notebook straight on its Python kernel, without asking which one
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"autoStartDefaultKernel": True},
}

NOTEBOOK_INTRO = (
    "**Samsyn – skriv ett ärende.** Kör cellen nedan (Shift+Enter). Öppna sedan ärendefilen i filbläddraren "
    "till vänster, skriv och spara: granskningen och förhandsvisningen följer varje sparning.\n\n"
    "**Samsyn – write a case.** Run the cell below (Shift+Enter). Then open the case file in the file browser "
    "on the left, write and save: the check and the preview follow every save."
)
NOTEBOOK_CODE = (
    "# Samsyn authoring: checks and previews this folder's case files on every save, and publishes them.\n"
    "# Keep this notebook thin: the page is built in widgets/authoring_page.py.\n"
    "from widgets.authoring_page import build\n"
    "\n"
    "build(\".\")"
)


def default_workspace() -> Path:
    return Path(Settings.from_env().data_dir) / "authoring"


def lab_state_dir() -> Path:
    return Path(Settings.from_env().data_dir) / "jupyterlab"


def notebook_json() -> dict:
    return {
        "cells": [
            {"cell_type": "markdown", "id": "samsyn-intro", "metadata": {}, "source": NOTEBOOK_INTRO},
            {"cell_type": "code", "execution_count": None, "id": "samsyn-authoring", "metadata": {}, "outputs": [],
             "source": NOTEBOOK_CODE},
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "samsyn": {"authoring": 1},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def prepare_workspace(folder: Path) -> Path:
    """Create the workspace's notebook and template where missing; return the folder."""
    from cases.authoring import TEMPLATE_PATH

    folder = Path(folder).expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    notebook = folder / NOTEBOOK
    if not notebook.exists():
        notebook.write_text(json.dumps(notebook_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    template = folder / TEMPLATE
    if not template.exists():
        template.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(TEMPLATE_PATH, template)
    return folder


def _lab_settings(state: Path) -> tuple[Path, Path]:
    settings_dir, workspaces_dir = state / "user-settings", state / "workspaces"
    for name, values in LAB_SETTINGS.items():
        path = settings_dir / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values, indent=1) + "\n", encoding="utf-8")
    workspaces_dir.mkdir(parents=True, exist_ok=True)
    return settings_dir, workspaces_dir


def is_loopback(ip: str) -> bool:
    if ip == "localhost":
        return True
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def make_token() -> str:
    return secrets.token_urlsafe(24)


def lab_argv(folder: Path, *, ip: str, port: int, token: str, open_browser: bool) -> list[str]:
    if not token or not token.strip():
        raise ValueError("JupyterLab needs a token; an empty one would let anyone on the address in")
    settings_dir, workspaces_dir = _lab_settings(lab_state_dir())
    return [
        f"--ServerApp.root_dir={folder}",
        f"--ServerApp.ip={ip}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.open_browser={open_browser}",
        f"--LabApp.default_url=/lab/tree/{NOTEBOOK}",
        f"--LabApp.user_settings_dir={settings_dir}",
        f"--LabApp.workspaces_dir={workspaces_dir}",
        "--LabApp.extension_manager=readonly",  # no extension installs from the authoring workspace
        "--ServerApp.jpserver_extensions=voila.server_extension=False",  # the app is served by `samsyn serve`
        *(["--ServerApp.allow_root=True"] if os.geteuid() == 0 else []),  # a container's root user
    ]


def run_lab(folder: Path, *, ip: str, port: int, token: str, open_browser: bool) -> None:
    """Run JupyterLab in this process on the prepared workspace."""
    from jupyterlab.labapp import LabApp

    LabApp.launch_instance(argv=lab_argv(folder, ip=ip, port=port, token=token, open_browser=open_browser))
