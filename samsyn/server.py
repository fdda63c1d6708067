"""Voila, configured for Samsyn.

``SamsynVoila`` is Voila serving the ``training/`` folder with two changes:
the site root (and Voila's file tree) lead to the start page instead of a
directory listing, and the contents API is not exposed. Everything else —
preheated kernels, stripped sources, hidden tracebacks, no file downloads —
is configured in ``training/voila.json``. ``SAMSYN_VOILA_CONFIG_DIR`` may name
a folder with another ``voila.json`` whose settings take precedence (used by the
benchmarks and tests to change pool sizes and cull timeouts). ``SAMSYN_BASE_URL``
sets the URL prefix the browser sees when a proxy strips it (JupyterHub).
"""

from __future__ import annotations

import os
from pathlib import Path

import tornado.web
from jupyter_server.utils import url_path_join
from voila.app import Voila
from voila.static_file_handler import TemplateStaticFileHandler

from samsyn import kernels

START_PAGE = "voila/render/start.ipynb"


class StartRedirectHandler(tornado.web.RequestHandler):
    def initialize(self, target: str) -> None:
        self.target = target

    def get(self, *_args) -> None:
        query = self.request.query
        self.redirect(self.target + (f"?{query}" if query else ""), permanent=False)


class TemplateStaticHandler(TemplateStaticFileHandler):
    """Voila's template static files, answering 404 to a malformed path.

    Voila's handler asserts the ``<template>/static/<file>`` shape, so a path
    like ``/voila/templates/lab/../../x`` ended in a 500 (nothing was served,
    but a probe should get a plain 404)."""

    def parse_url_path(self, path):
        try:
            return super().parse_url_path(path)
        except (AssertionError, ValueError):
            raise tornado.web.HTTPError(404) from None

    @classmethod
    def get_absolute_path(cls, root, path):
        try:
            return super().get_absolute_path(root, path)
        except (AssertionError, ValueError):
            raise tornado.web.HTTPError(404) from None


class SamsynVoila(Voila):
    name = "samsyn"

    def init_settings(self):
        # Kernel lifecycle (samsyn/kernels.py): Voila's pooling kernel manager with Samsyn's cull policy.
        import voila.app

        import secrets

        from samsyn.rooms import TOKEN_ENV

        os.environ.setdefault(TOKEN_ENV, secrets.token_urlsafe(24))  # kernels may ask for a room (samsyn/rooms.py)
        if kernels.use_fork_provisioner():  # samsyn/forkserver.py: kernels forked from one warmed-up process
            self.log.info("Samsyn: page kernels are forked from a preloaded process (SAMSYN_FORK_KERNELS=0 to stop)")
        original = voila.app.voila_kernel_manager_factory
        voila.app.voila_kernel_manager_factory = kernels.kernel_manager_factory(original)
        try:
            settings = super().init_settings()
        finally:
            voila.app.voila_kernel_manager_factory = original
        from samsyn.config import Settings

        room = Settings.from_env().room_size  # samsyn/rooms.py: that many start and case pages preheated
        if room:
            self.kernel_manager.open_room(room, hours=24 * 365, capped=False)
        return settings

    def init_handlers(self):
        handlers = kernels.replace_handlers(super().init_handlers())
        # base_url: what the browser sees (behind JupyterHub, /user/<name>/); server_url: the routes here
        target = url_path_join(self.base_url, START_PAGE)
        kept = []
        for spec in handlers:
            pattern = spec[0]
            if pattern in (self.server_url, url_path_join(self.server_url, "/")):
                continue  # the directory listing at the root
            if "/voila/tree" in pattern or "/voila/api/contents" in pattern:
                continue
            if len(spec) > 1 and spec[1] is TemplateStaticFileHandler:
                spec = (spec[0], TemplateStaticHandler, *spec[2:])
            kept.append(spec)
        redirects = [
            (self.server_url, StartRedirectHandler, {"target": target}),
            (url_path_join(self.server_url, r"/voila/tree(.*)"), StartRedirectHandler, {"target": target}),
        ]
        return redirects + [kernels.room_handler(self.server_url)] + kept


def run_voila(*, port: int, ip: str, open_browser: bool, notebooks: Path) -> None:
    """Run Voila in this process, serving ``notebooks`` with its voila.json."""
    notebooks = Path(notebooks).resolve()
    os.chdir(notebooks)  # voila.json is read from the working directory
    config_dirs = [str(notebooks)]
    override = os.environ.get("SAMSYN_VOILA_CONFIG_DIR")
    if override:
        # A folder with its own voila.json whose values win over training/voila.json
        # (a workshop server's pool size, or a short cull timeout in a test).
        config_dirs.insert(0, str(Path(override).resolve()))
    argv = [
        str(notebooks),
        f"--port={port}",
        f"--Voila.ip={ip}",
        "--Voila.port_retries=0",
        f"--Voila.open_browser={open_browser}",
        *(f"--Voila.config_file_paths={d}" for d in config_dirs),
    ]
    base_url = os.environ.get("SAMSYN_BASE_URL")
    if base_url:
        # Behind a proxy that strips a prefix (jhsingle-native-proxy under JupyterHub: /user/<name>/):
        # routes stay at /, every URL the pages generate carries the prefix.
        argv += [f"--Voila.base_url=/{base_url.strip('/')}/", "--Voila.server_url=/"]
    SamsynVoila.launch_instance(argv=argv)
