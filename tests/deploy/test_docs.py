"""docs/deploy.md shows the files the tests run, names tests that exist, and states the pinned versions."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
GUIDE = (REPO / "docs" / "deploy.md").read_text()


def marked_blocks(kind: str) -> dict[str, str]:
    """``<!-- kind: name -->`` followed by a fenced block: name -> the block's text."""
    found = re.findall(rf"<!-- {kind}: (\S+) -->\n```[a-z]*\n(.*?)```", GUIDE, flags=re.S)
    return dict(found)


def test_each_listing_is_its_file():
    listings = marked_blocks("file")
    assert sorted(listings) == ["docs/deploy/Dockerfile", "docs/deploy/config.yaml", "docs/deploy/voila-per-user.json"]
    for path, text in listings.items():
        assert text == (REPO / path).read_text(), path


def test_the_tests_the_guide_names_exist():
    named = set(re.findall(r"`(tests/[\w/]+\.py)`", GUIDE)) | {f"tests/deploy/{n}" for n in re.findall(r"`(test_\w+\.py)`", GUIDE)}
    assert named and all((REPO / n).exists() or any(REPO.glob(f"tests/*/{Path(n).name}")) for n in named), named


def test_the_versions_table_states_the_pins():
    hub_extra = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["hub"]
    pins = dict(p.split("==") for p in hub_extra)
    lock = json.loads((REPO / "tests" / "deploy" / "chp" / "package-lock.json").read_text())
    chp = lock["packages"]["node_modules/configurable-http-proxy"]["version"]
    values = yaml.safe_load((REPO / "docs" / "deploy" / "config.yaml").read_text())
    assert values["proxy"]["chp"]["image"]["tag"] == chp
    table = GUIDE.split("## Versions", 1)[1].split("\n## ", 1)[0]
    assert f"| JupyterHub | {pins['jupyterhub']}," in table
    assert f"| jupyter-server-proxy (`jupyter-standaloneproxy`) | {pins['jupyter-server-proxy']} |" in table
    assert f"| configurable-http-proxy | {chp}," in table
