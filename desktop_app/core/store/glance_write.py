"""Audit events and stamps written through a glance's sqlite3 connection (`store.glance`).

A command whose work needs no database and whose record is a few rows (`mldesk import`) writes
them at a glance rather than spend a third of a second importing SQLAlchemy (issue 15). The
rows must be exactly what the ORM writes, or the trail, sync and every reader would see two
kinds of row: `record_event` is `store.audit.record` and `new_stamp` is `store.changes.new_stamp`
in plain SQL, with values stored as SQLAlchemy stores them on SQLite — UTC times as text without
their zone, JSON as `json.dumps` text (None as 'null'). Tests hold the rows of both ways equal
(`tests/core/test_import_glance.py`).

Call them inside a transaction begun with `BEGIN IMMEDIATE` (the write lock is held, so the next
sequence number and stamp cannot be taken by another process meanwhile).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from desktop_app.core.identity import current_host, current_user
from desktop_app.core.store.audit_chain import GENESIS, event_hash, plain
from desktop_app.core.store.hlc import Stamp, next_stamp
from desktop_app.core.store.ids import new_id, utcnow

_LAST_EVENT = "SELECT seq, hash FROM audit_events WHERE origin = ? ORDER BY seq DESC LIMIT 1"
_INSERT_EVENT = ('INSERT INTO audit_events (id, origin, seq, prev_hash, hash, at, "user", host, action, entity_type, '
                 "entity_id, before, after, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def stored_time(moment: datetime) -> str:
    """A UTC time as SQLAlchemy stores it in SQLite."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def stored_json(value: Any) -> str:
    """A JSON column's value as SQLAlchemy stores it in SQLite (None as the JSON null)."""
    return json.dumps(value)


def local_origin(connection: sqlite3.Connection) -> str:
    """This folder's workstation: the origin of the events it writes."""
    return connection.execute("SELECT id FROM workstations WHERE is_local").fetchone()[0]


def new_stamp(connection: sqlite3.Connection, origin: str) -> str | None:
    """As `store.changes.new_stamp`; None when the sync state row is missing (the ORM would make it)."""
    row = connection.execute("SELECT clock FROM sync_state WHERE id = 'local'").fetchone()
    if row is None:
        return None
    stamp = str(next_stamp(Stamp.parse(row[0]) if row[0] else None, origin))
    connection.execute("UPDATE sync_state SET clock = ? WHERE id = 'local'", (stamp,))
    return stamp


def record_event(
    connection: sqlite3.Connection, origin: str, action: str, entity_type: str, entity_id: str, *,
    before: dict[str, Any] | None = None, after: dict[str, Any] | None = None, reason: str = "",
) -> str:
    """As `store.audit.record`: an event extending `origin`'s chain; its id."""
    last = connection.execute(_LAST_EVENT, (origin,)).fetchone()
    fields = {
        "id": new_id(), "origin": origin, "seq": last[0] + 1 if last else 1, "at": utcnow(),
        "user": current_user(), "host": current_host(), "action": action, "entity_type": entity_type,
        "entity_id": entity_id, "before": plain(before), "after": plain(after), "reason": reason or "",
        "prev_hash": last[1] if last else GENESIS,
    }
    connection.execute(_INSERT_EVENT, (
        fields["id"], origin, fields["seq"], fields["prev_hash"], event_hash(fields), stored_time(fields["at"]),
        fields["user"], fields["host"], action, entity_type, entity_id, stored_json(fields["before"]),
        stored_json(fields["after"]), fields["reason"]))
    return fields["id"]
