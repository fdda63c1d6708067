"""Alembic migrations of the Samsyn store.

``HEAD`` names the newest revision so a kernel can see, with one cheap query,
whether the database is current; ``tests/store/test_migrations.py`` checks that
it matches Alembic's own head.
"""

HEAD = "0005_programmes"
