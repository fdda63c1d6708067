"""Every kernel a page leaves is released; none waits for a browser that never comes.

Three ways a page's kernel ends, besides the server stopping:

* **The page says goodbye.** Voila's frontend sends a beacon on ``beforeunload``
  (close, reload, navigation): ``POST <base>voila/api/shutdown/<kernel id>``.
  Voila's own handler for it fails its XSRF check (no ``_xsrf`` cookie is ever
  set; upstream voila issue #1458), so every left page kept its kernel until the
  cull. Samsyn answers that route itself, and only for the page that owns the
  kernel: the page's response sets a cookie whose value is an HMAC of the kernel
  id under a secret of this server process, scoped to exactly that kernel's
  shutdown path (``Path=<base>voila/api/shutdown/<id>``), ``HttpOnly`` and
  ``SameSite=Strict``. The beacon carries it; a request without it, with another
  page's value, or from another origin is refused with 403 and no kernel is
  touched. A kernel id alone shuts nothing down.
* **The browser vanished without a word** (lid closed, network gone): the
  server's websocket pings stop being answered, the connection closes, and the
  kernel is culled ``kernel_disconnected_timeout`` seconds after its last
  activity *or* its disconnection, whichever is later — so a short network
  drop (the page reconnects by itself) costs nothing. Drafts are saved on every
  change, so the trainee's work is restored on the next visit.
* **No browser ever connected** (a plain HTTP client, a crawler, a page whose
  download was abandoned): culled ``kernel_unclaimed_timeout`` seconds after the
  kernel went idle (it is busy while it renders the page).

Preheated kernels waiting in the pool are never culled. The policies live in a
subclass of Voila's own pooling kernel manager (:func:`kernel_manager_factory`),
which :class:`samsyn.server.SamsynVoila` puts in place.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlparse

import tornado.web
from jupyter_core.utils import ensure_async
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from voila.tornado.handler import TornadoVoilaHandler

from samsyn.config import Settings

#: The cookie that proves a page owns its kernel (one per page, scoped to that kernel's shutdown path).
PAGE_COOKIE = "samsyn_page"
#: How long a page's cookie lives in the browser if the page never says goodbye.
PAGE_COOKIE_MAX_AGE = 12 * 3600
SHUTDOWN_PATH = "voila/api/shutdown"

#: One secret per server process: cookies of an earlier server run prove nothing.
_SECRET = secrets.token_bytes(32)


def page_token(kernel_id: str, secret: bytes | None = None) -> str:
    """The value only the page that got ``kernel_id`` knows."""
    return hmac.new(secret or _SECRET, kernel_id.encode("utf-8"), hashlib.sha256).hexdigest()


def shutdown_path(base_url: str, kernel_id: str) -> str:
    return url_path_join(base_url or "/", SHUTDOWN_PATH, kernel_id)


# -- the kernel manager ------------------------------------------------------------------
@dataclass
class KernelWatch:
    """What the culler needs to know about one kernel beyond Jupyter Server's bookkeeping."""

    connected_once: bool = False
    disconnected_at: float | None = None  # monotonic seconds


def _utcnow():
    from jupyter_server._tz import utcnow

    return utcnow()


def kernel_manager_factory(voila_factory: Callable, settings: Settings | None = None) -> Callable:
    """Wrap Voila's ``voila_kernel_manager_factory``: the class it returns gets Samsyn's cull policy."""

    def factory(base_class, preheat_kernel: bool, default_pool_size: int, page_config_hook=None):
        voila_class = voila_factory(base_class, preheat_kernel, default_pool_size, page_config_hook=page_config_hook)
        return type("SamsynKernelManager", (CullPolicy, voila_class), {"_samsyn_settings": settings})

    return factory


def _still_starting(kernel) -> bool:
    """Whether a kernel manager's kernel is still starting: its start has not finished, or its process lives."""
    ready = getattr(kernel, "_ready", None)
    if ready is None or not ready.done():
        return True
    process = getattr(getattr(kernel, "provisioner", None), "process", None)
    return process is not None and process.poll() is None


class CullPolicy:
    """Mixed in before Voila's kernel manager (see :func:`kernel_manager_factory`)."""

    _samsyn_settings: Settings | None = None

    def __init__(self, **kwargs: Any) -> None:
        self._watch: dict[str, KernelWatch] = {}
        self._closing: set[str] = set()
        self._first_pid: dict[str, int] = {}
        super().__init__(**kwargs)
        s = self._samsyn_settings or Settings.from_env()
        self.unclaimed_timeout = float(s.kernel_unclaimed_timeout)
        self.disconnected_timeout = float(s.kernel_disconnected_timeout)
        # Jupyter Server's culler runs only when cull_idle_timeout > 0; the decision is ours (cull_kernel_if_idle).
        self.cull_idle_timeout = max(1, int(min(self.unclaimed_timeout, self.disconnected_timeout)))
        self.cull_interval = max(1, int(s.kernel_cull_interval))
        self.cull_connected = False
        self.cull_busy = False
        self.room_max = int(s.mentor_room_max)  # SAMSYN_ROOM_MAX, within the kernel cap (samsyn.config)

    # -- connections -----------------------------------------------------------------
    def notify_connect(self, kernel_id: str) -> None:
        super().notify_connect(kernel_id)
        watch = self._watch.setdefault(kernel_id, KernelWatch())
        watch.connected_once = True
        watch.disconnected_at = None

    def notify_disconnect(self, kernel_id: str) -> None:
        super().notify_disconnect(kernel_id)
        if self._kernel_connections.get(kernel_id, 0) <= 0:
            self._watch.setdefault(kernel_id, KernelWatch(connected_once=True)).disconnected_at = time.monotonic()

    async def shutdown_kernel(self, kernel_id: str, *args: Any, **kwargs: Any):
        self._watch.pop(kernel_id, None)
        self._first_pid.pop(kernel_id, None)
        self._closing.add(kernel_id)
        try:
            return await super().shutdown_kernel(kernel_id, *args, **kwargs)
        finally:
            self._closing.discard(kernel_id)

    def closing_kernel_ids(self) -> set[str]:
        """Kernels being shut down now (a kernel takes a moment to stop; the guard's cap no longer counts it)."""
        return set(self._closing)

    # -- the pool ---------------------------------------------------------------------
    def pooled_kernel_ids(self) -> set[str]:
        """Kernels preheated and waiting for a request (never culled)."""
        out = set()
        for pool in getattr(self, "_pools", {}).values():
            for task in pool:
                try:
                    if task.done() and not task.cancelled() and task.exception() is None:
                        out.add(task.result().get("kernel_id"))
                except Exception:  # a failed start: Voila drops it
                    continue
        return out

    def heal_pools(self) -> int:
        """Drop pool entries whose kernel failed to start or died while waiting (e.g. a port taken by
        another process between choosing and binding it), and start replacements. Returns how many.

        A kernel that died is often restarted at once by Jupyter's restarter, under the same id but as a
        new process that never ran its page's notebook: that counts as dead too (its process changed)."""
        alive = set(self.list_kernel_ids())
        dropped = 0
        for notebook, pool in list(getattr(self, "_pools", {}).items()):
            for task in list(pool):
                if not task.done():
                    continue
                kernel_id = None
                try:
                    failed = task.cancelled() or task.exception() is not None
                    kernel_id = None if failed else task.result().get("kernel_id")
                    failed = failed or kernel_id not in alive or not self._same_process(kernel_id)
                except Exception:
                    failed = True
                if failed:
                    pool.remove(task)
                    dropped += 1
                    self.log.warning("Samsyn: a preheated kernel of %s died; starting another", notebook)
                    if kernel_id in alive:  # restarted empty: of no use to a page
                        asyncio.ensure_future(ensure_async(self.shutdown_kernel(kernel_id, now=True)))
                    self._refill_one(notebook, len(pool) + 1)
        return dropped

    def _same_process(self, kernel_id: str) -> bool:
        """Whether ``kernel_id`` still runs in the process it was first seen in, and that process lives."""
        provisioner = getattr(self._kernels.get(kernel_id), "provisioner", None)
        process = getattr(provisioner, "process", None)
        pid = getattr(provisioner, "pid", None)
        if process is None or pid is None or process.poll() is not None:
            return False
        return self._first_pid.setdefault(kernel_id, pid) == pid

    def _refill_one(self, notebook: str, size: int) -> None:
        """Fill ``notebook``'s pool up to ``size`` now: also a room's pool, which is larger than configured."""
        import copy

        base = dict(self.kernel_pools_config)
        configured = int(base.get(notebook, base.get("default", {})).get("pool_size", 0))
        if size > configured:
            pools = copy.deepcopy(base)
            pools.setdefault(notebook, dict(base.get("default", {})))["pool_size"] = size
            self.kernel_pools_config = pools
        try:
            self.fill_if_needed(delay=0, notebook_name=notebook)
        finally:
            self.kernel_pools_config = base

    async def cull_kernels(self):
        self.heal_pools()
        self.end_room_if_due()
        return await super().cull_kernels()

    # -- a room (samsyn/rooms.py) ------------------------------------------------------------
    def open_room(self, size: int, hours: float, *, capped: bool = True) -> int:
        """Preheat ``size`` start and case pages now, once: a kernel of the room that a page uses is
        replaced only up to the configured pool, so the room's memory goes as the trainees go
        (after ``hours`` any left unused are shut down). ``capped``: at most ``room_max`` (a mentor's ask)."""
        from samsyn.rooms import ROOM_NOTEBOOKS, pools_for

        if capped:
            size = min(int(size), int(self.room_max))
        size = max(0, int(size))
        base = dict(self.kernel_pools_config)
        self.kernel_pools_config = pools_for(base, size)
        try:
            for notebook in ROOM_NOTEBOOKS:
                self.fill_if_needed(delay=0, notebook_name=notebook)
        finally:
            self.kernel_pools_config = base
        self._room_until = time.monotonic() + hours * 3600
        self.log.info("Samsyn: a room of %d was asked for; %d start and %d case pages are being preheated", size,
                      *(len(self._pools.get(nb, [])) for nb in ROOM_NOTEBOOKS))
        return size

    def end_room_if_due(self) -> None:
        """After a room's time: preheated kernels beyond the configured pools are shut down."""
        until = getattr(self, "_room_until", None)
        if until is None or time.monotonic() < until:
            return
        self._room_until = None
        for notebook, pool in getattr(self, "_pools", {}).items():
            keep = int(self.kernel_pools_config.get(notebook, self.kernel_pools_config.get("default", {})).get(
                "pool_size", 0))
            while len(pool) > keep and pool[-1].done():
                task = pool.pop()
                try:
                    kernel_id = task.result()["kernel_id"]
                except Exception:
                    continue
                asyncio.ensure_future(ensure_async(self.shutdown_kernel(kernel_id)))
        self.log.info("Samsyn: the room's time is over; unused preheated kernels are shut down")


    def get_pool_size(self, notebook_name: str) -> int:
        """Kernels of the pool that are *ready* (Voila counts refills still waiting for their delay too,
        and a request would then wait for one instead of starting its own kernel at once)."""
        return sum(1 for task in getattr(self, "_pools", {}).get(notebook_name, []) if task.done())

    async def get_rendered_notebook(self, notebook_name: str, *args, **kwargs):
        pool = getattr(self, "_pools", {}).get(notebook_name, [])
        ready = [task for task in pool if task.done()]
        if ready and pool[0] is not ready[0]:  # hand out a ready kernel, not the oldest pending refill
            pool.remove(ready[0])
            pool.insert(0, ready[0])
        return await super().get_rendered_notebook(notebook_name, *args, **kwargs)

    def page_kernel_ids(self) -> set[str]:
        """Kernels that belong to a page (handed out from the pool, or started for a request)."""
        return set(self.list_kernel_ids()) - self.pooled_kernel_ids()

    # -- the decision ----------------------------------------------------------------
    def cull_reason(self, kernel_id: str, now: float | None = None) -> str | None:
        """Why ``kernel_id`` should go now, or None. Pure bookkeeping; no side effects."""
        if kernel_id in self.pooled_kernel_ids():
            return None
        kernel = self._kernels.get(kernel_id)
        if kernel is None:
            return None
        if getattr(kernel, "execution_state", None) == "dead":
            return "dead"
        if self._kernel_connections.get(kernel_id, 0) > 0:
            return None
        if getattr(kernel, "execution_state", None) == "busy":
            return None  # still rendering its page (or running a handler)
        try:
            last = getattr(kernel, "last_activity", None)
        except Exception:  # none yet (traitlets refuses the None it holds): starting, or its restart failed
            # Jupyter Server sets it only once the kernel's start has returned, and a kernel is listed
            # before that: culling one still starting broke the page that was waiting for it (HTTP 500,
            # KeyError in Voila's pool; seen in benchmarks/load.py under load).
            return None if _still_starting(kernel) else "dead (its restart failed)"
        if last is None:
            return None
        idle = (_utcnow() - last).total_seconds()
        watch = self._watch.get(kernel_id)
        if watch is None or not watch.connected_once:
            return f"no browser connected ({idle:.0f} s idle)" if idle > self.unclaimed_timeout else None
        now = time.monotonic() if now is None else now
        away = now - watch.disconnected_at if watch.disconnected_at is not None else idle
        quiet = min(idle, away)
        return f"its browser went away ({quiet:.0f} s ago)" if quiet > self.disconnected_timeout else None

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        reason = self.cull_reason(kernel_id)
        if reason is None:
            return
        self.log.info("Samsyn: culling a page's kernel: %s", reason)
        self.log.debug("Samsyn: culled kernel %s", kernel_id)
        await ensure_async(self.shutdown_kernel(kernel_id))


# -- the page and its goodbye --------------------------------------------------------------
class _RecordingKernelManager:
    """The handler's view of the kernel manager: notes which kernel the page got."""

    def __init__(self, manager, on_kernel: Callable[[str], None]):
        self._manager, self._on_kernel = manager, on_kernel

    def __getattr__(self, name: str):
        return getattr(self._manager, name)

    def __contains__(self, kernel_id) -> bool:
        return kernel_id in self._manager

    async def get_rendered_notebook(self, *args, **kwargs):
        render_task, cache, kernel_id = await self._manager.get_rendered_notebook(*args, **kwargs)
        self._on_kernel(kernel_id)
        return render_task, cache, kernel_id

    async def start_kernel(self, *args, **kwargs):
        kernel_id = await ensure_async(self._manager.start_kernel(*args, **kwargs))
        self._on_kernel(kernel_id)
        return kernel_id


class PageHandler(TornadoVoilaHandler):
    """Voila's page handler, plus the cookie that lets this page (and only it) release its kernel."""

    @property
    def kernel_manager(self):
        return _RecordingKernelManager(self.settings["kernel_manager"], self._page_kernel)

    def _page_kernel(self, kernel_id: str) -> None:
        if self._headers_written:  # never: both of Voila's paths know the kernel before the first byte
            return
        self.set_cookie(PAGE_COOKIE, page_token(kernel_id), path=shutdown_path(self.base_url, kernel_id),
                        httponly=True, samesite="Strict", secure=self.request.protocol == "https",
                        expires_days=None, max_age=PAGE_COOKIE_MAX_AGE)


class ShutdownHandler(JupyterHandler):
    """``POST voila/api/shutdown/<kernel id>``: the page's goodbye, proven by its cookie."""

    def check_xsrf_cookie(self) -> None:
        """The page cookie (SameSite=Strict, bound to the kernel) is the proof; see :meth:`post`."""

    def _same_origin(self) -> bool:
        origin = self.request.headers.get("Origin")
        if origin is None or origin == "null":
            return origin is None  # a beacon from a page always has an Origin; "null" is an opaque one
        return urlparse(origin).netloc.lower() == (self.request.host or "").lower()

    async def post(self, kernel_id: str) -> None:
        token = self.get_cookie(PAGE_COOKIE) or ""
        if not self._same_origin() or not token or not hmac.compare_digest(token, page_token(kernel_id)):
            raise tornado.web.HTTPError(403)
        manager = self.settings["kernel_manager"]
        if kernel_id in manager:
            self.log.info("Samsyn: a page was left; its kernel is shut down")
            await ensure_async(manager.shutdown_kernel(kernel_id))
        self.clear_cookie(PAGE_COOKIE, path=shutdown_path(self.base_url, kernel_id))
        self.set_status(204)
        self.finish()


def replace_handlers(handlers: list) -> list:
    """Voila's handlers with the page and shutdown handlers above in place of Voila's own."""
    from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler

    out = []
    for spec in handlers:
        if len(spec) > 1 and spec[1] is VoilaShutdownKernelHandler:
            spec = (spec[0], ShutdownHandler, *spec[2:])
        elif len(spec) > 1 and spec[1] is TornadoVoilaHandler:
            spec = (spec[0], PageHandler, *spec[2:])
        out.append(spec)
    return out


def use_fork_provisioner() -> bool:
    """Start kernels through :class:`samsyn.forkserver.ForkProvisioner` (unless ``SAMSYN_FORK_KERNELS=0``)."""
    from importlib.metadata import EntryPoint

    from jupyter_client.provisioning.factory import KernelProvisionerFactory

    from samsyn import forkserver

    if not forkserver.enabled():
        return False
    name = "samsyn-fork-provisioner"
    factory = KernelProvisionerFactory.instance()
    factory.provisioners[name] = EntryPoint(name, "samsyn.forkserver:ForkProvisioner", KernelProvisionerFactory.GROUP_NAME)
    factory.default_provisioner_name = name
    return True


class RoomHandler(JupyterHandler):
    """``POST samsyn/api/room`` ``{"size": N}``: a mentor's kernel asks for a room (samsyn/rooms.py).

    Only with the token this server gave its kernels (``Settings.room_token``), so a browser cannot."""

    def check_xsrf_cookie(self) -> None:
        """The token is the proof (a browser never has it)."""

    async def post(self) -> None:
        import json

        from samsyn.rooms import ROOM_HOURS

        expected = Settings.from_env().room_token or ""
        given = self.request.headers.get("X-Samsyn-Room-Token", "")
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            raise tornado.web.HTTPError(403)
        try:
            size = int(json.loads(self.request.body or b"{}").get("size", 0))
        except (ValueError, TypeError, AttributeError):
            raise tornado.web.HTTPError(400) from None
        manager = self.settings["kernel_manager"]
        granted = manager.open_room(size, ROOM_HOURS) if hasattr(manager, "open_room") else 0
        self.finish({"size": granted})


def room_handler(server_url: str) -> tuple:
    from samsyn.rooms import ROOM_PATH

    return (url_path_join(server_url, ROOM_PATH), RoomHandler)
