"""Recording an imported file's version at a glance (`store.glance`), without SQLAlchemy.

`mldesk import` calls `import_at_glance`: on a local project that needs nothing done on opening,
it reads the file (`data.reading`: no database), writes the snapshot and records the version
through the glance's sqlite3 connection: the same rows and audit events `DatasetService.store_read`
makes (the same ids, numbers, stamps and chain), in one `BEGIN IMMEDIATE` transaction. Whatever is
not the plain case — a dataset of that name deleted, the sync state row missing — records nothing,
and the caller stores the read the usual way, which does and words it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desktop_app.core.data.entities import ImportResult
from desktop_app.core.data.listing import VERSION_SQL, stored_version
from desktop_app.core.data.reading import FileRead, write_snapshot
from desktop_app.core.identity import current_host, current_user
from desktop_app.core.progress import ProgressCallback, no_progress
from desktop_app.core.store.glance import glance
from desktop_app.core.store.glance_write import local_origin, new_stamp, record_event, stored_json, stored_time
from desktop_app.core.store.ids import derived_id, named_id, utcnow
from desktop_app.core.store.objects import ObjectStore

_DATASET = "SELECT id, deleted_at FROM datasets WHERE name = ?"
_EXISTING = "SELECT id, number FROM dataset_versions WHERE dataset_id = ? AND sha256 = ?"
_NEXT_NUMBER = "SELECT coalesce(max(number), 0) + 1 FROM dataset_versions WHERE dataset_id = ?"
_INSERT_DATASET = ("INSERT INTO datasets (id, name, description, created_at, created_by, deleted_at) "
                   "VALUES (?, ?, '', ?, ?, NULL)")
_VERSION_FIELDS = ("id", "dataset_id", "number", "sha256", "rows", "n_columns", "columns", "source_name",
                   "source_sha256", "read_settings", "warnings", "parent_id", "recipe", "created_at", "created_by",
                   "host", "stamp")
_QUOTED = ", ".join(f'"{field}"' for field in _VERSION_FIELDS)  # quoted: "rows", "columns" are reserved words
_INSERT_VERSION = f"INSERT INTO dataset_versions ({_QUOTED}) VALUES ({', '.join('?' for _ in _VERSION_FIELDS)})"


@dataclass(frozen=True)
class AtGlance:
    """What `import_at_glance` did: stored the file (`result`), or read it for the usual way to store."""

    read: FileRead
    result: ImportResult | None


def import_at_glance(folder: str | Path, read: Callable[[], FileRead],
                     progress: ProgressCallback = no_progress) -> AtGlance | None:
    """Read a file (`read()`) and store it in the project at `folder` at a glance; None, before reading,
    when the project must be opened as usual. A damaged page met on the way leaves the read to the usual way."""
    connection = glance(folder)
    if connection is None:
        return None
    try:
        made = read()
        try:
            return AtGlance(made, store_at_glance(connection, folder, made, progress))
        except sqlite3.Error:
            return AtGlance(made, None)   # the usual way meets it again and words it
    finally:
        connection.close()


def store_at_glance(connection: sqlite3.Connection, folder: str | Path, read: FileRead,
                    progress: ProgressCallback = no_progress) -> ImportResult | None:
    """Store `read` in the local project at `folder`, whose glance `connection` is; None to store it the usual way."""
    sha = write_snapshot(ObjectStore(Path(folder).expanduser() / "objects"), read.table, progress)
    connection.execute("BEGIN IMMEDIATE")
    try:
        found = _record(connection, read, sha)
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    if found is None:
        connection.execute("ROLLBACK")
        return None
    connection.execute("COMMIT")
    version_id, created = found
    version = stored_version(connection.execute(VERSION_SQL, (version_id,)).fetchone(), read.name)
    progress(1.0, "Imported" if created else f"Already imported as {version.label}")
    return ImportResult(version=version, settings=read.settings, warnings=read.warnings, created=created)


def _record(connection: sqlite3.Connection, read: FileRead, sha: str) -> tuple[str, bool] | None:
    """The version's id and whether it is new, as `DatasetService._store_snapshot` records it; None to leave it."""
    origin = local_origin(connection)
    dataset = connection.execute(_DATASET, (read.name,)).fetchone()
    if dataset is not None:
        if dataset[1] is not None:
            return None
        dataset_id = dataset[0]
        existing = connection.execute(_EXISTING, (dataset_id, sha)).fetchone()
        if existing is not None:
            return existing[0], False
    else:
        project_id = connection.execute("SELECT id FROM project").fetchone()[0]
        dataset_id = named_id(project_id, "dataset", read.name)
        connection.execute(_INSERT_DATASET, (dataset_id, read.name, stored_time(utcnow()), current_user()))
        record_event(connection, origin, "dataset.create", "dataset", dataset_id, after={"name": read.name})
    number = connection.execute(_NEXT_NUMBER, (dataset_id,)).fetchone()[0]
    stamp = new_stamp(connection, origin)
    if stamp is None:
        return None
    version_id = derived_id(dataset_id, "snapshot", sha)
    rows = read.table.num_rows
    connection.execute(_INSERT_VERSION, (
        version_id, dataset_id, number, sha, rows, read.table.num_columns, stored_json(read.columns),
        read.source_name, read.source_sha256, stored_json(read.settings.to_dict()), stored_json(list(read.warnings)),
        None, stored_json(None), stored_time(utcnow()), current_user(), current_host(), stamp))
    record_event(connection, origin, "dataset.import", "dataset_version", version_id,
                 after={"dataset": read.name, "version": number, "sha256": sha, "rows": rows,
                        "source": read.source_name, "source_sha256": read.source_sha256})
    return version_id, True
