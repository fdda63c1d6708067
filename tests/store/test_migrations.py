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
