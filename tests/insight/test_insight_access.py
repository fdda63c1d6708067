"""Who gets the manager view: a key standalone, a hub group behind JupyterHub."""

import os
import subprocess
import sys

import pytest

from insight.access import NO_KEY_CONFIGURED, NOT_IN_GROUP, WRONG_KEY, check_access, hub_groups
from samsyn.config import Settings


def test_standalone_needs_the_configured_key():
    env = {"SAMSYN_MANAGER_KEY": "s3cret-key"}
    assert check_access("s3cret-key", environ=env).allowed
    assert check_access("s3cret-key", environ=env).via == "key"
    for wrong in (None, "", "s3cret", "s3cret-key ", "S3CRET-KEY", "s3cret-keyx", "åäö"):
        result = check_access(wrong, environ=env)
        assert not result.allowed and result.reason == WRONG_KEY, wrong


def test_standalone_without_a_key_configured_is_closed():
    result = check_access("anything", environ={})
    assert not result.allowed and result.reason == NO_KEY_CONFIGURED
    assert not check_access("", manager_key="", environ={}).allowed


def test_settings_carry_the_key_and_the_group():
    s = Settings.from_env({"SAMSYN_MANAGER_KEY": "k", "SAMSYN_MANAGER_GROUP": "chefer"})
    assert s.manager_key == "k" and s.manager_group == "chefer"
    assert Settings.from_env({}).manager_key is None and Settings.from_env({}).manager_group == "samsyn-managers"
    assert check_access("k", manager_key=s.manager_key, environ={}).allowed


def test_behind_jupyterhub_the_group_decides_and_a_key_does_not_count():
    base = {"JUPYTERHUB_USER": "anna", "SAMSYN_MANAGER_KEY": "k"}
    assert check_access(None, environ={**base, "SAMSYN_HUB_GROUPS": "mentors, samsyn-managers"}).allowed
    refused = check_access("k", environ={**base, "SAMSYN_HUB_GROUPS": "mentors"})
    assert not refused.allowed and refused.reason == NOT_IN_GROUP and refused.via == "hub"
    assert not check_access("k", environ=base).allowed  # no groups at all
    custom = {**base, "SAMSYN_MANAGER_GROUP": "enhetschefer", "SAMSYN_HUB_GROUPS": "enhetschefer"}
    assert check_access(None, environ=custom).allowed
    assert not check_access(None, environ={**custom, "SAMSYN_HUB_GROUPS": "samsyn-managers"}).allowed
    assert hub_groups({"SAMSYN_HUB_GROUPS": " a,,b ,"}) == {"a", "b"}


def test_samsyn_demo_fills_a_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    result = subprocess.run([sys.executable, "-m", "samsyn.cli", "demo", "--database-url", url, "--answers", "800",
                             "--teams", "5", "--seed", "2"], capture_output=True, text=True, env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("800 answer(s)") and "5 team(s)" in result.stdout
    from insight import load_answers

    raw = load_answers(url)
    assert len(raw) == 800 and raw["team"].nunique() == 5


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_reasons_kept_as_data_have_messages(lang):
    from insight.privacy import FEW_ANSWERS, FEW_PEOPLE
    from samsyn.i18n import Messages

    m = Messages(lang)
    for key in (FEW_ANSWERS, FEW_PEOPLE, NO_KEY_CONFIGURED, WRONG_KEY, NOT_IN_GROUP, "insight.no_variation"):
        assert m(key, min=5), key
    assert "5" in m(FEW_ANSWERS, min=5)
