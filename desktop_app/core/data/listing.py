"""The list of datasets and their versions, in plain SQL through any DB-API connection.

`DatasetService.list` runs it on its session's connection (SQLite or PostgreSQL); `mldesk
datasets` runs it on a glance at the project (`store.glance`), without importing SQLAlchemy,
which would take longer than the listing. One query and one conversion serve both, so the
two cannot drift apart. Stored values come back as the driver gives them: SQLite returns
timestamps and JSON as text, psycopg as Python objects; `stored_time` and `stored_json` take either.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from desktop_app.core.data.entities import ColumnInfo, DatasetInfo, DatasetVersionInfo
from desktop_app.core.data.settings import ColumnKind, ReadSettings

_DATASET_FIELDS = ("id", "name", "description", "created_at", "created_by")
_VERSION_FIELDS = ("id", "dataset_id", "number", "sha256", "rows", "columns", "source_name", "source_sha256",
                   "read_settings", "warnings", "parent_id", "recipe", "created_at", "created_by", "host")
_JSON_FIELDS = {"columns", "read_settings", "warnings", "recipe"}


def _names(table: str, fields: tuple[str, ...]) -> str:
    return ", ".join(f'{table}."{field}"' for field in fields)  # quoted: "rows", "columns" are reserved words


DATASETS_SQL = (f"SELECT {_names('d', _DATASET_FIELDS)}, {_names('v', _VERSION_FIELDS)} "
                "FROM datasets d LEFT JOIN dataset_versions v ON v.dataset_id = d.id "
                "WHERE d.deleted_at IS NULL ORDER BY d.name, v.number")
VERSION_SQL = f"SELECT {_names('v', _VERSION_FIELDS)} FROM dataset_versions v WHERE v.id = ?"  # sqlite3's parameters


def datasets_from(rows) -> list[DatasetInfo]:
    """The datasets (by name) with their versions (by number), from the rows `DATASETS_SQL` returned."""
    datasets: dict[str, DatasetInfo] = {}
    versions: dict[str, list[DatasetVersionInfo]] = {}
    split = len(_DATASET_FIELDS)
    for row in rows:
        dataset = dict(zip(_DATASET_FIELDS, row[:split], strict=True))
        if dataset["id"] not in datasets:
            datasets[dataset["id"]] = DatasetInfo(
                id=dataset["id"], name=dataset["name"], description=dataset["description"],
                created_at=stored_time(dataset["created_at"]), created_by=dataset["created_by"], versions=())
            versions[dataset["id"]] = []
        if row[split] is not None:   # a dataset with no version yet has one row of NULLs here
            versions[dataset["id"]].append(stored_version(row[split:], dataset["name"]))
    return [replace(d, versions=tuple(versions[d.id])) for d in datasets.values()]


def stored_version(values, dataset_name: str) -> DatasetVersionInfo:
    """A dataset version from its stored values, as `VERSION_SQL` (or the end of a `DATASETS_SQL` row) gives them."""
    stored = {name: stored_json(value) if name in _JSON_FIELDS else value
              for name, value in zip(_VERSION_FIELDS, values, strict=True)}
    stored["created_at"] = stored_time(stored["created_at"])
    return version_entity(SimpleNamespace(**stored), dataset_name)


def version_entity(row: Any, dataset_name: str) -> DatasetVersionInfo:
    """A dataset version from its stored fields (a mapped row, or the namespace `datasets_from` makes)."""
    return DatasetVersionInfo(
        id=row.id,
        dataset_id=row.dataset_id,
        dataset_name=dataset_name,
        number=row.number,
        sha256=row.sha256,
        rows=row.rows,
        columns=tuple(ColumnInfo(c["name"], ColumnKind(c["kind"]), c["dtype"]) for c in row.columns),
        source_name=row.source_name,
        source_sha256=row.source_sha256,
        read_settings=ReadSettings.from_dict(row.read_settings) if row.read_settings else None,
        warnings=tuple(row.warnings or ()),
        parent_id=row.parent_id,
        recipe=row.recipe,
        created_at=row.created_at,
        created_by=row.created_by,
        host=row.host,
    )


def datasets_at(folder: str | os.PathLike) -> tuple[str, list[DatasetInfo]] | None:
    """The project's name and datasets, read at a glance; None when the project must be opened."""
    from desktop_app.core.store.glance import glance

    connection = glance(folder)
    if connection is None:
        return None
    try:
        name = connection.execute("SELECT name FROM project").fetchone()[0]
        return name, datasets_from(connection.execute(DATASETS_SQL))
    except sqlite3.Error:
        return None   # e.g. a damaged page: opening the project words it
    finally:
        connection.close()


def stored_time(value: datetime | str) -> datetime:
    """A stored UTC time; SQLite keeps it as text without its zone."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def stored_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value
