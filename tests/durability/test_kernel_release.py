"""Every kernel a page leaves is released (samsyn/kernels.py).

* A page that is closed, reloaded or navigated away from releases its kernel
  within 10 s (Voila's unload beacon, answered by Samsyn's shutdown handler).
* The shutdown route only works for the page that owns the kernel: a kernel
  id alone, another page's cookie, or another origin shuts nothing down.
* A kernel no browser ever connected to (plain HTTP GETs, no websocket) is
  culled within a minute with the default settings.
In every case the number of live kernels returns to the pool size.
"""

from __future__ import annotations

import http.client
import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from store import Store

REPO = Path(__file__).resolve().parents[2]


def pool_size() -> int:
    """Preheated kernels the committed training/voila.json keeps ready (all notebooks)."""
    pools = json.loads((REPO / "training" / "voila.json").read_text())["VoilaKernelManager"]["kernel_pools_config"]
    notebooks = [p.name for p in (REPO / "training").glob("*.ipynb")]
    default = pools.get("default", {}).get("pool_size", 0)
    return sum(pools.get(nb, {}).get("pool_size", default) for nb in notebooks)


def wait_for(predicate, timeout: float, interval: float = 0.5) -> float:
    """Seconds until ``predicate()`` is true; raises AssertionError after ``timeout``."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not within {timeout:.0f} s")
        time.sleep(interval)
    return time.monotonic() - start


def get(port: int, path: str, headers: dict[str, str] | None = None, method: str = "GET"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def page_cookie(headers) -> tuple[str, str]:
    """The (value, path) of the samsyn_page cookie a page response set."""
    for name, value in headers:
        if name.lower() == "set-cookie" and value.startswith("samsyn_page="):
            token = value.split(";", 1)[0].split("=", 1)[1]
            path = re.search(r"Path=([^;]+)", value).group(1)
            return token, path
    raise AssertionError("the page set no samsyn_page cookie")


def kernel_of(body: str) -> str:
    return re.search(r'"kernelId": "([0-9a-f-]{36})"', body).group(1)


def test_pool_kernels_are_what_the_server_starts_with(voila_factory):
    server = voila_factory()
    wait_for(lambda: len(server.kernel_ids()) >= pool_size(), 180)
    time.sleep(3)
    assert len(server.kernel_ids()) == pool_size()


def test_a_kernel_id_alone_shuts_nothing_down(voila_factory):
    server = voila_factory()
    wait_for(lambda: len(server.kernel_ids()) >= pool_size(), 180)
    status, headers, body = get(server.port, "/voila/render/start.ipynb?lang=sv")
    assert status == 200
    kernel = kernel_of(body)
    token, path = page_cookie(headers)
    assert path == f"/voila/api/shutdown/{kernel}"  # sent with that kernel's goodbye only
    assert kernel in server.kernel_ids()

    origin = f"http://127.0.0.1:{server.port}"
    other = get(server.port, "/voila/render/start.ipynb?lang=en")
    other_token, _ = page_cookie(other[1])
    refused = [
        {},                                                           # the id alone
        {"Cookie": "samsyn_page=" + "0" * 64, "Origin": origin},      # a made-up proof
        {"Cookie": f"samsyn_page={other_token}", "Origin": origin},   # another page's proof
        {"Cookie": f"samsyn_page={token}", "Origin": "http://evil.example"},  # the right proof, another site
        {"Cookie": f"samsyn_page={token}", "Origin": "null"},
    ]
    for headers_ in refused:
        status, _h, _b = get(server.port, path, headers_, method="POST")
        assert status == 403, headers_
    # DNS rebinding: a page of evil.example resolved to this server sends the right proof with its own Host
    status, _h, _b = get(server.port, path, {"Cookie": f"samsyn_page={token}", "Origin": "http://evil.example",
                                             "Host": "evil.example"}, method="POST")
    assert status == 400  # samsyn.guard's Host allowlist, before the shutdown handler
    assert get(server.port, f"/api/kernels/{kernel}", {"Origin": origin}, method="DELETE")[0] == 405
    time.sleep(1)
    assert kernel in server.kernel_ids(), "a refused request shut the kernel down"

    status, headers, _b = get(server.port, path, {"Cookie": f"samsyn_page={token}", "Origin": origin}, method="POST")
    assert status == 204
    assert any(n.lower() == "set-cookie" and v.startswith("samsyn_page=") for n, v in headers)  # cleared
    wait_for(lambda: kernel not in server.kernel_ids(), 10)
    # Voila's own route for this (the generic kernel API) is not how it happened: DELETE is not needed
    assert "Samsyn: a page was left" in server.log()


def test_kernels_no_browser_connects_to_are_culled_within_a_minute(voila_factory):
    """40 plain GETs used to add 40 kernels for 30 minutes. Default settings."""
    server = voila_factory()
    wait_for(lambda: len(server.kernel_ids()) >= pool_size(), 180)
    time.sleep(2)
    base = server.kernel_ids()
    paths = ["/voila/render/case.ipynb?case=assi&lang=sv", "/voila/render/start.ipynb?lang=sv",
             "/voila/render/case.ipynb?case=max&lang=en", "/voila/render/mentor.ipynb?lang=sv"]
    served = []
    for path in paths:
        status, _h, body = get(server.port, path)
        assert status == 200
        served.append((kernel_of(body), time.monotonic()))
    assert {k for k, _t in served} <= server.kernel_ids()
    for kernel, at in served:
        wait_for(lambda: kernel not in server.kernel_ids(), max(1.0, 62 - (time.monotonic() - at)))
    # the pool refilled, and nothing else is left
    wait_for(lambda: len(server.kernel_ids()) == pool_size(), 120)
    assert not ({k for k, _t in served} & server.kernel_ids())
    assert base - server.kernel_ids() == {k for k, _t in served} & base
    assert "no browser connected" in server.log()


@pytest.mark.browser
def test_pages_left_in_a_tab_release_their_kernels(voila_factory, page):
    """start → case → start → case → close: four page views, no kernel left behind."""
    server = voila_factory()
    wait_for(lambda: len(server.kernel_ids()) >= pool_size(), 180)
    trainee = Store(server.database_url).create_participant("Växla", self_paced=True)
    code = trainee.personal_code

    def kernel_now() -> str:
        return page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")

    seen = []
    page.goto(server.page("start.ipynb", lang="sv", code=code))
    expect(page.locator(".samsyn-case-link").first).to_be_visible()
    seen.append(kernel_now())
    page.locator('.samsyn-case-link[data-case="assi"]').click()          # navigation
    expect(page.locator(".samsyn-next")).to_be_visible()
    seen.append(kernel_now())
    wait_for(lambda: seen[0] not in server.kernel_ids(), 10)
    page.locator(".samsyn-back-link").click()                             # navigation back
    expect(page.locator(".samsyn-case-link").first).to_be_visible()
    seen.append(kernel_now())
    wait_for(lambda: seen[1] not in server.kernel_ids(), 10)
    page.reload()                                                         # reload
    expect(page.locator(".samsyn-case-link").first).to_be_visible()
    seen.append(kernel_now())
    wait_for(lambda: seen[2] not in server.kernel_ids(), 10)
    page.goto(server.page("case.ipynb", case="max", lang="sv", code=code))
    expect(page.locator(".samsyn-next")).to_be_visible()
    seen.append(kernel_now())
    wait_for(lambda: seen[3] not in server.kernel_ids(), 10)
    page.close(run_before_unload=True)                                    # the tab is closed
    wait_for(lambda: seen[4] not in server.kernel_ids(), 10)

    assert len(set(seen)) == 5
    wait_for(lambda: len(server.kernel_ids()) == pool_size(), 120)
    assert "403 POST /voila/api/shutdown" not in server.log()


def _parent_cmdline(server, kernel_id: str) -> str:
    import psutil

    for child in psutil.Process(server.proc.pid).children(recursive=True):
        try:
            if kernel_id in " ".join(child.cmdline()):
                return " ".join(child.parent().cmdline())
        except psutil.Error:
            continue
    raise AssertionError("kernel not found")


@pytest.mark.parametrize("fork", ["1", "0"])
def test_page_kernels_are_forked_from_the_preloaded_process_unless_turned_off(voila_factory, fork):
    server = voila_factory(extra_env={"SAMSYN_FORK_KERNELS": fork})
    status, _h, body = get(server.port, "/voila/render/case.ipynb?case=assi&lang=sv")
    assert status == 200
    parent = _parent_cmdline(server, kernel_of(body))
    assert ("samsyn.forkserver" in parent) == (fork == "1"), parent
