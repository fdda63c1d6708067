"""Who gets the manager view: a key standalone, a hub group behind JupyterHub."""

import os
import subprocess
import sys

import pytest

from insight.access import NO_KEY_CONFIGURED, NOT_IN_GROUP, WRONG_KEY, check_access
from samsyn import hub
from samsyn.config import Settings


def test_standalone_needs_the_configured_key():
    settings = Settings.from_env({"SAMSYN_MANAGER_KEY": "s3cret-key"})
    assert check_access("s3cret-key", settings).allowed
    assert check_access("s3cret-key", settings).via == "key"
    for wrong in (None, "", "s3cret", "s3cret-key ", "S3CRET-KEY", "s3cret-keyx", "åäö"):
        result = check_access(wrong, settings)
        assert not result.allowed and result.reason == WRONG_KEY, wrong


def test_standalone_without_a_key_configured_is_closed():
    result = check_access("anything", Settings.from_env({}))
    assert not result.allowed and result.reason == NO_KEY_CONFIGURED
    assert not check_access("", Settings.from_env({"SAMSYN_MANAGER_KEY": ""})).allowed


def test_settings_carry_the_key_and_the_groups():
    s = Settings.from_env({"SAMSYN_MANAGER_KEY": "k", "SAMSYN_MANAGER_GROUP": "chefer", "SAMSYN_MENTOR_GROUP": "ledare"})
    assert s.manager_key == "k" and s.manager_group == "chefer" and s.mentor_group == "ledare"
    empty = Settings.from_env({})
    assert empty.manager_key is None and empty.manager_group == "samsyn-managers" and empty.mentor_group == "samsyn-mentors"
    assert check_access("k", s).allowed


def test_behind_jupyterhub_the_group_decides_and_a_key_does_not_count():
    settings = Settings.from_env({"JUPYTERHUB_USER": "anna", "SAMSYN_MANAGER_KEY": "k"})
    roles = hub.roles(settings, frozenset({"mentors", "samsyn-managers"}))
    assert roles.manager and not roles.mentor and check_access(None, settings, roles).allowed
    refused = check_access("k", settings, hub.roles(settings, frozenset({"mentors"})))
    assert not refused.allowed and refused.reason == NOT_IN_GROUP and refused.via == "hub"
    custom = settings.replace(manager_group="enhetschefer")
    assert check_access(None, custom, hub.roles(custom, frozenset({"enhetschefer"}))).allowed
    assert not check_access(None, custom, hub.roles(custom, frozenset({"samsyn-managers"}))).allowed
    assert hub.roles(Settings.from_env({}), frozenset({"samsyn-managers"})) is None  # not behind a hub


def test_without_an_answer_from_the_hub_nobody_is_a_manager():
    # No API address or token: the hub cannot be asked, so no role (closed), with the reason kept.
    settings = Settings.from_env({"JUPYTERHUB_USER": "anna", "SAMSYN_MANAGER_KEY": "k"})
    roles = hub.roles(settings)
    assert not roles.manager and not roles.mentor and "JUPYTERHUB_API_TOKEN" in roles.problem
    assert not check_access("k", settings).allowed
    # A hub that does not list the groups (the token lacks the scope) or answers for someone else.
    with pytest.raises(hub.HubError, match=hub.GROUPS_SCOPE):
        hub.groups_from_model({"name": "anna", "kind": "user"}, "anna")
    with pytest.raises(hub.HubError, match="not for 'anna'"):
        hub.groups_from_model({"name": "bo", "groups": ["samsyn-managers"]}, "anna")
    assert hub.groups_from_model({"name": "anna", "groups": ["samsyn-managers"]}, "anna") == {"samsyn-managers"}


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
