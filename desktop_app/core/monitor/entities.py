"""Plain objects the monitor service hands out (no ORM rows leave `core.store`).

A batch's results are stored as one JSON document (MonitoringBatchRow.results, unchanged);
`BatchResults.from_dict` reads it into typed, frozen objects so that the front ends (the CLI,
the HTML report, the window) read attributes, not string keys:

    r = batch.result
    r.columns[0].drifted, r.prediction.drifted, r.multivariate.auc, r.metrics.gate.passed
    r.validation.warnings, r.settings["p_value"], r.reference.rows

Every `to_dict` gives back the stored form, so the CLI's `--json` stays what it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from desktop_app.core.registry.entities import KpiRule


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
class ColumnDriftResult:
    """How one column (a feature, a prediction column or the target) moved: `drift.ColumnDrift` as stored."""

    column: str
    kind: str = ""                        # numeric | categorical
    test: str | None = None               # ks | wasserstein | chi_squared | jensen_shannon; None: untested
    statistic: float | None = None        # None when infinite (JSON has no infinity) or untested
    p_value: float | None = None          # KS and chi-squared only
    threshold: float | None = None
    drifted: bool = False
    psi: float | None = None
    psi_band: str = ""
    missing_ref: float | None = None      # share of missing values
    missing_batch: float | None = None
    missing_drifted: bool = False
    new_categories: tuple[str, ...] = ()
    new_category_share: float = 0.0
    rows_ref: int = 0
    rows_batch: int = 0
    note: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False)  # keys this version does not know

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColumnDriftResult:
        known, extra = _split(cls, data)
        known["new_categories"] = tuple(known.get("new_categories") or ())
        return cls(**known, extra=extra)

    def to_dict(self) -> dict[str, Any]:
        out = _fields(self, "extra")
        out["new_categories"] = list(self.new_categories)
        return {**out, **self.extra}


@dataclass(frozen=True)
class PredictionDrift:
    """The model's answers on the batch against its answers on the reference sample."""

    columns: tuple[ColumnDriftResult, ...] = ()    # prediction, proba_<class> …
    charts: Mapping[str, dict[str, Any]] = field(default_factory=dict, repr=False)  # monitor.charts documents

    @property
    def drifted(self) -> bool:
        return any(c.drifted for c in self.columns)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> PredictionDrift:
        data = data or {}
        return cls(tuple(ColumnDriftResult.from_dict(c) for c in data.get("columns") or ()),
                   dict(data.get("charts") or {}))


@dataclass(frozen=True)
class FeatureImportance:
    """A column that separates batch rows from reference rows: the AUROC drop when it is shuffled."""

    column: str
    kind: str = ""
    importance: float = 0.0
    std: float = 0.0


@dataclass(frozen=True)
class MultivariateDrift:
    """The domain classifier's verdict (`multivariate.domain_classifier`), or why it was skipped."""

    skipped: str = ""                              # why it was not computed; "" when it was
    band: tuple[float, float] | None = None        # AUROC outside [low, high] flags drift
    method: str = ""
    auc: float | None = None
    auc_folds: tuple[float, ...] = ()
    drifted: bool = False
    rows_reference: int = 0
    rows_batch: int = 0
    top_features: tuple[FeatureImportance, ...] = ()
    importance: str = ""                           # how the importances were measured

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> MultivariateDrift | None:
        if not data:
            return None
        known, _ = _split(cls, data)
        band = known.get("band")
        known["band"] = (float(band[0]), float(band[1])) if band else None
        known["auc_folds"] = tuple(known.get("auc_folds") or ())
        known["top_features"] = tuple(FeatureImportance(**_split(FeatureImportance, f)[0])
                                      for f in known.get("top_features") or ())
        return cls(**known)

    def to_dict(self) -> dict[str, Any]:
        band = list(self.band) if self.band is not None else None
        if self.skipped:
            return {"skipped": self.skipped, "band": band}
        return {"method": self.method, "auc": self.auc, "auc_folds": list(self.auc_folds), "drifted": self.drifted,
                "band": band, "rows_reference": self.rows_reference, "rows_batch": self.rows_batch,
                "top_features": [_fields(f) for f in self.top_features], "importance": self.importance}


@dataclass(frozen=True)
class GateVerdict:
    """The model's KPI gate checked on a batch's labelled rows."""

    rules: tuple[KpiRule, ...] = ()
    failures: tuple[str, ...] = ()       # one sentence per failed rule
    unmeasured: tuple[str, ...] = ()     # rules on metrics the batch could not measure
    passed: bool | None = None           # None: the model has no gate

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> GateVerdict | None:
        if not data:
            return None
        rules = tuple(KpiRule(str(r["metric"]), str(r["op"]), float(r["value"])) for r in data.get("rules") or ())
        return cls(rules, tuple(data.get("failures") or ()), tuple(data.get("unmeasured") or ()), data.get("passed"))

    def to_dict(self) -> dict[str, Any]:
        return {"rules": [{"metric": r.metric, "op": r.op, "value": r.value} for r in self.rules],
                "failures": list(self.failures), "unmeasured": list(self.unmeasured), "passed": self.passed}


@dataclass(frozen=True)
class LabelledMetrics:
    """The model measured on the batch's labelled rows, beside its run's test metrics."""

    rows: int = 0
    metrics: Mapping[str, float | None] = field(default_factory=dict)
    test_metrics: Mapping[str, float | None] = field(default_factory=dict)
    delta: Mapping[str, float] = field(default_factory=dict)        # batch − test, where both are known
    notes: tuple[str, ...] = ()
    gate: GateVerdict | None = None
    groups: Mapping[str, Any] = field(default_factory=dict)   # {column: {group: {metric: value}}} (fairness)

    @property
    def gate_passed(self) -> bool | None:
        """True or False when the model has a KPI gate; None when it has none."""
        return self.gate.passed if self.gate is not None else None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> LabelledMetrics | None:
        if not data:
            return None
        return cls(int(data.get("rows") or 0), dict(data.get("metrics") or {}),
                   dict(data.get("test_metrics") or {}), dict(data.get("delta") or {}),
                   tuple(data.get("notes") or ()), GateVerdict.from_dict(data.get("gate")),
                   dict(data.get("groups") or {}))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rows": self.rows, "metrics": dict(self.metrics),
                               "test_metrics": dict(self.test_metrics), "delta": dict(self.delta),
                               "notes": list(self.notes)}
        if self.gate is not None:
            out["gate"] = self.gate.to_dict()
        if self.groups:
            out["groups"] = dict(self.groups)
        return out


@dataclass(frozen=True)
class ValidationIssue:
    """One problem the batch's check against the model's signature found (`scoring.validation.Issue`)."""

    column: str | None
    problem: str
    severity: str                         # error | warning | info
    count: int
    message: str
    examples: tuple[Any, ...] = ()
    example_rows: tuple[int, ...] = ()
    detail: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"column": self.column, "problem": self.problem, "severity": self.severity, "count": self.count,
                "examples": list(self.examples), "example_rows": list(self.example_rows),
                "detail": dict(self.detail), "message": self.message}


@dataclass(frozen=True)
class BatchValidation:
    """The batch's validation summary: what did not stop it (a fatal problem stores nothing)."""

    rows: int = 0
    valid_rows: int = 0
    invalid_rows: int = 0
    fatal: bool = False
    summary: str = ""
    issues: tuple[ValidationIssue, ...] = ()

    @property
    def warnings(self) -> list[str]:
        """The messages of the warnings (the rows were kept)."""
        return [i.message for i in self.issues if i.severity == "warning"]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> BatchValidation | None:
        if not data:
            return None
        issues = []
        for i in data.get("issues") or ():
            known, _ = _split(ValidationIssue, {"column": None, "problem": "", "severity": "", "count": 0,
                                                "message": "", **i})
            issues.append(ValidationIssue(**{**known, "examples": tuple(known.get("examples") or ()),
                                             "example_rows": tuple(known.get("example_rows") or ())}))
        known, _ = _split(cls, data)
        return cls(**{**known, "issues": tuple(issues)})

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "valid_rows": self.valid_rows, "invalid_rows": self.invalid_rows,
                "fatal": self.fatal, "summary": self.summary, "issues": [i.to_dict() for i in self.issues]}


@dataclass(frozen=True)
class ReferenceSize:
    """How much of the training data the batch was compared with."""

    rows: int = 0              # training rows the statistics describe
    sample_rows: int = 0       # rows kept for the domain classifier and charts

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "sample_rows": self.sample_rows}


@dataclass(frozen=True)
class BatchResults:
    """Everything measured on one batch, typed (see the module doc); read from the stored JSON."""

    columns: tuple[ColumnDriftResult, ...] = ()
    share_drifted: float = 0.0
    dataset_drift: bool = False
    drift_share: float | None = None                  # the share of drifted columns that flags the dataset
    skipped: Mapping[str, str] = field(default_factory=dict)   # column → why it was not tested
    prediction: PredictionDrift = field(default_factory=PredictionDrift)
    multivariate: MultivariateDrift | None = None
    target: ColumnDriftResult | None = None           # the target's drift, when the batch has labels
    metrics: LabelledMetrics | None = None            # with labels only
    validation: BatchValidation | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)  # the DriftSettings used, as a dict
    reference: ReferenceSize | None = None
    seconds: Mapping[str, float] = field(default_factory=dict)  # time taken per phase

    @property
    def drifted_columns(self) -> list[str]:
        return [c.column for c in self.columns if c.drifted]

    def column(self, name: str) -> ColumnDriftResult:
        """The drift of feature `name` (KeyError when it was not tested)."""
        for c in self.columns:
            if c.column == name:
                return c
        raise KeyError(name)

    def result_of(self, name: str) -> ColumnDriftResult | None:
        """The drift of any column drawn for this batch: a feature, a prediction column or the target."""
        for c in (*self.columns, *self.prediction.columns, *((self.target,) if self.target else ())):
            if c.column == name:
                return c
        return None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> BatchResults:
        data = data or {}
        target, reference = data.get("target"), data.get("reference")
        return cls(
            columns=tuple(ColumnDriftResult.from_dict(c) for c in data.get("columns") or ()),
            share_drifted=float(data.get("share_drifted") or 0.0), dataset_drift=bool(data.get("dataset_drift")),
            drift_share=data.get("drift_share"), skipped=dict(data.get("skipped") or {}),
            prediction=PredictionDrift.from_dict(data.get("prediction")),
            multivariate=MultivariateDrift.from_dict(data.get("multivariate")),
            target=ColumnDriftResult.from_dict(target) if target else None,
            metrics=LabelledMetrics.from_dict(data.get("metrics")),
            validation=BatchValidation.from_dict(data.get("validation")),
            settings=dict(data.get("settings") or {}),
            reference=ReferenceSize(int(reference.get("rows") or 0), int(reference.get("sample_rows") or 0))
            if reference else None,
            seconds=dict(data.get("seconds") or {}),
        )


def _split(cls: type, data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """`data` as (the keys that are fields of `cls`, the others)."""
    names = cls.__dataclass_fields__.keys()  # type: ignore[attr-defined]
    known = {k: v for k, v in data.items() if k in names and k != "extra"}
    return known, {k: v for k, v in data.items() if k not in known}


def _fields(obj: Any, *leave: str) -> dict[str, Any]:
    """A dataclass's fields in order, shallow (nested objects stay as they are)."""
    return {name: getattr(obj, name) for name in obj.__dataclass_fields__ if name not in leave}


@dataclass(frozen=True)
class MonitoringBatch:
    """One batch of new rows checked against a model version.

    `result` is the typed form of what was measured (BatchResults), read by the CLI, the HTML
    report and the window; `results` is the stored JSON document it is read from (`to_dict`
    gives it back as it is):
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

    @cached_property
    def result(self) -> BatchResults:
        """What was measured, typed (read once from `results`)."""
        return BatchResults.from_dict(self.results)

    @property
    def drifted_columns(self) -> list[str]:
        return self.result.drifted_columns

    @property
    def prediction_drift(self) -> bool:
        return self.result.prediction.drifted

    @property
    def multivariate_drift(self) -> bool:
        return self.result.multivariate is not None and self.result.multivariate.drifted

    @property
    def labelled(self) -> bool:
        return self.result.metrics is not None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "model_version_id": self.model_version_id, "model": self.model_label,
                "dataset_version_id": self.dataset_version_id, "dataset": self.dataset_label,
                "data_sha256": self.data_sha256, "name": self.name, "rows": self.rows,
                "dataset_drift": self.dataset_drift, "share_drifted": self.share_drifted,
                "drifted_columns": self.drifted_columns,
                "created_at": self.created_at.isoformat() if self.created_at else None,
                "created_by": self.created_by, "host": self.host, "results": self.results}
