"""Wait for the request in a preheated Voila kernel — without importing Voila.

A preheated kernel runs the notebook up to the point where it needs the page's
query string, then waits for the request. Voila's own helper
(``voila.utils.get_query_string``) does this, but importing ``voila.utils``
pulls Jupyter Server, nbconvert, jsonschema and requests into every kernel:
about 43 MB per kernel, a third of a case page's kernel (measured in
``benchmarks/pages.py``). This module does the same wait with the
``websockets`` client alone (about 1.5 MB).

The protocol is Voila 0.5's: the kernel opens ``ws://<ip>:<port><server
url>voila/query/<kernel id>`` and receives one JSON message with the request's
environment (``QUERY_STRING`` among it), which it copies into ``os.environ``.
Samsyn's server first sends a challenge that only this kernel can answer
(:mod:`samsyn.query_auth`), so nobody else who learns a kernel id gets its
request.
"""

from __future__ import annotations

import json
import os
import warnings


def _request_info_url() -> str:
    protocol = os.getenv("VOILA_WS_PROTOCOL", "ws")
    ip = os.getenv("VOILA_APP_IP", "127.0.0.1")
    port = os.getenv("VOILA_APP_PORT", "8866")
    server_url = os.getenv("VOILA_SERVER_URL", "/")
    base = os.getenv("VOILA_WS_BASE_URL", server_url)
    return f"{protocol}://{ip}:{port}{base}voila/query/{os.getenv('VOILA_KERNEL_ID')}"


#: The close code of a request socket whose kernel failed the challenge (samsyn.guard.QuerySocket).
REFUSED = 4403


def _receive(ws) -> str:
    """The request, after proving to Samsyn's server that this is the kernel the socket names."""
    first = ws.recv()
    data = json.loads(first)
    if not (isinstance(data, dict) and set(data) == {"challenge"}):
        return first  # a plain Voila server sends the request straight away
    from samsyn.query_auth import own_session_key, proof

    ws.send(json.dumps({"proof": proof(own_session_key(), os.getenv("VOILA_KERNEL_ID", ""), str(data["challenge"]))}))
    message = ws.recv()
    ws.send(json.dumps({"ack": True}))  # the server forgets the request only once it has arrived
    return message


def wait_for_request() -> None:
    """In a preheated kernel, block until Voila hands it a request."""
    if os.getenv("VOILA_PREHEAT", "False") == "False":
        return  # a kernel started for a request already has the request's environment
    try:
        from websockets.sync.client import connect
    except ImportError:  # pragma: no cover - websockets < 11
        from voila.utils import wait_for_request as voila_wait

        voila_wait()
        return
    url = _request_info_url()
    from websockets.exceptions import ConnectionClosed, InvalidHandshake

    message = None
    # Wait as long as it takes (a pooled kernel may wait hours for its trainee), but never
    # give up on a dropped connection: Voila keeps the request for a kernel that reconnects.
    # No keepalive pings from this side: a busy server (a room opening 30 pages) answers
    # them late, and a client that then closes the socket loses its request.
    for _attempt in range(10_000):
        try:
            ws = connect(url, open_timeout=30, ping_interval=None, close_timeout=1, max_size=2**20)
        except (TimeoutError, OSError, InvalidHandshake) as exc:
            warnings.warn(f"Failed to connect to {url}: {exc}")
            return
        try:
            message = _receive(ws)
        except ConnectionClosed as closed:
            if closed.rcvd is not None and closed.rcvd.code == REFUSED:
                warnings.warn(f"The server refused this kernel's request socket ({closed.rcvd.reason})")
                return
            # otherwise reconnect: the request waits for us
        finally:
            try:
                ws.close()
            except Exception:  # the message is what matters
                pass
        if message is not None:
            break
    if message is None:
        return
    info = json.loads(message)
    if isinstance(info, dict):
        for key, value in info.items():
            if isinstance(key, str) and isinstance(value, str):
                os.environ[key] = value


def get_query_string() -> str:
    """The page's query string (waits for the request in a preheated kernel)."""
    wait_for_request()
    return os.getenv("QUERY_STRING", "")
