"""What the server checks before a request reaches a kernel.

Installed by :class:`samsyn.server.SamsynVoila` (``guard.secure(app, handlers)``):

* **Host allowlist** (DNS rebinding): every request — pages, static files,
  websockets — whose ``Host`` is neither loopback nor in
  ``SAMSYN_ALLOWED_HOSTS`` gets a 400, before any handler runs.
* **Bounded kernels**: a page request is refused with a small static "try
  again in a moment" page (503, no kernel started or taken from a pool) when
  ``Settings.kernel_cap`` page kernels are live (``SAMSYN_MAX_KERNELS``, or
  when unset what the room needs, at least 60), or the client already has
  ``SAMSYN_MAX_KERNELS_PER_CLIENT``. Preheated kernels waiting in a pool or a
  room are not page kernels; one counts from the moment a page gets it. A page
  that is left gives its kernel back at once (:mod:`samsyn.kernels`).
* **No template or theme override**, at most :data:`MAX_QUERY_FIELDS` query
  parameters (a plain 404 or 400 page, no kernel).
* **Secrets leave the URL after first use**: ``?key=`` (manager) and
  ``?secret=`` (facilitator) are moved into HttpOnly cookies and the browser is
  redirected to the same page without them; the kernel receives them in the
  request's environment (``HTTP_X_SAMSYN_KEY``, ``HTTP_X_SAMSYN_SECRET``),
  together with the client's address (``HTTP_X_SAMSYN_CLIENT``) for the
  attempt throttle. Incoming ``X-Samsyn-*`` headers are always dropped.
* **Kernel ids are not credentials**: ``DELETE /api/kernels/<id>`` is gone
  (the page needs only ``GET`` of its own kernel's model and the channels websocket;
  its goodbye, ``POST voila/api/shutdown/<id>``, must carry the cookie only that
  page got, see :mod:`samsyn.kernels`); ``/voila/query/<id>`` hands a
  request only to the kernel that proves it is that kernel, and only once
  (:class:`QuerySocket`); log lines never carry a kernel id or a secret
  (:mod:`samsyn.redact`).
* **Content-Security-Policy** on every page: scripts, styles, fonts, images and
  connections from the app's own origin only (:data:`CSP`).
* ``/logout`` forgets the manager and facilitator cookies and leads to the start page.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import secrets
import time
from collections import Counter
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import tornado.web
from tornado.httputil import split_host_and_port
from tornado.routing import Matcher, Rule
from tornado.websocket import WebSocketHandler

from samsyn import redact
from samsyn.config import Settings, package_path
from samsyn.i18n import Messages
from samsyn.query_auth import valid as proof_valid

log = logging.getLogger("samsyn.guard")

#: Scripts, styles, fonts, images and connections only from the app's own origin; no inline script and no
#: eval: the charts are drawn by Voila's bundled Vega with its AST expression interpreter (``ast: true`` in
#: :data:`samsyn.charts.EMBED_OPTIONS`), which needs no ``Function``, so no page allows 'unsafe-eval'.
#: Styles may be inline (JupyterLab and ipywidgets inject theirs at run time), but nothing inline can
#: load from elsewhere: every fetch a style could make is bound by img-src and font-src 'self'.
CSP = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
    "object-src 'none'",
])


#: A page with more query parameters than this is refused with a message (no kernel).
MAX_QUERY_FIELDS = 20
#: Voila's own query parameters that would switch a page's template or theme (off in Samsyn).
OVERRIDES = ("template", "theme")
#: Headers the server sets for the kernel; a client's own are dropped.
HEADER_PREFIX = "X-Samsyn-"
CLIENT_HEADER = "X-Samsyn-Client"
KEY_HEADER = "X-Samsyn-Key"
SECRET_HEADER = "X-Samsyn-Secret"
#: http_header_envs for Voila: these headers reach the kernel as HTTP_X_SAMSYN_*.
KERNEL_HEADERS = [CLIENT_HEADER, KEY_HEADER, SECRET_HEADER]
MANAGER_COOKIE = "samsyn_manager"
FACILITATOR_COOKIE = "samsyn_facilitator_"  # + workshop id
PROGRAMME_COOKIE = "samsyn_programme_"  # + programme id: the mentor's secret for the cohort view
#: A Jupyter data folder with Samsyn's page template (voila/templates/samsyn): no CDN, no inline script.
TEMPLATES_DIR = package_path("samsyn", "jupyter")  # package data, in a wheel as in a checkout
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
REFUSAL_LOG_EVERY_S = 60.0


# -- hosts and clients ------------------------------------------------------------------------
def host_allowed(host_header: str | None, allowed: tuple[str, ...]) -> bool:
    """Loopback always; otherwise the name (without port) must be listed (``*.x`` covers subdomains)."""
    if not host_header:
        return False
    host, _port = split_host_and_port(host_header.strip().lower())
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    host = host.rstrip(".")
    if "*" in allowed:
        return True
    if host in LOOPBACK_NAMES:
        return True
    try:
        if ipaddress.ip_address(host).is_loopback:
            return True
    except ValueError:
        pass
    for entry in allowed:
        if entry.startswith("*.") and (host.endswith(entry[1:]) or host == entry[2:]):
            return True
        if host == entry:
            return True
    return False


def client_of(request, settings: Settings) -> str:
    """The client's address: the socket's peer, or what a trusted proxy says (the last hop it added).
    Behind JupyterHub the hub user: every request arrives through the user's own proxy (from
    loopback), the proxy lets only the server's owner in, and all servers share one throttle table."""
    if settings.behind_hub:
        return f"hub:{settings.hub_user}"[:64]
    if settings.client_ip_header:
        value = request.headers.get(settings.client_ip_header, "")
        hops = [h.strip() for h in value.split(",") if h.strip()]
        if hops:
            return hops[-1][:64]
    return str(request.remote_ip or "unknown")[:64]


class _BadHost(Matcher):
    def __init__(self, settings: Settings):
        self.settings = settings

    def match(self, request) -> dict | None:
        return None if host_allowed(request.host, self.settings.allowed_hosts) else {}


# -- static pages --------------------------------------------------------------------------------
def static_page(key: str, start_url: str) -> str:
    """A small bilingual page (Swedish first) from the catalogs: no script, no kernel."""
    sv, en = Messages("sv"), Messages("en")
    return (
        '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(sv('app.name'))}</title></head><body><main>"
        f'<h1>{escape(sv(f"guard.{key}.title"))}</h1><p>{escape(sv(f"guard.{key}.text"))}</p>'
        f'<p><a href="{escape(start_url)}?lang=sv">{escape(sv("guard.start_link"))}</a></p>'
        f'<div lang="en"><h2>{escape(en(f"guard.{key}.title"))}</h2><p>{escape(en(f"guard.{key}.text"))}</p>'
        f'<p><a href="{escape(start_url)}?lang=en">{escape(en("guard.start_link"))}</a></p></div>'
        "</main></body></html>"
    )


def _finish_static(handler: tornado.web.RequestHandler, status: int, key: str, start_url: str,
                   retry_after: int | None = None) -> None:
    handler.clear()
    handler.set_status(status)
    handler.set_header("Content-Type", "text/html; charset=utf-8")
    handler.set_header("Cache-Control", "no-store")
    handler.set_header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'self'")
    handler.set_header("X-Content-Type-Options", "nosniff")
    if retry_after:
        handler.set_header("Retry-After", str(retry_after))
    handler.finish(static_page(key, start_url))


class HostRefusedHandler(tornado.web.RequestHandler):
    """Any request whose Host is not allowed: a 400 before any route runs."""

    def prepare(self) -> None:
        log.warning("refused a request for host %r from %s", self.request.host[:100], self.request.remote_ip)
        _finish_static(self, 400, "bad_host", "/")

    def check_xsrf_cookie(self) -> None:  # the request is refused anyway
        return None


class LogoutHandler(tornado.web.RequestHandler):
    """``/logout``: forget the manager and facilitator cookies, go to the start page."""

    def initialize(self, start_url: str, cookie_path: str) -> None:
        self.start_url, self.cookie_path = start_url, cookie_path

    def get(self) -> None:
        for name in self.request.cookies:
            if name == MANAGER_COOKIE or name.startswith(FACILITATOR_COOKIE):
                self.clear_cookie(name, path=self.cookie_path)
        self.set_header("Cache-Control", "no-store")
        self.redirect(self.start_url)

    post = get

    def check_xsrf_cookie(self) -> None:  # forgetting cookies needs no protection
        return None


# -- kernels --------------------------------------------------------------------------------------
class KernelLedger:
    """Which client each page kernel was started or handed out for; requests on their way count too.

    A request counts as *pending* from admission until it has its kernel, then as that kernel (never
    both: a page that streams for seconds would otherwise count twice, and a room arriving at once
    would meet the cap at half its size). A kernel stops counting when it is gone or being shut down
    (a page said goodbye, or the culler took it; :meth:`samsyn.kernels.CullPolicy.closing_kernel_ids`)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.owner: dict[str, str] = {}
        self.pending: Counter[str] = Counter()
        self._last_refusal_log: dict[str, float] = {}

    def prune(self, kernel_manager) -> None:
        closing = getattr(kernel_manager, "closing_kernel_ids", lambda: set())()
        for kernel_id in [k for k in self.owner if k not in kernel_manager or k in closing]:
            del self.owner[kernel_id]

    def counts(self, client: str) -> tuple[int, int]:
        mine = sum(1 for c in self.owner.values() if c == client) + self.pending[client]
        return len(self.owner) + sum(self.pending.values()), mine

    def admit(self, client: str, kernel_manager) -> bool:
        self.prune(kernel_manager)
        total, mine = self.counts(client)
        if total < self.settings.kernel_cap and mine < self.settings.max_kernels_per_client:
            self.pending[client] += 1
            return True
        now = time.monotonic()
        if now - self._last_refusal_log.get(client, -1e9) >= REFUSAL_LOG_EVERY_S:
            self._last_refusal_log[client] = now
            log.warning("refused a page for client %s: %d page kernels live (cap %d), %d of them the client's (cap %d)",
                        client, total, self.settings.kernel_cap, mine, self.settings.max_kernels_per_client)
        return False

    def release(self, client: str) -> None:
        if self.pending[client] > 0:
            self.pending[client] -= 1
        if self.pending[client] == 0:
            del self.pending[client]

    def assign(self, kernel_id: str, client: str) -> None:
        self.owner[kernel_id] = client


class _RecordingKernelManager:
    """The kernel manager as one page request sees it: notes which kernel the page got."""

    def __init__(self, kernel_manager, on_kernel):
        self._km, self._on_kernel = kernel_manager, on_kernel

    def __getattr__(self, name: str) -> Any:
        return getattr(self._km, name)

    def __contains__(self, kernel_id) -> bool:
        return kernel_id in self._km

    async def get_rendered_notebook(self, *args, **kwargs):
        result = await self._km.get_rendered_notebook(*args, **kwargs)
        self._on_kernel(result[2])
        return result

    async def start_kernel(self, *args, **kwargs):
        result = self._km.start_kernel(*args, **kwargs)
        kernel_id = await result if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future) else result
        self._on_kernel(kernel_id)
        return kernel_id


def guarded_page_handler(base: type) -> type:
    """Voila's render handler with Samsyn's checks in ``prepare``."""

    class GuardedPageHandler(base):
        _samsyn_client: str | None = None
        _samsyn_reserved = False
        _samsyn_pending = False

        @property
        def kernel_manager(self):
            km = super().kernel_manager  # samsyn.kernels.PageHandler's: it sets the page's goodbye cookie
            if not self._samsyn_reserved:
                return km
            return _RecordingKernelManager(km, self._samsyn_got_kernel)

        def _samsyn_got_kernel(self, kernel_id: str) -> None:
            """The request has its kernel: from now on that kernel counts, no longer the request."""
            ledger: KernelLedger = self.settings["samsyn_ledger"]
            ledger.assign(kernel_id, self._samsyn_client)
            if self._samsyn_pending:
                self._samsyn_pending = False
                ledger.release(self._samsyn_client)

        @property
        def content_security_policy(self) -> str:
            return CSP

        async def prepare(self) -> None:
            settings: Settings = self.settings["samsyn_settings"]
            start_url = self.settings["samsyn_start_url"]
            for name in [h for h in self.request.headers if h.lower().startswith(HEADER_PREFIX.lower())]:
                del self.request.headers[name]
            args = self.request.query_arguments
            if sum(len(v) for v in args.values()) > MAX_QUERY_FIELDS:
                return _finish_static(self, 400, "too_many_params", start_url)
            if any(name in args for name in OVERRIDES):
                return _finish_static(self, 404, "not_found", start_url)
            if self._move_secrets_to_cookies(args):
                return None
            client = client_of(self.request, settings)
            self._samsyn_client = client
            self.request.headers[CLIENT_HEADER] = client
            self._forward_secrets()
            ledger: KernelLedger = self.settings["samsyn_ledger"]
            if not ledger.admit(client, self.settings["kernel_manager"]):
                return _finish_static(self, 503, "busy", start_url, retry_after=30)
            self._samsyn_reserved = self._samsyn_pending = True
            await super().prepare()

        def on_finish(self) -> None:
            if self._samsyn_pending:  # refused or failed before it had a kernel
                self._samsyn_pending = False
                self.settings["samsyn_ledger"].release(self._samsyn_client)
            super().on_finish()

        # -- secrets -------------------------------------------------------------------------------
        def _cookie_args(self) -> dict[str, Any]:
            settings: Settings = self.settings["samsyn_settings"]
            https = self.request.protocol == "https" or (
                bool(settings.client_ip_header) and self.request.headers.get("X-Forwarded-Proto", "").lower() == "https")
            return {"path": self.settings["samsyn_cookie_path"], "httponly": True, "samesite": "Lax", "secure": https}

        def _move_secrets_to_cookies(self, args: dict[str, list[bytes]]) -> bool:
            """``?key=`` / ``?secret=`` → a cookie, then the same page without them (303)."""
            if "key" not in args and "secret" not in args:
                return False
            if "key" in args:
                self.set_cookie(MANAGER_COOKIE, args["key"][0].decode("utf-8", "replace")[:200], **self._cookie_args())
            workshop = args.get("workshop", [b""])[0].decode("ascii", "replace")
            if "secret" in args and workshop.isdigit():
                self.set_cookie(FACILITATOR_COOKIE + workshop, args["secret"][0].decode("utf-8", "replace")[:200],
                                **self._cookie_args())
            programme = args.get("programme", [b""])[0].decode("ascii", "replace")
            if "secret" in args and programme.isdigit() and not workshop:
                self.set_cookie(PROGRAMME_COOKIE + programme, args["secret"][0].decode("utf-8", "replace")[:200],
                                **self._cookie_args())
            kept = [(k, v.decode("utf-8", "replace")) for k, values in args.items() if k not in ("key", "secret")
                    for v in values]
            self.set_header("Cache-Control", "no-store")
            self.set_header("Referrer-Policy", "no-referrer")
            self.redirect(self._public_path() + (f"?{urlencode(kept)}" if kept else ""), status=303)
            return True

        def _public_path(self) -> str:
            """This page's path as the browser sees it (behind a proxy that strips base_url)."""
            from jupyter_server.utils import url_path_join

            server_url = self.settings.get("server_url") or "/"
            path = self.request.path
            rest = path[len(server_url):] if path.startswith(server_url) else path.lstrip("/")
            return url_path_join(self.settings.get("base_url") or "/", rest)

        def _forward_secrets(self) -> None:
            """Each secret only to the page that needs it: the key to the manager view, a workshop's
            facilitator secret to that workshop's facilitator view, a programme's mentor secret to its cohort view."""
            page = self.request.path.rsplit("/", 1)[-1]
            key = self.get_cookie(MANAGER_COOKIE) if page == "manager.ipynb" else None
            if key:
                self.request.headers[KEY_HEADER] = key
            workshop = self.get_query_argument("workshop", "")
            secret = (self.get_cookie(FACILITATOR_COOKIE + workshop)
                      if page == "mentor.ipynb" and workshop.isdigit() else None)
            programme = self.get_query_argument("programme", "")
            if page == "programme.ipynb" and programme.isdigit():  # a programme's cohort view (mentor)
                secret = self.get_cookie(PROGRAMME_COOKIE + programme)
            if secret:
                self.request.headers[SECRET_HEADER] = secret

        def write(self, chunk) -> None:
            # Voila's keep-alive for a slow page is an inline script, which the CSP blocks: a comment does as well.
            if isinstance(chunk, str) and chunk == "<script>window.voila_heartbeat()</script>\n":
                chunk = "<!-- still working -->\n"
            super().write(chunk)

    GuardedPageHandler.__name__ = f"Guarded{base.__name__}"
    return GuardedPageHandler


# -- the request socket of preheated kernels ------------------------------------------------------
def query_socket_handler(base: type) -> type:
    """Voila's ``/voila/query/<kernel id>``, handing a request only to its own kernel, once."""

    class QuerySocket(base):
        challenge: str = ""
        kernel_id: str = ""
        proven = False

        def check_origin(self, origin: str) -> bool:
            return not origin  # only a kernel (no browser, so no Origin) may open it

        def open(self, kernel_id: str) -> None:
            km = self.settings["kernel_manager"]
            if kernel_id not in km:
                self.close(4403, "unknown kernel")
                return
            self.kernel_id = kernel_id
            self.challenge = secrets.token_hex(16)
            self.write_message({"challenge": self.challenge})

        def on_message(self, message) -> None:
            import json

            try:
                data = json.loads(message)
            except (TypeError, ValueError):
                data = None
            if not isinstance(data, dict):
                self.close(4403, "refused")
                return
            if not self.proven:
                km = self.settings["kernel_manager"]
                try:
                    key = bytes(km.get_kernel(self.kernel_id).session.key)
                except Exception:  # the kernel is gone
                    key = b""
                if not proof_valid(key, self.kernel_id, self.challenge, data.get("proof")):
                    log.warning("refused a request socket for %s: failed the challenge", redact.kernel_tag(self.kernel_id))
                    self.close(4403, "refused")
                    return
                self.proven = True
                cache = base._cache
                if self.kernel_id in cache:
                    self.write_message(cache[self.kernel_id])
                else:
                    base._waiters[self.kernel_id] = _Waiter(self, base._cache)
                return
            if data.get("ack"):
                base._cache.pop(self.kernel_id, None)  # handed over: nobody gets it again
                self.close()

        def on_close(self) -> None:
            waiter = base._waiters.get(self.kernel_id)
            if isinstance(waiter, _Waiter) and waiter.socket is self:
                del base._waiters[self.kernel_id]
            km = self.settings.get("kernel_manager")
            if km is not None:  # forget the requests of kernels that are gone
                for kernel_id in [k for k in base._cache if k not in km]:
                    base._cache.pop(kernel_id, None)

    return QuerySocket


class _Waiter:
    """Stands in Voila's waiter table for a proven kernel: keeps the request until it is acknowledged."""

    def __init__(self, socket: WebSocketHandler, cache: dict):
        self.socket, self.cache = socket, cache

    def write_message(self, payload) -> None:
        self.cache[self.socket.kernel_id] = payload
        self.socket.write_message(payload)


def kernel_model_handler(base: type) -> type:
    """``/api/kernels/<id>`` answering GET only: the page reads its kernel's model when it loads;
    DELETE (shutting a kernel down by its id) is gone."""

    class KernelModelHandler(base):
        SUPPORTED_METHODS = ("GET",)

    return KernelModelHandler


# -- installing ----------------------------------------------------------------------------------
def secure(voila_app, handlers: list) -> list:
    """Swap in the guarded handlers, drop the kernel REST route, add /logout; set up the app."""
    from jupyter_server.services.kernels.handlers import KernelHandler
    from jupyter_server.utils import url_path_join
    from voila.request_info_handler import RequestInfoSocketHandler
    from voila.tornado.handler import TornadoVoilaHandler

    settings = Settings.from_env()
    app = voila_app.app
    start_url = url_path_join(voila_app.base_url, "voila/render/start.ipynb")
    redact.install()
    app.settings.update(
        samsyn_settings=settings,
        samsyn_ledger=KernelLedger(settings),
        samsyn_start_url=start_url,
        samsyn_cookie_path=url_path_join(voila_app.base_url, "voila/render/"),
        log_function=log_request,
    )
    app.settings.setdefault("headers", {}).update({
        "Content-Security-Policy": CSP,
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
    })
    router = app.default_router
    router.rules.insert(0, router.process_rule(Rule(_BadHost(settings), HostRefusedHandler)))

    KernelModelHandler = kernel_model_handler(KernelHandler)
    socket_handler = query_socket_handler(RequestInfoSocketHandler)
    out = []
    for spec in handlers:
        pattern, handler = spec[0], (spec[1] if len(spec) > 1 else None)
        if handler is KernelHandler:
            spec = (pattern, KernelModelHandler, *spec[2:])
        elif isinstance(handler, type) and issubclass(handler, TornadoVoilaHandler):
            # Voila's page handler, or samsyn.kernels.PageHandler (the page's goodbye cookie) around it
            spec = (pattern, guarded_page_handler(handler), *spec[2:])
        elif handler is RequestInfoSocketHandler:
            spec = (pattern, socket_handler, *spec[2:])
        elif pattern.endswith("/logout"):
            spec = (pattern, LogoutHandler, {"start_url": start_url,
                                              "cookie_path": app.settings["samsyn_cookie_path"]})
        out.append(spec)
    return out


access_log = logging.getLogger("tornado.access")


def log_request(handler: tornado.web.RequestHandler) -> None:
    """Tornado's access log line, redacted (no secrets, no kernel ids, never headers)."""
    status = handler.get_status()
    if status < 400:
        level = logging.INFO if status != 101 and not handler.request.path.startswith(("/voila/static", "/static")) \
            else logging.DEBUG
    elif status < 500:
        level = logging.WARNING
    else:
        level = logging.ERROR
    access_log.log(level, "%d %s %s (%s) %.2fms", status, handler.request.method, redact.redact(handler.request.uri),
                   handler.request.remote_ip, 1000.0 * handler.request.request_time())
