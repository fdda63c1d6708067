"""What an outsider without a browser can make the server do (issue 12): raw HTTP and websockets.

Against the real app (``samsyn serve``): kernels are capped in total and per
client and a refused page starts no kernel; template and theme overrides,
long query strings and malformed URLs get a small page and no kernel; a Host
that is not allowed gets nothing; ``DELETE /api/kernels/<id>`` is gone and the
request socket of preheated kernels answers only the kernel itself; secrets
leave the URL and no log line carries a secret or a kernel id.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from rawclient import fetch, kernel_id_of, upgrade_status
from servers import kernel_processes, server_factory, settled_kernels  # noqa: F401 - fixture

CASE = "/voila/render/case.ipynb?case=assi&lang=sv"
START = "/voila/render/start.ipynb?lang=sv"


def assert_static_refusal(status: int, headers: dict, body: bytes, expected: int) -> None:
    assert status == expected, (status, body[:200])
    assert b"kernelId" not in body and b"<script" not in body  # a small static page, no kernel behind it
    text = body.decode("utf-8")
    assert 'lang="sv"' in text and 'lang="en"' in text  # bilingual, Swedish first
    assert headers["content-security-policy"].startswith("default-src 'none'")


# -- kernel caps -----------------------------------------------------------------------------------
def test_the_kernel_cap_per_client_refuses_a_page_without_starting_a_kernel(server_factory):
    server = server_factory({"SAMSYN_MAX_KERNELS_PER_CLIENT": "2"})
    for _ in range(2):
        status, _h, body = fetch(server.port, CASE)
        assert status == 200 and b"kernelId" in body
    before = settled_kernels(server)
    status, headers, body = fetch(server.port, CASE)
    assert_static_refusal(status, headers, body, 503)
    assert headers["retry-after"] == "30"
    assert "Försök".lower() in body.decode().lower() or "vänta" in body.decode().lower()
    time.sleep(3)
    assert kernel_processes(server) == before, "a refused page started a kernel"
    for _ in range(5):  # a burst of refused pages: still nothing started, one log line
        assert fetch(server.port, START)[0] == 503
    time.sleep(2)
    assert kernel_processes(server) == before
    assert server.log().count("refused a page for client 127.0.0.1") == 1


def test_the_total_cap_counts_every_client(server_factory):
    server = server_factory({"SAMSYN_MAX_KERNELS": "3", "SAMSYN_MAX_KERNELS_PER_CLIENT": "3",
                             "SAMSYN_CLIENT_IP_HEADER": "X-Forwarded-For"})
    for i in range(3):
        status, _h, body = fetch(server.port, START, headers={"X-Forwarded-For": f"10.0.0.{i + 1}"})
        assert status == 200 and b"kernelId" in body
    status, headers, body = fetch(server.port, START, headers={"X-Forwarded-For": "10.0.0.9"})
    assert_static_refusal(status, headers, body, 503)
    assert "3 page kernels live (cap 3)" in server.log()


def test_a_page_counts_once_while_it_renders_and_not_once_it_is_left(server_factory):
    """A request counts until it has its kernel, then the kernel does (not both: a room arriving at once met
    the cap at half its size, benchmarks/load.py); a page that said goodbye no longer counts."""
    import http.client

    no_pools = {"VoilaKernelManager": {"kernel_pools_config": {"default": {"pool_size": 0}}, "fill_delay": 0}}
    server = server_factory({"SAMSYN_MAX_KERNELS": "3", "SAMSYN_MAX_KERNELS_PER_CLIENT": "3"}, voila_config=no_pools)
    first = fetch(server.port, START)
    assert first[0] == 200
    # A second page, read only up to its kernel id: it is still rendering (its kernel runs the notebook)
    # when a third page is asked for. Two kernels are live then, and the cap is three.
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    conn.request("GET", CASE)
    response, body = conn.getresponse(), b""
    while b'"kernelId"' not in body:
        chunk = response.read1(4096)
        assert chunk, body[-300:]
        body += chunk
    assert b"Running" in body or b"rendered_cells" in body
    third = fetch(server.port, START)
    assert third[0] == 200, "the rendering page counted twice"
    assert fetch(server.port, START)[0] == 503  # three kernels live: full
    body += response.read()
    conn.close()
    assert b"samsyn-" in body
    # The first page says goodbye (samsyn.kernels): its kernel stops counting, a new page fits.
    token = next(v.split(";", 1)[0].split("=", 1)[1] for v in first[1]["set-cookie"].split("\n")
                 if v.startswith("samsyn_page="))
    kernel = kernel_id_of(first[2])
    status, _h, _b = fetch(server.port, f"/voila/api/shutdown/{kernel}", method="POST",
                           headers={"Cookie": f"samsyn_page={token}", "Origin": f"http://127.0.0.1:{server.port}"})
    assert status == 204
    assert fetch(server.port, START)[0] == 200


# -- URLs --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(server_factory):
    return server_factory({"SAMSYN_MANAGER_KEY": "the-managers-own-key-1234"})


@pytest.mark.parametrize("query", ["template=nope", "template=base", "template=../../../../etc", "theme=dark",
                                   "lang=sv&theme=light"])
def test_template_and_theme_overrides_are_off(server, query):
    before = settled_kernels(server)
    status, headers, body = fetch(server.port, f"/voila/render/start.ipynb?{query}", timeout=30)
    assert_static_refusal(status, headers, body, 404)
    time.sleep(2)
    assert kernel_processes(server) == before


def test_many_query_parameters_are_refused_with_a_message(server):
    query = "&".join(f"p{i}=x" for i in range(25))
    status, headers, body = fetch(server.port, f"/voila/render/start.ipynb?lang=sv&{query}")
    assert_static_refusal(status, headers, body, 400)
    assert "parametrar" in body.decode()
    # 19 unknown ones are tolerated: the page renders
    status, _h, body = fetch(server.port, "/voila/render/start.ipynb?lang=sv&" + "&".join(f"p{i}=x" for i in range(19)))
    assert status == 200 and b"kernelId" in body


def test_logout_forgets_the_secrets_and_leads_to_the_start_page(server):
    status, headers, _body = fetch(server.port, "/logout", headers={"Cookie": "samsyn_manager=k; samsyn_facilitator_3=s"})
    assert status == 302 and headers["location"].endswith("/voila/render/start.ipynb")
    cleared = headers.get("set-cookie", "")
    assert "samsyn_manager=" in cleared and "samsyn_facilitator_3=" in cleared


# -- hosts -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [START, "/voila/static/voila.js", "/", "/voila/templates/samsyn/static/samsyn-setup.js"])
def test_a_foreign_host_is_refused(server, path):
    status, headers, body = fetch(server.port, path, headers={"Host": "evil.example"})
    assert status == 400, (path, status)
    assert b"kernelId" not in body
    for host in (f"127.0.0.1:{server.port}", f"localhost:{server.port}"):
        assert fetch(server.port, "/voila/static/voila.js", headers={"Host": host})[0] == 200


def test_a_foreign_host_gets_no_websocket(server):
    """DNS rebinding: a page of evil.example, resolved to this server, opens websockets with matching Host and Origin."""
    _status, _h, body = fetch(server.port, START)
    kernel_id = kernel_id_of(body)
    for path in (f"/api/kernels/{kernel_id}/channels", f"/voila/query/{kernel_id}"):
        assert upgrade_status(server.port, path, "evil.example", "http://evil.example") == 400, path
    assert upgrade_status(server.port, f"/api/kernels/{kernel_id}/channels", f"127.0.0.1:{server.port}",
                          f"http://127.0.0.1:{server.port}") == 101


def test_an_allowed_host_answers(server_factory):
    server = server_factory({"SAMSYN_ALLOWED_HOSTS": "samsyn.example.org"}, voila_config=None)
    assert fetch(server.port, "/voila/static/voila.js", headers={"Host": "samsyn.example.org"})[0] == 200
    assert fetch(server.port, "/voila/static/voila.js", headers={"Host": "evil.example"})[0] == 400


# -- kernel ids are not credentials -------------------------------------------------------------------
def test_a_kernel_cannot_be_deleted_by_its_id(server):
    _status, _h, body = fetch(server.port, START)
    kernel_id = kernel_id_of(body)
    xsrf = {"Cookie": "_xsrf=abc", "X-XSRFToken": "abc"}
    status, _h, _b = fetch(server.port, f"/api/kernels/{kernel_id}", method="DELETE", headers=xsrf)
    assert status == 405
    # the kernel lives on: its channels still open
    with connect(f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels", open_timeout=30):
        pass
    for method, path in (("POST", "/api/kernels"), ("POST", f"/api/kernels/{kernel_id}/restart"),
                         ("POST", f"/api/kernels/{kernel_id}/interrupt"), ("GET", "/api/kernels")):
        assert fetch(server.port, path, method=method, headers=xsrf)[0] in (404, 405), (method, path)


def test_the_request_socket_answers_only_its_own_kernel(server):
    status, _h, body = fetch(server.port, "/voila/render/start.ipynb?lang=sv&code=SECRETCODE42")
    assert status == 200
    kernel_id = kernel_id_of(body)
    with connect(f"ws://127.0.0.1:{server.port}/voila/query/{kernel_id}", open_timeout=30) as ws:
        first = json.loads(ws.recv(timeout=30))
        assert set(first) == {"challenge"}  # no request before the kernel proves who it is
        ws.send(json.dumps({"proof": "0" * 64}))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=30)
    assert closed.value.rcvd.code == 4403
    # the preheated kernel that waits next in the pool: its request is not there for the taking either
    with connect(f"ws://127.0.0.1:{server.port}/voila/query/{kernel_id}", open_timeout=30) as ws:
        assert "SECRETCODE42" not in ws.recv(timeout=30)
    # and an id that is no kernel gets nothing at all
    with connect(f"ws://127.0.0.1:{server.port}/voila/query/00000000-0000-0000-0000-000000000000",
                 open_timeout=30) as ws:
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=30)
    assert "SECRETCODE42" not in server.log()


def test_kernel_ids_and_secrets_stay_out_of_the_log(server):
    _status, _h, body = fetch(server.port, CASE + "&code=ABCD-EFGH-JKMN")
    kernel_id = kernel_id_of(body)
    with connect(f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels", open_timeout=30):
        pass
    fetch(server.port, "/voila/render/nope.ipynb?key=the-managers-own-key-1234&secret=fac-secret-77&code=WXYZ-2345")
    fetch(server.port, "/no/such/path?key=the-managers-own-key-1234")
    time.sleep(1)
    log = server.log()
    assert kernel_id not in log
    assert re.search(r"kernel:[0-9a-f]{8}", log)  # kernels are still told apart, by a tag
    for secret in ("the-managers-own-key-1234", "fac-secret-77", "WXYZ-2345", "ABCD-EFGH-JKMN"):
        assert secret not in log, secret
    assert "key=[redacted]" in log


def test_secrets_leave_the_url_for_an_httponly_cookie(server):
    status, headers, _b = fetch(server.port, "/voila/render/manager.ipynb?key=the-managers-own-key-1234&lang=en")
    assert status == 303
    assert headers["location"] == "/voila/render/manager.ipynb?lang=en"
    cookie = headers["set-cookie"]
    assert cookie.startswith("samsyn_manager=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    status, headers, _b = fetch(server.port, "/voila/render/mentor.ipynb?workshop=4&secret=s3cr3t&lang=sv")
    assert status == 303 and headers["location"] == "/voila/render/mentor.ipynb?workshop=4&lang=sv"
    assert headers["set-cookie"].startswith("samsyn_facilitator_4=")
    status, headers, _b = fetch(server.port, "/voila/render/programme.ipynb?programme=7&secret=pr0g&lang=sv")
    assert status == 303 and headers["location"] == "/voila/render/programme.ipynb?programme=7&lang=sv"
    assert headers["set-cookie"].startswith("samsyn_programme_7=") and "HttpOnly" in headers["set-cookie"]
    status, headers, _b = fetch(server.port, "/?key=the-managers-own-key-1234&lang=en")
    assert status == 302 and "key" not in headers["location"] and "lang=en" in headers["location"]


def test_a_client_cannot_forge_the_servers_headers(server):
    """X-Samsyn-* headers are the server's word to the kernel; a client's own are dropped."""
    from rawclient import PageSocket

    with PageSocket(server.port, "/voila/render/manager.ipynb?lang=en",
                    headers={"X-Samsyn-Key": "the-managers-own-key-1234", "X-Samsyn-Client": "10.9.9.9"}) as page:
        states = page.request_states()
        text = json.dumps(states)
        assert "samsyn-manager-refused" in text
