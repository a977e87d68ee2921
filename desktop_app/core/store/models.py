"""ORM tables. These classes never leave `core`: services turn rows into plain entities.

Every id is a UUID string so that two workstations never collide when they sync;
JSON columns and timezone-aware timestamps keep the schema portable to PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from desktop_app.core.store.ids import ID_LENGTH, derived_id, named_id, new_id, utcnow  # noqa: F401  (re-exported)


class UTCDateTime(TypeDecorator):
    """Stores UTC; SQLite forgets the zone, so it is put back on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use UTC")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class ProjectRow(Base):
    __tablename__ = "project"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(200))


class DatasetRow(Base):
    __tablename__ = "datasets"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)

    versions: Mapped[list[DatasetVersionRow]] = relationship(
        back_populates="dataset", order_by="DatasetVersionRow.number"
    )


class DatasetVersionRow(Base):
    __tablename__ = "dataset_versions"
    __table_args__ = (
        UniqueConstraint("dataset_id", "number", name="uq_dataset_versions_number"),
        UniqueConstraint("dataset_id", "sha256", name="uq_dataset_versions_sha256"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    rows: Mapped[int] = mapped_column(Integer)
    n_columns: Mapped[int] = mapped_column(Integer)
    # [{"name": ..., "kind": ..., "dtype": ...}, ...] in column order
    columns: Mapped[list[Any]] = mapped_column(JSON)
    source_name: Mapped[str] = mapped_column(String(500), default="")
    source_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    read_settings: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    warnings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("dataset_versions.id"), default=None)
    recipe: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(200))

    # Orders the dataset's versions the same way on every workstation (numbers follow it; store.hlc).
    stamp: Mapped[str | None] = mapped_column(String(100), default=None)

    dataset: Mapped[DatasetRow] = relationship(back_populates="versions")


class WorkstationRow(Base):
    """A project folder that writes to this database: the origin of its audit chain.

    The local one (`is_local`) is made when the project is created, cloned or migrated; the
    others are the team's workstations this one has received changes from (sync).
    """

    __tablename__ = "workstations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    host: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_local: Mapped[bool] = mapped_column(default=False)


class SettingChangeRow(Base):
    """A change of a mutable setting (an alias, a version's status, a KPI gate, a description, drift
    settings): its stamp, the changes it replaces and the value it set (`store.changes`)."""

    __tablename__ = "setting_changes"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the change's audit event
    key: Mapped[str] = mapped_column(String(300), index=True)           # e.g. "alias:<model id>:production"
    stamp: Mapped[str] = mapped_column(String(100))                      # store.hlc.Stamp as text
    replaces: Mapped[list[Any]] = mapped_column(JSON, default=list)     # event ids of the heads it replaced
    value: Mapped[dict[str, Any]] = mapped_column(JSON)


class SettingReplacedRow(Base):
    """An event id some change replaced (kept even when that change has not arrived yet)."""

    __tablename__ = "setting_replaced"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)


class SyncStateRow(Base):
    """This workstation's side of sync: the linked folder, what it published, its clock (one row)."""

    __tablename__ = "sync_state"

    id: Mapped[str] = mapped_column(String(20), primary_key=True, default="local")
    folder: Mapped[str | None] = mapped_column(Text, default=None)
    linked_at: Mapped[datetime | None] = mapped_column(default=None)
    published_seq: Mapped[int] = mapped_column(Integer, default=0)      # own audit events published so far
    published_batch: Mapped[int] = mapped_column(Integer, default=0)    # own batches written so far
    published_hash: Mapped[str] = mapped_column(String(64), default="0" * 64)  # hash of the last batch
    clock: Mapped[str] = mapped_column(String(100), default="")          # the largest stamp made or seen
    last_sync_at: Mapped[datetime | None] = mapped_column(default=None)
    last_report: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class SyncCursorRow(Base):
    """How far another workstation's journal has been applied here."""

    __tablename__ = "sync_cursors"

    workstation_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    applied_batch: Mapped[int] = mapped_column(Integer, default=0)
    applied_hash: Mapped[str] = mapped_column(String(64), default="0" * 64)
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEventRow(Base):
    """One audit event, chained: `hash` covers the event and the `prev_hash` of its origin's previous one."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_entity", "entity_type", "entity_id"),
        UniqueConstraint("origin", "seq", name="uq_audit_events_origin_seq"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    origin: Mapped[str] = mapped_column(String(36))  # the workstation that wrote it
    seq: Mapped[int] = mapped_column(Integer)         # 1, 2, … per origin
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user: Mapped[str] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(36))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    reason: Mapped[str] = mapped_column(Text, default="")


class QualityReportRow(Base):
    __tablename__ = "quality_reports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dataset_version_id: Mapped[str] = mapped_column(ForeignKey("dataset_versions.id"), index=True)
    target: Mapped[str | None] = mapped_column(String(500), default=None)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    infos: Mapped[int] = mapped_column(Integer, default=0)
    # The whole report (findings, thresholds, figures) as QualityReport.to_dict() gives it.
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_by: Mapped[str] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(200))


class ExperimentRow(Base):
    __tablename__ = "experiments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))


class RunRow(Base):
    """One training run: what went in, what came out, where and by whom."""

    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_experiment_created", "experiment_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    experiment_id: Mapped[str] = mapped_column(ForeignKey("experiments.id"))
    dataset_version_id: Mapped[str] = mapped_column(ForeignKey("dataset_versions.id"), index=True)
    dataset_sha256: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(500))
    task: Mapped[str | None] = mapped_column(String(20), default=None)
    algorithm: Mapped[str] = mapped_column(String(100))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # split, CV folds, class weight, threshold tuning, search: everything needed to re-run
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), index=True)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    cv_metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # pipeline steps, feature importance, threshold, classes, row counts, timings
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    curves_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    model_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    environment: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    parent_run_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    user: Mapped[str] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(200))
    # The process responsible for the run now ({"host", "pid", "started_ms"}): the one that
    # queued it, then the one training it. A run left queued or running by a process that is
    # gone is marked interrupted (see store.recovery).
    owner: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class RegisteredModelRow(Base):
    """A named model; its versions point at runs. `kpi_gate` and `drift_settings` are per model."""

    __tablename__ = "registered_models"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # [{"metric": "recall", "op": ">=", "value": 0.7}, ...]
    kpi_gate: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # drift thresholds that differ from the defaults (monitor.settings)
    drift_settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(200))


class ModelVersionRow(Base):
    __tablename__ = "model_versions"
    __table_args__ = (
        UniqueConstraint("model_id", "number", name="uq_model_versions_number"),
        UniqueConstraint("model_id", "run_id", name="uq_model_versions_run"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    model_id: Mapped[str] = mapped_column(ForeignKey("registered_models.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"), index=True)
    model_sha256: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | archived
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(200))
    # Orders the model's versions the same way on every workstation (numbers follow it; store.hlc).
    stamp: Mapped[str | None] = mapped_column(String(100), default=None)


class ModelAliasRow(Base):
    """`production`, `staging`, … : one version each; moves are audit events."""

    __tablename__ = "model_aliases"
    __table_args__ = (UniqueConstraint("model_id", "name", name="uq_model_aliases_name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    model_id: Mapped[str] = mapped_column(ForeignKey("registered_models.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    version_id: Mapped[str] = mapped_column(ForeignKey("model_versions.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200))


class MonitorReferenceRow(Base):
    """Reference statistics of a model version's training data, computed once and reused."""

    __tablename__ = "monitor_references"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    model_version_id: Mapped[str] = mapped_column(ForeignKey("model_versions.id"), unique=True)
    rows: Mapped[int] = mapped_column(Integer)           # rows the statistics describe
    sample_rows: Mapped[int] = mapped_column(Integer)    # rows kept for tests and charts
    stats_sha256: Mapped[str] = mapped_column(String(64))  # object: the statistics themselves
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MonitoringBatchRow(Base):
    """One batch of new rows checked against a model version."""

    __tablename__ = "monitoring_batches"
    __table_args__ = (Index("ix_monitoring_batches_version_created", "model_version_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    model_version_id: Mapped[str] = mapped_column(ForeignKey("model_versions.id"))
    dataset_version_id: Mapped[str] = mapped_column(ForeignKey("dataset_versions.id"))
    data_sha256: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(500), default="")
    rows: Mapped[int] = mapped_column(Integer)
    dataset_drift: Mapped[bool] = mapped_column(default=False)
    share_drifted: Mapped[float] = mapped_column(default=0.0)
    # per-feature results, prediction drift, multivariate drift, labelled metrics, settings used
    results: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(200))


class PipelineRunRow(Base):
    """One run of a saved pipeline: which definition, on which input, each step's state and what it made.

    `steps` is [{"step", "state", "started_at", "ended_at", "seconds", "detail", "made": {kind: id},
    "reused": bool, "key"}] in the pipeline's order; `made` gathers every object the run made or reused.
    """

    __tablename__ = "pipeline_runs"
    __table_args__ = (Index("ix_pipeline_runs_pipeline_started", "pipeline", "started_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    pipeline: Mapped[str] = mapped_column(String(200))
    definition_event_id: Mapped[str] = mapped_column(String(36))   # the saved definition (its setting change)
    status: Mapped[str] = mapped_column(String(20), index=True)    # running, done, stopped, failed, cancelled, …
    outcome: Mapped[str] = mapped_column(Text, default="")         # one sentence: promoted or not, or why it stopped
    stopped_at_step: Mapped[str | None] = mapped_column(String(20), default=None)
    input_path: Mapped[str] = mapped_column(Text, default="")
    input_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    steps: Mapped[list[Any]] = mapped_column(JSON, default=list)
    made: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    user: Mapped[str] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(200))
    owner: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
