"""What an MLDesk project's SQLite file must look like, checked with the standard library alone.

Kept apart from `store.database` (which needs SQLAlchemy, a third of a second to import on
these machines) so that a command that only glances at a project (`store.glance`) can check
the file, its schema revision and the revisions this MLDesk knows without importing it.
Nothing here writes to the file.
"""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

from desktop_app.core.errors import ProjectError

DB_FILE = "mldesk.db"  # in the project folder
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
CHECKPOINT_WAIT_S = 3.0  # how long a short file beside a live WAL may still be growing (a checkpoint)
_REVISION_FILE = re.compile(r"^(\d{4})_\w+\.py$")


def known_revisions() -> list[str]:
    """The schema revisions this MLDesk knows, oldest first, read from the migration file names.

    Named `NNNN_title.py` with revision id `NNNN` (a test holds Alembic to the same list), so
    that opening a project at the newest schema never has to import Alembic.
    """
    return sorted(m.group(1) for name in (MIGRATIONS_DIR / "versions").iterdir()
                  if (m := _REVISION_FILE.match(name.name)))


def head_revision() -> str:
    return known_revisions()[-1]


def check_revision(revisions: set[str], where: str) -> None:
    unknown = revisions - set(known_revisions())
    if unknown:
        raise ProjectError(
            f"The project database {where} was made by a newer version of MLDesk "
            f"(schema {', '.join(sorted(unknown))}); update MLDesk to open it."
        )


def not_a_database(path: Path, why: str) -> ProjectError:
    return ProjectError(
        f"{path} is not a database (the file is damaged or not an MLDesk project: {why}); "
        "it was left untouched — restore it from a backup or the shared folder."
    )


def _short_by(path: Path) -> int | None:
    """Pages the file lacks against the size its header announces (None: it is not SQLite at all)."""
    with open(path, "rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return None
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages, change_counter, valid_for = (int.from_bytes(header[i:i + 4], "big") for i in (28, 24, 92))
    if not pages or change_counter != valid_for:
        return 0
    return max(0, pages - path.stat().st_size // page_size)


def _check_header(path: Path) -> None:
    """Refuse a file that is not whole SQLite before SQLite sees it (it would create side files).

    The header names the page size and, when its "valid-for" counter matches the change
    counter, the database size in pages: a file shorter than that was cut off. Another process
    checkpointing its WAL writes page 1 before it extends the file, so with a `-wal` beside it a
    short file is looked at again for a moment before it is called cut off.
    """
    short = _short_by(path)
    if short is None:
        raise not_a_database(path, "it does not start like an SQLite database")
    live = path.with_name(path.name + "-wal").exists()
    deadline = time.monotonic() + (CHECKPOINT_WAIT_S if live else 0)
    while short and time.monotonic() < deadline:
        time.sleep(0.05)
        short = _short_by(path) or 0
    if short:
        raise not_a_database(path, f"it is {short} page(s) shorter than its header announces — it was cut off")


def inspect_sqlite_file(path: Path) -> None:
    """Refuse a file that is not an MLDesk database, without modifying it.

    Reading the header with a plain file handle is safe only while this process has no
    connection to the file (closing any handle on a database drops every POSIX lock the
    process holds on it — SQLite's documented pitfall); `Database` calls this only then.
    A WAL database may get its `-wal`/`-shm` files created by the read-only connection:
    they are SQLite's own, and stay (another process may be using them).
    """
    _check_header(path)
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            revisions = set()
            if "alembic_version" in tables:
                revisions = {r[0] for r in con.execute("SELECT version_num FROM alembic_version")}
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise not_a_database(path, str(exc)) from exc
    if "alembic_version" not in tables or "project" not in tables:
        raise ProjectError(
            f"{path} is a database but not an MLDesk project; it was left untouched — "
            "choose the folder of an MLDesk project, or create a new one."
        )
    check_revision(revisions, str(path))
