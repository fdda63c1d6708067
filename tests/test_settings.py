"""Every setting lives in the settings object, is read there only, and has a README row."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from samsyn.config import Settings, SettingError

REPO = Path(__file__).resolve().parent.parent
APP_PACKAGES = ("samsyn", "cases", "widgets", "scoring", "store", "feedback", "insight", "programmes", "training")
NAME = re.compile(r"^(SAMSYN|JUPYTERHUB)_[A-Z0-9_]+$")
#: A value each kind of setting accepts, unlike its default.
SAMPLES = {int: "4321", str: "sample-value", Path: "/tmp/samsyn-sample", bool: "yes"}


def readme_rows() -> dict[str, str]:
    """environment variable -> flag ('' for none), from the tables under '## Configuration'."""
    text = (REPO / "README.md").read_text()
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and NAME.match(cells[1].strip("`")):
            rows[cells[1].strip("`")] = cells[0].strip("`")
    return rows


def test_every_setting_has_a_readme_row_and_every_row_a_setting():
    rows = readme_rows()
    assert sorted(rows) == sorted(Settings.env_names())
    for f in Settings.fields():
        assert rows[f.metadata["env"]] == (f.metadata["flag"] or ""), f.name


def test_every_flag_is_a_flag_of_its_command():
    helps: dict[str, str] = {}
    for f in Settings.fields():
        if f.metadata["flag"]:
            command = f.metadata["command"]
            if command not in helps:
                helps[command] = subprocess.run([sys.executable, "-m", "samsyn.cli", command, "--help"],
                                                capture_output=True, text=True).stdout
            assert f.metadata["flag"] in helps[command], f.name


def _kind(f) -> type:
    hint = typing.get_type_hints(Settings)[f.name]
    args = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
    return args[0]


@pytest.mark.parametrize("field", Settings.fields(), ids=lambda f: f.metadata["env"])
def test_from_env_reads_each_variable(field):
    name = field.metadata["env"]
    raw = {"SAMSYN_LANG": "en", "SAMSYN_BASE_URL": "user/anna", "JUPYTERHUB_BASE_URL": "/hub-prefix"}.get(
        name, SAMPLES[_kind(field)])
    default = getattr(Settings.from_env({}), field.name)
    value = getattr(Settings.from_env({name: raw}), field.name)
    assert value != default and value == field.metadata["parse"](raw)


def test_settings_survive_the_trip_to_the_kernels():
    s = Settings.from_env({"SAMSYN_PORT": "9001", "SAMSYN_BASE_URL": "/user/anna/", "SAMSYN_MIN_GROUP": "7",
                           "SAMSYN_MANAGER_KEY": "hemlig-nyckel-42", "SAMSYN_VOILA_CONFIG_DIR": "/etc/samsyn/voila",
                           "SAMSYN_ALLOWED_HOSTS": "samsyn.example.org, *.kommun.example", "SAMSYN_EXPORT_HUB_USERNAMES": "on"})
    assert s.allowed_hosts == ("samsyn.example.org", "*.kommun.example") and s.export_hub_usernames is True
    assert Settings.from_env(s.to_environ()) == s
    assert "hemlig-nyckel-42" not in repr(s)  # secrets stay out of logs


@pytest.mark.parametrize("name, raw, problem", [
    ("SAMSYN_PORT", "åtta", "expected a whole number"), ("SAMSYN_PORT", "70000", "port number"),
    ("SAMSYN_MIN_GROUP", "0", "at least 1"), ("SAMSYN_MIN_GROUP", "fem", "whole number"),
    ("SAMSYN_MAX_KERNELS", "0", "at least 1"), ("SAMSYN_EXPORT_HUB_USERNAMES", "kanske", "yes or no"),
    ("SAMSYN_CLIENT_IP_HEADER", "X-Forwarded-For: 1.2.3.4", "header name"),
])
def test_a_bad_value_names_the_variable(name, raw, problem):
    with pytest.raises(SettingError, match=f"{name}: .*{problem}"):
        Settings.from_env({name: raw})
    result = subprocess.run([sys.executable, "-m", "samsyn.cli", "serve"], capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", name: raw})
    assert result.returncode == 2 and name in result.stderr and "Traceback" not in result.stderr


def test_no_module_reads_a_setting_but_the_settings_object():
    readers = []
    for package in APP_PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            if path == REPO / "samsyn" / "config.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and NAME.match(node.value):
                    readers.append(f"{path.relative_to(REPO)}:{node.lineno} {node.value}")
    for path in (REPO / "training").glob("*.ipynb"):
        if re.search(r"(SAMSYN|JUPYTERHUB)_[A-Z]", path.read_text()):
            readers.append(str(path.relative_to(REPO)))
    assert readers == []
