"""Secrets and kernel ids never reach a log line.

``install()`` wraps the logging record factory of the process (the Voila
server): every record's message is formatted once and then redacted, whoever
logs it (Tornado's access and error logs, Jupyter Server's kernel manager,
Voila, Samsyn) — every record some handler will write; a debug record that no
handler accepts is left as it is and dropped unread. What is redacted:

* query values of ``key``, ``secret``, ``code``, ``token`` and ``_xsrf``
  (``?key=abc`` becomes ``?key=[redacted]``), also URL-encoded;
* values of Samsyn's cookies (``samsyn_manager=…``) and of ``X-Samsyn-*``
  headers in request dumps;
* kernel ids (UUIDs): a kernel id lets whoever has it talk to that page's
  kernel, so a log line shows ``kernel:<tag>``, a keyed hash that is the same
  for one kernel throughout the process (lines can still be followed) but
  cannot be turned back into the id.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets

REDACTED = "[redacted]"
#: Query parameters whose values are secrets.
SECRET_PARAMS = ("key", "secret", "code", "token", "_xsrf")

_PARAM = re.compile(r"(?i)((?:^|[?&;\s\"'(/])(?:" + "|".join(re.escape(p) for p in SECRET_PARAMS)
                    + r")(?:=|%3D))[^&;\s\"')]*")
_COOKIE = re.compile(r"(?i)(samsyn_[a-z0-9_]*=)[^;,\s\"']*")
_HEADER = re.compile(r"(?i)(['\"]?x-samsyn-(?:key|secret)['\"]?\s*[:=]\s*['\"]?)[^'\",\s}]*")
_UUID = re.compile(r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
_TAG_KEY = secrets.token_bytes(16)


def kernel_tag(kernel_id: str) -> str:
    """A stable, irreversible stand-in for a kernel id in this process's logs."""
    digest = hmac.new(_TAG_KEY, kernel_id.lower().encode("ascii", "replace"), hashlib.sha256).hexdigest()
    return f"kernel:{digest[:8]}"


def redact(text: str) -> str:
    if not text:
        return text
    text = _PARAM.sub(lambda m: m.group(1) + REDACTED, text)
    text = _COOKIE.sub(lambda m: m.group(1) + REDACTED, text)
    text = _HEADER.sub(lambda m: m.group(1) + REDACTED, text)
    return _UUID.sub(lambda m: kernel_tag(m.group(0)), text)


_installed = False


def _written(name, level) -> bool:
    """Whether a record of ``level`` made by logger ``name`` reaches any handler (``Logger.callHandlers``'
    rule: each handler up the propagation chain whose level it meets). Unknown loggers count as written."""
    logger = logging.root if name == "root" else logging.Logger.manager.loggerDict.get(name)
    if not isinstance(logger, logging.Logger) or not isinstance(level, int):
        return True
    found = False
    current = logger
    while current is not None:
        for handler in current.handlers:
            found = True
            if level >= handler.level:
                return True
        if not current.propagate:
            break
        current = current.parent
    return not found  # no handler at all: logging's last resort may write it


def install() -> None:
    """Redact every log record made in this process from now on (idempotent)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        # Jupyter's application loggers are at DEBUG with their handler at INFO: the server makes a debug
        # record for every kernel message it relays. One that no handler will write is not formatted.
        if not _written(record.name, record.levelno):
            return record
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let the handler report it as usual
            return record
        record.msg, record.args = redact(message), ()
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
