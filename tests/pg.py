"""A fresh PostgreSQL database per test, on the server `.ci/postgres.sh start` gives (issue 13).

    from tests.pg import pg_url  # noqa: F401  (the fixture)

    def test_something(pg_url, tmp_path):
        project = Project.create(tmp_path / "p", database_url=pg_url)

The server's URL comes from MLDESK_TEST_POSTGRES_URL (its password from PGPASSFILE, never the
URL). Without it the tests are skipped with a visible reason — except in CI (CI=true), where a
missing server is a failure: a green run must not mean "nothing was tried".
"""

from __future__ import annotations

import os
import uuid

import pytest

SERVER_ENV = "MLDESK_TEST_POSTGRES_URL"
NO_SERVER = f"no PostgreSQL server: set {SERVER_ENV} (.ci/postgres.sh start)"


def server_url() -> str:
    """The server's URL (its maintenance database); skip — or fail in CI — when none is given."""
    url = os.environ.get(SERVER_ENV, "").strip()
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(NO_SERVER)
        pytest.skip(NO_SERVER)
    return url


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


@pytest.fixture
def pg_server() -> str:
    """The server's URL, for tests that make their own databases or connect as someone else."""
    return server_url()


@pytest.fixture
def pg_url(pg_server):
    """The URL of a new, empty database on the test server, dropped after the test."""
    url = create_database(pg_server)
    yield url
    drop_database(url)
