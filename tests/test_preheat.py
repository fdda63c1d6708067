"""The preheated kernel's wait for its request, without importing Voila."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest


def test_waits_for_the_request_and_takes_its_environment(monkeypatch):
    from websockets.sync.server import serve

    from samsyn import preheat

    paths = []

    def handler(ws):
        paths.append(ws.request.path)
        ws.send(json.dumps({"QUERY_STRING": "case=assi&lang=en", "SCRIPT_NAME": "/voila/render/case.ipynb"}))

    with serve(handler, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        port = server.socket.getsockname()[1]
        monkeypatch.setenv("VOILA_PREHEAT", "True")
        monkeypatch.setenv("VOILA_APP_PORT", str(port))
        monkeypatch.setenv("VOILA_SERVER_URL", "/")
        monkeypatch.setenv("VOILA_KERNEL_ID", "k-123")
        monkeypatch.delenv("QUERY_STRING", raising=False)
        assert preheat.get_query_string() == "case=assi&lang=en"
        server.shutdown()
    assert paths == ["/voila/query/k-123"]


def test_a_kernel_started_for_the_request_does_not_wait(monkeypatch):
    from samsyn import preheat

    monkeypatch.setenv("VOILA_PREHEAT", "False")
    monkeypatch.setenv("QUERY_STRING", "lang=sv")
    assert preheat.get_query_string() == "lang=sv"


@pytest.mark.parametrize("module", ["voila", "jupyter_server", "nbconvert"])
def test_page_kernels_do_not_import_the_server(module):
    """voila.utils would bring ~43 MB of server code into every kernel."""
    code = (
        "import os, sys\n"
        "os.environ['VOILA_PREHEAT'] = 'False'; os.environ['VOILA_KERNEL_ID'] = 'x'\n"
        "os.environ['QUERY_STRING'] = 'case=assi&lang=sv'\n"
        "from cases import load_library\n"
        "from widgets.common import page_context\n"
        "from widgets import case_page\n"
        "ctx = page_context()\n"
        "assert ctx.param('case') == 'assi'\n"
        "case_page.build(ctx, load_library())\n"
        f"print({module!r} in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "False"
