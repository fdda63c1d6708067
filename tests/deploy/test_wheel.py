"""The wheel is the app: built and installed by docs/deploy/Dockerfile's steps, outside the checkout, it serves.

``image`` (tests/deploy/conftest.py) builds the wheel from a copy of the
checkout and installs it with its ``hub`` extra into a fresh virtualenv, as
the Dockerfile does. Then, from a folder outside the repository and with
nothing of the checkout on the path: every file the app reads comes from the
installed package, ``samsyn serve`` serves the start page and a case page to
Chromium, and ``SAMSYN_CASES_DIR`` still points the app at another case folder.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
import flow  # noqa: E402  (tests/browser/flow.py)

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser

APP_PACKAGES = ("samsyn", "cases", "widgets", "scoring", "store", "feedback", "insight", "programmes", "training")


def installed_files(image) -> set[str]:
    record = next(image.bin.parent.glob("lib/python3*/site-packages/samsyn-*.dist-info/RECORD"))
    return {line.split(",")[0] for line in record.read_text().splitlines() if line}


def test_every_file_of_the_app_is_in_the_installed_wheel(image):
    tracked = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", *APP_PACKAGES],
                             cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    missing = sorted(set(t for t in tracked if (REPO / t).is_file()) - installed_files(image))
    assert missing == []
    for needed in ("training/case.ipynb", "training/voila.json", "cases/library/assi.yaml", "cases/variables.yaml",
                   "cases/reference_panel.yaml", "samsyn/locale/sv/LC_MESSAGES/samsyn.po",
                   "store/migrations/versions/0001_initial.py", "store/migrations/script.py.mako",
                   "store/migrations/versions/0002_security.py", "store/migrations/versions/0003_hub.py",
                   "store/migrations/versions/0004_mapping.py", "store/migrations/versions/0005_programmes.py",
                   "training/programme.ipynb", "programmes/calibration.py",
                   # Samsyn's own page template (samsyn/guard.py: no CDN, no inline script)
                   "samsyn/jupyter/voila/templates/samsyn/index.html.j2",
                   "samsyn/jupyter/voila/templates/samsyn/conf.json",
                   "samsyn/jupyter/voila/templates/samsyn/static/samsyn-setup.js"):
        assert needed in installed_files(image), needed


def test_files_are_found_in_the_installed_package_not_the_checkout(image, tmp_path):
    probe = ("import json, samsyn, samsyn.config as c, samsyn.i18n as i, cases, store.db as d, samsyn.guard as g\n"
             "import store.pseudonym as p\n"
             "s = c.Settings.from_env()\n"
             "print(json.dumps({'samsyn': samsyn.__file__, 'training': str(c.training_dir()), 'cases': str(s.cases_dir),"
             " 'variables': str(cases.loader.DEFAULT_VARIABLES_PATH), 'locale': str(i.LOCALE_DIR),"
             " 'migrations': str(d.MIGRATIONS_DIR), 'templates': str(g.TEMPLATES_DIR),"
             " 'levels': __import__('scoring').load_risk_levels()[1], 'look-alike': p.key('\u041aim')}))")
    result = subprocess.run([str(image.bin / "python"), "-c", probe], cwd=tmp_path, env=image.env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    site = str(image.bin.parent)
    for name, path in found.items():
        if name not in ("levels", "look-alike"):
            assert path.startswith(site) and not path.startswith(str(REPO)), (name, path)
    assert found["levels"] == "inte_kant"
    assert found["look-alike"] == "kim"  # Cyrillic К: confusable-homoglyphs came with the wheel's dependencies


def test_samsyn_cases_dir_still_points_elsewhere(image, tmp_path):
    own = tmp_path / "own-cases"
    own.mkdir()
    shutil.copy(REPO / "cases" / "library" / "max.yaml", own / "max.yaml")
    result = subprocess.run([str(image.bin / "samsyn"), "cases", "check"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120, env=image.env(SAMSYN_CASES_DIR=str(own)))
    assert result.returncode == 0, result.stderr
    assert "1 case(s) valid" in result.stdout and "ok    max:" in result.stdout


def test_the_installed_wheel_serves_the_start_and_a_case_page(image, voila_factory, page, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    server = voila_factory(tmp_path, command=[str(image.bin / "samsyn"), "serve"], cwd=outside, env=image.env())
    assert "database ready (sqlite:///" in server.log()
    response = page.goto(server.page("start.ipynb", lang="sv"))
    assert "script-src 'self'" in response.headers["content-security-policy"]  # samsyn.guard, from the wheel
    expect(page.locator(".samsyn-case-link[data-case='assi']")).to_be_visible()
    flow.sign_in(page, server.page("case.ipynb", case="assi", lang="sv"), "Hjulet")
    flow.check(page, "samsyn-opt-exposure-home-brister_i_omsorg")
    expect(page.locator(".samsyn-draft-saved")).to_be_visible()  # widgets talk to the installed kernel
    assert page.js_errors == []
    assert str(REPO) not in server.log()
