"""Behind JupyterHub: the hub user is the trainee, roles come from hub groups.

A JupyterHub single-user server gets ``JUPYTERHUB_USER`` (and, with the
configuration in docs/deploy.md, ``SAMSYN_HUB_GROUPS``) in its environment.
These tests start the real app with that environment and check what a
trainee and a non-manager see; the URL prefix test checks the wiring for a
proxy that strips ``/user/<name>/`` (jhsingle-native-proxy).
"""

from __future__ import annotations

import http.client

import pytest
from playwright.sync_api import expect

from store import Store

pytestmark = pytest.mark.browser

HUB_ENV = {"JUPYTERHUB_USER": "anna", "SAMSYN_HUB_GROUPS": "samsyn-trainees",
           "JUPYTERHUB_SERVICE_PREFIX": "/user/anna/"}


def test_the_hub_user_is_the_trainee_without_a_pseudonym(voila_factory, page, tmp_path):
    server = voila_factory(tmp_path, extra_env=HUB_ENV)
    page.goto(server.page("case.ipynb", case="assi", lang="sv"))  # no code in the link
    expect(page.locator(".samsyn-form")).to_be_visible()
    expect(page.locator(".samsyn-signed-in")).to_contain_text("anna")
    expect(page.locator(".samsyn-pseudonym")).to_have_count(0)
    flow_check = page.locator(".samsyn-opt-exposure-home-brister_i_omsorg input[type=checkbox]")
    flow_check.check()
    expect(page.locator(".samsyn-draft-saved")).to_be_visible()
    store = Store(server.database_url)
    anna = store.participant_by_hub_user("anna")
    assert anna is not None and anna.personal_code is None
    assert store.load_draft(anna.id, "assi")["exposure"]["home"] == ["brister_i_omsorg"]

    # The same hub user on the manager page: not in samsyn-managers, refused (no key asked for).
    page.goto(server.page("manager.ipynb", lang="en"))
    expect(page.locator(".samsyn-manager-refused")).to_be_visible()
    expect(page.locator(".samsyn-manager-view")).to_have_count(0)
    assert page.js_errors == []


def test_pages_carry_the_hub_prefix_when_a_proxy_strips_it(voila_factory, tmp_path):
    server = voila_factory(tmp_path, extra_env={**HUB_ENV, "SAMSYN_BASE_URL": "/user/anna/"})
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    conn.request("GET", "/")
    response = conn.getresponse()
    response.read()
    assert response.status == 302
    assert response.getheader("Location") == "/user/anna/voila/render/start.ipynb"
    conn.request("GET", "/voila/render/start.ipynb?lang=sv")  # the proxy has stripped /user/anna
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    assert response.status == 200
    assert '"baseUrl": "/user/anna/"' in body
    assert 'src="/user/anna/voila/' in body or 'href="/user/anna/voila/' in body
