"""Idle kernels are culled; the trainee's draft is not lost.

A trainee who closes the lid (no ``beforeunload``, so the page never says
goodbye) leaves a kernel behind. Once its browser has disconnected and the
kernel has been quiet for ``SAMSYN_KERNEL_DISCONNECTED_TIMEOUT`` seconds
(default 60; samsyn/kernels.py), it is shut down (pooled, preheated kernels are
never culled). Here the timeout is 4 s; the draft, saved on every change, is in
the database, and the page restores it on the next visit.
"""

from __future__ import annotations

import time

import psutil
import pytest
from playwright.sync_api import expect

from store import Store

pytestmark = pytest.mark.browser


def kernel_alive(server, kernel_id: str) -> bool:
    for child in psutil.Process(server.proc.pid).children(recursive=True):
        try:
            if any(kernel_id in part for part in child.cmdline()):
                return True
        except psutil.Error:
            continue
    return False


def test_an_idle_kernel_is_culled_and_the_draft_survives(voila_factory, page, tmp_path):
    server = voila_factory(tmp_path, extra_env={"SAMSYN_KERNEL_DISCONNECTED_TIMEOUT": "4",
                                                "SAMSYN_KERNEL_CULL_INTERVAL": "1"})
    store = Store(server.database_url)
    trainee = store.create_participant("Lunch", self_paced=True)
    url = server.page("case.ipynb", case="max", lang="sv", code=trainee.personal_code)

    page.goto(url)
    page.locator(".samsyn-opt-exposure-home-brister_i_omsorg input[type=checkbox]").check()
    expect(page.locator(".samsyn-draft-saved")).to_be_visible()
    kernel_id = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
    assert kernel_alive(server, kernel_id)
    context = page.context
    page.close(run_before_unload=False)  # the lid closes: Voila is not told

    deadline = time.monotonic() + 120
    while kernel_alive(server, kernel_id) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not kernel_alive(server, kernel_id), "the idle kernel was not culled"
    assert "its browser went away" in server.log()

    again = context.new_page()
    again.set_default_timeout(120_000)
    again.goto(url)
    expect(again.locator(".samsyn-draft-restored")).to_be_visible()
    expect(again.locator(".samsyn-opt-exposure-home-brister_i_omsorg input[type=checkbox]")).to_be_checked()
    assert store.load_draft(trainee.id, "max")["exposure"]["home"] == ["brister_i_omsorg"]
