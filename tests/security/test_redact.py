"""samsyn.redact: every record a handler writes is redacted; one no handler accepts is not formatted."""

from __future__ import annotations

import io
import logging

import pytest

from samsyn import redact


class _Counted:
    """An argument that counts how often a message using it is formatted."""

    def __init__(self, text: str):
        self.text, self.formatted = text, 0

    def __str__(self) -> str:
        self.formatted += 1
        return self.text


@pytest.fixture
def logger(request):
    """A logger as Jupyter's application loggers are: at DEBUG, its one handler at INFO (made in the test,
    under a name of its own, so that pytest's log capture is not one of its handlers)."""
    redact.install()
    log = logging.getLogger(f"samsyn.test.redact.{request.node.name}")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.INFO)
    log.handlers = [handler]
    log.setLevel(logging.DEBUG)
    log.propagate = False
    yield log, handler, stream
    log.handlers = []
    log.propagate = True
    log.setLevel(logging.NOTSET)


def test_a_written_record_is_redacted(logger):
    log, _handler, stream = logger
    log.info("GET %s", "/voila/render/start.ipynb?code=ABCDEF123456&lang=sv")
    assert "ABCDEF123456" not in stream.getvalue()
    assert "code=[redacted]" in stream.getvalue()


def test_a_record_no_handler_writes_is_not_formatted(logger):
    log, handler, stream = logger
    log.handlers = [handler]  # pytest's capture handlers join a logger that exists when the test is called
    arg = _Counted("?key=secret-manager-key")
    log.debug("relayed %s", arg)
    assert arg.formatted == 0
    assert stream.getvalue() == ""


def test_a_debug_record_is_redacted_when_a_handler_takes_it(logger):
    log, handler, stream = logger
    handler.setLevel(logging.DEBUG)
    log.debug("relayed %s", "?key=secret-manager-key")
    assert "secret-manager-key" not in stream.getvalue()
    assert "key=[redacted]" in stream.getvalue()


def test_a_parent_handler_counts(logger):
    log, _handler, _stream = logger
    log.propagate = True
    parent = logging.getLogger("samsyn.test")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.DEBUG)
    parent.addHandler(handler)
    try:
        log.debug("relayed %s", "?token=abcdef")
    finally:
        parent.removeHandler(handler)
    assert "abcdef" not in stream.getvalue() and "token=[redacted]" in stream.getvalue()
