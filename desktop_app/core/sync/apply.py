"""Applying another workstation's batch to the local database: idempotent, in one transaction.

For each record, parents first: its rows, then its audit event (kept with its origin's chain),
then its setting change. Then, for what the batch touched:
- **numbers** are reassigned by the deterministic order (stamp, then id), so every workstation
  numbers versions alike; a version made *here* that moves records a `*.renumber` event;
- **settings** take the value of their newest head (`store.changes`); a version an alias points
  at is active (a change concurrent with an archive wins over it).

Keyed by id, so applying a batch twice changes nothing. A row that refers to something not
here yet, or collides with local data, raises `Waiting`: the caller rolls the transaction back
and the batch (with everything after it from that workstation) waits for the next sync.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from desktop_app.core.store import audit, changes
from desktop_app.core.store.audit_chain import event_hash
from desktop_app.core.store.models import (
    AuditEventRow,
    DatasetRow,
    DatasetVersionRow,
    ModelAliasRow,
    ModelVersionRow,
    RegisteredModelRow,
    RunRow,
    WorkstationRow,
)
from desktop_app.core.sync.batch import Batch
from desktop_app.core.sync.records import TABLES, row_values

_RUN_RANK = {"queued": 0, "running": 1}           # every other status is an end: rank 2
_MAKES_VERSION = ("dataset.import", "dataset.derive", "model.register")
# A version arrives with the number its workstation gave it, which may be taken here: it is stored
# under a temporary (negative, unique) number until the batch's renumbering gives it its place.
_TEMPORARY_NUMBERS = itertools.count(1_000_000)


class Waiting(Exception):
    """The batch cannot be applied yet; str() says why in the user's words."""


@dataclass
class Applied:
    records: int = 0
    notes: list[str] = field(default_factory=list)


def apply_batch(session: Session, batch: Batch, local_origin: str) -> Applied:
    """Apply every record of `batch` in the caller's transaction (see the module doc).

    Rows are written a table at a time (parents' tables first), a statement per table, so a
    clone of a thousand runs is a few statements, not a few thousand.
    """
    applied = Applied()
    touched = _Touched()
    _know_workstation(session, batch)
    known = _existing_ids(session, AuditEventRow, [r["event"]["id"] for r in batch.records])
    fresh = [r for r in batch.records if r["event"]["id"] not in known]   # not applied before (or our own)
    rows: dict[str, dict[str, dict[str, Any]]] = {table: {} for table in TABLE_ORDER}
    for record in fresh:
        for item in record.get("rows", []):
            table = item["table"]
            if table not in rows:
                continue                 # the project row (made when a workstation joins), or a kind not kept
            values = row_values(table, item["row"])
            earlier = rows[table].get(values["id"])
            if earlier is None or (table == "runs" and _rank(values) > _rank(earlier)):
                rows[table][values["id"]] = values
    for table in TABLE_ORDER:
        _write_rows(session, table, rows[table], touched)
    events = [_event_row(record["event"]) for record in fresh]
    if events:
        session.execute(insert(AuditEventRow), events)
    for record in fresh:
        setting = record.get("setting")
        if setting:
            changes.apply(session, changes.Change(record["event"]["id"], setting["key"], setting["stamp"],
                                                  tuple(setting["replaces"]), setting["value"]))
            touched.keys.add(setting["key"])
    applied.records = len(fresh)
    try:
        session.flush()
    except sa_exc.IntegrityError as exc:
        raise Waiting(_why(exc)) from None
    for dataset_id in sorted(touched.datasets):
        applied.notes += _renumber(session, DatasetVersionRow, DatasetVersionRow.dataset_id, dataset_id,
                                   local_origin, "dataset.renumber")
    for model_id in sorted(touched.models):
        applied.notes += _renumber(session, ModelVersionRow, ModelVersionRow.model_id, model_id, local_origin,
                                   "model.renumber")
    for key in sorted(touched.keys):
        materialize(session, key)
    keep_aliased_versions_active(session)
    return applied


# Tables in the order their rows are written: each one's references are written before it.
TABLE_ORDER = ("datasets", "dataset_versions", "experiments", "quality_reports", "runs", "registered_models",
               "model_versions", "monitor_references", "monitoring_batches", "pipeline_runs")


@dataclass
class _Touched:
    datasets: set[str] = field(default_factory=set)
    models: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)


def _know_workstation(session: Session, batch: Batch) -> None:
    if session.get(WorkstationRow, batch.header.workstation) is None:
        host = next((r["event"].get("host") for r in batch.records if r.get("event")), "") or "unknown"
        session.add(WorkstationRow(id=batch.header.workstation, host=host, is_local=False))


def _existing_ids(session: Session, cls: Any, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        found.update(session.scalars(select(cls.id).where(cls.id.in_(ids[start:start + 500]))))
    return found


def _write_rows(session: Session, table: str, rows: dict[str, dict[str, Any]], touched: _Touched) -> None:
    """New rows in one statement; rows already here only where the rules allow (runs forward, earlier versions)."""
    if not rows:
        return
    cls = TABLES[table]
    existing = _existing_ids(session, cls, list(rows))
    new = [values for key, values in rows.items() if key not in existing]
    for values in new:
        if table in ("dataset_versions", "model_versions"):
            values["number"] = -next(_TEMPORARY_NUMBERS)
    try:
        if new:
            session.execute(insert(cls), new)
    except sa_exc.IntegrityError as exc:
        raise Waiting(_why(exc)) from None
    for key in existing:
        values, row = rows[key], session.get_one(cls, key)
        if isinstance(row, RunRow):
            _move_run_forward(row, values)
        elif isinstance(row, (DatasetVersionRow, ModelVersionRow)) and values.get("stamp") and (
                row.stamp is None or values["stamp"] < row.stamp):
            # The same version made on two workstations (same snapshot, same run): the earlier one is kept.
            for name in ("stamp", "created_at", "created_by", "host"):
                setattr(row, name, values[name])
    stamps = [values["stamp"] for values in new if values.get("stamp")]
    if stamps:
        changes.observe(session, max(stamps))
    parent = {"dataset_versions": ("dataset_id", touched.datasets), "model_versions": ("model_id", touched.models)}
    if table in parent:
        column, found = parent[table]
        found.update(values[column] for values in rows.values())


def _rank(values: dict[str, Any]) -> int:
    return _RUN_RANK.get(values.get("status", ""), 2)


def _move_run_forward(existing: RunRow, values: dict[str, Any]) -> None:
    """A run's state only moves forward: queued → running → ended; an ended run never changes."""
    if _rank(values) > _RUN_RANK.get(existing.status, 2):
        for name, value in values.items():
            if name != "id":
                setattr(existing, name, value)


def _event_row(event: dict[str, Any]) -> dict[str, Any]:
    fields = dict(event)
    fields["at"] = datetime.fromisoformat(fields["at"].replace("Z", "+00:00"))
    if event_hash(fields) != fields["hash"]:
        raise Waiting(f"event {fields['seq']} of workstation {fields['origin'][:8]} does not match its hash "
                      "(changed after it was written); the batch is not applied")
    return fields


def _renumber(session: Session, cls: Any, parent: Any, parent_id: str, local_origin: str, action: str) -> list[str]:
    """Number the versions of one dataset or model by (stamp, id); a local version that moves is audited."""
    rows = list(session.scalars(select(cls).where(parent == parent_id)))
    wanted = {row.id: n for n, row in enumerate(sorted(rows, key=lambda r: (r.stamp or "", r.id)), start=1)}
    moved = [row for row in rows if row.number != wanted[row.id]]
    if not moved:
        return []
    before = {row.id: row.number for row in moved}
    for row in moved:                                   # two steps: the unique (parent, number) never clashes
        row.number = -next(_TEMPORARY_NUMBERS)
    session.flush()
    notes = []
    origins = dict(session.execute(select(AuditEventRow.entity_id, AuditEventRow.origin).where(
        AuditEventRow.entity_id.in_(before), AuditEventRow.action.in_(_MAKES_VERSION))).all())
    for row in moved:
        row.number = wanted[row.id]
        if origins.get(row.id) != local_origin or before[row.id] < 0:   # arrived just now: it had no number here
            continue
        name = _parent_name(session, cls, parent_id)
        note = (f"{name} v{before[row.id]} is now v{row.number}: a version made at the same time on another "
                "workstation comes before it in the order every workstation uses")
        audit.record(session, action, "model_version" if cls is ModelVersionRow else "dataset_version", row.id,
                     before={"number": before[row.id]}, after={"number": row.number}, reason=note)
        notes.append(note + ".")
    session.flush()
    return notes


def _parent_name(session: Session, cls: Any, parent_id: str) -> str:
    parent = (session.get(RegisteredModelRow, parent_id) if cls is ModelVersionRow
              else session.get(DatasetRow, parent_id))
    return parent.name if parent is not None else parent_id[:8]


def materialize(session: Session, key: str) -> None:
    """Give the setting `key` the value of its newest head."""
    change = changes.winner(session, key)
    if change is None:
        return
    kind, _, rest = key.partition(":")
    value = change.value
    if kind == "alias":
        model_id, _, name = rest.partition(":")
        current = session.scalars(select(ModelAliasRow).where(ModelAliasRow.model_id == model_id,
                                                              ModelAliasRow.name == name)).first()
        event = session.get(AuditEventRow, change.event_id)
        target = value.get("version_id")
        if target is None:
            if current is not None:
                session.delete(current)
        elif current is None:
            session.add(ModelAliasRow(model_id=model_id, name=name, version_id=target,
                                      updated_at=event.at if event else None, updated_by=event.user if event else ""))
        elif current.version_id != target:
            current.version_id = target
            if event is not None:
                current.updated_at, current.updated_by = event.at, event.user
    elif kind == "status":
        version = session.get(ModelVersionRow, rest)
        if version is not None:
            version.status = value["status"]
    elif kind in ("gate", "drift"):
        model = session.get(RegisteredModelRow, rest)
        if model is not None:
            if kind == "gate":
                model.kpi_gate = value["kpi_gate"]
            else:
                model.drift_settings = value["drift_settings"]
    elif kind == "describe":
        target_row = session.get(RegisteredModelRow, rest) or session.get(ModelVersionRow, rest)
        if target_row is not None:
            target_row.description, target_row.tags = value["description"], value["tags"]
    try:
        session.flush()
    except sa_exc.IntegrityError as exc:
        raise Waiting(_why(exc)) from None


def keep_aliased_versions_active(session: Session) -> None:
    """A version an alias points at is active: an archive made concurrently with the alias loses to it."""
    for version in session.scalars(select(ModelVersionRow).join(
            ModelAliasRow, ModelAliasRow.version_id == ModelVersionRow.id).where(ModelVersionRow.status != "active")):
        version.status = "active"


def _why(exc: sa_exc.IntegrityError) -> str:
    message = str(exc.orig)
    if "FOREIGN KEY" in message.upper() or "foreign key" in message:
        return "it refers to a dataset, run or model that has not arrived yet (another workstation's batch in transit)"
    return f"it collides with this project's own data ({message})"


