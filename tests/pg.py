"""Databases on the test's PostgreSQL server: a fresh one per test, dropped after it (issue 13).

The fixtures are in tests/conftest.py — `pg_server` (the server's URL; the run starts a throw-away
server when none is given, tests/pg_server.py) and `pg_url` (a new empty database on it):

    def test_something(pg_url, tmp_path):
        project = Project.create(tmp_path / "p", team_database=pg_url)

The password is in PGPASSFILE, never in a URL. Without a server the tests are skipped with the
reason — except in CI (CI=true), where that is a failure: a green run must have tried them.
"""

from __future__ import annotations

import uuid

SERVER_ENV = "MLDESK_TEST_POSTGRES_URL"


def _admin(url: str):
    from sqlalchemy import create_engine

    return create_engine(url, isolation_level="AUTOCOMMIT")  # CREATE/DROP DATABASE refuse a transaction


def create_database(url: str) -> str:
    """A new empty database on the server of `url`; its URL."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    name = f"mldesk_test_{uuid.uuid4().hex[:12]}"
    engine = _admin(url)
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop the database of `url` (closing whatever still uses it)."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    engine = _admin(parsed.set(database="postgres").render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    finally:
        engine.dispose()
