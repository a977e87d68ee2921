"""Plain objects the run service hands out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"  # its process stopped (crash, kill, power cut) before it ended

    @property
    def ended(self) -> bool:
        return self not in (RunStatus.QUEUED, RunStatus.RUNNING)


@dataclass(frozen=True)
class RunSpec:
    """Everything needed to train (and re-train) a model; stored with the run."""

    dataset: str                        # dataset reference: name, name@N or version id
    target: str
    algorithm: str
    params: dict[str, Any] = field(default_factory=dict)
    experiment: str = "Default"
    task: str | None = None
    test_size: float = 0.25
    seed: int = 0
    cv_folds: int | None = None
    class_weight: str | None = None
    positive_label: Any = None
    time_column: str | None = None
    tune_threshold: bool = False
    search: str | None = None           # grid, random or halving
    trials: int = 20
    time_budget_seconds: float | None = None
    cluster: str | None = None          # a Dask scheduler's address: the search's candidates / CV folds run there
    sensitive: str | None = None        # a column whose groups are compared (fairness); left out of the features…
    use_sensitive: bool = False         # …unless this says the model may learn from it

    def options(self) -> dict[str, Any]:
        """The options column: the spec less what has its own column."""
        return {
            "task": self.task, "test_size": self.test_size, "cv_folds": self.cv_folds,
            "class_weight": self.class_weight, "positive_label": self.positive_label,
            "time_column": self.time_column, "tune_threshold": self.tune_threshold, "search": self.search,
            "trials": self.trials, "time_budget_seconds": self.time_budget_seconds, "cluster": self.cluster,
            "sensitive": self.sensitive, "use_sensitive": self.use_sensitive,
        }


@dataclass(frozen=True)
class RunInfo:
    id: str
    experiment: str
    dataset_version_id: str
    dataset_label: str
    dataset_sha256: str
    target: str
    task: str | None
    algorithm: str
    params: dict[str, Any]
    options: dict[str, Any]
    seed: int
    status: RunStatus
    error: str | None
    metrics: dict[str, float]
    cv_metrics: dict[str, float]
    summary: dict[str, Any]
    curves_sha256: str | None
    model_sha256: str | None
    environment: dict[str, Any]
    parent_run_id: str | None
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    user: str
    host: str
    owner: dict[str, Any] | None = None  # the process responsible while queued or running

    @property
    def short_id(self) -> str:
        return self.id[:8]

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()

    def spec(self) -> RunSpec:
        """The spec that reproduces this run on the same dataset version."""
        options = {k: v for k, v in self.options.items() if k in RunSpec.__dataclass_fields__}
        return RunSpec(dataset=self.dataset_version_id, target=self.target, algorithm=self.algorithm,
                       params=dict(self.params), experiment=self.experiment, seed=self.seed, **options)
