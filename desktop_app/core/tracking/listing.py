"""The list of runs, in plain SQL through any DB-API connection (as `data.listing` lists datasets).

`RunService.list` runs it on its session's connection (SQLite or PostgreSQL); `mldesk runs` runs it
on a glance at the project (`store.glance`), without importing SQLAlchemy, which would take longer
than the listing. One query and one conversion serve both, so the two cannot drift apart.
"""

from __future__ import annotations

import os
import sqlite3
from types import SimpleNamespace
from typing import Any

from desktop_app.core.data.listing import stored_json, stored_time
from desktop_app.core.tracking.entities import RunInfo, RunStatus

_RUN_FIELDS = ("id", "experiment_id", "dataset_version_id", "dataset_sha256", "target", "task", "algorithm", "params",
               "options", "seed", "status", "error", "metrics", "cv_metrics", "summary", "curves_sha256",
               "model_sha256", "environment", "parent_run_id", "created_at", "started_at", "ended_at", "user",
               "host", "owner")
_JSON_FIELDS = {"params", "options", "metrics", "cv_metrics", "summary", "environment", "owner"}
_TIME_FIELDS = {"created_at", "started_at", "ended_at"}

# Newest first; with the run's experiment name and its dataset version's label parts.
RUNS_SQL = ("SELECT " + ", ".join(f'r."{field}"' for field in _RUN_FIELDS) + ", e.name, d.name, v.number "
            "FROM runs r LEFT JOIN experiments e ON e.id = r.experiment_id "
            "LEFT JOIN dataset_versions v ON v.id = r.dataset_version_id "
            "LEFT JOIN datasets d ON d.id = v.dataset_id ORDER BY r.created_at DESC")
EXPERIMENTS_SQL = "SELECT name FROM experiments ORDER BY name"


def runs_from(rows) -> list[RunInfo]:
    """The runs, from the rows `RUNS_SQL` returned."""
    runs = []
    split = len(_RUN_FIELDS)
    for row in rows:
        stored = {}
        for name, value in zip(_RUN_FIELDS, row[:split], strict=True):
            if name in _JSON_FIELDS:
                value = stored_json(value)
            elif name in _TIME_FIELDS and value is not None:
                value = stored_time(value)
            stored[name] = value
        experiment, dataset, number = row[split:]
        label = f"{dataset}@{number}" if dataset is not None else "?"
        runs.append(run_entity(SimpleNamespace(**stored), experiment or "", label))
    return runs


def run_entity(row: Any, experiment: str, dataset_label: str) -> RunInfo:
    """A run from its stored fields (a mapped row, or the namespace `runs_from` makes)."""
    return RunInfo(
        id=row.id, experiment=experiment, dataset_version_id=row.dataset_version_id, dataset_label=dataset_label,
        dataset_sha256=row.dataset_sha256, target=row.target, task=row.task, algorithm=row.algorithm,
        params=dict(row.params or {}), options=dict(row.options or {}), seed=row.seed, status=RunStatus(row.status),
        error=row.error, metrics=dict(row.metrics or {}), cv_metrics=dict(row.cv_metrics or {}),
        summary=dict(row.summary or {}), curves_sha256=row.curves_sha256, model_sha256=row.model_sha256,
        environment=dict(row.environment or {}), parent_run_id=row.parent_run_id, created_at=row.created_at,
        started_at=row.started_at, ended_at=row.ended_at, user=row.user, host=row.host, owner=row.owner,
    )


def runs_at(folder: str | os.PathLike) -> tuple[list[str], list[RunInfo]] | None:
    """The project's experiment names and runs, read at a glance; None when the project must be opened."""
    from desktop_app.core.store.glance import glance

    connection = glance(folder)
    if connection is None:
        return None
    try:
        experiments = [name for (name,) in connection.execute(EXPERIMENTS_SQL)]
        return experiments, runs_from(connection.execute(RUNS_SQL))
    except sqlite3.Error:
        return None   # e.g. a damaged page: opening the project words it
    finally:
        connection.close()
