"""Plain objects the monitor service hands out (no ORM rows leave `core.store`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class MonitorReference:
    """The stored reference statistics of one model version (the object is `stats_sha256`)."""

    id: str
    model_version_id: str
    rows: int                  # training rows the statistics describe
    sample_rows: int           # rows kept for the domain classifier and charts
    stats_sha256: str
    created_at: datetime


@dataclass(frozen=True)
class MonitoringBatch:
    """One batch of new rows checked against a model version.

    `results` is the stored JSON document:
      columns       [{column, kind, test, statistic, p_value, threshold, drifted, psi, psi_band,
                      missing_ref, missing_batch, missing_drifted, new_categories, …}, …]
      skipped       {column: why it was not tested}
      prediction    {"columns": [same shape, for prediction / proba_<class>], "charts": {…}}
      multivariate  {auc, auc_folds, drifted, band, top_features, …} or {"skipped": why}
      target        the target column's drift, when the batch has labels
      metrics       {rows, metrics, test_metrics, delta, gate: {rules, failures, passed}} with labels
      validation    the batch's validation summary (warnings that did not stop it)
      settings      the DriftSettings used
      seconds       time taken per phase
    """

    id: str
    model_version_id: str
    model_label: str           # e.g. churn@2
    dataset_version_id: str
    dataset_label: str         # e.g. churn-batches@4
    data_sha256: str
    name: str
    rows: int
    dataset_drift: bool
    share_drifted: float
    results: dict[str, Any] = field(repr=False)
    created_at: datetime | None = None
    created_by: str = ""
    host: str = ""

    @property
    def short_id(self) -> str:
        return self.id[:8]

    @property
    def columns(self) -> list[dict[str, Any]]:
        return list(self.results.get("columns", []))

    @property
    def drifted_columns(self) -> list[str]:
        return [c["column"] for c in self.columns if c.get("drifted")]

    def column(self, name: str) -> dict[str, Any]:
        for c in self.columns:
            if c["column"] == name:
                return c
        raise KeyError(name)

    @property
    def prediction_drift(self) -> bool:
        return any(c.get("drifted") for c in self.results.get("prediction", {}).get("columns", []))

    @property
    def multivariate_drift(self) -> bool:
        return bool(self.results.get("multivariate", {}).get("drifted"))

    @property
    def labelled(self) -> bool:
        return bool(self.results.get("metrics"))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "model_version_id": self.model_version_id, "model": self.model_label,
                "dataset_version_id": self.dataset_version_id, "dataset": self.dataset_label,
                "data_sha256": self.data_sha256, "name": self.name, "rows": self.rows,
                "dataset_drift": self.dataset_drift, "share_drifted": self.share_drifted,
                "drifted_columns": self.drifted_columns,
                "created_at": self.created_at.isoformat() if self.created_at else None,
                "created_by": self.created_by, "host": self.host, "results": self.results}
