"""The backup and restore commands of docs/deploy.md, run as written, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from store import AnswerIn, Store
from store.db import dispose_all
from store.migrations import HEAD

REPO = Path(__file__).resolve().parents[2]
BLOCKS = dict(re.findall(r"<!-- run: (\S+) -->\n```sh\n(.*?)```", (REPO / "docs" / "deploy.md").read_text(), flags=re.S))


def run(name: str, cwd: Path, **env: str) -> str:
    """One of the guide's blocks, in bash, with this checkout's samsyn first on PATH."""
    full = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", **env}
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", BLOCKS[name]], cwd=cwd, env=full,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{name}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def answer(store: Store, pseudonym: str):
    participant = store.create_participant(pseudonym, self_paced=True)
    store.submit_answer(participant.id, AnswerIn(case_id="max", risk="hog", motivation=f"{pseudonym}: tandvård saknas"))
    return participant


def test_the_guide_has_the_four_blocks():
    assert sorted(BLOCKS) == ["postgres-backup", "postgres-restore", "sqlite-backup", "sqlite-restore"]


def test_sqlite_backup_while_serving_and_restore(tmp_path):
    home = tmp_path / "home"
    url = f"sqlite:///{home / '.local' / 'share' / 'samsyn' / 'samsyn.sqlite3'}"  # the guide's ~/.local/share/samsyn
    store = Store(url)
    before = answer(store, "Före")
    run("sqlite-backup", tmp_path, HOME=str(home), XDG_DATA_HOME="")  # the store's connections stay open
    after = answer(store, "Efter")
    dispose_all()  # the server stops
    run("sqlite-restore", tmp_path, HOME=str(home), XDG_DATA_HOME="")
    restored = Store(url)
    assert restored.participant_by_code(before.personal_code) is not None
    assert restored.participant_by_code(after.personal_code) is None
    assert restored.count_answers("max") == 1
    dispose_all()


@pytest.mark.postgres
def test_postgres_backup_and_restore(postgres, tmp_path):
    url = postgres.create_database("samsyn_backup").replace("postgresql+psycopg://", "postgresql://")
    store = Store(url)
    before = answer(store, "Före")
    run("postgres-backup", tmp_path, SAMSYN_DATABASE_URL=url)
    after = answer(store, "Efter")
    dispose_all()
    out = run("postgres-restore", tmp_path, SAMSYN_DATABASE_URL=url)
    assert f"database at revision {HEAD}" in out
    restored = Store(url)
    assert restored.participant_by_code(before.personal_code) is not None
    assert restored.participant_by_code(after.personal_code) is None
    assert [a.motivation for a in restored.answers(case_id="max")] == ["Före: tandvård saknas"]
    dispose_all()
