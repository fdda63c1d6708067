"""Engines and migrations.

SQLite (the default, a single file) runs in WAL mode with a busy timeout and
foreign keys on, so a room of trainees can write at once. PostgreSQL is used
when the URL says so (``postgresql://…``; the psycopg 3 driver is implied).
The schema is owned by Alembic (``store/migrations``); ``migrate(url)`` brings
any database to the newest revision.
"""

from __future__ import annotations

import importlib.resources
import threading
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(str(importlib.resources.files("store.migrations")))  # package data
SQLITE_BUSY_TIMEOUT_MS = 10_000

_engines: dict[str, Engine] = {}
_migrated: set[str] = set()
_lock = threading.RLock()  # engine_for takes it too, inside ensure_schema


def normalise_url(url: str) -> str:
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    if u.drivername == "sqlite" and u.database and u.database != ":memory:":
        Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return u.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
    return engine


def engine_for(url: str) -> Engine:
    """One engine per URL per process."""
    key = normalise_url(url)
    with _lock:
        if key not in _engines:
            _engines[key] = make_engine(key)
        return _engines[key]


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def database_revision(url: str) -> str | None:
    """The Alembic revision the database at ``url`` is at (None: not migrated yet)."""
    return current_revision(engine_for(url))


def redacted_url(url: str) -> str:
    """The URL as it may be shown or logged: the password hidden."""
    return make_url(url).render_as_string(hide_password=True)


#: The key of the PostgreSQL advisory lock that migrations hold ("SAMS").
MIGRATION_LOCK_KEY = 0x53414D53


def _hold_migration_lock(conn) -> None:
    """Take the database-wide migration lock for the rest of this transaction.

    Kernels start side by side (a room opening its pages at once), and each migrates
    a fresh database on first use: without one lock across processes, two of them
    create the same tables. PostgreSQL: a transaction-level advisory lock. SQLite: an
    immediate (write) transaction, which waits for the other writer (busy timeout).
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def migrate(url: str, revision: str = "head") -> None:
    """Upgrade the database at ``url`` to ``revision`` (default: newest).

    The migration lock is held from before Alembic reads the current revision until the
    upgrade commits, so a second process that waited finds the schema current and does nothing.
    """
    from alembic import command

    engine = engine_for(url)
    cfg = alembic_config(url)
    with engine.begin() as conn:
        _hold_migration_lock(conn)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def ensure_schema(url: str) -> None:
    """Migrate once per process (cheap check when already current); the process lock is held throughout."""
    key = normalise_url(url)
    if key in _migrated:
        return
    from store.migrations import HEAD

    with _lock:
        if key in _migrated:
            return
        if current_revision(engine_for(url)) != HEAD:
            migrate(url)
        _migrated.add(key)


def session_factory(url: str, *, migrate_schema: bool = True) -> sessionmaker[Session]:
    if migrate_schema:
        ensure_schema(url)
    return sessionmaker(engine_for(url), expire_on_commit=False)


def dispose_all() -> None:
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _migrated.clear()
