"""Opening the project database: checks, migrations, connection settings, sessions.

Order matters when opening an existing SQLite file: it is first inspected through a
read-only connection, so a corrupt, foreign or newer database is refused without a
single byte of it changing (switching to WAL, or migrating, would write to it).

Several processes may use one project at once (the window, its training workers, `mldesk`
commands, a scheduled job). SQLite serialises them the way its documentation expects:
- SQLite's own files (`-wal`, `-shm`) are never deleted or renamed here: they may be another
  process's live files, and removing them loses that process's committed work.
- A unit of work that writes starts with `BEGIN IMMEDIATE`, taking the write lock before its
  first read, so "read the highest number, insert the next" cannot interleave with another
  writer, and a lock conflict waits (busy timeout) instead of failing on upgrade from a read
  lock. Read-only units (`read()`) begin deferred and never block writers (WAL).
- `write()` also retries a unit of work that lost a race the database reported (a unique
  constraint on a name or number, a serialisation failure, a lock timeout) — needed on
  PostgreSQL, where two transactions can read the same "next number".

A server database (PostgreSQL) is named in messages as host:port/database only (`store.server`),
never by its URL, which may hold a password. Its failures (unreachable, refused, lost mid-work)
are one sentence each; a unit of work cut off by a lost connection is rolled back by the server
whole. Its schema is upgraded only when asked (`allow_upgrade`): every workstation of the team
must run the same schema, so upgrading is the team's decision, not a side effect of opening.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.core.errors import ProjectError, SchemaUpgradeNeeded
from desktop_app.core.store import server
from desktop_app.core.store.sqlite_file import (
    MIGRATIONS_DIR,
    check_revision,
    head_revision,
    inspect_sqlite_file,
)

BUSY_TIMEOUT_MS = 10_000
WRITE_ATTEMPTS = 6
_READ_ONLY = "mldesk_read_only"
_UPGRADE_LOCK = 0x6D6C6465736B  # "mldesk": the advisory lock a server's schema upgrade holds

T = TypeVar("T")


def _alembic_config(connection=None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # The driver must not start transactions on its own: `_on_begin` does, with the right mode.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit reported to the user survives a power cut, not only a crash.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        read_only = connection.get_execution_options().get(_READ_ONLY, False)
        connection.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")


def _retryable(exc: BaseException) -> bool:
    """A conflict with another writer that running the unit of work again can resolve."""
    if isinstance(exc, sa_exc.IntegrityError):
        return "unique" in str(exc.orig).lower() or "duplicate" in str(exc.orig).lower()
    if isinstance(exc, sa_exc.OperationalError):
        message = str(exc.orig).lower()
        return "locked" in message or "busy" in message or "could not serialize" in message or "deadlock" in message
    return False


def _damaged(exc: sa_exc.DatabaseError) -> ProjectError | None:
    """The user's sentence for a database that SQLite cannot read any more, if that is the error."""
    message = str(exc.orig).lower()
    if "malformed" in message or "not a database" in message or "disk i/o error" in message:
        return ProjectError(
            "The project database is damaged (SQLite: "
            f"{exc.orig}); nothing more was written — run `mldesk doctor` on the project, "
            "or restore mldesk.db from a backup or the shared folder."
        )
    if "locked" in message or "busy" in message:
        return ProjectError(
            "The project database stayed locked by another program for "
            f"{BUSY_TIMEOUT_MS // 1000} s; nothing was saved — close other MLDesk windows or "
            "commands working on this project, then try again."
        )
    if "readonly" in message or "read-only" in message:
        return ProjectError(
            "The project database cannot be written (it or its folder is read-only); nothing was "
            "saved — give your account write access to the project folder."
        )
    return None


# SQLite files this process has open (path → open count): opened once already, they were
# inspected then, and inspecting again while open is pointless (and unsafe, see above).
_OPEN_SQLITE: dict[Path, int] = {}
_OPEN_LOCK = threading.Lock()


class Database:
    """One project's database: an engine plus managed units of work."""

    def __init__(self, url: str, *, create: bool, allow_upgrade: bool = True) -> None:
        self.url = url
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        # How messages name the database: a file's path, or a server's host:port/database (no password).
        self.where = str(parsed.database or "memory") if self.is_sqlite else server.where(url)
        self._sqlite_path: Path | None = None
        # The workstation whose audit chain this process extends, and the project (set by Project on open).
        self.origin: str = ""
        self.project_id: str = ""
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            path = Path(parsed.database).resolve()
            with _OPEN_LOCK:  # held while inspecting: no thread of ours opens the file meanwhile
                if not create and not path.exists():
                    raise ProjectError(f"No MLDesk project database at {path}; create a project first.")
                if not create and _OPEN_SQLITE.get(path, 0) == 0:
                    inspect_sqlite_file(path)
                _OPEN_SQLITE[path] = _OPEN_SQLITE.get(path, 0) + 1
            self._sqlite_path = path
        self.engine = create_engine(url, **({} if self.is_sqlite else server.engine_options(url)))
        try:
            if self.is_sqlite:
                _configure_sqlite(self.engine)
            self._sessions = sessionmaker(self.engine, expire_on_commit=False)
            self._read_sessions = sessionmaker(self.engine.execution_options(**{_READ_ONLY: True}),
                                               expire_on_commit=False)
            if not self.is_sqlite and not create:
                self._check_server_database()
            if create and self._stored_revisions() is None:
                self._create_schema()
            if not allow_upgrade and not self.is_sqlite:
                self._refuse_an_older_schema()
            self.upgrade()
        except sa_exc.DBAPIError as exc:
            self.close()
            raise (self._problem(exc)
                   or ProjectError(f"The project database at {self.where} cannot be opened: {exc.orig}.")) from exc
        except BaseException:
            self.close()
            raise

    def _stored_revisions(self) -> set[str] | None:
        """The schema revision(s) the database records; None when it has no version table."""
        with self.engine.execution_options(**{_READ_ONLY: True}).connect() as connection:
            try:
                return {r[0] for r in connection.execute(text("SELECT version_num FROM alembic_version"))}
            except sa_exc.ProgrammingError:  # PostgreSQL: no such table
                return None
            except sa_exc.OperationalError as exc:
                if "no such table" in str(exc.orig):
                    return None
                raise

    def _check_server_database(self) -> None:
        revisions = self._stored_revisions()
        if revisions is None:
            raise ProjectError(f"The database at {self.where} is not an MLDesk project database; check the URL, "
                               "or create a project in it first.")
        check_revision(revisions, f"at {self.where}")

    def _refuse_an_older_schema(self) -> None:
        revisions = self._stored_revisions() or set()
        check_revision(revisions, f"at {self.where}")  # a newer one is refused, whatever was asked
        if revisions and revisions != {head_revision()}:
            raise SchemaUpgradeNeeded(self.where, ", ".join(sorted(revisions)), head_revision())

    def _problem(self, exc: sa_exc.DBAPIError) -> ProjectError | None:
        """The user's sentence for a database error, if it is one the user can act on."""
        if self.is_sqlite:
            return _damaged(exc) if isinstance(exc, sa_exc.DatabaseError) else None
        return server.problem(self.url, exc)

    def _create_schema(self) -> None:
        """A new database: every table as the models declare them, marked as the newest revision.

        The same schema the migrations build (tests/core/test_store.py compares them), without
        running each migration; the rows a migration would add for an existing project
        (its workstation, its sync state) are made by `Project.create`.
        """
        from desktop_app.core.store.models import Base

        with self.engine.begin() as connection:
            Base.metadata.create_all(connection)
            connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                                    "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"))
            connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:head)"),
                               {"head": head_revision()})

    def upgrade(self) -> None:
        """Bring the schema to the version this MLDesk understands (Alembic only when one is due)."""
        if self._stored_revisions() == {head_revision()}:
            return
        from alembic import command

        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":  # two upgrading at once: the second waits, finds it done
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
                stored = {r[0] for r in connection.execute(text("SELECT version_num FROM alembic_version"))}
                if stored == {head_revision()}:
                    return
            command.upgrade(_alembic_config(connection), "head")

    def current_revision(self) -> str | None:
        revisions = self._stored_revisions()
        return next(iter(revisions)) if revisions else None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work that may write: commit on success, roll back on any error."""
        with self._managed(self._sessions) as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A unit of work that only reads: one consistent snapshot, never blocks a writer."""
        with self._managed(self._read_sessions) as session:
            yield session

    def write(self, work: Callable[[Session], T], attempts: int = WRITE_ATTEMPTS) -> T:
        """Run `work(session)` as one unit of work, again (after a short random pause) when it
        lost a race to another writer; the last failure is raised as it is."""
        for attempt in range(1, attempts + 1):
            try:
                with self.session() as session:
                    return work(session)
            except (sa_exc.IntegrityError, sa_exc.OperationalError) as exc:
                if attempt == attempts or not _retryable(exc):
                    raise
            time.sleep(random.uniform(0.005, 0.02) * attempt)
        raise AssertionError("unreachable")

    @contextmanager
    def _managed(self, factory: sessionmaker) -> Iterator[Session]:
        session = factory(info={"origin": self.origin, "project": self.project_id})
        try:
            yield session
            session.commit()
        except BaseException as exc:
            session.rollback()  # after a lost connection the server rolled it back already; this cleans up
            if isinstance(exc, sa_exc.DBAPIError) and not isinstance(exc, sa_exc.IntegrityError):
                problem = self._problem(exc)
                if problem is not None:
                    raise problem from exc
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

