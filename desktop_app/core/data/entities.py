"""Plain objects the dataset service hands out (no ORM leaks past `core`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from desktop_app.core.data.settings import ColumnKind, ReadSettings


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    kind: ColumnKind
    dtype: str


@dataclass(frozen=True)
class DatasetVersionInfo:
    id: str
    dataset_id: str
    dataset_name: str
    number: int
    sha256: str
    rows: int
    columns: tuple[ColumnInfo, ...]
    source_name: str
    source_sha256: str | None
    read_settings: ReadSettings | None
    warnings: tuple[str, ...]
    parent_id: str | None
    recipe: list[Any] | None
    created_at: datetime
    created_by: str
    host: str

    @property
    def label(self) -> str:
        return f"{self.dataset_name}@{self.number}"

    @property
    def n_columns(self) -> int:
        return len(self.columns)

    @property
    def kinds(self) -> dict[str, ColumnKind]:
        return {c.name: c.kind for c in self.columns}


@dataclass(frozen=True)
class DatasetInfo:
    id: str
    name: str
    description: str
    created_at: datetime
    created_by: str
    versions: tuple[DatasetVersionInfo, ...] = field(default=())

    @property
    def latest(self) -> DatasetVersionInfo | None:
        return self.versions[-1] if self.versions else None


@dataclass(frozen=True)
class ImportResult:
    version: DatasetVersionInfo
    settings: ReadSettings
    warnings: tuple[str, ...]
    created: bool  # False: identical content was imported before; that version is returned
