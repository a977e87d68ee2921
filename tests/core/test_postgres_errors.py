"""A team database (PostgreSQL, issue 13) that cannot be used: each failure is one sentence, no password in it.

A wrong host or port, a wrong password or user, a missing database, a connection lost in the
middle of a unit of work (nothing of it stays, the next one works), a newer schema (refused) and
an older one (upgraded only when asked). Skipped without a server (tests/pg.py).
"""

from __future__ import annotations

import socket

import pytest
from alembic import command
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from desktop_app.core.errors import ProjectError, SchemaUpgradeNeeded
from desktop_app.core.project import Project
from desktop_app.core.store import audit
from desktop_app.core.store.database import Database, _alembic_config
from desktop_app.core.store.models import AuditEventRow, ExperimentRow
from desktop_app.core.store.sqlite_file import head_revision, known_revisions

SECRET = "s3cret-never-shown"


def _url(base: str, **parts) -> str:
    return make_url(base).set(**parts).render_as_string(hide_password=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _one_sentence(message: str) -> None:
    assert "\n" not in message and message.endswith("."), message
    assert SECRET not in message and "Traceback" not in message, message


def _refusal(url: str) -> str:
    with pytest.raises(ProjectError) as caught:
        Database(url, create=False)
    message = str(caught.value)
    _one_sentence(message)
    return message


def test_unknown_host_is_one_sentence(pg_server):  # noqa: F811
    message = _refusal(_url(pg_server, host="no-such-host.invalid", password=SECRET))
    assert "no-such-host.invalid" in message and "cannot be reached (unknown host)" in message


def test_nothing_listening_is_one_sentence(pg_server):  # noqa: F811
    port = _free_port()
    message = _refusal(_url(pg_server, port=port, password=SECRET))
    assert f"127.0.0.1:{port}/postgres cannot be reached (connection refused)" in message
    assert "check the server is running" in message


def test_wrong_password_is_one_sentence_without_it(pg_server):  # noqa: F811
    message = _refusal(_url(pg_server, password=SECRET))
    assert "refused the user 'mldesk' (wrong password or unknown user)" in message


def test_unknown_user_is_one_sentence(pg_server):  # noqa: F811
    message = _refusal(_url(pg_server, username="nobody", password=SECRET))
    assert "refused the user 'nobody'" in message


def test_missing_database_is_one_sentence(pg_server):  # noqa: F811
    message = _refusal(_url(pg_server, database="no_such_db"))
    assert "There is no database 'no_such_db' on the server 127.0.0.1:" in message


def test_an_empty_database_is_not_a_project(pg_url):  # noqa: F811
    assert "is not an MLDesk project database" in _refusal(pg_url)


def _terminate(url: str, pid: int) -> None:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        admin.dispose()


def test_a_connection_lost_mid_work_saves_nothing_and_the_next_work_succeeds(pg_url, tmp_path):  # noqa: F811
    """The server ends the session (as on `pg_ctl stop -m fast` or an administrator's kill) inside a unit of work."""
    with Project.create(tmp_path / "p", database_url=pg_url) as project:
        with pytest.raises(ProjectError) as caught:
            with project.db.session() as session:
                session.add(ExperimentRow(name="half written", created_by="ana"))
                audit.record(session, "experiment.create", "experiment", "x", after={"name": "half written"})
                _terminate(pg_url, session.execute(text("SELECT pg_backend_pid()")).scalar_one())
                session.execute(text("SELECT 1"))
        message = str(caught.value)
        _one_sentence(message)
        assert "connection to the team database at 127.0.0.1:" in message and "was lost" in message
        assert "nothing of this change was saved" in message
        with project.db.read() as session:  # the next unit of work gets a new connection
            assert session.scalars(select(ExperimentRow).where(ExperimentRow.name == "half written")).first() is None
            assert session.scalars(select(AuditEventRow).where(AuditEventRow.entity_id == "x")).first() is None
        assert project.verify_audit().intact


def test_a_pooled_connection_the_server_dropped_is_replaced_silently(pg_url, tmp_path):  # noqa: F811
    with Project.create(tmp_path / "p", database_url=pg_url) as project:
        with project.db.read() as session:
            pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        _terminate(pg_url, pid)  # idle in the pool, e.g. a server restart or an idle timeout
        with project.db.read() as session:
            assert session.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
        assert project.name == "p"


def test_a_database_of_a_newer_schema_is_refused(pg_url, tmp_path):  # noqa: F811
    Project.create(tmp_path / "p", database_url=pg_url).close()
    engine = create_engine(pg_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    for allow_upgrade in (True, False):
        with pytest.raises(ProjectError, match="newer version of MLDesk") as caught:
            Database(pg_url, create=False, allow_upgrade=allow_upgrade)
        _one_sentence(str(caught.value))
        assert "schema 9999" in str(caught.value) and "update MLDesk" in str(caught.value)


def _older_database(url: str, revision: str) -> None:
    """The schema an older MLDesk made (its migrations up to `revision`), holding a project."""
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), revision)
        connection.execute(text("INSERT INTO project (id, name, created_at, created_by, host) "
                                "VALUES ('p1', 'Old one', '2025-01-01 00:00:00+00', 'ana', 'pc1')"))
    engine.dispose()


def test_an_older_schema_is_upgraded_only_when_asked(pg_url):  # noqa: F811
    old = known_revisions()[3]  # 0004: before the audit chain and the sync tables
    _older_database(pg_url, old)
    with pytest.raises(SchemaUpgradeNeeded) as caught:
        Database(pg_url, create=False, allow_upgrade=False)
    message = str(caught.value)
    _one_sentence(message)
    assert f"is at schema {old}, and this MLDesk needs schema {head_revision()}" in message
    assert "every workstation must upgrade together" in message and "mldesk upgrade" in message
    engine = create_engine(pg_url)
    with engine.connect() as connection:  # the refusal changed nothing
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == old
    engine.dispose()
    upgraded = Database(pg_url, create=False, allow_upgrade=True)
    try:
        assert upgraded.current_revision() == head_revision()
        with upgraded.read() as session:
            assert session.execute(text("SELECT name FROM project")).scalar_one() == "Old one"
    finally:
        upgraded.close()
    Database(pg_url, create=False, allow_upgrade=False).close()  # at head: opens without asking


def test_every_migration_runs_on_postgresql_and_builds_the_models_schema(pg_url):  # noqa: F811
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from desktop_app.core.store.models import Base

    engine = create_engine(pg_url)
    try:
        with engine.begin() as connection:
            command.upgrade(_alembic_config(connection), "head")
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            assert context.get_current_revision() == head_revision()
    finally:
        engine.dispose()
