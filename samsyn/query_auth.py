"""How a preheated kernel proves to the server that it is the kernel it names.

A preheated kernel waits for its page's request on ``/voila/query/<kernel
id>``. Voila hands the request (with the page's query string) to whoever opens
that socket with the id; Samsyn's server (:class:`samsyn.guard.QuerySocket`)
first sends a random challenge, and only a client that answers it with an HMAC
keyed by the kernel's own connection key — which only the server and that
kernel process know — gets the request, once.

This module is imported in every kernel: the standard library only.
"""

from __future__ import annotations

import hashlib
import hmac

CONTEXT = b"samsyn-query-v1"


def proof(session_key: bytes, kernel_id: str, challenge: str) -> str:
    message = b"\0".join([CONTEXT, kernel_id.encode("ascii", "replace"), challenge.encode("ascii", "replace")])
    return hmac.new(session_key, message, hashlib.sha256).hexdigest()


def valid(session_key: bytes, kernel_id: str, challenge: str, answer: object) -> bool:
    if not session_key or not isinstance(answer, str):
        return False
    return hmac.compare_digest(proof(session_key, kernel_id, challenge), answer)


def own_session_key() -> bytes:
    """In a kernel: the key of its connection file (what signs its Jupyter messages)."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
        key = shell.kernel.session.key if shell is not None and hasattr(shell, "kernel") else b""
        if key:
            return bytes(key)
    except Exception:  # not in a kernel
        pass
    try:
        import json

        from ipykernel.connect import get_connection_file

        with open(get_connection_file(), encoding="utf-8") as fh:
            return json.load(fh).get("key", "").encode("utf-8")
    except Exception:
        return b""
