"""The samsyn command line, run as a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys

from openpyxl import load_workbook

from samsyn.config import Settings, default_database_url
from store import AnswerIn, Store


def samsyn(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "samsyn.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def test_help_lists_the_commands():
    out = samsyn("--help").stdout
    for command in ("serve", "cases", "export", "db"):
        assert command in out
    serve = samsyn("serve", "--help").stdout
    for flag in ("--port", "--database-url", "--lang"):
        assert flag in serve


def test_default_database_lives_outside_the_served_folder(tmp_path):
    from samsyn.config import training_dir

    url = default_database_url()
    assert url.startswith("sqlite:///")
    assert not url.removeprefix("sqlite:///").startswith(str(training_dir()))
    settings = Settings.from_env({"SAMSYN_DATABASE_URL": "postgresql://x@127.0.0.1/db", "SAMSYN_LANG": "en"})
    assert settings.database_url.startswith("postgresql://") and settings.language == "en"


def test_db_upgrade_and_export_to_excel_and_csv(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    result = samsyn("db", "upgrade", "--database-url", url)
    assert result.returncode == 0, result.stderr
    store = Store(url)
    p = store.create_participant("=HYPERLINK(\"http://x\")", self_paced=True)
    store.submit_answer(p.id, AnswerIn(case_id="max", risk="hog", motivation="Tandvård saknas"))

    xlsx = tmp_path / "answers.xlsx"
    result = samsyn("export", "--database-url", url, "--output", str(xlsx))
    assert result.returncode == 0, result.stderr
    assert "1 answer(s)" in result.stdout
    ws = load_workbook(xlsx).active
    header = [c.value for c in ws[1]]
    row = dict(zip(header, [c.value for c in ws[2]]))
    assert row["case_id"] == "max" and row["risk"] == "hog"
    assert row["pseudonym"].startswith("'=")  # formulas neutralised

    csv_path = tmp_path / "answers.csv"
    result = samsyn("export", "--database-url", url, "--format", "csv", "--output", str(csv_path))
    assert result.returncode == 0, result.stderr
    assert "Tandvård saknas" in csv_path.read_text(encoding="utf-8")


def test_cases_check_passes_on_the_shipped_library():
    result = samsyn("cases", "check")
    assert result.returncode == 0, result.stderr
    assert "0 file(s) with problems" in result.stdout
