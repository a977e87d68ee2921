"""Where pipelines are kept: definitions as a versioned setting, runs as rows.

A definition is the mutable setting `pipeline:<name>` (`store.changes`): each save is a stamped
change with its audit event (`pipeline.save`, before and after), so it is versioned, audited and
synced like an alias — two workstations saving the same pipeline unseen are a conflict, shown,
the newest used. A run is a `PipelineRunRow`, written as its steps go and audited once it ends
(`pipeline.run`), which is what sync publishes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.core.identity import current_host, current_user
from desktop_app.core.owners import current_owner
from desktop_app.core.pipelines.definition import PipelineDefinition, from_dict, to_dict
from desktop_app.core.pipelines.entities import PipelineRun, PipelineStatus, SavedPipeline, StepRecord
from desktop_app.core.pipelines.errors import PipelineNotFoundError
from desktop_app.core.store import audit, changes
from desktop_app.core.store.database import Database
from desktop_app.core.store.models import AuditEventRow, PipelineRunRow, SettingChangeRow, named_id, utcnow

PREFIX = "pipeline:"


def pipeline_key(name: str) -> str:
    return f"{PREFIX}{name}"


def save(db: Database, definition: PipelineDefinition, reason: str = "") -> SavedPipeline:
    """Save `definition` as the pipeline's next version (audited; replaces every current head)."""
    document = to_dict(definition)

    def write(session: Session) -> None:
        key = pipeline_key(definition.name)
        current = changes.winner(session, key)
        before = current.value.get("definition") if current is not None else None
        event = audit.record(session, "pipeline.save", "pipeline",
                             named_id(session.info["project"], "pipeline", definition.name),
                             before=before, after=document, reason=reason.strip())
        changes.record(session, event, key, {"definition": document})

    db.write(write)
    return get(db, definition.name)


def get(db: Database, name: str) -> SavedPipeline:
    with db.read() as session:
        heads = changes.heads(session, pipeline_key(name.strip()))
        if not heads:
            known = names_in(session)
            raise PipelineNotFoundError(
                f"There is no pipeline '{name}' in this project; "
                + (f"its pipelines are: {', '.join(known)}." if known else
                   "save one with `mldesk pipeline save PROJECT NAME --from MODEL@N`."))
        return _saved(session, heads)


def names(db: Database) -> list[str]:
    with db.read() as session:
        return names_in(session)


def names_in(session: Session) -> list[str]:
    keys = session.scalars(select(SettingChangeRow.key).where(
        SettingChangeRow.key.startswith(PREFIX, autoescape=True)).distinct())
    return sorted(key[len(PREFIX):] for key in keys)


def history(db: Database, name: str) -> list[tuple[int, audit.AuditEvent]]:
    """(version number, its audit event) for every save of `name`, newest first."""
    with db.read() as session:
        rows = session.scalars(select(SettingChangeRow).where(SettingChangeRow.key == pipeline_key(name))
                               .order_by(SettingChangeRow.stamp)).all()
        events = {e.id: e for e in audit.list_events(session, entity_id=named_id(session.info["project"],
                                                                                "pipeline", name))}
        return [(number, events[row.event_id]) for number, row in enumerate(rows, start=1)
                if row.event_id in events][::-1]


def _saved(session: Session, heads: list[changes.Change]) -> SavedPipeline:
    newest = heads[-1]
    event = session.get(AuditEventRow, newest.event_id)
    number = session.scalars(select(SettingChangeRow.event_id).where(
        SettingChangeRow.key == newest.key, SettingChangeRow.stamp <= newest.stamp)).all()
    return SavedPipeline(definition=from_dict(newest.value["definition"]), version=len(number),
                         event_id=newest.event_id, saved_at=event.at if event else None,
                         saved_by=event.user if event else "", conflict=len(heads) > 1)


# -- runs --------------------------------------------------------------------------------------

def start_run(db: Database, saved: SavedPipeline, input_path: str, steps: list[StepRecord]) -> PipelineRun:
    def write(session: Session) -> PipelineRun:
        row = PipelineRunRow(pipeline=saved.name, definition_event_id=saved.event_id,
                             status=PipelineStatus.RUNNING.value, outcome="", input_path=input_path,
                             steps=[s.to_dict() for s in steps], made={}, started_at=utcnow(),
                             user=current_user(), host=current_host(), owner=current_owner().to_dict())
        session.add(row)
        session.flush()
        return run_entity(row)

    return db.write(write)


def update_run(db: Database, run_id: str, steps: list[StepRecord], made: dict[str, Any],
               input_sha256: str | None = None, input_path: str | None = None) -> None:
    """Record the steps as they stand; `input_path`: the file a pattern matched, once known."""
    def write(session: Session) -> None:
        row = session.get_one(PipelineRunRow, run_id)
        if input_path is not None:
            row.input_path = input_path
        row.steps = [s.to_dict() for s in steps]
        row.made = dict(made)
        row.owner = current_owner().to_dict()   # the process running the steps (a worker, once it took the run)
        if input_sha256 is not None:
            row.input_sha256 = input_sha256

    db.write(write)


def end_run(db: Database, run_id: str, status: PipelineStatus, outcome: str, stopped_at: str | None,
            steps: list[StepRecord], made: dict[str, Any]) -> PipelineRun:
    """Record how the run ended, with its audit event (once: a run already ended keeps its end)."""
    def write(session: Session) -> PipelineRun:
        row = session.get_one(PipelineRunRow, run_id)
        if PipelineStatus(row.status).ended:
            return run_entity(row)
        row.status, row.outcome, row.stopped_at_step = status.value, outcome, stopped_at
        row.steps, row.made, row.ended_at, row.owner = [s.to_dict() for s in steps], dict(made), utcnow(), None
        session.flush()
        audit.record(session, "pipeline.run", "pipeline_run", row.id,
                     after={"pipeline": row.pipeline, "status": row.status, "outcome": outcome,
                            "stopped_at_step": stopped_at, "input": row.input_path,
                            "input_sha256": row.input_sha256, "made": dict(made)})
        return run_entity(row)

    return db.write(write)


def runs(db: Database, name: str | None = None, limit: int | None = None) -> list[PipelineRun]:
    """Pipeline runs, newest first (of pipeline `name` when given)."""
    with db.read() as session:
        query = select(PipelineRunRow).order_by(PipelineRunRow.started_at.desc())
        if name is not None:
            query = query.where(PipelineRunRow.pipeline == name)
        if limit is not None:
            query = query.limit(limit)
        return [run_entity(row) for row in session.scalars(query)]


def get_run(db: Database, ref: str) -> PipelineRun:
    with db.read() as session:
        row = session.get(PipelineRunRow, ref)
        if row is None and len(ref) >= 6:
            found = session.scalars(select(PipelineRunRow).where(
                PipelineRunRow.id.startswith(ref, autoescape=True)).limit(2)).all()
            row = found[0] if len(found) == 1 else None
        if row is None:
            raise PipelineNotFoundError(f"There is no pipeline run '{ref}'; `mldesk pipeline runs` lists them.")
        return run_entity(row)


def unfinished(db: Database) -> list[PipelineRun]:
    with db.read() as session:
        return [run_entity(row) for row in session.scalars(
            select(PipelineRunRow).where(PipelineRunRow.status == PipelineStatus.RUNNING.value))]


def earlier_step(db: Database, pipeline: str, step: str, key: str) -> StepRecord | None:
    """The newest step of an earlier run of `pipeline` that did the same work (same key) to its end."""
    for run in runs(db, pipeline):
        record = run.step(step)
        if record is not None and record.key == key and record.result:
            return record
    return None


def run_entity(row: PipelineRunRow) -> PipelineRun:
    return PipelineRun(
        id=row.id, pipeline=row.pipeline, definition_event_id=row.definition_event_id,
        status=PipelineStatus(row.status), outcome=row.outcome or "", stopped_at_step=row.stopped_at_step,
        input_path=row.input_path or "", input_sha256=row.input_sha256,
        steps=tuple(StepRecord.from_dict(s) for s in row.steps or ()), made=dict(row.made or {}),
        started_at=row.started_at, ended_at=row.ended_at, user=row.user, host=row.host, owner=row.owner)
