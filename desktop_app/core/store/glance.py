"""A look at a local project with the standard library's sqlite3, for commands that find little to do.

Importing SQLAlchemy and mapping the models costs about 0.3 s of every command's start on
these machines (issue 15): more than listing the datasets or finding that a sync has nothing
to send or receive takes. Such commands first `glance` at the project; only when the glance
is refused (None) do they open it as usual, through `Project.open`.

A glance is refused, so the usual way decides and words any problem, whenever opening would
do or say anything more than read:
- a team database (settings file or MLDESK_DATABASE_URL), or no database file;
- a file on a network drive or in a cloud-synced folder, damaged, foreign or of another schema
  revision than this MLDesk's newest (an older one is upgraded as it opens);
- an `objects` or `exports` that is not a folder;
- anything `core.recovery` might clear: runs left queued or running, files in `objects/tmp`,
  unfinished exports in `exports/` — whether or not their processes are gone.
A caller that meets an `sqlite3.Error` on the connection (a damaged page, say) closes it and
opens the project the usual way, which words the problem. The connection follows
`store.database`'s SQLite settings (busy timeout, durable commits, foreign keys); a write
through it must take the write lock first (`BEGIN IMMEDIATE`).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from desktop_app.core.errors import ProjectError
from desktop_app.core.owners import EXPORT_TEMP_PREFIX
from desktop_app.core.store.location import database_risk
from desktop_app.core.store.sqlite_file import DB_FILE, head_revision, inspect_sqlite_file
from desktop_app.core.store.team_file import DATABASE_URL_ENV, TEAM_FILE

BUSY_TIMEOUT_S = 10.0  # as store.database's BUSY_TIMEOUT_MS
_UNFINISHED_RUNS = "SELECT 1 FROM runs WHERE status IN ('queued', 'running') LIMIT 1"


def glance(folder: str | os.PathLike) -> sqlite3.Connection | None:
    """An open connection to the local project in `folder` when it needs nothing done on opening, else None."""
    folder = Path(folder).expanduser()
    database = folder / DB_FILE
    if os.environ.get(DATABASE_URL_ENV) or (folder / TEAM_FILE).exists() or not database.is_file():
        return None
    if _leftovers(folder) or database_risk(folder) is not None:
        return None
    try:
        inspect_sqlite_file(database)
        connection = sqlite3.connect(f"{database.resolve().as_uri()}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_S,
                                     isolation_level=None)
    except (ProjectError, OSError, sqlite3.Error):
        return None
    try:
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("PRAGMA synchronous=FULL")
        wal = connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        revisions = {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
        if wal and revisions == {head_revision()} and connection.execute(_UNFINISHED_RUNS).fetchone() is None:
            return connection
    except sqlite3.Error:
        pass
    connection.close()
    return None


def _leftovers(folder: Path) -> bool:
    """Whether `core.recovery` might have something to clear in the project's folders."""
    objects, exports = folder / "objects", folder / "exports"
    staging = objects / "tmp"
    try:
        if any(path.exists() and not path.is_dir() for path in (objects, exports, staging)):
            return True   # opening says what is wrong
        if staging.is_dir() and any(staging.iterdir()):
            return True
        return exports.is_dir() and any(e.name.startswith(EXPORT_TEMP_PREFIX) for e in exports.iterdir())
    except OSError:
        return True
