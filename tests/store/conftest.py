"""The store suite runs twice: against a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

import itertools

import pytest

from cases import load_library
from store import Store
from store.db import dispose_all

_counter = itertools.count()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'samsyn.sqlite3'}"
    else:
        server = request.getfixturevalue("postgres")
        url = server.create_database(f"samsyn_test_{next(_counter)}")
    yield url
    dispose_all()


@pytest.fixture
def store(database_url) -> Store:
    return Store(database_url)


@pytest.fixture(scope="module")
def library():
    """The shipped case library (the store's tests validate answers against it)."""
    return load_library()
