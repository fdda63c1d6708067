"""The PostgreSQL setup of docs/deploy.md, as written: db upgrade, serve, open a page."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from store import Store
from store.db import dispose_all
from store.migrations import HEAD

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def test_samsyn_on_postgresql(postgres, voila_factory, page, tmp_path):
    url = postgres.create_database("samsyn_deploy").replace("postgresql+psycopg://", "postgresql://")
    env = {"SAMSYN_DATABASE_URL": url}
    upgraded = subprocess.run([sys.executable, "-m", "samsyn.cli", "db", "upgrade"], capture_output=True, text=True,
                              env={**os.environ, **env}, timeout=300)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"database at revision {HEAD}" in upgraded.stdout

    store = Store(url)
    trainee = store.create_participant("Postgres-Pia", self_paced=True)
    server = voila_factory(tmp_path, extra_env=env)
    assert "database ready (postgresql://samsyn@127.0.0.1" in server.log()  # serve migrated PostgreSQL

    page.goto(server.page("start.ipynb", lang="sv", code=trainee.personal_code))
    expect(page.locator(".samsyn-signed-in")).to_contain_text("Postgres-Pia")  # the kernel read PostgreSQL
    page.goto(server.page("case.ipynb", case="assi", lang="sv", code=trainee.personal_code))
    page.locator(".samsyn-opt-exposure-home-brister_i_omsorg input[type=checkbox]").check()
    expect(page.locator(".samsyn-draft-saved")).to_be_visible()
    assert store.load_draft(trainee.id, "assi")["exposure"]["home"] == ["brister_i_omsorg"]
    dispose_all()
