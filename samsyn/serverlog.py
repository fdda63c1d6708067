"""Where a page's kernel writes what only the operator may read.

In a Jupyter kernel, ``sys.stderr`` and even the process's file descriptor 2
are captured and sent to the page's browser as output messages. The kernel
keeps a copy of the original descriptor (the server's own stderr, i.e. its
log) to echo to; :func:`stream` writes there, so a log line or a traceback
reaches the server's log and never a browser. Outside a kernel it is
``sys.stderr``.
"""

from __future__ import annotations

import io
import os
import sys

_stream: io.TextIOBase | None = None


def stream():
    global _stream
    if _stream is not None:
        return _stream
    fd = getattr(sys.stderr, "_original_stdstream_copy", None)
    if fd is None:
        fd = getattr(sys.__stderr__, "_original_stdstream_copy", None)
    if isinstance(fd, int):
        try:
            _stream = io.TextIOWrapper(io.FileIO(os.dup(fd), "w"), encoding="utf-8", errors="replace",
                                       line_buffering=True, write_through=True)
            return _stream
        except OSError:
            pass
    captured = hasattr(sys.stderr, "session") or "ipykernel" in type(sys.stderr).__module__
    _stream = sys.__stderr__ if captured else sys.stderr
    return _stream
