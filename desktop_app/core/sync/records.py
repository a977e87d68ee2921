"""What a journal record holds: an audit event, the rows its change made, the objects they name.

    {"event": {...every field of the audit event, its hash included...},
     "rows": [{"table": "dataset_versions", "row": {...}}, ...],   # parents first
     "objects": ["<sha256>", ...],
     "setting": {"key": ..., "stamp": ..., "replaces": [...], "value": {...}}}   # mutable settings only

`build_record` reads them from the local database (publishing); `row_values` turns a row
back into column values (applying). Rows travel whole; which of their fields a receiver
takes is the applier's business (`sync.apply`): immutable rows are inserted once, runs only
move forward, mutable settings come from `setting`, never from a row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.core.store import changes
from desktop_app.core.store.audit_chain import at_text
from desktop_app.core.store.models import (
    AuditEventRow,
    Base,
    DatasetRow,
    DatasetVersionRow,
    ExperimentRow,
    ModelVersionRow,
    MonitoringBatchRow,
    MonitorReferenceRow,
    PipelineRunRow,
    ProjectRow,
    QualityReportRow,
    RegisteredModelRow,
    RunRow,
    UTCDateTime,
)

TABLES: dict[str, type[Base]] = {cls.__tablename__: cls for cls in (
    ProjectRow, DatasetRow, DatasetVersionRow, QualityReportRow, ExperimentRow, RunRow, RegisteredModelRow,
    ModelVersionRow, MonitorReferenceRow, MonitoringBatchRow, PipelineRunRow)}
# The columns of each table that name a stored object.
OBJECT_COLUMNS = {"dataset_versions": ("sha256",), "runs": ("model_sha256", "curves_sha256"),
                  "model_versions": ("model_sha256",), "monitor_references": ("stats_sha256",)}
EVENT_FIELDS = ("id", "origin", "seq", "at", "user", "host", "action", "entity_type", "entity_id", "before",
                "after", "reason", "prev_hash", "hash")


def event_dict(row: AuditEventRow) -> dict[str, Any]:
    data = {name: getattr(row, name) for name in EVENT_FIELDS}
    data["at"] = at_text(row.at)
    return data


def row_dict(row: Base) -> dict[str, Any]:
    """A row's columns as JSON values (times as ISO text in UTC)."""
    data = {}
    for column in sa_inspect(type(row)).columns:
        value = getattr(row, column.key)
        data[column.key] = at_text(value) if isinstance(value, datetime) else value
    return data


def row_values(table: str, data: dict[str, Any]) -> dict[str, Any]:
    """Column values for `table` from a received row (unknown columns are dropped: a newer minor field)."""
    columns = {c.key: c for c in sa_inspect(TABLES[table]).columns}
    values = {}
    for key, value in data.items():
        column = columns.get(key)
        if column is None:
            continue
        if value is not None and isinstance(column.type, UTCDateTime):
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        values[key] = value
    return values


def build_record(session: Session, event: AuditEventRow) -> dict[str, Any]:
    """The record that publishes `event` and what its change made."""
    rows = [row for row in _rows_of(session, event) if row is not None]
    objects = sorted({sha for row in rows for column in OBJECT_COLUMNS.get(row.__tablename__, ())
                      if (sha := getattr(row, column))})
    record: dict[str, Any] = {"event": event_dict(event),
                              "rows": [{"table": row.__tablename__, "row": row_dict(row)} for row in rows],
                              "objects": objects}
    change = changes.change_of(session, event.id)
    if change is not None:
        record["setting"] = change.to_dict()
    return record


def _rows_of(session: Session, event: AuditEventRow) -> list[Any]:
    """The rows `event`'s change made, parents first (each one's references before it)."""
    get = session.get
    kind, entity = event.entity_type, event.entity_id
    if event.action == "monitor.reference":
        reference = session.scalars(select(MonitorReferenceRow).where(
            MonitorReferenceRow.model_version_id == entity)).first()
        return [reference]
    if kind == "project":
        return [get(ProjectRow, entity)]
    if kind == "dataset":
        return [get(DatasetRow, entity)]
    if kind == "dataset_version":
        version = get(DatasetVersionRow, entity)
        return [get(DatasetRow, version.dataset_id), version] if version is not None else []
    if kind == "quality_report":
        return [get(QualityReportRow, entity)]
    if kind == "run":
        run = get(RunRow, entity)
        return [get(ExperimentRow, run.experiment_id), run] if run is not None else []
    if kind == "registered_model":
        return [get(RegisteredModelRow, entity)]
    if kind == "model_version" and event.action == "model.register":
        model_version = get(ModelVersionRow, entity)
        return [get(RegisteredModelRow, model_version.model_id), model_version] if model_version is not None else []
    if kind == "monitoring_batch":
        return [get(MonitoringBatchRow, entity)]
    if kind == "pipeline_run":   # audited once it ended: the row travels whole, with its steps
        return [get(PipelineRunRow, entity)]
    return []   # exports, archive/restore, descriptions: the event (and its setting change) says it all
