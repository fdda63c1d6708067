"""Errors stay on the server.

In a page's kernel, everything on ``sys.stderr`` and every traceback IPython
shows is sent to the browser as a message (even when the page does not display
it). :func:`contain` — called once per page, by ``page_context`` — changes that:

* an exception in a widget handler (a click, a changed value, a value of the
  wrong type sent by a modified browser) is logged with its traceback to the
  server's log, and the page shows a plain message in its language
  (:func:`banner`);
* log records and warnings go to the kernel process's own stderr, which is the
  server's log, never to the page.
"""

from __future__ import annotations

import logging
import sys
import traceback

import ipywidgets as w

from samsyn.i18n import Messages

log = logging.getLogger("samsyn.page")
_banner: w.HTML | None = None
_lang = "sv"
_contained = False


def banner() -> w.HTML:
    """The page's error notice (empty until a handler fails). One per kernel: one page."""
    global _banner
    if _banner is None:
        _banner = w.HTML("")
        _banner.add_class("samsyn-error-banner")
    return _banner


def _show_plain_message() -> None:
    banner().value = (f'<p class="samsyn-notice samsyn-unexpected-error" role="alert">'
                      f'{Messages(_lang)("error.unexpected")}</p>')


def report(exc_info=None) -> None:
    """Log the current exception with its traceback (server side) and tell the user plainly."""
    etype, value, tb = exc_info or sys.exc_info()
    text = "".join(traceback.format_exception(etype, value, tb)) if etype else "(no exception)"
    log.error("a page handler failed:\n%s", text)
    try:
        _show_plain_message()
    except Exception:  # never let the error path raise into the kernel
        log.exception("could not show the error notice")


def contain(lang: str) -> None:
    """Keep tracebacks and stderr of this kernel away from the browser (idempotent)."""
    global _contained, _lang
    _lang = lang
    if _contained:
        return
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except Exception:
        shell = None
    if shell is None or not hasattr(shell, "kernel"):
        return  # not a page's kernel (a test, the command line): nothing goes to a browser
    from samsyn.serverlog import stream

    real_stderr = stream()
    handler = logging.StreamHandler(real_stderr)
    handler.setFormatter(logging.Formatter("[samsyn kernel] %(levelname)s %(name)s | %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > logging.WARNING or root.level == logging.NOTSET:
        root.setLevel(logging.WARNING)
    log.setLevel(logging.INFO)
    logging.captureWarnings(True)
    original = shell.showtraceback

    def showtraceback(*args, **kwargs):
        # A notebook cell (the page being built) reports to Voila on the server, which shows
        # its own notice (show_tracebacks is off); anything else answers a browser's message.
        parent = getattr(shell, "parent_header", None) or {}
        if parent.get("header", {}).get("msg_type") == "execute_request":
            log.error("building the page failed:\n%s", traceback.format_exc())
            return original(*args, **kwargs)
        report()

    shell.showtraceback = showtraceback
    shell.showsyntaxerror = showtraceback
    sys.stderr = real_stderr  # stray prints to stderr go to the server's log, not to the page
    _contained = True
