"""Plain objects the registry service hands out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class KpiRule:
    """One condition of a model's KPI gate, e.g. `recall>=0.7`."""

    metric: str
    op: str          # >=, >, <=, <
    value: float

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.value:g}"


@dataclass(frozen=True)
class ModelVersion:
    id: str
    model_id: str
    model_name: str
    number: int
    run_id: str
    model_sha256: str
    dataset_version_id: str
    dataset_label: str           # e.g. heart@2
    target: str
    task: str | None
    algorithm: str
    metrics: dict[str, float]
    description: str
    tags: dict[str, str]
    status: str                  # active | archived
    aliases: tuple[str, ...]
    created_at: datetime
    created_by: str
    host: str

    @property
    def label(self) -> str:
        return f"{self.model_name}@{self.number}"

    @property
    def archived(self) -> bool:
        return self.status == "archived"


@dataclass(frozen=True)
class RegisteredModel:
    id: str
    name: str
    description: str
    tags: dict[str, str]
    kpi_gate: tuple[KpiRule, ...]
    drift_settings: dict[str, Any]
    aliases: dict[str, int]      # alias name -> version number
    latest_version: int | None
    created_at: datetime
    created_by: str
    versions: tuple[ModelVersion, ...] = field(default=())


@dataclass(frozen=True)
class Lineage:
    """Where a model version comes from: version → run → dataset version → source and recipe."""

    version: ModelVersion
    run_id: str
    experiment: str
    algorithm: str
    params: dict[str, Any]
    seed: int
    dataset_label: str
    dataset_sha256: str
    source_name: str             # the imported file's name
    source_sha256: str | None
    # the chain of dataset versions from the imported one to the one trained on, oldest first:
    # [{"label", "sha256", "recipe" (list of steps or None)}]
    dataset_chain: tuple[dict[str, Any], ...]
    environment: dict[str, Any]
