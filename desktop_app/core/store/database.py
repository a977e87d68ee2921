"""Opening the project database: checks, migrations, connection settings, sessions.

Order matters when opening an existing SQLite file: it is first inspected through a
read-only connection, so a corrupt, foreign or newer database is refused without a
single byte changing (switching to WAL, or migrating, would write to it).
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.core.errors import ProjectError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 10_000


def _alembic_config(connection=None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _check_revision(revisions: set[str], where: str) -> None:
    unknown = revisions - known_revisions()
    if unknown:
        raise ProjectError(
            f"The project database {where} was made by a newer version of MLDesk "
            f"(schema {', '.join(sorted(unknown))}); update MLDesk to open it."
        )


def inspect_sqlite_file(path: Path) -> None:
    """Refuse a file that is not an MLDesk database, without modifying it.

    Only SQLite itself touches the file here: closing any plain file handle on a
    database drops every POSIX lock this process holds on it (SQLite's documented
    pitfall), which could corrupt a project this process already has open.
    """
    side_files = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    created = [f for f in side_files if not f.exists()]
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            revisions = set()
            if "alembic_version" in tables:
                revisions = {r[0] for r in con.execute("SELECT version_num FROM alembic_version")}
        finally:
            con.close()
            for side_file in created:
                side_file.unlink(missing_ok=True)
    except sqlite3.DatabaseError as exc:
        raise ProjectError(
            f"{path} is not a database (the file is damaged or not an MLDesk project: {exc}); "
            "it was left untouched — restore it from a backup or the shared folder."
        ) from exc
    if "alembic_version" not in tables or "project" not in tables:
        raise ProjectError(
            f"{path} is a database but not an MLDesk project; it was left untouched — "
            "choose the folder of an MLDesk project, or create a new one."
        )
    _check_revision(revisions, str(path))


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster commits
        cursor.close()


# SQLite files this process has open (path → open count): opened once already, they were
# inspected then, and inspecting again while open is pointless.
_OPEN_SQLITE: dict[Path, int] = {}
_OPEN_LOCK = threading.Lock()


class Database:
    """One project's database: an engine plus a managed session factory."""

    def __init__(self, url: str, *, create: bool) -> None:
        self.url = url
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self._sqlite_path: Path | None = None
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            path = Path(parsed.database).resolve()
            if not create:
                if not path.exists():
                    raise ProjectError(f"No MLDesk project database at {path}; create a project first.")
                with _OPEN_LOCK:
                    already_open = _OPEN_SQLITE.get(path, 0) > 0
                if not already_open:
                    inspect_sqlite_file(path)
            with _OPEN_LOCK:
                _OPEN_SQLITE[path] = _OPEN_SQLITE.get(path, 0) + 1
            self._sqlite_path = path
        self.engine = create_engine(url)
        try:
            if self.is_sqlite:
                _configure_sqlite(self.engine)
            if not self.is_sqlite and not create:
                self._inspect_server_database()
            self._sessions = sessionmaker(self.engine, expire_on_commit=False)
            self.upgrade()
        except BaseException:
            self.close()
            raise

    def _inspect_server_database(self) -> None:
        from sqlalchemy import text

        with self.engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                raise ProjectError(f"The database at {self.url} is not an MLDesk project database.")
            revisions = {r[0] for r in connection.execute(text("SELECT version_num FROM alembic_version"))}
        _check_revision(revisions, f"at {self.url}")

    def upgrade(self) -> None:
        """Bring the schema to the version this MLDesk understands."""
        from alembic import command

        with self.engine.begin() as connection:
            command.upgrade(_alembic_config(connection), "head")

    def current_revision(self) -> str | None:
        from alembic.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commit on success, roll back on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()
        if self._sqlite_path is not None:
            with _OPEN_LOCK:
                _OPEN_SQLITE[self._sqlite_path] -= 1
                if _OPEN_SQLITE[self._sqlite_path] <= 0:
                    del _OPEN_SQLITE[self._sqlite_path]
            self._sqlite_path = None
