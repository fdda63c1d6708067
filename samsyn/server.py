"""Voila, configured for Samsyn.

``SamsynVoila`` is Voila serving the ``training/`` folder with these changes:
the site root (and Voila's file tree) lead to the start page instead of a
directory listing, and the contents API is not exposed; kernels are forked
from a preloaded process, released when their page is left and culled when
no browser holds them (:mod:`samsyn.kernels`, :mod:`samsyn.forkserver`); a
mentor's page may ask for a room (:mod:`samsyn.rooms`); and every request
passes :mod:`samsyn.guard` (Host allowlist, kernel caps, secrets out of URLs,
CSP). Everything else — preheated kernels, stripped sources, hidden
tracebacks, no file downloads — is configured in ``training/voila.json``. ``SAMSYN_VOILA_CONFIG_DIR`` may name
a folder with another ``voila.json`` whose settings take precedence (used by the
benchmarks and tests to change pool sizes). ``SAMSYN_BASE_URL``
is the URL prefix the app is served under (``/user/<name>/`` behind JupyterHub,
where the proxy passes the full path on).
"""

from __future__ import annotations

import os
from pathlib import Path

import tornado.web
from jupyter_server.utils import url_path_join
from voila.app import Voila
from voila.static_file_handler import TemplateStaticFileHandler

from samsyn import kernels
from samsyn.config import Settings, training_dir

START_PAGE = "voila/render/start.ipynb"


class StartRedirectHandler(tornado.web.RequestHandler):
    def initialize(self, target: str) -> None:
        self.target = target

    def get(self, *_args) -> None:
        from urllib.parse import urlencode

        # Never carry a manager key or a facilitator secret on to another page.
        kept = [(k, v.decode("utf-8", "replace")) for k, values in self.request.query_arguments.items()
                if k not in ("key", "secret") for v in values][:20]
        self.redirect(self.target + (f"?{urlencode(kept)}" if kept else ""), permanent=False)


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


class _CompiledTemplates:
    """A Jinja bytecode cache held in this process: every page's templates are compiled once.

    Voila makes a new exporter, hence a new Jinja environment, for every page it renders, so the page
    templates (``index.html.j2``, ``base.html.j2``, ``display_priority.j2`` …) were parsed and compiled
    again for every page: about a third of Voila's CPU per page in ``benchmarks/load.py``. Jinja checks
    each template's source against the checksum stored with its code, so an edited template is compiled
    anew; the compiled code is keyed by the environment's async mode and extensions as well."""

    def __init__(self) -> None:
        import jinja2

        class Cache(jinja2.BytecodeCache):
            def __init__(self) -> None:
                self.code: dict[tuple, bytes] = {}

            @staticmethod
            def _key(bucket) -> tuple:
                env = bucket.environment
                return (bucket.key, env.is_async, tuple(sorted(env.extensions)))

            def load_bytecode(self, bucket) -> None:
                data = self.code.get(self._key(bucket))
                if data is not None:
                    bucket.bytecode_from_string(data)

            def dump_bytecode(self, bucket) -> None:
                self.code[self._key(bucket)] = bucket.bytecode_to_string()

        self.cache = Cache()

    def install(self) -> None:
        """Give every Voila page exporter made from now on this cache (idempotent)."""
        import voila.notebook_renderer

        current = voila.notebook_renderer.VoilaExporter
        if getattr(current, "_samsyn_cached", False):
            return
        cache = self.cache

        class CachedExporter(current):
            _samsyn_cached = True

            def _create_environment(self):
                env = super()._create_environment()
                env.bytecode_cache = cache
                return env

        voila.notebook_renderer.VoilaExporter = CachedExporter


COMPILED_TEMPLATES = _CompiledTemplates()


class SamsynVoila(Voila):
    name = "samsyn"

    def init_settings(self):
        # Kernel lifecycle (samsyn/kernels.py): Voila's pooling kernel manager with Samsyn's cull policy.
        import voila.app

        COMPILED_TEMPLATES.install()  # each page template compiled once, not once per page
        if kernels.use_fork_provisioner():  # samsyn/forkserver.py: kernels forked from one warmed-up process
            self.log.info("Samsyn: page kernels are forked from a preloaded process (SAMSYN_FORK_KERNELS=0 to stop)")
        original = voila.app.voila_kernel_manager_factory
        voila.app.voila_kernel_manager_factory = kernels.kernel_manager_factory(original)
        try:
            settings = super().init_settings()
        finally:
            voila.app.voila_kernel_manager_factory = original
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
            # Under a prefix, "/" too: a proxy's readiness probe gets a redirect, not a 404.
            *([("/", StartRedirectHandler, {"target": target})] if self.server_url != "/" else []),
            (url_path_join(self.server_url, r"/voila/tree(.*)"), StartRedirectHandler, {"target": target}),
        ]
        # Security (samsyn/guard.py): Host allowlist, kernel caps, secrets out of URLs, CSP, no kernel REST route.
        # The room route (a mentor's kernel, on loopback, with the server's token) and the page's goodbye
        # (samsyn/kernels.py, proven by the page's own cookie) are behind the same Host allowlist.
        from samsyn import guard

        return guard.secure(self, redirects + [kernels.room_handler(self.server_url)] + kept)


def run_voila(settings: Settings, *, open_browser: bool = False, notebooks: Path | None = None) -> None:
    """Run Voila in this process, serving the notebooks of the installed ``training`` package
    (or, for a test, another folder of notebooks with its own ``voila.json``)."""
    import secrets

    notebooks = (notebooks or training_dir()).resolve()
    if not settings.room_token:
        # The kernels' proof when a mentor's page asks for a room (samsyn/rooms.py); they inherit it.
        settings = settings.replace(room_token=secrets.token_urlsafe(24))
        os.environ.update(settings.to_environ())
    os.chdir(notebooks)  # voila.json is read from the working directory
    config_dirs = [str(notebooks)]
    if settings.voila_config_dir:
        # A folder with its own voila.json whose values win over training/voila.json
        # (a workshop server's pool size, or a short cull timeout in a test).
        config_dirs.insert(0, str(Path(settings.voila_config_dir).resolve()))
    from samsyn.guard import KERNEL_HEADERS, TEMPLATES_DIR

    # Samsyn's page template (no CDN, no inline script) lives in a Jupyter data folder of its own.
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(TEMPLATES_DIR), os.environ.get("JUPYTER_PATH")) if p)
    argv = [
        str(notebooks),
        f"--VoilaConfiguration.http_header_envs={KERNEL_HEADERS!r}",
        f"--port={settings.port}",
        f"--Voila.ip={settings.ip}",
        "--Voila.port_retries=0",
        f"--Voila.open_browser={open_browser}",
        # <html lang> before the page is drawn: the server's language (the page sets its own, samsyn-setup.js)
        f"--VoilaExporter.language_code={settings.language}",
        *(f"--Voila.config_file_paths={d}" for d in config_dirs),
    ]
    if settings.base_url != "/":
        # Behind JupyterHub (/user/<name>/): the proxy passes the full path, so routes and links carry it.
        argv += [f"--Voila.base_url={settings.base_url}"]
    SamsynVoila.launch_instance(argv=argv)
