"""Project store: create/open, migrations, refusal of foreign/newer/corrupt databases, objects, audit."""

from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from desktop_app.core.errors import IntegrityError, NotFoundError, ProjectError
from desktop_app.core.project import DB_FILE, Project
from desktop_app.core.store.models import Base
from desktop_app.core.store.sqlite_file import head_revision
from desktop_app.core.store.team_file import TEAM_FILE


def test_create_then_open_keeps_name_and_id(tmp_path, database_backend):
    with Project.create(tmp_path / "p", name="Heart study") as created:
        project_id = created.id
    with Project.open(tmp_path / "p") as opened:
        assert (opened.name, opened.id) == ("Heart study", project_id)
    folder = {DB_FILE, "objects", "exports"} if database_backend == "sqlite" else {TEAM_FILE, "exports"}
    assert {p.name for p in (tmp_path / "p").iterdir()} >= folder


@pytest.mark.sqlite_only
def test_database_uses_wal_and_busy_timeout(project):
    with project.db.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_migrated_schema_equals_the_models(project, tmp_path):
    """The migrations, run from an empty database, build exactly what the models declare — and a new
    project (made straight from the models, without running each migration) is at the newest revision."""
    from alembic import command
    from sqlalchemy import create_engine

    from desktop_app.core.store.database import _alembic_config
    from desktop_app.core.store.sqlite_file import known_revisions

    engine = create_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert context.get_current_revision() == head_revision()
    engine.dispose()
    assert project.db.current_revision() == head_revision()
    with project.db.engine.connect() as connection:   # and the new project's tables are the same
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    assert known_revisions() == sorted(r.revision for r in script.walk_revisions())


def test_create_refuses_an_existing_project(tmp_path):
    Project.create(tmp_path / "p").close()
    with pytest.raises(ProjectError, match="already holds an MLDesk project"):
        Project.create(tmp_path / "p")


def test_open_refuses_a_folder_without_database(tmp_path):
    with pytest.raises(ProjectError, match="not an MLDesk project"):
        Project.open(tmp_path)
    with pytest.raises(ProjectError, match="no folder"):
        Project.open(tmp_path / "missing")


def _untouched(path, action):
    before = path.read_bytes()
    with pytest.raises(ProjectError) as info:
        action()
    assert path.read_bytes() == before
    assert not path.with_name(path.name + "-wal").exists()
    return str(info.value)


@pytest.mark.sqlite_only
def test_corrupt_database_is_refused_unmodified(tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    db = folder / DB_FILE
    db.write_bytes(b"this is not sqlite at all" * 100)
    message = _untouched(db, lambda: Project.open(folder))
    assert "not a database" in message and "left untouched" in message


@pytest.mark.sqlite_only
def test_truncated_database_is_refused_unmodified(tmp_path):
    Project.create(tmp_path / "p").close()
    db = tmp_path / "p" / DB_FILE
    db.write_bytes(db.read_bytes()[:200])
    _untouched(db, lambda: Project.open(tmp_path / "p"))


@pytest.mark.sqlite_only
def test_a_file_a_checkpoint_is_still_extending_is_not_called_cut_off(tmp_path):
    """Another process checkpointing its WAL writes page 1 (the new size) before it extends the file:
    opening at that moment must wait for it, not call the database cut off (seen in tests/core/test_stress)."""
    import threading

    from desktop_app.core.store.sqlite_file import inspect_sqlite_file

    Project.create(tmp_path / "p").close()
    db = tmp_path / "p" / DB_FILE
    whole = db.read_bytes()
    page_size = int.from_bytes(whole[16:18], "big")
    db.write_bytes(whole[:-2 * page_size])                      # the header already counts two more pages
    (tmp_path / "p" / f"{DB_FILE}-wal").write_bytes(b"")        # a live WAL beside it

    def checkpoint_ends():                                      # it extends the file, never rewrites it
        with open(db, "ab") as handle:
            handle.write(whole[-2 * page_size:])

    threading.Timer(0.3, checkpoint_ends).start()
    inspect_sqlite_file(db)

    db.write_bytes(whole[:-2 * page_size])                      # still short when the wait is over: cut off
    with pytest.raises(ProjectError, match="2 page\\(s\\) shorter than its header announces"):
        inspect_sqlite_file(db)


def test_foreign_sqlite_database_is_refused_unmodified(tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    con = sqlite3.connect(folder / DB_FILE)
    con.execute("CREATE TABLE customers (id INTEGER, name TEXT)")
    con.commit()
    con.close()
    message = _untouched(folder / DB_FILE, lambda: Project.open(folder))
    assert "not an MLDesk project" in message


@pytest.mark.sqlite_only
def test_database_from_a_newer_mldesk_is_refused_unmodified(tmp_path):
    Project.create(tmp_path / "p").close()
    db = tmp_path / "p" / DB_FILE
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=DELETE")  # fold the WAL back so the file alone is the database
    con.execute("UPDATE alembic_version SET version_num = '9999_future'")
    con.commit()
    con.close()
    message = _untouched(db, lambda: Project.open(tmp_path / "p"))
    assert "newer version of MLDesk" in message and "update MLDesk" in message


def test_project_creation_is_audited(project):
    events = project.audit_events()
    assert [e.action for e in events] == ["project.create"]
    assert events[0].user and events[0].host and events[0].at.tzinfo is not None


def test_any_sqlalchemy_url_can_hold_the_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite'}"
    Project.create(tmp_path / "p", name="Remote", database_url=url).close()
    assert not (tmp_path / "p" / DB_FILE).exists()
    with Project.open(tmp_path / "p", database_url=url) as project:
        assert project.name == "Remote"


class TestObjectStore:
    def test_identical_content_is_stored_once(self, project):
        first = project.objects.put_bytes(b"hello")
        second = project.objects.put_bytes(b"hello")
        assert first == second
        assert project.objects.read_bytes(first) == b"hello"
        stored = [p for p in (project.path / "objects").rglob("*") if p.is_file()]
        assert len(stored) == 1

    def test_damaged_object_is_an_error_naming_the_file(self, project):
        sha = project.objects.put_bytes(b"hello")
        path = project.objects.path(sha)
        path.chmod(0o644)
        path.write_bytes(b"jello")
        with pytest.raises(IntegrityError, match=str(path)):
            project.objects.read_bytes(sha)

    def test_missing_object_is_an_error(self, project):
        with pytest.raises(NotFoundError, match="missing"):
            project.objects.read_bytes("ab" * 32)


@pytest.mark.sqlite_only
def test_an_older_schema_is_migrated_on_open(tmp_path):
    """A project made by an older MLDesk (schema 0001) is upgraded in place, data kept."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from desktop_app.core.store.database import _alembic_config

    folder = tmp_path / "old"
    folder.mkdir()
    engine = create_engine(f"sqlite:///{folder / DB_FILE}")
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "0001")
        connection.execute(text(
            "INSERT INTO project (id, name, created_at, created_by, host) "
            "VALUES ('p1', 'Old one', '2025-01-01 00:00:00', 'ana', 'pc1')"
        ))
    engine.dispose()
    with Project.open(folder) as project:
        assert project.name == "Old one"
        assert project.db.current_revision() == head_revision()


def test_opening_an_open_project_again_keeps_its_data(tmp_path):
    """A second open in the same process must not drop the first one's SQLite locks."""
    first = Project.create(tmp_path / "p", name="Shared")
    second = Project.open(tmp_path / "p")
    third = Project.open(tmp_path / "p")
    third.close()
    with first.db.session() as session:
        from desktop_app.core.store import audit

        audit.record(session, "test.write", "project", first.id)
    assert "test.write" in [e.action for e in second.audit_events()]
    second.close()
    first.close()
    with Project.open(tmp_path / "p") as again:
        assert "test.write" in [e.action for e in again.audit_events()]
