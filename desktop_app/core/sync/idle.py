"""A sync with nothing to do, found and recorded at a glance (`store.glance`), without SQLAlchemy.

A scheduled `mldesk sync` usually finds nothing to send or receive; opening the project for
that would spend most of its time importing SQLAlchemy (issue 15). `idle_sync` checks what
`SyncService.sync` would do, reading the same rows and the same shared-folder listing, and
when it would change nothing but the time of the last sync it records that time and the
report, as the full sync does. Whenever anything is to be done or said — changes of this
workstation not yet published, a batch of the team's beyond the one applied, a conflict, a
stray file in the shared folder, a folder that is not (or no longer) the linked one — it
returns None and the caller runs the full sync, which does it and words it.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from desktop_app.core.errors import MLDeskError
from desktop_app.core.store.glance import glance
from desktop_app.core.sync.folder import SharedFolder
from desktop_app.core.sync.report import SyncReport

_STATE = "SELECT folder, published_seq FROM sync_state WHERE id = 'local'"
_ORIGIN = "SELECT id FROM workstations WHERE is_local"
_UNPUBLISHED = "SELECT 1 FROM audit_events WHERE origin = ? AND seq > ? LIMIT 1"
_APPLIED = "SELECT workstation_id, applied_batch FROM sync_cursors"
_CONFLICT = ("SELECT 1 FROM setting_changes WHERE event_id NOT IN (SELECT event_id FROM setting_replaced) "
             "GROUP BY key HAVING count(*) > 1 LIMIT 1")  # store.changes.conflicted_keys
_PROJECT = "SELECT id FROM project"


def idle_sync(project: str | os.PathLike, folder: str | os.PathLike | None = None) -> SyncReport | None:
    """The recorded report of a sync of `project` (with `folder`, if given) that has nothing to do, else None."""
    connection = glance(project)
    if connection is None:
        return None
    try:
        return _idle(connection, folder)
    except (sqlite3.Error, OSError, MLDeskError):
        return None   # the full sync meets it again and says what is wrong
    finally:
        connection.close()


def _idle(connection: sqlite3.Connection, folder: str | os.PathLike | None) -> SyncReport | None:
    linked, published_seq = connection.execute(_STATE).fetchone()
    if linked is None or (folder is not None and Path(folder).expanduser().absolute() != Path(linked)):
        return None
    origin = connection.execute(_ORIGIN).fetchone()[0]
    if connection.execute(_UNPUBLISHED, (origin, published_seq)).fetchone() is not None:
        return None
    shared = SharedFolder(linked)
    document = shared.read_format() if shared.root.is_dir() else None
    if document is None or document.get("project") != connection.execute(_PROJECT).fetchone()[0]:
        return None
    applied = dict(connection.execute(_APPLIED).fetchall())
    for workstation in shared.workstations():
        if workstation != origin and any(n > applied.get(workstation, 0) for n in shared.batches(workstation)):
            return None
    if connection.execute(_CONFLICT).fetchone() is not None or shared.strays():
        return None
    report = SyncReport(folder=str(shared.root))
    # Stored as SQLAlchemy stores them on SQLite (store.models: UTC without its zone, JSON as text).
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("UPDATE sync_state SET last_sync_at = ?, last_report = ? WHERE id = 'local'",
                       (now, json.dumps(report.to_dict())))
    connection.execute("COMMIT")
    return report
