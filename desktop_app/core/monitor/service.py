"""Drift monitoring of registered model versions; reached as `project.monitor`.

    batch = project.monitor.add_batch("churn@production", "may.csv", progress=cb, cancel=token)
    batch.dataset_drift, batch.drifted_columns, batch.result.multivariate.auc   # typed: entities.BatchResults
    project.monitor.batches("churn")                 # the model's batches, oldest first
    project.monitor.distributions(batch, "income")   # reference vs batch on the same bins
    project.monitor.report_html(batch)               # a self-contained page

The reference statistics of a version (its training rows, as the run split them) are
computed the first time a batch needs them and stored (MonitorReferenceRow + one object);
every later batch reads only them. A batch is checked against the model's signature first:
fatal problems raise BatchValidationError and nothing is stored. Otherwise it is scored, its
drift computed, then imported as a dataset version of `<model>-batches` and recorded with
its results and a `monitor.batch` audit event. A cancel (through `progress` or `cancel`)
stops the work before anything is stored.
"""

from __future__ import annotations

import re
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as DatabaseIntegrityError
from sqlalchemy.orm import Session

from desktop_app.core import memory
from desktop_app.core.errors import NotFoundError
from desktop_app.core.identity import current_host, current_user
from desktop_app.core.monitor.entities import MonitoringBatch, MonitorReference
from desktop_app.core.monitor.errors import BatchValidationError, MonitorError
from desktop_app.core.monitor.settings import DriftSettings
from desktop_app.core.progress import CancelToken, ProgressCallback, no_progress, scaled
from desktop_app.core.store import audit
from desktop_app.core.store.models import (
    DatasetRow,
    DatasetVersionRow,
    ModelVersionRow,
    MonitoringBatchRow,
    MonitorReferenceRow,
    RegisteredModelRow,
    derived_id,
)

if TYPE_CHECKING:
    import pandas as pd

    from desktop_app.core.data.entities import DatasetVersionInfo
    from desktop_app.core.data.service import DatasetService
    from desktop_app.core.monitor.reference import ReferenceStats
    from desktop_app.core.registry.entities import ModelVersion
    from desktop_app.core.registry.service import RegistryService
    from desktop_app.core.scoring.service import ScoringService
    from desktop_app.core.scoring.signature import InputSignature
    from desktop_app.core.store.database import Database
    from desktop_app.core.store.objects import ObjectStore
    from desktop_app.core.tracking.service import RunService

CACHED_REFERENCES = 2
MIN_PREFIX = 6
BATCHES_SUFFIX = "-batches"


class MonitorService:
    def __init__(self, db: Database, objects: ObjectStore, datasets: DatasetService, runs: RunService,
                 registry: RegistryService, scoring: ScoringService) -> None:
        self._db = db
        self._objects = objects
        self._datasets = datasets
        self._runs = runs
        self._registry = registry
        self._scoring = scoring
        self._lock = threading.Lock()
        self._references: OrderedDict[str, ReferenceStats] = OrderedDict()

    # -- settings ---------------------------------------------------------------------------------

    def settings(self, model: str | ModelVersion) -> DriftSettings:
        """The model's drift settings: the defaults, updated by what the model stores."""
        return DriftSettings.from_dict(self._registry.get_model(_model_name(model)).drift_settings)

    def set_settings(self, model: str | ModelVersion, settings: DriftSettings | Mapping[str, Any],
                     reason: str = "") -> DriftSettings:
        """Store the settings that differ from the defaults (validated first; audited by the registry)."""
        if not isinstance(settings, DriftSettings):
            settings = DriftSettings.from_dict(settings)
        self._registry.set_drift_settings(_model_name(model), settings.overrides(), reason)
        return settings

    # -- reference --------------------------------------------------------------------------------

    def reference(self, version: str | ModelVersion, progress: ProgressCallback = no_progress) -> MonitorReference:
        """The version's stored reference statistics, computed and stored first if missing."""
        version = self._resolve(version)
        row = self._reference_row(version.id)
        if row is not None:
            return row
        stats = self._compute_reference(version, progress)
        sha = self._objects.put_bytes(stats.to_bytes())
        try:
            with self._db.session() as session:
                record = MonitorReferenceRow(id=derived_id(version.id, "reference", "drift"),
                                             model_version_id=version.id, rows=stats.rows,
                                             sample_rows=stats.sample_rows, stats_sha256=sha)
                session.add(record)
                session.flush()
                audit.record(session, "monitor.reference", "model_version", version.id,
                             after={"rows": stats.rows, "sample_rows": stats.sample_rows, "sha256": sha})
        except DatabaseIntegrityError:  # another process stored it meanwhile: use theirs
            pass
        with self._lock:
            self._references[sha] = stats
        stored = self._reference_row(version.id)
        if stored is None:  # only if the database lost the row it just wrote
            raise MonitorError(f"The reference statistics of {version.label} could not be stored; try again.")
        return stored

    def load_reference(self, version: str | ModelVersion, progress: ProgressCallback = no_progress
                       ) -> ReferenceStats:
        """The reference statistics themselves (computed if missing; the last few are kept in memory)."""
        from desktop_app.core.monitor.reference import ReferenceStats

        stored = self.reference(version, progress)
        with self._lock:
            if stored.stats_sha256 in self._references:
                self._references.move_to_end(stored.stats_sha256)
                return self._references[stored.stats_sha256]
        stats = ReferenceStats.from_bytes(self._objects.read_bytes(stored.stats_sha256))
        with self._lock:
            self._references[stored.stats_sha256] = stats
            while len(self._references) > CACHED_REFERENCES:
                self._references.popitem(last=False)
        return stats

    def _reference_row(self, version_id: str) -> MonitorReference | None:
        with self._db.read() as session:
            row = session.scalars(select(MonitorReferenceRow).where(
                MonitorReferenceRow.model_version_id == version_id)).first()
            if row is None:
                return None
            return MonitorReference(row.id, row.model_version_id, row.rows, row.sample_rows, row.stats_sha256,
                                    row.created_at)

    def _compute_reference(self, version: ModelVersion, progress: ProgressCallback) -> ReferenceStats:
        import pandas as pd

        from desktop_app.core.monitor.predictions import prediction_series
        from desktop_app.core.monitor.reference import CATEGORICAL, NUMERIC, build_reference, column_reference
        from desktop_app.core.scoring.predict import classes_of, predict_frame

        progress(0.0, f"Loading the training rows of {version.label}")
        X, y = self._registry.training_rows(version)
        signature = self._scoring.signature(version)
        kinds = {c.name: str(c.kind) for c in signature.columns}
        present = [c for c in signature.names if c in X.columns]
        progress(0.4, "Describing the training rows")
        stats = build_reference(X, kinds, [c for c in signature.features if c in X.columns], sample_columns=present,
                                progress=scaled(progress, 0.4, 0.8))
        run = self._runs.get(version.run_id)
        pipeline = self._scoring.pipeline(version)
        classes = classes_of(pipeline) if run.task == "classification" else None
        positive = run.summary.get("positive_label")
        progress(0.8, f"Predicting the reference sample ({stats.sample_rows:,} rows)")
        output = predict_frame(pipeline, stats.sample, progress=scaled(progress, 0.8, 0.95))
        for name, (values, kind) in prediction_series(output, classes, positive).items():
            stats.predictions[name] = column_reference(name, values, kind)
        target_kind = CATEGORICAL if run.task == "classification" else NUMERIC
        stats.target = column_reference(run.target, pd.Series(y), target_kind)
        stats.info = {"task": run.task, "target": run.target, "classes": classes, "positive_label": positive,
                      "threshold": run.summary.get("threshold"), "model_version_id": version.id,
                      "label": version.label, "recipe": list(signature.recipe)}
        progress(1.0, "Reference ready")
        return stats

    # -- batches ----------------------------------------------------------------------------------

    def add_batch(self, model_ref: str | ModelVersion, path_or_frame: str | Path | pd.DataFrame, *,
                  name: str | None = None, progress: ProgressCallback = no_progress,
                  cancel: CancelToken | None = None) -> MonitoringBatch:
        """Check a batch of new rows against a model version and store the result (see the module doc)."""
        import pandas as pd

        from desktop_app.core.monitor.charts import distribution
        from desktop_app.core.monitor.drift import column_drift, data_drift
        from desktop_app.core.monitor.multivariate import domain_classifier
        from desktop_app.core.monitor.predictions import labelled_metrics, prediction_series
        from desktop_app.core.quality.findings import jsonable

        progress = cancel.wrap(progress) if cancel is not None else progress
        seconds: dict[str, float] = {}
        clock = time.perf_counter()
        version = self._resolve(model_ref)
        settings = self.settings(version.model_name)
        memory.ensure_fits(f"Checking this batch against {version.label}",
                           self.memory_needed(version, path_or_frame))
        progress(0.0, "Reading the batch")
        if isinstance(path_or_frame, pd.DataFrame):
            frame = path_or_frame.reset_index(drop=True)
            source = name or "rows"
        else:
            from desktop_app.core.scoring.files import read_rows

            path = Path(path_or_frame)
            if not path.is_file():
                raise MonitorError(f"There is no file {path}; check the path and try again.")
            frame = read_rows(path, scaled(progress, 0.0, 0.1))
            source = path.name
        if len(frame) == 0:
            raise BatchValidationError("The batch has no rows; give a file with at least one row.")
        seconds["read"], clock = time.perf_counter() - clock, time.perf_counter()

        progress(0.1, f"Checking the rows against {version.label}")
        signature = self._scoring.signature(version)
        report = self._scoring.validate(version, frame)
        if report.fatal:
            errors = [i.message for i in report.issues if i.severity == "error"]
            more = f" ({len(errors) - 1} more problem(s) in the report)" if len(errors) > 1 else ""
            raise BatchValidationError(f"The batch does not fit {version.label}, so nothing was stored: "
                                       f"{errors[0].rstrip('.')}{more}.")
        seconds["validate"], clock = time.perf_counter() - clock, time.perf_counter()

        stats = self.load_reference(version, scaled(progress, 0.15, 0.45))
        seconds["reference"], clock = time.perf_counter() - clock, time.perf_counter()

        progress(0.45, f"Scoring {len(frame):,} rows")
        scored = self._scoring.score_frame(version, frame, progress=scaled(progress, 0.45, 0.6))
        output = scored.output[list(scored.prediction_columns)]
        seconds["score"], clock = time.perf_counter() - clock, time.perf_counter()

        progress(0.6, "Comparing the columns")
        view = _apply_recipe(frame, stats.info.get("recipe") or signature.recipe)
        drift = data_drift(stats, view, settings, progress=scaled(progress, 0.6, 0.68))
        info = stats.info
        predicted = prediction_series(output, info.get("classes"), info.get("positive_label"))
        prediction: dict[str, Any] = {"columns": [], "charts": {}}
        for column, ref in stats.predictions.items():
            if column in predicted:
                prediction["columns"].append(column_drift(ref, predicted[column][0], settings).to_dict())
                prediction["charts"][column] = distribution(ref, predicted[column][0])
        seconds["drift"], clock = time.perf_counter() - clock, time.perf_counter()

        progress(0.7, "Training the domain classifier")
        features = [c for c in stats.columns if c in view.columns]
        multivariate = domain_classifier(stats.sample[features], view[features],
                                         {c: stats.kinds[c] for c in features}, settings)
        seconds["multivariate"], clock = time.perf_counter() - clock, time.perf_counter()

        target, metrics = None, None
        target_name = info.get("target") or signature.target
        if target_name in frame.columns and frame[target_name].notna().any() and stats.target is not None:
            progress(0.9, "Measuring the model on the labelled rows")
            target = column_drift(stats.target, frame[target_name], settings).to_dict()
            metrics = labelled_metrics(frame[target_name], output, task=info.get("task"),
                                       classes=info.get("classes"), positive_label=info.get("positive_label"),
                                       threshold=info.get("threshold"), test_metrics=version.metrics,
                                       groups=self._groups(version, frame))
            metrics["gate"] = self._gate(version, metrics["metrics"])
            seconds["metrics"], clock = time.perf_counter() - clock, time.perf_counter()

        results = {
            **drift.to_dict(), "prediction": prediction, "multivariate": multivariate, "target": target,
            "metrics": metrics, "validation": report.to_dict(), "settings": settings.to_dict(),
            "reference": {"rows": stats.rows, "sample_rows": stats.sample_rows}, "seconds": seconds,
        }
        progress(0.92, "Storing the batch")  # the last point a cancel stops at: nothing is kept yet
        imported = self._import(version, frame, path_or_frame, source, signature, target_name)
        results = jsonable(results)
        with self._db.session() as session:
            row = MonitoringBatchRow(
                model_version_id=version.id, dataset_version_id=imported.id, data_sha256=imported.sha256,
                name=(name or source).strip()[:500], rows=len(frame), dataset_drift=drift.dataset_drift,
                share_drifted=drift.share_drifted, results=results, created_by=current_user(), host=current_host())
            session.add(row)
            session.flush()
            audit.record(session, "monitor.batch", "monitoring_batch", row.id, after={
                "model": version.label, "model_version_id": version.id, "dataset": imported.label,
                "sha256": imported.sha256, "rows": len(frame), "dataset_drift": drift.dataset_drift,
                "share_drifted": drift.share_drifted, "drifted_columns": drift.drifted_columns})
            batch = self._entity(session, row)
        progress(1.0, f"{len(drift.drifted_columns)} of {len(drift.columns)} columns drifted")
        return batch

    def memory_needed(self, version: ModelVersion, given: str | Path | pd.DataFrame) -> int:
        """Peak memory of a batch: its own steps, plus the reference statistics if they are not stored yet."""
        import pandas as pd

        if isinstance(given, pd.DataFrame):
            batch = memory.step_bytes("batch", int(given.memory_usage(deep=True).sum()))
        else:
            batch = memory.step_bytes("batch", memory.file_table_bytes(Path(given))) if Path(given).is_file() else 0
        return (batch or 0) + self.reference_bytes(version)

    def reference_bytes(self, version: ModelVersion) -> int:
        """Peak memory of `load_reference(version)`: 0 once the reference is stored, else that of building it."""
        if self._reference_row(version.id) is not None:
            return 0
        training = self._datasets.table_bytes(self._datasets.get_version(version.dataset_version_id))
        return memory.step_bytes("reference", training) or 0

    def _import(self, version: ModelVersion, frame: pd.DataFrame, given: str | Path | pd.DataFrame, source: str,
                signature: InputSignature, target: str | None) -> DatasetVersionInfo:
        """Store the batch's rows as the next version of `<model>-batches` (kinds as in training)."""
        import pandas as pd

        kinds = {c.name: str(c.kind) for c in signature.columns if c.name in frame.columns}
        training_kinds = self._datasets.get_version(version.dataset_version_id).kinds
        if target in frame.columns and target in training_kinds:
            kinds[target] = str(training_kinds[target])
        dataset = _dataset_name(version.model_name)
        if not isinstance(given, pd.DataFrame):
            return self._datasets.import_file(given, name=dataset, kinds=kinds).version
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"{_safe_stem(source)}.parquet"
            try:
                frame.to_parquet(path, index=False)
            except (ValueError, TypeError, ImportError) as exc:
                raise MonitorError(f"The rows cannot be stored as a table ({exc}); give each column one type.") \
                    from None
            return self._datasets.import_file(path, name=dataset, kinds=kinds).version

    def _gate(self, version: ModelVersion, metrics: Mapping[str, float]) -> dict[str, Any]:
        from desktop_app.core.registry.gate import check_gate, rules_to_json

        rules = self._registry.get_model(version.model_name).kpi_gate
        measured = [r for r in rules if r.metric in metrics]
        failures = check_gate(measured, metrics)
        return {"rules": rules_to_json(rules), "failures": failures,
                "unmeasured": [str(r) for r in rules if r.metric not in metrics],
                "passed": not failures if rules else None}

    # -- queries ----------------------------------------------------------------------------------

    def _groups(self, version: ModelVersion, frame: pd.DataFrame) -> pd.Series | None:
        """The batch's rows in the groups the version's run was audited on (`training.fairness`), if it was and
        the batch has that column; a numeric column is banded as training banded it."""
        from desktop_app.core.training.fairness import group_labels

        run = self._runs.get(version.run_id)
        column = run.options.get("sensitive")
        if not column or column not in frame.columns or not run.summary.get("groups"):
            return None
        edges = (run.summary.get("group_bands") or {}).get(column)
        return group_labels(frame[column], numeric=bool(edges) or None, edges=edges)

    def batches(self, model_ref: str | ModelVersion, all_versions: bool = False) -> list[MonitoringBatch]:
        """The batches of the version `model_ref` names (all the model's with `all_versions`), oldest first."""
        version = self._resolve(model_ref)
        with self._db.read() as session:
            query = select(MonitoringBatchRow).order_by(MonitoringBatchRow.created_at)
            if all_versions:
                ids = select(ModelVersionRow.id).where(ModelVersionRow.model_id == version.model_id)
                query = query.where(MonitoringBatchRow.model_version_id.in_(ids))
            else:
                query = query.where(MonitoringBatchRow.model_version_id == version.id)
            return [self._entity(session, row) for row in session.scalars(query)]

    def timeline(self, model_ref: str | ModelVersion, all_versions: bool = True) -> list[dict[str, Any]]:
        """One point per batch, oldest first, for the charts over time: drift share, dataset drift,
        prediction drift, domain AUROC, and the labelled metrics when there are some."""
        out = []
        for b in self.batches(model_ref, all_versions):
            metrics, multivariate = b.result.metrics, b.result.multivariate
            out.append({"id": b.id, "name": b.name, "model": b.model_label, "created_at": b.created_at,
                        "rows": b.rows, "share_drifted": b.share_drifted, "dataset_drift": b.dataset_drift,
                        "drifted_columns": b.drifted_columns, "prediction_drift": b.prediction_drift,
                        "domain_auc": multivariate.auc if multivariate is not None else None,
                        "metrics": dict(metrics.metrics) if metrics is not None else {},
                        "gate_passed": metrics.gate_passed if metrics is not None else None})
        return out

    def batch(self, batch_id: str | MonitoringBatch) -> MonitoringBatch:
        """A batch by id or unique id prefix (at least 6 characters)."""
        if isinstance(batch_id, MonitoringBatch):
            batch_id = batch_id.id
        ref = (batch_id or "").strip()
        with self._db.read() as session:
            row = session.get(MonitoringBatchRow, ref)
            if row is None and len(ref) >= MIN_PREFIX:
                rows = session.scalars(select(MonitoringBatchRow).where(
                    MonitoringBatchRow.id.startswith(ref, autoescape=True)).limit(2)).all()
                if len(rows) > 1:
                    raise NotFoundError(f"More than one batch starts with '{ref}'; give more characters of its id.")
                row = rows[0] if rows else None
            if row is None:
                raise NotFoundError(f"There is no monitoring batch '{ref}' in this project; list a model's batches "
                                    "to find its id.")
            return self._entity(session, row)

    def batch_rows(self, batch: str | MonitoringBatch, columns: list[str] | None = None) -> pd.DataFrame:
        """The batch's stored rows (hash-verified), with the model's data fixes applied."""
        batch = self.batch(batch)
        version = self._datasets.get_version(batch.dataset_version_id)
        names = None if columns is None else [c for c in columns if c in version.kinds]
        frame = self._datasets.load_table(version, columns=names).to_pandas()
        stats = self.load_reference(batch.model_version_id)
        return _apply_recipe(frame, stats.info.get("recipe") or ())

    def distributions(self, batch: str | MonitoringBatch, column: str) -> dict[str, Any]:
        """Reference against batch for one column (a feature, the target, or a prediction column):
        shares per bin on the same bins, or per category (see monitor.charts)."""
        from desktop_app.core.monitor.charts import distribution

        batch = self.batch(batch)
        charts = batch.result.prediction.charts
        if column in charts:
            return charts[column]
        stats = self.load_reference(batch.model_version_id)
        ref = stats.columns.get(column)
        if ref is None and stats.target is not None and column == stats.target.column:
            ref = stats.target
        if ref is None:
            raise NotFoundError(f"'{column}' is not a column drift was measured on for this batch; choose one of "
                                f"{', '.join(list(stats.columns)[:10])}.")
        rows = self.batch_rows(batch, [column])
        if column not in rows.columns:
            raise NotFoundError(f"The batch has no column '{column}'.")
        return distribution(ref, rows[column])

    def report_html(self, batch: str | MonitoringBatch) -> str:
        """The batch's drift report as one self-contained HTML page (inline CSS and SVG)."""
        from desktop_app.core.monitor.charts import distribution
        from desktop_app.core.monitor.report_html import render_html

        batch = self.batch(batch)
        stats = self.load_reference(batch.model_version_id)
        columns = [c.column for c in batch.result.columns]
        rows = self.batch_rows(batch, columns + ([stats.target.column] if stats.target is not None else []))
        charts = {c: distribution(stats.columns[c], rows[c]) for c in columns if c in rows.columns}
        if stats.target is not None and stats.target.column in rows.columns and batch.result.target is not None:
            charts[stats.target.column] = distribution(stats.target, rows[stats.target.column])
        charts.update(batch.result.prediction.charts)
        return render_html(batch, charts)

    # -- internals --------------------------------------------------------------------------------

    def _resolve(self, ref: str | ModelVersion) -> ModelVersion:
        return self._registry.resolve(ref)  # name, name@N, name@alias, or a version id

    @staticmethod
    def _entity(session: Session, row: MonitoringBatchRow) -> MonitoringBatch:
        version = session.get_one(ModelVersionRow, row.model_version_id)
        model = session.get_one(RegisteredModelRow, version.model_id)
        data = session.get_one(DatasetVersionRow, row.dataset_version_id)
        dataset = session.get_one(DatasetRow, data.dataset_id)
        return MonitoringBatch(
            id=row.id, model_version_id=row.model_version_id, model_label=f"{model.name}@{version.number}",
            dataset_version_id=row.dataset_version_id, dataset_label=f"{dataset.name}@{data.number}",
            data_sha256=row.data_sha256, name=row.name, rows=row.rows, dataset_drift=row.dataset_drift,
            share_drifted=row.share_drifted, results=dict(row.results or {}), created_at=row.created_at,
            created_by=row.created_by, host=row.host)


def _model_name(model: Any) -> str:
    if hasattr(model, "model_name"):
        return model.model_name
    return str(model).strip().partition("@")[0]


def _dataset_name(model_name: str) -> str:
    return f"{model_name[:200 - len(BATCHES_SUFFIX)]}{BATCHES_SUFFIX}"


def _safe_stem(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", Path(text).stem).strip("-.")[:80] or "batch"


def _apply_recipe(frame: pd.DataFrame, recipe: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """The batch after the data fixes the model repeats (the reference was taken after them).

    Steps on columns the frame does not hold are skipped (a chart loads one column only).
    """
    if not recipe:
        return frame
    from desktop_app.core.quality.errors import RecipeError
    from desktop_app.core.quality.recipe import replay_for_prediction

    try:
        return replay_for_prediction(frame, recipe, skip_missing_columns=True)
    except RecipeError as exc:
        raise BatchValidationError(f"The model's data fixes cannot run on the batch: {exc}") from None
