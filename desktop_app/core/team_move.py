"""`mldesk push-to-db`: move a local project (SQLite) into an empty team database (PostgreSQL).

Everything is copied before anything changes here, and the folder is switched over only once the
copy is proven whole:

1. The local `mldesk.db` is taken exclusively (SQLite's exclusive locking mode): a window or a
   command that has the project open makes the push refuse, and nobody can open it while the push
   runs — work saved meanwhile would otherwise stay behind in the old file.
2. Every stored object is copied to the team's objects folder, hashed as it is written; one that is
   there already with the right hash is skipped. Objects are write-once files named by their hash,
   so a push that stops later leaves nothing wrong among them.
3. Every record of every table is copied, ids kept, in foreign-key order, in ONE transaction on the
   target; inside it the row counts are compared table by table, every referenced object is checked
   in the team's folder, the `project.push_to_db` event is recorded and the audit trail verified.
   Only then is it committed, so a failure (or a cancel through `progress`) leaves the target empty.
4. The folder is switched: `team-database.json` names the database with this folder's workstation,
   whose audit chain goes on there, and `mldesk.db` (checkpointed, closed) becomes
   `mldesk.db.moved-to-team-database`. If that fails, the folder is put back and the records are
   removed from the target again.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, bindparam, create_engine, delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from desktop_app.core.errors import IntegrityError, ProjectError
from desktop_app.core.progress import ProgressCallback, no_progress
from desktop_app.core.project import DB_FILE, Project
from desktop_app.core.store import audit
from desktop_app.core.store.database import Database
from desktop_app.core.store.models import Base, ProjectRow
from desktop_app.core.store.objects import ObjectStore, sha256_file
from desktop_app.core.store.server import where
from desktop_app.core.store.team_file import TEAM_FILE, TeamDatabase, checked_url

MOVED_FILE = f"{DB_FILE}.moved-to-team-database"
BATCH = 1000
# The columns that name a stored object (as `doctor` and sync know them; a batch's data is a dataset version's).
REFERENCED = {"dataset_versions": ("sha256",), "runs": ("model_sha256", "curves_sha256"),
              "model_versions": ("model_sha256",), "monitor_references": ("stats_sha256",),
              "monitoring_batches": ("data_sha256",)}


@dataclass(frozen=True)
class PushReport:
    """What moved where, and what was verified."""

    project: str
    database: str                   # host:port/database, never the URL
    objects_folder: Path
    records: dict[str, int]         # table → rows copied
    objects_copied: int
    objects_present: int            # already in the team's folder with the right hash
    shared_folder: str | None       # the sync folder the project was linked to: that link no longer applies
    audit: str                      # the target's audit trail, verified
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {"project": self.project, "database": self.database, "objects_folder": str(self.objects_folder),
                "records": self.records, "objects_copied": self.objects_copied,
                "objects_present": self.objects_present, "shared_folder": self.shared_folder,
                "audit": self.audit, "moved_file": MOVED_FILE, "seconds": round(self.seconds, 3)}


@dataclass(frozen=True)
class _Local:
    id: str
    name: str
    workstation: str
    objects: Path
    shared_folder: str | None


def push_to_database(path: str | os.PathLike, url: str, *, objects: str | os.PathLike | None = None,
                     progress: ProgressCallback = no_progress) -> PushReport:
    """Move the local project at `path` into the empty team database at `url` (objects to `objects`,
    default: the project's own objects folder), verify it, and switch the folder over."""
    started = time.monotonic()
    folder = Path(path).expanduser()
    progress(0.0, "Opening the project")
    local = _local_project(folder)  # the project is checked first: a mistake there never reaches the server
    url = checked_url(url)
    # Resolved: the settings file must name it from wherever the project is opened next.
    shared = Path(objects if objects is not None else local.objects).expanduser().resolve()
    if (folder / MOVED_FILE).exists():
        raise ProjectError(f"{folder / MOVED_FILE} is left from an earlier move; move it out of the project "
                           "folder, then push again.")
    # The server first: a wrong URL or a used database is refused before the local file is locked.
    target = Database(url, create=True, allow_upgrade=False)
    try:
        _refuse_a_used_target(target)
        store = ObjectStore(shared)
        source = _ExclusiveFile(folder / DB_FILE)
        try:
            copied, present = _copy_objects(local.objects, store, progress)
            event = {"database": where(url), "objects": str(shared), "objects_copied": copied,
                     "objects_present": present, "shared_folder": local.shared_folder}
            records = _copy_records_and_verify(source, target, store, local, event, progress)
            progress(0.95, "Switching the folder to the team database")
            try:
                summary = _switch(folder, source, TeamDatabase(url, shared, local.id, local.workstation))
            except BaseException:
                # The folder is as it was: the target must be too, or a second push would be refused. If the
                # server is gone by now, the first failure is still the one worth telling.
                with contextlib.suppress(Exception):
                    _empty(target)
                raise
        finally:
            source.close()
    finally:
        target.close()
    progress(1.0, "Moved")
    return PushReport(local.name, where(url), shared, records, copied, present, local.shared_folder, summary,
                      time.monotonic() - started)


def _copy_records_and_verify(source: _ExclusiveFile, target: Database, store: ObjectStore, local: _Local,
                             event: dict[str, Any], progress: ProgressCallback) -> dict[str, int]:
    """Copy, verify and record the push in one transaction on the target: committed whole, or not at all."""
    target.origin, target.project_id = local.workstation, local.id  # the local chain goes on there
    with target.session() as session, source.connect() as reader:
        records = _copy_records(reader, session, progress)
        _verify(reader, session, store, records, progress)
        audit.record(session, "project.push_to_db", "project", local.id,
                     after={**event, "records": sum(records.values())})
        chain = audit.verify(session)
        if not chain.intact:
            raise ProjectError(f"The copied audit trail does not verify ({chain.summary()}); nothing was "
                               "moved — run `mldesk audit verify` on the project.")
    return records


def _local_project(folder: Path) -> _Local:
    """What the push needs to know of the local project; refuses one that is not a local file."""
    if folder.is_dir() and (folder / TEAM_FILE).is_file():
        team = TeamDatabase.read(folder)
        raise ProjectError(f"{folder} already lives in the team database at {where(team.url) if team else '?'}; "
                           "there is nothing to push.")
    with Project.open(folder) as project:
        if not project.db.is_sqlite or not (folder / DB_FILE).is_file():
            raise ProjectError(f"{folder} does not keep its records in {DB_FILE} (MLDESK_DATABASE_URL names "
                               f"{project.db.where}); only a project in a local file can be pushed.")
        folder_link = project.sync.folder
        return _Local(project.id, project.name, project.workstation_id, project.objects.root,
                      str(folder_link) if folder_link else None)


class _ExclusiveFile:
    """The local database file held exclusively until `close`: nobody else reads or writes it meanwhile.

    In WAL mode every open connection holds a shared lock on the file, so taking the exclusive
    lock (locking_mode=EXCLUSIVE keeps it after the first transaction) fails at once when another
    window or command has the project open — the push then refuses instead of leaving that
    process writing into a file about to be retired.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._raw: sqlite3.Connection | None = sqlite3.connect(path, timeout=0, isolation_level=None,
                                                               check_same_thread=False)
        try:
            self._raw.execute("PRAGMA locking_mode=EXCLUSIVE")
            self._raw.execute("BEGIN EXCLUSIVE")
            self._raw.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self.close()
            if "locked" in str(exc) or "busy" in str(exc):
                raise ProjectError(f"The project {path.parent} is open in another MLDesk window or command; close "
                                   "it there (and wait for any training to finish), then push again.") from None
            raise
        raw = self._raw
        # SQLAlchemy reads through this one connection, so the tables' types (UTC times, JSON) apply.
        self._engine = create_engine("sqlite://", creator=lambda: raw, poolclass=StaticPool)

    def connect(self) -> Connection:
        return self._engine.connect()

    def checkpoint(self) -> None:
        """Everything committed into the main file, so the file alone is the whole project."""
        assert self._raw is not None
        self._raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()
            self._raw = None


def _refuse_a_used_target(target: Database) -> None:
    with target.read() as session:
        existing = session.scalars(select(ProjectRow.name)).first()
        if existing is not None:
            raise ProjectError(f"The team database at {target.where} already holds a project ('{existing}'); "
                               "nothing was moved — push into an empty database.")
        for table in Base.metadata.sorted_tables:
            if session.execute(select(table).limit(1)).first() is not None:
                raise ProjectError(f"The team database at {target.where} already holds MLDesk records (table "
                                   f"{table.name}) though no project; nothing was moved — push into an empty "
                                   "database.")


def _stored_objects(root: Path) -> Iterator[tuple[str, Path]]:
    """(hash, file) of every object in a store: `ab/cdef…`; staging files in tmp/ are not objects."""
    for sub in sorted(root.iterdir()) if root.is_dir() else ():
        if len(sub.name) == 2 and sub.is_dir():
            for file in sorted(sub.iterdir()):
                if len(sub.name + file.name) == 64 and file.is_file():
                    yield sub.name + file.name, file


def _copy_objects(source: Path, store: ObjectStore, progress: ProgressCallback) -> tuple[int, int]:
    """Copy every object into `store`, verified; (copied, already present with the right hash)."""
    found = list(_stored_objects(source))
    copied = present = 0
    for i, (sha, file) in enumerate(found):
        progress(0.05 + 0.4 * i / max(1, len(found)), f"Copying stored file {i + 1:,} of {len(found):,}")
        target = store.path(sha)
        if target.is_file():
            if sha256_file(target) == sha:
                present += 1
                continue
            target.chmod(0o644)  # a damaged copy there: replaced by the verified bytes
            target.unlink()
        try:
            store.adopt_copy(file, sha, durable=True)
        except IntegrityError:
            raise IntegrityError(f"The stored file {file} is damaged (its content no longer matches its hash); "
                                 "nothing was moved — run `mldesk doctor` on the project first.") from None
        copied += 1
    return copied, present


def _insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    session.execute(table.insert(), rows)


def _copy_records(reader: Connection, session: Session, progress: ProgressCallback) -> dict[str, int]:
    """Every row of every table, parents before children; table → rows copied."""
    tables = Base.metadata.sorted_tables
    counts: dict[str, int] = {}
    for i, table in enumerate(tables):
        progress(0.45 + 0.4 * i / len(tables), f"Copying {table.name}")
        # A row may point at another of its table (a version's parent, a run's parent run): those links
        # are set once every row is in, as the rows come in no useful order.
        own = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
        links: dict[str, list[dict[str, Any]]] = {name: [] for name in own}
        count = 0
        result = reader.execute(select(table).execution_options(yield_per=BATCH)).mappings()
        for part in result.partitions(BATCH):
            rows = [dict(row) for row in part]
            for row in rows:
                for name in own:
                    if row[name] is not None:
                        links[name].append({"row_id": row["id"], "value": row[name]})
                        row[name] = None
                if table.name == "workstations":
                    row["is_local"] = False  # a shared database has no local workstation: the settings file says
            _insert_rows(session, table, rows)
            count += len(rows)
        for name, values in links.items():
            if values:
                session.execute(update(table).where(table.c.id == bindparam("row_id"))
                                .values({name: bindparam("value")}), values)
        counts[table.name] = count
    return counts


def _verify(reader: Connection, session: Session, store: ObjectStore, records: dict[str, int],
            progress: ProgressCallback) -> None:
    """Inside the target's transaction: the same rows per table, every referenced object there and whole."""
    progress(0.85, "Verifying the copy")
    for table in Base.metadata.sorted_tables:
        here = reader.scalar(select(func.count()).select_from(table))
        there = session.scalar(select(func.count()).select_from(table))
        if not here == there == records[table.name]:
            raise ProjectError(f"The copy of table {table.name} came out with {there:,} rows instead of {here:,}; "
                               "nothing was moved.")
    wanted = sorted({sha for name, columns in REFERENCED.items() for column in columns
                     for (sha,) in reader.execute(select(Base.metadata.tables[name].c[column])) if sha})
    for i, sha in enumerate(wanted):
        progress(0.87 + 0.08 * i / max(1, len(wanted)), f"Verifying stored file {i + 1:,} of {len(wanted):,}")
        target = store.path(sha)
        if not target.is_file():
            raise ProjectError(f"The project refers to the stored file {sha[:12]}…, which it does not hold; nothing "
                               "was moved — run `mldesk doctor` on the project first.")
        if sha256_file(target) != sha:
            raise IntegrityError(f"The team's copy {target} does not match its hash; nothing was moved — check "
                                 "the team's objects folder (disk or network), then push again.")


def _switch(folder: Path, source: _ExclusiveFile, team: TeamDatabase) -> str:
    """Write the settings file and retire `mldesk.db`; the team project's audit summary. On failure the
    folder is put back as it was."""
    moved: list[tuple[Path, Path]] = []
    try:
        source.checkpoint()
        team.write(folder)  # from here on, opening the folder opens the team database
        source.close()      # SQLite's last connection: it folds in and removes its -wal
        for suffix in ("", "-wal", "-shm"):
            old, new = folder / f"{DB_FILE}{suffix}", folder / f"{MOVED_FILE}{suffix}"
            if old.exists():
                os.replace(old, new)
                moved.append((old, new))
        with Project.open(folder, recover=False) as project:
            report = project.verify_audit()
        if not report.intact:
            raise ProjectError(f"The team project's audit trail does not verify ({report.summary()}).")
        return report.summary()
    except BaseException:
        for old, new in reversed(moved):
            os.replace(new, old)
        (folder / TEAM_FILE).unlink(missing_ok=True)
        raise


def _empty(target: Database) -> None:
    """Remove every record a committed push put in the target (children first)."""
    with target.session() as session:
        for table in reversed(Base.metadata.sorted_tables):
            own = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
            if own:
                session.execute(update(table).values({name: None for name in own}))
            session.execute(delete(table))
