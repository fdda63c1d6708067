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
APP_PACKAGES = ("samsyn", "cases", "widgets", "scoring", "store", "feedback", "insight", "training")
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
    default = getattr(Settings.from_env({}), field.name)
    sample = ("no" if default else "yes") if _kind(field) is bool else SAMPLES[_kind(field)]
    raw = {"SAMSYN_LANG": "en", "SAMSYN_BASE_URL": "user/anna", "JUPYTERHUB_BASE_URL": "/hub-prefix",
           "SAMSYN_ROOM_SIZE": "12", "SAMSYN_ROOM_MAX": "12"}.get(name, sample)
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
    ("SAMSYN_ROOM_SIZE", "501", "at most 500"), ("SAMSYN_KERNEL_DISCONNECTED_TIMEOUT", "0", "at least 1"),
    ("SAMSYN_FORK_KERNELS", "kanske", "yes or no"),
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


def test_the_kernel_cap_holds_the_room():
    """A room of N may hold 1.5 N page kernels; unset, the cap grows with the room; set too low, serve refuses."""
    from samsyn.config import kernels_for_room, room_that_fits

    assert Settings.from_env({}).kernel_cap == 60 and Settings.from_env({}).mentor_room_max == 40
    assert Settings.from_env({"SAMSYN_ROOM_SIZE": "40"}).kernel_cap == 60
    assert Settings.from_env({"SAMSYN_ROOM_SIZE": "100"}).kernel_cap == 150
    assert Settings.from_env({"SAMSYN_ROOM_MAX": "60"}).kernel_cap == 90
    assert Settings.from_env({"SAMSYN_MAX_KERNELS": "90", "SAMSYN_ROOM_SIZE": "60"}).kernel_cap == 90
    small = Settings.from_env({"SAMSYN_MAX_KERNELS": "20"})
    assert small.kernel_cap == 20 and small.mentor_room_max == 13 and kernels_for_room(13) <= 20 < kernels_for_room(14)
    assert all(kernels_for_room(room_that_fits(c)) <= c < kernels_for_room(room_that_fits(c) + 1) for c in range(1, 400))
    with pytest.raises(SettingError, match="SAMSYN_MAX_KERNELS: a room of 40 .* up to 60 page kernels"):
        Settings.from_env({"SAMSYN_MAX_KERNELS": "50", "SAMSYN_ROOM_SIZE": "40"})
    result = subprocess.run([sys.executable, "-m", "samsyn.cli", "serve", "--room", "40"], capture_output=True,
                            text=True, env={"PATH": "/usr/bin:/bin", "SAMSYN_MAX_KERNELS": "50"})
    assert result.returncode == 2 and "SAMSYN_MAX_KERNELS" in result.stderr and "Traceback" not in result.stderr
