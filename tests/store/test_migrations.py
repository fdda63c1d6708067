"""The Alembic migrations and the models agree; HEAD names the newest revision."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from store.db import engine_for, head_revision
from store.migrations import HEAD
from store.models import Base


def test_head_constant_matches_alembic():
    assert head_revision() == HEAD


def test_migrations_match_the_models(store, database_url):
    with engine_for(database_url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_upgrade_is_repeatable(store, database_url):
    from store.db import current_revision, migrate

    migrate(database_url)
    migrate(database_url)
    assert current_revision(engine_for(database_url)) == HEAD


MIGRATE_AT_ONCE = """
import sys, time
from store.db import migrate
start = float(sys.argv[2])
while time.time() < start:
    time.sleep(0.005)
migrate(sys.argv[1])
"""


def test_processes_that_migrate_a_fresh_database_at_once_all_succeed(database_url):
    """A room opens its pages at once: each kernel migrates the fresh database on first use."""
    import subprocess
    import sys
    import time

    from store.db import current_revision

    start = time.time() + 3.0
    procs = [subprocess.Popen([sys.executable, "-c", MIGRATE_AT_ONCE, database_url, str(start)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = [(p.wait(120), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    failed = [err.strip().splitlines()[-1] for code, err in results if code != 0]
    assert failed == []
    assert current_revision(engine_for(database_url)) == HEAD
