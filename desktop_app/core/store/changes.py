"""Mutable settings as a log of stamped changes: who wins, and which changes are in conflict.

Aliases, a version's status, a model's KPI gate, descriptions and drift settings can change
on several workstations that sync through a shared folder. Each change is kept with:
- its **stamp** (`store.hlc`): one order every workstation agrees on;
- the changes it **replaces**: the *heads* of that setting (the changes no other change
  replaced) that its workstation knew when it made it.

The value of a setting is its newest head (largest stamp). One head: a plain later change.
Several heads: the changes were made without seeing each other — a **conflict**, shown to the
user with every head until someone chooses; the choice is one more change, replacing them all,
so it clears the conflict wherever it is synced. A change that names a change not arrived yet
is remembered (`setting_replaced`), so arrival order never matters.

Keys name the setting: `alias:<model id>:<alias>`, `status:<version id>`, `gate:<model id>`,
`describe:<model or version id>`, `drift:<model id>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.core.store.hlc import Stamp, next_stamp, seen
from desktop_app.core.store.models import SettingChangeRow, SettingReplacedRow, SyncStateRow


def alias_key(model_id: str, alias: str) -> str:
    return f"alias:{model_id}:{alias}"


def status_key(version_id: str) -> str:
    return f"status:{version_id}"


def gate_key(model_id: str) -> str:
    return f"gate:{model_id}"


def describe_key(entity_id: str) -> str:
    return f"describe:{entity_id}"


def drift_key(model_id: str) -> str:
    return f"drift:{model_id}"


@dataclass(frozen=True)
class Change:
    event_id: str
    key: str
    stamp: str
    replaces: tuple[str, ...]
    value: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "stamp": self.stamp, "replaces": list(self.replaces), "value": self.value}


def state(session: Session) -> SyncStateRow:
    """This workstation's sync state row (made on first use)."""
    row = session.get(SyncStateRow, "local")
    if row is None:
        row = SyncStateRow(id="local")
        session.add(row)
        session.flush()
    return row


def new_stamp(session: Session) -> str:
    """A stamp later than every stamp this workstation made or received (inside a write transaction)."""
    row = state(session)
    stamp = next_stamp(Stamp.parse(row.clock) if row.clock else None, session.info["origin"])
    row.clock = str(stamp)
    return row.clock


def observe(session: Session, stamp: str) -> None:
    """Remember a stamp received from another workstation: later local stamps will exceed it."""
    row = state(session)
    row.clock = str(seen(Stamp.parse(row.clock) if row.clock else None, Stamp.parse(stamp)))


def record(session: Session, event_id: str, key: str, value: dict[str, Any]) -> Change:
    """Log a local change of `key` made by audit event `event_id`: it replaces every current head."""
    replaces = tuple(sorted(c.event_id for c in heads(session, key)))
    change = Change(event_id, key, new_stamp(session), replaces, value)
    _store(session, change)
    return change


def apply(session: Session, change: Change) -> bool:
    """Log a change received from another workstation; False when it was known already."""
    if session.get(SettingChangeRow, change.event_id) is not None:
        return False
    observe(session, change.stamp)
    _store(session, change)
    return True


def heads(session: Session, key: str) -> list[Change]:
    """The changes of `key` that no known change replaced, oldest stamp first."""
    replaced = select(SettingReplacedRow.event_id)
    rows = session.scalars(select(SettingChangeRow).where(
        SettingChangeRow.key == key, SettingChangeRow.event_id.not_in(replaced)).order_by(SettingChangeRow.stamp))
    return [_change(row) for row in rows]


def winner(session: Session, key: str) -> Change | None:
    """The value the setting takes: its newest head (the same on every workstation), None if never changed."""
    found = heads(session, key)
    return found[-1] if found else None


def conflicted_keys(session: Session, prefix: str = "") -> list[str]:
    """Keys (starting with `prefix`) with more than one head."""
    from sqlalchemy import func

    replaced = select(SettingReplacedRow.event_id)
    query = (select(SettingChangeRow.key).where(SettingChangeRow.event_id.not_in(replaced),
                                                 SettingChangeRow.key.startswith(prefix, autoescape=True))
             .group_by(SettingChangeRow.key).having(func.count() > 1).order_by(SettingChangeRow.key))
    return list(session.scalars(query))


def change_of(session: Session, event_id: str) -> Change | None:
    row = session.get(SettingChangeRow, event_id)
    return _change(row) if row is not None else None


def _store(session: Session, change: Change) -> None:
    session.add(SettingChangeRow(event_id=change.event_id, key=change.key, stamp=change.stamp,
                                 replaces=list(change.replaces), value=change.value))
    for replaced in change.replaces:
        if session.get(SettingReplacedRow, replaced) is None:
            session.add(SettingReplacedRow(event_id=replaced))
    session.flush()


def _change(row: SettingChangeRow) -> Change:
    return Change(row.event_id, row.key, row.stamp, tuple(row.replaces or ()), dict(row.value or {}))
