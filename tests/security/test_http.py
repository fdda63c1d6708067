"""Nothing but the pages can be fetched from the running app.

Raw HTTP (``http.client``, so paths like ``/../`` reach the server as typed,
without a browser normalising them) against the real server: the database
file, the case sources, the notebooks and ``voila.json`` are never served;
Voila's file tree and the contents API lead nowhere. A request either fails
(403/404/405) or is redirected to the start page, and no response body ever
contains any of those files' content.
"""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from urllib.parse import quote

import pytest

REPO = Path(__file__).resolve().parents[2]
START = "/voila/render/start.ipynb"

#: Text that only appears in the files that must stay private.
MARKERS = {
    "voila.json": "kernel_pools_config",
    "notebook source": "load_library(",
    "case file": "Assi",  # checked against the raw YAML below, not the rendered page
    "sqlite": "SQLite format 3",
    "variables": "exposure:",
}


def fetch(port: int, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def private_files(voila) -> dict[str, bytes]:
    db = Path(voila.database_url.removeprefix("sqlite:///"))
    return {
        "voila.json": (REPO / "training" / "voila.json").read_bytes(),
        "case.ipynb": (REPO / "training" / "case.ipynb").read_bytes(),
        "assi.yaml": (REPO / "cases" / "library" / "assi.yaml").read_bytes(),
        "variables.yaml": (REPO / "cases" / "variables.yaml").read_bytes(),
        "database": db.read_bytes()[:4096] if db.exists() else b"SQLite format 3",
    }


def leaks(body: bytes, files: dict[str, bytes]) -> list[str]:
    """Which private file shows up in a response body (a distinctive 60-byte slice of each)."""
    found = []
    for name, content in files.items():
        probes = [content[i:i + 60] for i in (0, len(content) // 2) if len(content[i:i + 60]) >= 20]
        if name == "database":
            probes = [b"SQLite format 3"]
        if any(p in body for p in probes):
            found.append(name)
    for marker in (b"kernel_pools_config", b"load_library(", b"SQLite format 3"):
        if marker in body:
            found.append(marker.decode())
    return found


def assert_refused(voila, path: str, *, method: str = "GET", hops: int = 3) -> None:
    status, headers, body = fetch(voila.port, path, method)
    if status in (301, 302, 303, 307, 308):
        location = headers.get("location", "")
        if not location.split("?")[0].endswith(START):
            # e.g. /voila/render/voila.json -> /voila/files/voila.json: follow it, it must be refused too
            assert hops > 0 and location.startswith("/"), f"{path} redirects to {location}"
            assert_refused(voila, location, method=method, hops=hops - 1)
    else:
        assert status in (400, 403, 404, 405), f"{path} answered {status}"
    assert leaks(body, private_files(voila)) == [], f"{path} leaked content"


def db_path(voila) -> str:
    return voila.database_url.removeprefix("sqlite:///")


FILE_PATHS = [
    "/voila/files/voila.json",
    "/voila/files/case.ipynb",
    "/voila/files/start.ipynb",
    "/voila/files/../cases/library/assi.yaml",
    "/voila/files/..%2fcases%2flibrary%2fassi.yaml",
    "/voila/files/%2e%2e/cases/library/assi.yaml",
    "/voila/files/../../cases/variables.yaml",
    "/voila/files//etc/passwd",
    "/voila/files/.ipynb_checkpoints/case-checkpoint.ipynb",
    "/voila/render/voila.json",
    "/voila/render/../cases/library/assi.yaml",
    "/voila/render/%2e%2e/cases/library/assi.yaml",
    "/voila/render/..%2f..%2fcases%2flibrary%2fassi.yaml",
    "/voila/static/../../training/voila.json",
    "/voila/static/..%2f..%2ftraining%2fvoila.json",
    "/voila/static/../../../cases/library/assi.yaml",
    "/voila/templates/lab/static/../../../../training/voila.json",
    "/voila/templates/../../../training/case.ipynb",
    "/voila/templates/lab/index.html.j2",
    "/voila/templates/lab/../../../../../../cases/library/assi.yaml",
    "/voila/api/contents/",
    "/voila/api/contents/voila.json",
    "/voila/api/contents/case.ipynb?content=1",
    "/api/contents/voila.json",
    "/api/contents/",
    "/api/kernels",
    "/api/sessions",
    "/api/kernelspecs",
    "/api/terminals",
    "/files/voila.json",
    "/tree",
    "/lab",
    "/notebooks/case.ipynb",
    "/edit/voila.json",
    "/nbconvert/html/case.ipynb",
    "/view/voila.json",
]


@pytest.mark.parametrize("path", FILE_PATHS)
def test_no_file_can_be_downloaded(voila, path):
    assert_refused(voila, path)


def test_the_database_file_cannot_be_downloaded(voila):
    db = db_path(voila)
    data_dir = str(Path(db).parent)
    for path in (f"/voila/files{db}", f"/voila/files/{quote(db)}", f"/voila/static{db}",
                 f"/voila/files/../../../../../../..{db}", f"/voila/render{db}", f"/files{db}",
                 f"/voila/files{data_dir}/samsyn.sqlite3-wal", "/voila/files/samsyn.sqlite3",
                 f"/voila/templates/lab/static/../../../../../../../..{db}"):
        assert_refused(voila, path)


@pytest.mark.parametrize("path", ["/voila/tree", "/voila/tree/", "/voila/tree/..", "/voila/tree/../cases",
                                  "/voila/tree/cases/library", "/"])
def test_the_file_tree_leads_to_the_start_page(voila, path):
    status, headers, body = fetch(voila.port, path)
    assert status == 302, (path, status)
    assert headers["location"].split("?")[0].endswith(START)
    assert b"assi.yaml" not in body and b"voila.json" not in body


def test_writing_methods_are_refused(voila):
    for method, path in (("PUT", "/voila/files/voila.json"), ("DELETE", "/voila/files/case.ipynb"),
                         ("POST", "/api/contents/"), ("PATCH", "/voila/api/contents/voila.json"),
                         ("POST", "/api/kernels")):
        status, _headers, body = fetch(voila.port, path, method)
        assert status in (403, 404, 405), (method, path, status)
        assert leaks(body, private_files(voila)) == []


def test_production_settings_keep_sources_stripped_and_tracebacks_hidden():
    config = json.loads((REPO / "training" / "voila.json").read_text())
    voila_config = config["VoilaConfiguration"]
    assert voila_config["strip_sources"] is True
    assert voila_config["show_tracebacks"] is False
    assert voila_config["file_allowlist"] == []
    assert voila_config["file_denylist"] == [".*"]
    assert voila_config["preheat_kernel"] is True
    from samsyn.config import Settings  # culling is Samsyn's (samsyn/kernels.py), not voila.json's

    defaults = Settings.from_env({})
    assert 0 < defaults.kernel_unclaimed_timeout <= 60 and 0 < defaults.kernel_disconnected_timeout <= 300
    assert config["VoilaExecutor"]["iopub_timeout"] >= 30  # a loaded server must not drop a page's output
    # A browser message (a widget value) over 256 KiB closes the connection instead of reaching a kernel;
    # the longest legitimate value is a 4,000-character text.
    assert config["Voila"]["tornado_settings"]["websocket_max_message_size"] <= 262144


def test_rendered_pages_carry_no_notebook_source(voila):
    for page in ("start.ipynb?lang=sv", "case.ipynb?case=assi&lang=en"):
        status, _headers, body = fetch(voila.port, f"/voila/render/{page}")
        assert status == 200
        assert b"load_library(" not in body and b"page_context(" not in body and b"from widgets" not in body
        assert b"Traceback" not in body


def test_an_oversize_widget_message_never_reaches_a_kernel(voila):
    """A modified browser sending a 1 MB widget value: the server closes the socket (1009)."""
    import re

    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    status, _headers, body = fetch(voila.port, "/voila/render/start.ipynb?lang=sv")
    assert status == 200
    kernel_id = re.search(rb'"kernelId": "([0-9a-f-]{36})"', body).group(1).decode()
    message = json.dumps({"header": {"msg_id": "x", "msg_type": "comm_msg", "session": "s", "username": "",
                                     "version": "5.3", "date": ""},
                          "parent_header": {}, "metadata": {}, "channel": "shell",
                          "content": {"comm_id": "c", "data": {"method": "update", "state": {"value": "x" * 1_000_000}}}})
    with connect(f"ws://127.0.0.1:{voila.port}/api/kernels/{kernel_id}/channels", open_timeout=60,
                 max_size=None) as ws:
        ws.send(message)
        with pytest.raises(ConnectionClosed) as closed:
            for _ in range(1000):  # bounded: the kernel's own messages may come first
                ws.recv(timeout=60)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
