"""Held-out rows of a version, and a candidate against an alias's holder on the same rows.

The test rows are re-created exactly as training made them (`RunService.prepared`): the run's
dataset version (hash-verified), its recipe, target, task, test share, time column, positive
class and seed go through `training.prepare.prepare`, the function training itself splits with. Scores
use `training.evaluation.score_output` / `training.metrics`, with the run's saved decision
threshold, so the candidate's metrics here equal its run's test metrics.

The holder (the version an alias points at) is scored on the candidate's rows with the
candidate's classes and positive class; its own threshold decides its predictions. When it
cannot score them (another task or target, missing columns, unknown classes) a note says so
and its metrics are left empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from desktop_app.core.errors import Cancelled, MLDeskError
from desktop_app.core.progress import ProgressCallback, no_progress
from desktop_app.core.registry.entities import ModelVersion
from desktop_app.core.registry.errors import HoldoutError

if TYPE_CHECKING:
    from desktop_app.core.tracking.entities import RunInfo
    from desktop_app.core.tracking.service import RunService
    from desktop_app.core.training.prepare import Prepared


@dataclass(frozen=True)
class HoldoutComparison:
    """A candidate version and an alias's current holder, scored on the candidate's held-out rows."""

    model_name: str
    alias: str
    candidate: str                       # label, e.g. heart-risk@3
    holder: str | None                   # label of the alias's version; None when the alias is unset
    task: str
    dataset_label: str                   # the rows come from this dataset version (candidate's test part)
    rows: int
    metric_names: tuple[str, ...]        # in the training's order
    candidate_metrics: dict[str, float]
    holder_metrics: dict[str, float]     # empty when there is no holder or it cannot score the rows
    positive_label: Any = None
    notes: tuple[str, ...] = field(default=())

    @property
    def holder_scored(self) -> bool:
        return bool(self.holder_metrics)

    def better(self, metric: str) -> str | None:
        """"candidate", "holder" or "tie" on `metric` (lower is better for losses); None if not comparable."""
        from desktop_app.core.training.metric_names import LOWER_IS_BETTER

        a, b = self.candidate_metrics.get(metric), self.holder_metrics.get(metric)
        if a is None or b is None:
            return None
        if a == b:
            return "tie"
        return "candidate" if (a < b) == (metric in LOWER_IS_BETTER) else "holder"

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model_name, "alias": self.alias, "candidate": self.candidate, "holder": self.holder,
            "task": self.task, "dataset": self.dataset_label, "rows": self.rows,
            "metric_names": list(self.metric_names), "candidate_metrics": dict(self.candidate_metrics),
            "holder_metrics": dict(self.holder_metrics), "positive_label": self.positive_label,
            "better": {name: self.better(name) for name in self.metric_names}, "notes": list(self.notes),
        }


def compare(
    runs: RunService,
    candidate: ModelVersion,
    holder: ModelVersion | None,
    alias: str,
    load_model: Any,
    progress: ProgressCallback = no_progress,
    label: str | None = None,
) -> HoldoutComparison:
    """Score `candidate` and `holder` on the candidate's held-out rows (see the module doc); `label` names
    a candidate not registered yet (e.g. "run 1a2b3c4d")."""
    from desktop_app.core.progress import scaled
    from desktop_app.core.training import metrics as m
    from desktop_app.core.training.evaluation import predict_output, score_output
    from desktop_app.core.training.threads import limited_threads

    cand_run = runs.get(candidate.run_id)
    label = label or candidate.label
    progress(0.0, f"Re-creating the held-out rows of {label}")
    prep = _prepared(runs, cand_run, scaled(progress, 0.0, 0.4))
    X = prep.X.iloc[prep.test]
    notes: list[str] = []

    progress(0.45, f"Scoring {label} on {len(X):,} rows")
    pipeline = load_model(candidate)
    output = limited_threads(predict_output)(pipeline, X, prep)
    candidate_metrics = score_output(prep, prep.test, output, cand_run.summary.get("threshold"))["metrics"]

    holder_metrics: dict[str, float] = {}
    if holder is None:
        notes.append(f"No version of {candidate.model_name} holds '{alias}' yet; {label} would be its "
                     "first.")
    else:
        progress(0.7, f"Scoring {holder.label} on the same rows")
        holder_run = runs.get(holder.run_id)
        problem = _cannot_score(cand_run, holder_run, holder, prep)
        if problem is None and holder.id == candidate.id:
            notes.append(f"'{alias}' already points at {label}; both columns are the same model.")
        if problem is None:
            try:
                holder_pipeline = load_model(holder)
                extra = [c for c in (m.plain(c) for c in getattr(holder_pipeline, "classes_", []))
                         if c not in prep.classes] if prep.classes else []
                if extra:
                    problem = (f"{holder.label} predicts class(es) {', '.join(map(repr, extra))} that "
                               f"{candidate.dataset_label}'s target does not have")
                else:
                    holder_metrics = _score_holder(prep, holder_pipeline, holder_run, X, notes, holder)
            except Cancelled:
                raise
            except MLDeskError as exc:
                problem = str(exc).rstrip(".")
            except Exception as exc:  # a library refusing the rows (types, shapes): say so, keep the candidate
                problem = f"{type(exc).__name__}: {exc}"
        if problem is not None:
            notes.append(f"{holder.label} cannot score {label}'s held-out rows: {problem}.")
        else:
            notes.extend(_overlap_note(runs, cand_run, holder_run, holder, prep))

    names = tuple(n for n in m.metric_names(prep.task, len(prep.classes))
                  if n in candidate_metrics or n in holder_metrics)
    progress(1.0, "Compared")
    return HoldoutComparison(
        model_name=candidate.model_name, alias=alias, candidate=label,
        holder=holder.label if holder is not None else None, task=prep.task, dataset_label=cand_run.dataset_label,
        rows=int(len(prep.test)), metric_names=names, candidate_metrics=candidate_metrics,
        holder_metrics=holder_metrics, positive_label=prep.positive_label, notes=tuple(notes),
    )


def _cannot_score(cand_run: RunInfo, holder_run: RunInfo, holder: ModelVersion, prep: Prepared) -> str | None:
    if holder_run.task != prep.task:
        return f"it is a {holder_run.task} model and the candidate a {prep.task} model"
    if holder_run.target != cand_run.target:
        return (f"it predicts '{holder_run.target}', the candidate '{cand_run.target}', so their scores do not "
                "measure the same thing")
    return None


def _score_holder(prep: Prepared, pipeline: Any, holder_run: RunInfo, X: Any, notes: list[str],
                  holder: ModelVersion) -> dict[str, float]:
    from desktop_app.core.training import metrics as m
    from desktop_app.core.training.evaluation import predict_output
    from desktop_app.core.training.pipeline import feature_columns
    from desktop_app.core.training.threads import limited_threads

    missing = [c for c in feature_columns(pipeline) if c not in X.columns]
    if missing:
        from desktop_app.core.training.errors import MissingColumnsError

        raise MissingColumnsError(missing)
    output = limited_threads(predict_output)(pipeline, X, prep)
    if prep.task != "classification":
        return m.regression_metrics(prep.y[prep.test], output)
    threshold = holder_run.summary.get("threshold")
    positive = prep.positive
    holder_positive = holder_run.summary.get("positive_label")
    if prep.binary and holder_positive is not None and holder_positive != prep.positive_label:
        notes.append(f"{holder.label} treats {holder_positive!r} as the positive class; precision, recall and f1 "
                     f"here are for {prep.positive_label!r}, as for the candidate.")
    if threshold is not None and prep.binary and holder_positive in prep.classes:
        positive_h = prep.classes.index(holder_positive)
        pred = m.predicted_codes(output, positive_h, threshold)
    else:
        pred = m.predicted_codes(output, None, None)
    return m.classification_metrics(prep.class_codes[prep.test], output, pred, len(prep.classes), positive)


def _overlap_note(runs: RunService, cand_run: RunInfo, holder_run: RunInfo, holder: ModelVersion,
                  prep: Prepared) -> list[str]:
    """Warn when some of these rows may have been in the holder's training part (it then looks better)."""
    import numpy as np

    if holder_run.dataset_version_id != cand_run.dataset_version_id:
        return [f"{holder.label} was trained on {holder_run.dataset_label}, not {cand_run.dataset_label}; if those "
                "share rows, some of these rows may have been in its training part, which flatters it."]
    same_split = all(holder_run.options.get(k) == cand_run.options.get(k) for k in ("test_size", "time_column")) \
        and holder_run.seed == cand_run.seed
    if same_split:
        return []
    try:
        holder_prep = _prepared(runs, holder_run)
    except MLDeskError:
        return []
    seen = int(np.isin(prep.test, holder_prep.train).sum())
    if not seen:
        return []
    return [f"{seen:,} of these {len(prep.test):,} rows were in {holder.label}'s training part (another split), "
            "which flatters it."]


def _prepared(runs: RunService, run: RunInfo, progress: ProgressCallback = no_progress) -> Prepared:
    try:
        return runs.prepared(run, progress)
    except MLDeskError as exc:
        raise HoldoutError(str(exc)) from None
