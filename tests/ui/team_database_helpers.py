"""Helpers of the window's team-database tests: a PostgreSQL server of the test's own that can be
stopped and started again (the window must notice, retry and come back), and a team database of an
older schema (the window must ask before upgrading it).

The server is a throw-away cluster from `tests.pg_server.start()`, not the suite's shared one, so
stopping it disturbs no other test; it keeps its folder and port between `pause` and `resume`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def own_server() -> Iterator:
    """A new PostgreSQL server (tests.pg_server.Server), its password file in PGPASSFILE meanwhile."""
    from tests import pg_server

    if pg_server.binaries() is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("PostgreSQL's programs (initdb, pg_ctl) are not installed")
        pytest.skip("PostgreSQL's programs (initdb, pg_ctl) are not installed")
    server = pg_server.start()
    previous = os.environ.get("PGPASSFILE")
    os.environ["PGPASSFILE"] = str(server.passfile)
    try:
        yield server
    finally:
        if previous is None:
            os.environ.pop("PGPASSFILE", None)
        else:
            os.environ["PGPASSFILE"] = previous
        server.stop()


def _port(server) -> int:
    from sqlalchemy.engine import make_url

    return int(make_url(server.url).port)


def pause(server) -> None:
    """Stop the server (its connections are closed); its data stays for `resume`."""
    from tests.pg_server import _run

    _run(server.bin, "pg_ctl", "-D", str(server.folder / "data"), "-m", "fast", "-w", "stop")


def resume(server) -> None:
    """Start the paused server again, on the same port."""
    from tests.pg_server import _run

    _run(server.bin, "pg_ctl", "-D", str(server.folder / "data"), "-l", str(server.folder / "server.log"), "-w",
         "-t", "60", "-o", f"-p {_port(server)} -k {server.folder} -c listen_addresses=127.0.0.1 -c fsync=off",
         "start")


def older_team_project(url: str, folder: Path, objects: Path, revision_index: int = 3) -> str:
    """A project folder attached to the team database at `url`, whose schema an older MLDesk made (its
    migrations up to the `revision_index`-th); the project's id."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from desktop_app.core.store.database import _alembic_config
    from desktop_app.core.store.sqlite_file import known_revisions
    from desktop_app.core.store.team_file import TeamDatabase

    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            command.upgrade(_alembic_config(connection), known_revisions()[revision_index])
            connection.execute(text("INSERT INTO project (id, name, created_at, created_by, host) "
                                    "VALUES ('p1', 'Old heart', '2025-01-01 00:00:00+00', 'ana', 'pc1')"))
    finally:
        engine.dispose()
    folder.mkdir(parents=True)
    objects.mkdir(parents=True, exist_ok=True)
    TeamDatabase(url, objects, "p1", "ws-of-this-folder").write(folder)
    return "p1"


def schema_revision(url: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()


def project_names(url: str) -> list[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text("SELECT name FROM project")).scalars())
    finally:
        engine.dispose()
