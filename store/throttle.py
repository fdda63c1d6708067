"""Guessing codes is slow: failed attempts per client and per kernel, with backoff.

Every failed personal-code, join-code, manager-key or facilitator-secret
attempt is counted twice: in the database, by the client's address (all of a
client's pages, every server process), and in this process (one kernel: one
page). Once either count reaches ``free`` failures within ``WINDOW_S``, the next
attempt must wait ``BASE_WAIT_S`` seconds after the last failure, doubling with
every further failure up to ``max_wait_s``; an attempt made while waiting is
refused without being checked (so even the right code does not get in). A
success does not reset the count. One warning is logged when a client starts
being throttled (one line per burst, not per attempt).

With the defaults (5 free, 30 s doubling to 1 h, a 24 h window) a client gets at
most about 35 attempts a day (README, "Security", has the arithmetic).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select

from store.models import AuthFailure

log = logging.getLogger("samsyn.security")
if not log.handlers:  # in a kernel, stderr is the page's: log to the server's log instead
    from samsyn.serverlog import stream as _server_log

    _handler = logging.StreamHandler(_server_log())
    _handler.setFormatter(logging.Formatter("[samsyn.security] %(levelname)s | %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)
    log.propagate = False

WINDOW_S = 24 * 3600
BASE_WAIT_S = 30.0
KINDS = ("code", "join", "key", "secret")

_local: deque[float] = deque(maxlen=1000)  # this process's (kernel's) failures
_local_lock = threading.Lock()


def client_address(environ=None) -> str:
    """The client's address as the server saw it (samsyn.guard sets it for every page)."""
    env = os.environ if environ is None else environ
    return (env.get("HTTP_X_SAMSYN_CLIENT") or "local")[:64]


def backoff(failures: int, free: int, max_wait_s: float) -> float:
    """Seconds to wait after the last failure, given the failures in the window."""
    if failures < free:
        return 0.0
    return min(BASE_WAIT_S * 2 ** min(failures - free, 30), float(max_wait_s))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


class Throttle:
    def __init__(self, store, *, free: int = 5, max_wait_s: int = 3600, clock=time.time):
        self.store, self.free, self.max_wait_s, self.clock = store, free, max_wait_s, clock

    @classmethod
    def for_settings(cls, store, settings) -> "Throttle":
        return cls(store, free=settings.throttle_free_failures, max_wait_s=settings.throttle_max_wait_s)

    # -- counts ------------------------------------------------------------------------------
    def _client_failures(self, client: str, now: float) -> tuple[int, float | None]:
        cutoff = datetime.fromtimestamp(now - WINDOW_S, timezone.utc)
        with self.store.session() as s:
            n = s.scalar(select(func.count(AuthFailure.id)).where(AuthFailure.client == client, AuthFailure.at >= cutoff))
            last = s.scalar(select(AuthFailure.at).where(AuthFailure.client == client, AuthFailure.at >= cutoff)
                            .order_by(AuthFailure.at.desc()).limit(1))
        return int(n or 0), (_aware(last).timestamp() if last is not None else None)

    def _kernel_failures(self, now: float) -> tuple[int, float | None]:
        with _local_lock:
            while _local and _local[0] < now - WINDOW_S:
                _local.popleft()
            return len(_local), (_local[-1] if _local else None)

    def wait(self, client: str) -> float:
        """Seconds before this client (from this kernel) may try again; 0 when it may now."""
        now = self.clock()
        longest = 0.0
        for n, last in (self._client_failures(client, now), self._kernel_failures(now)):
            if last is not None:
                longest = max(longest, backoff(n, self.free, self.max_wait_s) - (now - last))
        return max(0.0, longest)

    def failed(self, client: str, kind: str) -> None:
        """Count a failed attempt; log once when it makes the client wait."""
        now = self.clock()
        with _local_lock:
            _local.append(now)
        at = datetime.fromtimestamp(now, timezone.utc)
        with self.store.session() as s, s.begin():
            s.add(AuthFailure(client=client[:64], kind=kind[:16], at=at))
            s.execute(delete(AuthFailure).where(AuthFailure.at < at - timedelta(seconds=WINDOW_S)))
        n_client, _ = self._client_failures(client, now)
        n_kernel, _ = self._kernel_failures(now)
        if self.free in (n_client, n_kernel):
            log.warning("throttling client %s: %d failed attempts (%d on this page, the last a %s) in 24 h; "
                        "the next waits %.0f s, doubling up to %d s", client, n_client, n_kernel, kind,
                        backoff(max(n_client, n_kernel), self.free, self.max_wait_s), self.max_wait_s)


def reset_kernel_failures() -> None:
    """Forget this process's failures (tests)."""
    with _local_lock:
        _local.clear()
