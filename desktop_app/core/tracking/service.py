"""Runs: create, execute, list, re-run; reached as `project.runs`.

A run is created `queued` with its full spec, then executed (in this process for the
CLI, in a worker process for the window — see `tracking.worker`). Whatever happens,
the run ends `finished`, `failed` (with the reason) or `cancelled`; the fitted model
is stored as a skops object and the curves as a JSON object, both content-addressed.
A run whose process vanished (kill -9, power cut) is found by its recorded owner and
ends `interrupted` (`store.recovery`).

Every change of a run's state is one transaction with its audit event (run.create,
run.rerun, run.start, run.finish, run.fail, run.cancel, run.interrupt, run.log), and a
state only moves forward: an ended run is never reopened by a late writer.
"""

from __future__ import annotations

import builtins  # in annotations below `RunService.list`, plain `list` names that method
import json
import traceback
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from desktop_app.core import memory
from desktop_app.core.errors import Cancelled, MLDeskError, NotFoundError
from desktop_app.core.identity import current_host, current_user
from desktop_app.core.owners import current_owner
from desktop_app.core.progress import ProgressCallback, no_progress, scaled
from desktop_app.core.store import audit
from desktop_app.core.store.models import DatasetVersionRow, ExperimentRow, RunRow, named_id, utcnow
from desktop_app.core.tracking.entities import RunInfo, RunSpec, RunStatus
from desktop_app.core.tracking.listing import RUNS_SQL, run_entity, runs_from

if TYPE_CHECKING:
    from desktop_app.core.data.service import DatasetService
    from desktop_app.core.store.database import Database
    from desktop_app.core.store.objects import ObjectStore
    from desktop_app.core.training.prepare import Prepared

MIN_PREFIX = 6
_STATUS_ACTIONS = {RunStatus.RUNNING: "run.start", RunStatus.FINISHED: "run.finish", RunStatus.FAILED: "run.fail",
                   RunStatus.CANCELLED: "run.cancel", RunStatus.INTERRUPTED: "run.interrupt"}


class RunService:
    def __init__(self, db: Database, objects: ObjectStore, datasets: DatasetService) -> None:
        self._db = db
        self._objects = objects
        self._datasets = datasets

    # -- lifecycle ------------------------------------------------------------------------

    def create(self, spec: RunSpec, parent_run_id: str | None = None) -> RunInfo:
        """Record a queued run (validating what can be validated before any work)."""
        from desktop_app.core.training.catalogue import get_algorithm, validate_params
        from desktop_app.core.training.task import detect_task

        version = self._datasets.get_version(spec.dataset)
        if spec.target not in version.kinds:
            raise NotFoundError(
                f"There is no column '{spec.target}' in {version.label}; choose the target among its columns."
            )
        task = spec.task
        if task is None:
            frame = self._datasets.load_table(version, columns=[spec.target]).column(spec.target).to_pandas()
            task = detect_task(frame, version.kinds[spec.target])
        params = validate_params(get_algorithm(spec.algorithm, task), spec.params)

        def record(session) -> RunInfo:
            experiment = self._experiment(session, spec.experiment)
            row = RunRow(
                experiment_id=experiment.id, dataset_version_id=version.id, dataset_sha256=version.sha256,
                target=spec.target, task=task, algorithm=spec.algorithm, params=_jsonable(params),
                options=_jsonable({**spec.options(), "task": task}), seed=spec.seed, status=RunStatus.QUEUED,
                parent_run_id=parent_run_id, user=current_user(), host=current_host(),
                owner=current_owner().to_dict(),
            )
            session.add(row)
            session.flush()
            audit.record(session, "run.rerun" if parent_run_id else "run.create", "run", row.id,
                         before={"run_id": parent_run_id} if parent_run_id else None,
                         after={"experiment": experiment.name, "dataset": version.label,
                                "dataset_sha256": version.sha256,
                                "target": spec.target, "task": task, "algorithm": spec.algorithm,
                                "params": row.params, "options": row.options, "seed": spec.seed})
            return self._entity(session, row)

        return self._db.write(record)

    def execute(self, run_id: str, progress: ProgressCallback = no_progress) -> RunInfo:
        """Train and evaluate a queued run here; record the outcome whatever it is."""
        from desktop_app.core.training.environment import environment

        run = self.get(run_id)
        started = self._transition(run.id, RunStatus.RUNNING, started_at=utcnow(), environment=environment(),
                                   owner=current_owner().to_dict())
        if started is None:  # cancelled (or otherwise ended) before this process took it
            return self.get(run.id)
        try:
            outcome = self._train(run, progress)
        except Cancelled:
            return self.mark_ended(run.id, RunStatus.CANCELLED, "Cancelled by the user.")
        except MLDeskError as exc:
            return self.mark_ended(run.id, RunStatus.FAILED, str(exc))
        except Exception as exc:  # a bug or a library failure: keep the details for the log
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            return self.mark_ended(run.id, RunStatus.FAILED,
                                   f"Training stopped with an unexpected error: {detail}\n\n{traceback.format_exc()}")
        return self._transition(run.id, RunStatus.FINISHED, ended_at=utcnow(), **outcome) or self.get(run.id)

    def train(self, spec: RunSpec, progress: ProgressCallback = no_progress) -> RunInfo:
        """Create and execute a run in this process (the CLI's path)."""
        return self.execute(self.create(spec).id, progress)

    def log(self, dataset: str, target: str, algorithm: str, *, params: dict[str, Any] | None = None,
            metrics: dict[str, float] | None = None, cv_metrics: dict[str, float] | None = None,
            experiment: str = "Default", task: str | None = None, seed: int = 0,
            started_at: datetime | None = None, ended_at: datetime | None = None) -> RunInfo:
        """Record a run trained elsewhere (a notebook, a script) as finished, with its numbers.

        MLflow's `log_params` + `log_metrics` in one call: no model, no curves, nothing
        re-computed; one transaction. The algorithm is free text here (it need not be in
        the catalogue), and such a run cannot be re-run or registered, having no model.
        """
        ended = ended_at or utcnow()

        def record(session) -> RunInfo:
            version = self._datasets.version_in(session, dataset)
            filed_under = self._experiment(session, experiment)
            row = RunRow(
                experiment_id=filed_under.id, dataset_version_id=version.id,
                dataset_sha256=version.sha256, target=target, task=task, algorithm=algorithm,
                params=_jsonable(params or {}), options={"task": task, "logged": True}, seed=seed,
                status=RunStatus.FINISHED, metrics=_finite(metrics or {}), cv_metrics=_finite(cv_metrics or {}),
                created_at=started_at or ended, started_at=started_at or ended, ended_at=ended,
                user=current_user(), host=current_host(),
            )
            session.add(row)
            session.flush()
            audit.record(session, "run.log", "run", row.id, after={
                "experiment": filed_under.name, "dataset": version.label, "target": target, "algorithm": algorithm,
                "params": row.params, "metrics": row.metrics, "cv_metrics": row.cv_metrics})
            return run_entity(row, filed_under.name, version.label)

        return self._db.write(record)

    def rerun(self, run_id: str) -> RunInfo:
        """A new queued run with the same dataset version, spec and seed."""
        original = self.get(run_id)
        return self.create(original.spec(), parent_run_id=original.id)

    def mark_ended(self, run_id: str, status: RunStatus, error: str) -> RunInfo:
        """End a run that did not finish (failed, cancelled, interrupted); an ended run stays as it is."""
        return self._transition(run_id, status, ended_at=utcnow(), error=error) or self.get(run_id)

    @staticmethod
    def split_arguments(run: RunInfo, recipe: list | None) -> dict[str, Any]:
        """The keyword arguments of `training.prepare.prepare` that split `run`'s data as its training did.

        `recipe` is the run's dataset version's recipe. Training and the registry's held-out
        rows (`prepared`) both use these, so the two splits cannot drift apart.
        """
        from desktop_app.core.quality.recipe import recipe_from_list

        options = run.options
        return dict(task=run.task, test_size=options.get("test_size", 0.25), seed=run.seed,
                    positive_label=options.get("positive_label"), time_column=options.get("time_column"),
                    recipe_steps=recipe_from_list(recipe), sensitive=options.get("sensitive"),
                    use_sensitive=bool(options.get("use_sensitive")))

    def prepared_bytes(self, run: RunInfo | str) -> int:
        """Peak memory of `prepared(run)`: its table loaded and made into features (an estimate, nothing loaded)."""
        if isinstance(run, str):
            run = self.get(run)
        version = self._datasets.get_version(run.dataset_version_id)
        return memory.step_bytes("reference", self._datasets.table_bytes(version)) or 0

    def prepared(self, run: RunInfo, progress: ProgressCallback = no_progress) -> Prepared:
        """`run`'s data as its training prepared it: features, labels, and the same train/test rows.

        The registry's held-out comparison and the bundle's verification rows come from here, so
        they score exactly the rows the run was tested on.
        """
        from desktop_app.core.training.errors import TrainingError
        from desktop_app.core.training.prepare import prepare

        version = self._datasets.get_version(run.dataset_version_id)
        if version.sha256 != run.dataset_sha256:
            raise TrainingError(f"Run {run.short_id} was trained on data with another hash than {version.label} "
                                "holds now; its held-out rows cannot be re-created.")
        frame = self._datasets.load(version, progress)
        try:
            return prepare(frame, version.kinds, run.target, run.algorithm,
                           **self.split_arguments(run, version.recipe))
        except MLDeskError as exc:
            raise TrainingError(f"The held-out rows of run {run.short_id} cannot be re-created: {exc}") from None

    def _train(self, run: RunInfo, progress: ProgressCallback) -> dict[str, Any]:
        from desktop_app.core.training.evaluation import evaluate_prepared
        from desktop_app.core.training.model_io import save_model
        from desktop_app.core.training.prepare import prepare
        from desktop_app.core.training.search import search_prepared

        version = self._datasets.get_version(run.dataset_version_id)
        needed = memory.step_bytes("train", self._datasets.table_bytes(version))
        memory.ensure_fits(f"Training on {version.label}", needed)
        progress(0.0, f"Loading {version.label}")
        frame = self._datasets.load(version)
        progress(0.04, "Preparing the data")
        prep = prepare(frame, version.kinds, run.target, run.algorithm,
                       **self.split_arguments(run, version.recipe)).in_training_order()
        del frame  # the prepared rows are a copy in training order: the loaded table can go
        memory.release_unused_memory()
        options = run.options
        common: dict[str, Any] = dict(seed=run.seed, class_weight=options.get("class_weight"),
                      tune_threshold=bool(options.get("tune_threshold")))
        training_progress = scaled(progress, 0.05, 0.95)
        search_summary = None
        if options.get("search"):
            found = search_prepared(prep, method=options["search"], trials=int(options.get("trials") or 20),
                                    cv_folds=int(options.get("cv_folds") or 3),
                                    time_budget_seconds=options.get("time_budget_seconds"), params=run.params,
                                    cluster=options.get("cluster"), progress=training_progress, **common)
            if found.final is None:
                raise Cancelled() if found.cancelled else MLDeskError(
                    "The search finished no candidate; allow more time or fewer trials.")
            result = found.final
            search_summary = {k: v for k, v in found.to_dict().items() if k != "final"}
        else:
            result = evaluate_prepared(prep, run.params, cv_folds=options.get("cv_folds"),
                                       cluster=options.get("cluster"), progress=training_progress, **common)
        progress(0.96, "Saving the model")
        model_sha = self._objects.put_bytes(save_model(result.pipeline))
        document = result.to_dict()
        curves_sha = self._objects.put_bytes(json.dumps(document.pop("curves")).encode())
        summary = {k: document[k] for k in (
            "pipeline_steps", "feature_importance", "importance_metric", "threshold", "positive_label", "classes",
            "n_train", "n_test", "dropped_missing_target", "timings", "estimator_params", "features", "notes",
            "groups", "group_bands")}
        if search_summary is not None:
            summary["search"] = search_summary
        progress(1.0, "Finished")
        return dict(params=_jsonable(document["params"]), metrics=_finite(document["metrics"]),
                    cv_metrics=_finite(document["cv_metrics"]), summary=_jsonable(summary),
                    model_sha256=model_sha, curves_sha256=curves_sha)

    # -- queries --------------------------------------------------------------------------

    def get(self, ref: str) -> RunInfo:
        """A run by id or unique id prefix (at least 6 characters)."""
        ref = ref.strip()
        with self._db.read() as session:
            row = session.get(RunRow, ref)
            if row is None and len(ref) >= MIN_PREFIX:
                rows = session.scalars(select(RunRow).where(RunRow.id.startswith(ref, autoescape=True)).limit(2)).all()
                if len(rows) > 1:
                    raise NotFoundError(f"More than one run starts with '{ref}'; give more characters of its id.")
                row = rows[0] if rows else None
            if row is None:
                hint = f" (give at least {MIN_PREFIX} characters)" if len(ref) < MIN_PREFIX else ""
                raise NotFoundError(f"There is no run '{ref}' in this project{hint}; `mldesk runs` lists them.")
            return self._entity(session, row)

    def list(self, experiment: str | None = None, limit: int | None = None) -> list[RunInfo]:
        """Runs, newest first (`tracking.listing`: the same query `mldesk runs` runs at a glance)."""
        with self._db.read() as session:
            runs = runs_from(session.connection().exec_driver_sql(RUNS_SQL))
        if experiment is not None:
            runs = [run for run in runs if run.experiment == experiment]
        return runs if limit is None else runs[:limit]

    def unfinished(self) -> builtins.list[RunInfo]:
        """Runs still queued or running (by this or any other process), oldest first."""
        with self._db.read() as session:
            rows = session.scalars(select(RunRow).where(RunRow.status.in_([RunStatus.QUEUED, RunStatus.RUNNING]))
                                   .order_by(RunRow.created_at)).all()
            return [self._entity(session, row) for row in rows]

    def experiments(self) -> builtins.list[str]:
        with self._db.read() as session:
            return list(session.scalars(select(ExperimentRow.name).order_by(ExperimentRow.name)))

    def curves(self, run: RunInfo) -> dict[str, Any]:
        if run.curves_sha256 is None:
            return {}
        return json.loads(self._objects.read_bytes(run.curves_sha256))

    def load_model(self, run: RunInfo) -> Any:
        """The fitted pipeline, verified against its hash and loaded with the app's allow-list."""
        from desktop_app.core.training.model_io import load_model

        if run.model_sha256 is None:
            raise NotFoundError(f"Run {run.short_id} has no model (its status is {run.status}).")
        return load_model(self._objects.read_bytes(run.model_sha256))

    # -- internals ------------------------------------------------------------------------

    @staticmethod
    def _experiment(session, name: str) -> ExperimentRow:
        """The experiment called `name`, made if new (inside a write transaction, so no two processes make it)."""
        name = (name or "Default").strip() or "Default"
        row = session.scalars(select(ExperimentRow).where(ExperimentRow.name == name)).first()
        if row is None:
            row = ExperimentRow(id=named_id(session.info["project"], "experiment", name), name=name,
                                created_by=current_user())
            session.add(row)
            session.flush()
        return row

    def _transition(self, run_id: str, status: RunStatus, **values: Any) -> RunInfo | None:
        """Move a run forward to `status` with its audit event; None (and no change) if it moved on already.

        Queued → running → ended: the check and the change are one write transaction, so a
        worker finishing and a window cancelling at the same moment cannot both win.
        """
        with self._db.session() as session:
            row = session.get(RunRow, run_id)
            allowed = (RunStatus.QUEUED,) if status == RunStatus.RUNNING else (RunStatus.QUEUED, RunStatus.RUNNING)
            if row is None or RunStatus(row.status) not in allowed:
                return None
            before = {"status": row.status}
            row.status = status
            for key, value in values.items():
                setattr(row, key, value)
            session.flush()
            after: dict[str, Any] = {"status": status.value}
            if status == RunStatus.RUNNING:
                after["owner"] = row.owner
            elif status == RunStatus.FINISHED:
                after.update(metrics=row.metrics, model_sha256=row.model_sha256)
            else:
                after["error"] = (row.error or "").split("\n\n", 1)[0]
            audit.record(session, _STATUS_ACTIONS[status], "run", row.id, before=before, after=after)
            return self._entity(session, row)

    @staticmethod
    def _entity(session, row: RunRow) -> RunInfo:
        experiment = session.get(ExperimentRow, row.experiment_id)
        version = session.get(DatasetVersionRow, row.dataset_version_id)
        return run_entity(row, experiment.name, f"{version.dataset.name}@{version.number}")


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=_default))


def _default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def _finite(metrics: dict[str, Any]) -> dict[str, float | None]:
    import math

    return {k: (float(v) if v is not None and math.isfinite(float(v)) else None) for k, v in metrics.items()}
