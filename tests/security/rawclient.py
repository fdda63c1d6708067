"""Raw HTTP and widget-message clients, as an outsider would drive the app without a browser.

``fetch`` sends one request with ``http.client`` (paths and headers reach the
server exactly as typed). ``PageSocket`` opens a page with a plain GET, then
speaks the Jupyter widget protocol on the page kernel's channels websocket:
it asks the kernel for every widget's state, sets widget values and clicks
buttons, and keeps every frame the server sent (to check that no traceback
reaches a client).
"""

from __future__ import annotations

import http.client
import json
import re
import time
import uuid

from websockets.sync.client import connect


def fetch(port: int, path: str, method: str = "GET", headers: dict[str, str] | None = None,
          timeout: float = 120) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_host="Host" in (headers or {}), skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        headers: dict[str, str] = {}
        for name, value in response.getheaders():  # a repeated header (Set-Cookie) is kept, one per line
            headers[name.lower()] = f"{headers[name.lower()]}\n{value}" if name.lower() in headers else value
        return response.status, headers, response.read()
    finally:
        conn.close()


def upgrade_status(port: int, path: str, host: str, origin: str | None = None) -> int:
    """The status line's code for a websocket upgrade sent with exactly this Host (and Origin)."""
    import base64
    import os
    import socket

    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "Upgrade: websocket", "Connection: Upgrade",
             f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}", "Sec-WebSocket-Version: 13"]
    if origin:
        lines.append(f"Origin: {origin}")
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        first = b""
        while b"\r\n" not in first:
            chunk = sock.recv(1024)
            if not chunk:
                break
            first += chunk
    return int(first.split(b" ", 2)[1])


def kernel_id_of(body: bytes) -> str:
    return re.search(rb'"kernelId": "([0-9a-f-]{36})"', body).group(1).decode()


class PageSocket:
    """One page's kernel, driven through widget messages."""

    def __init__(self, port: int, path: str, headers: dict[str, str] | None = None):
        status, _headers, body = fetch(port, path, headers=headers)
        assert status == 200, (path, status, body[:300])
        self.body = body
        self.kernel_id = kernel_id_of(body)
        self.session = uuid.uuid4().hex
        self.ws = connect(f"ws://127.0.0.1:{port}/api/kernels/{self.kernel_id}/channels?session_id={self.session}",
                          open_timeout=60, max_size=None).__enter__()
        self.frames: list[str] = []
        self.states: dict[str, dict] = {}

    def close(self) -> None:
        self.ws.close()

    def __enter__(self) -> "PageSocket":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- messages ------------------------------------------------------------------------------
    def send(self, msg_type: str, content: dict, channel: str = "shell", metadata: dict | None = None) -> str:
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": msg_type, "session": self.session, "username": "",
                       "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": metadata or {}, "content": content, "channel": channel, "buffers": []}))
        return msg_id

    def receive(self, seconds: float, until=None) -> list[dict]:
        """Messages for ``seconds`` (or until ``until(message)`` is true)."""
        out, deadline = [], time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                raw = self.ws.recv(timeout=max(0.05, deadline - time.monotonic()))
            except TimeoutError:
                break
            text = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
            self.frames.append(text)
            try:
                message = json.loads(text)
            except ValueError:
                continue
            out.append(message)
            self._track(message)
            if until is not None and until(message):
                break
        return out

    def _track(self, message: dict) -> None:
        if message.get("msg_type") == "comm_msg" or message.get("header", {}).get("msg_type") == "comm_msg":
            data = message.get("content", {}).get("data", {})
            comm_id = message.get("content", {}).get("comm_id")
            if data.get("method") == "update" and comm_id in self.states:
                self.states[comm_id].update(data.get("state", {}))
            if data.get("method") == "update_states":
                for model_id, model in data.get("states", {}).items():
                    self.states[model_id] = dict(model.get("state", {}))

    # -- widgets -------------------------------------------------------------------------------
    def request_states(self) -> dict[str, dict]:
        control = uuid.uuid4().hex
        self.send("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
                  metadata={"version": "1.0.0"})
        self.send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
        self.receive(60, until=lambda m: m.get("content", {}).get("data", {}).get("method") == "update_states")
        assert self.states, "the kernel sent no widget states"
        return self.states

    def find(self, dom_class: str) -> str:
        found = [cid for cid, state in self.states.items() if dom_class in (state.get("_dom_classes") or [])]
        assert len(found) == 1, (dom_class, found)
        return found[0]

    def set(self, comm_id: str, **state) -> str:
        return self.send("comm_msg", {"comm_id": comm_id, "data": {"method": "update", "state": state,
                                                                   "buffer_paths": []}})

    def click(self, comm_id: str) -> str:
        return self.send("comm_msg", {"comm_id": comm_id, "data": {"method": "custom", "content": {"event": "click"}}})

    def done(self, msg_id: str, seconds: float = 60) -> None:
        """Wait until the kernel has handled one message (its 'idle' status for it)."""
        self.receive(seconds, until=lambda m: m.get("msg_type") == "status"
                     and m.get("parent_header", {}).get("msg_id") == msg_id
                     and m.get("content", {}).get("execution_state") == "idle")

    def value(self, comm_id: str) -> str:
        return str(self.states.get(comm_id, {}).get("value", ""))

    def value_after(self, comm_id: str, seconds: float = 60) -> str:
        """Wait for the next value the kernel sends for a widget."""
        self.receive(seconds, until=lambda m: m.get("content", {}).get("comm_id") == comm_id
                     and "value" in m.get("content", {}).get("data", {}).get("state", {}))
        return str(self.states.get(comm_id, {}).get("value", ""))
