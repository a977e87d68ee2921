"""Train one model and measure it: split, optional cross-validation and threshold tuning,
fit, test metrics, curves and permutation importance.

    result = train_and_evaluate(frame, kinds, "heart_disease", "logistic_regression", {"C": "0.5"},
                                class_weight="balanced", cv_folds=5, tune_threshold=True, progress=cb)
    result.metrics["recall"], result.cv_metrics["cv_recall_mean"], result.curves["roc"]

`frame` is the dataset version to train on (its recipe already applied, as stored) and
`recipe_steps` that version's recipe: the pipeline repeats the prediction-time steps, which
change nothing on the fixed rows but fix raw rows given to the saved model.

Threshold: with `tune_threshold` (two classes only) the threshold maximising F1 is chosen
on out-of-fold probabilities when `cv_folds` is given, else on a validation quarter carved
from the training part (the last quarter in time with `time_column`); the final model is
then fitted on the whole training part. The saved pipeline applies it itself: its last
step is sklearn's FixedThresholdClassifier, so `pipeline.predict` (and an exported bundle)
answer the positive class when its probability is at least `result.threshold`.
`predict_proba` is unchanged. `result.threshold` records the value too.

Same data, arguments and seed → identical metrics (tests check it).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from desktop_app.core.progress import ProgressCallback, no_progress
from desktop_app.core.quality.recipe import RecipeStep
from desktop_app.core.training import metrics as m
from desktop_app.core.training.catalogue import CLASSIFICATION, validate_class_weight
from desktop_app.core.training.errors import TrainingError
from desktop_app.core.training.importance import MAX_ROWS, N_REPEATS, column_blocks, permutation_importance
from desktop_app.core.training.pipeline import describe_pipeline, estimator_of, feature_columns, fit_pipeline
from desktop_app.core.training.prepare import Prepared, cv_folds_for, prepare
from desktop_app.core.training.stacking import stacked_in_slices
from desktop_app.core.training.stratified_split import stratified_split
from desktop_app.core.training.threads import limited_threads

VALIDATION_SHARE = 0.25


@dataclass
class TrainingResult:
    pipeline: Pipeline
    task: str
    metrics: dict[str, float]
    cv_metrics: dict[str, float]
    curves: dict[str, Any]
    feature_importance: list[tuple[str, float, float]]
    threshold: float | None
    positive_label: Any
    classes: list[Any]
    n_train: int
    n_test: int
    dropped_missing_target: int
    pipeline_steps: list[str]
    timings: dict[str, float]
    params: dict[str, Any]                  # every catalogue parameter (defaults filled in)
    algorithm: str = ""
    class_weight: str | None = None
    seed: int = 0
    estimator_params: dict[str, Any] = field(default_factory=dict)  # scikit-learn's view, JSON-ready
    features: list[str] = field(default_factory=list)
    importance_metric: str | None = None
    notes: list[str] = field(default_factory=list)
    groups: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)   # {column: {group: {metric: …}}}
    group_bands: dict[str, list[float]] = field(default_factory=dict)            # a numeric column's band edges

    def to_dict(self) -> dict[str, Any]:
        """Everything but the fitted pipeline, JSON-ready (for the runs database and --json)."""
        return {
            "task": self.task, "algorithm": self.algorithm, "params": self.params, "class_weight": self.class_weight,
            "seed": self.seed, "metrics": self.metrics, "cv_metrics": self.cv_metrics, "curves": self.curves,
            "feature_importance": [list(t) for t in self.feature_importance],
            "importance_metric": self.importance_metric, "threshold": self.threshold,
            "positive_label": self.positive_label, "classes": self.classes, "n_train": self.n_train,
            "n_test": self.n_test, "dropped_missing_target": self.dropped_missing_target,
            "pipeline_steps": self.pipeline_steps, "timings": self.timings,
            "estimator_params": self.estimator_params, "features": self.features, "notes": self.notes,
            "groups": self.groups, "group_bands": self.group_bands,
        }


class _Phases:
    """Maps a phase's own 0..1 progress onto the whole task's fraction."""

    def __init__(self, progress: ProgressCallback, weights: dict[str, float]) -> None:
        total = sum(weights.values()) or 1.0
        self.progress, self.start, acc = progress, {}, 0.0
        for name, w in weights.items():
            self.start[name] = (acc / total, w / total)
            acc += w

    def __call__(self, phase: str, fraction: float, message: str) -> None:
        start, width = self.start.get(phase, (0.0, 0.0))
        self.progress(min(1.0, start + width * fraction), message)

    def sub(self, phase: str) -> ProgressCallback:
        return lambda fraction, message: self(phase, fraction, message)


@limited_threads
def train_and_evaluate(
    frame: pd.DataFrame,
    kinds: Mapping[str, Any] | None,
    target: str,
    algorithm_name: str,
    params: Mapping[str, Any] | Iterable[str] | None = None,
    *,
    task: str | None = None,
    test_size: float = 0.25,
    seed: int = 0,
    cv_folds: int | None = None,
    class_weight: str | None = None,
    positive_label: Any = None,
    time_column: str | None = None,
    tune_threshold: bool = False,
    recipe_steps: Iterable[RecipeStep | Mapping] = (),
    progress: ProgressCallback = no_progress,
    curves: bool = True,
    importance: bool = True,
    importance_rows: int = MAX_ROWS,
) -> TrainingResult:
    """Train `algorithm_name` on `frame` to predict `target` and measure it on held-out rows.

    `curves=False` / `importance=False` skip the curves / permutation importance (cheaper).
    A `Cancelled` raised by `progress` stops the work and passes through.
    """
    started = time.perf_counter()
    progress(0.0, "Preparing the data")
    prep = prepare(frame, kinds, target, algorithm_name, task=task, test_size=test_size, seed=seed,
                   positive_label=positive_label, time_column=time_column, recipe_steps=recipe_steps)
    return evaluate_prepared(prep, params, seed=seed, cv_folds=cv_folds, class_weight=class_weight,
                             tune_threshold=tune_threshold, progress=progress, curves=curves,
                             importance=importance, importance_rows=importance_rows, started=started)


@limited_threads
def evaluate_prepared(
    prep: Prepared,
    params: Mapping[str, Any] | Iterable[str] | None,
    *,
    seed: int = 0,
    cv_folds: int | None = None,
    class_weight: str | None = None,
    tune_threshold: bool = False,
    progress: ProgressCallback = no_progress,
    curves: bool = True,
    importance: bool = True,
    importance_rows: int = MAX_ROWS,
    started: float | None = None,
    cluster: str | None = None,
) -> TrainingResult:
    """`train_and_evaluate` on data already prepared (the search's final refit uses it).

    With `cluster` (a Dask scheduler's address) the cross-validation folds run on that cluster.
    """
    started = time.perf_counter() if started is None else started
    algorithm = prep.algorithm
    params = algorithm.effective_params(params)
    class_weight = validate_class_weight(algorithm, class_weight)
    if tune_threshold and not prep.binary:
        raise TrainingError("Threshold tuning needs a target with exactly two classes; turn it off for this target.")
    timings: dict[str, float] = {}
    phases = _Phases(progress, {"cv": 4.0 if cv_folds else 0.0,
                                "threshold": 1.5 if tune_threshold and not cv_folds else 0.1,
                                "fit": 4.0, "test": 0.5, "curves": 0.2 if curves else 0.0,
                                "importance": 1.5 if importance else 0.0})
    notes = list(prep.notes)

    cv_metrics: dict[str, float] = {}
    oof = None
    if cv_folds:
        t0 = time.perf_counter()
        if cluster is None:
            folds, oof = cross_validate(prep, params, class_weight, seed, cv_folds, phases.sub("cv"))
        else:
            from desktop_app.core.training.cluster import on_cluster

            with on_cluster(cluster):
                folds, oof = cross_validate(prep, params, class_weight, seed, cv_folds, phases.sub("cv"),
                                            on_cluster=True)
        cv_metrics = summarise_folds(folds)
        timings["cv_seconds"] = time.perf_counter() - t0

    threshold, threshold_info = None, None
    if tune_threshold:
        t0 = time.perf_counter()
        threshold, threshold_info = _tune_threshold(prep, params, class_weight, seed, oof, phases.sub("threshold"))
        timings["threshold_seconds"] = time.perf_counter() - t0

    phases("fit", 0.0, f"Fitting {algorithm.label} on {len(prep.train):,} rows")
    pipeline = prep.pipeline(params, class_weight, seed, threshold=threshold)
    t0 = time.perf_counter()
    fit_pipeline(pipeline, prep.features(prep.train), prep.y[prep.train])
    timings["fit_seconds"] = time.perf_counter() - t0

    phases("test", 0.0, f"Scoring {len(prep.test):,} test rows")
    t0 = time.perf_counter()
    X_test = prep.features(prep.test)
    output = predict_output(pipeline, X_test, prep)
    timings["predict_seconds"] = time.perf_counter() - t0
    scored = score_output(prep, prep.test, output, threshold)
    groups: dict[str, dict[str, dict[str, Any]]] = {}
    bands: dict[str, list[float]] = {}
    if prep.sensitive is not None:
        if prep.binary:
            audit, gaps = _fairness(prep, output, scored["pred"])
            groups = {prep.sensitive: audit["groups"]}
            if "bands" in audit:
                notes.append(f"{prep.sensitive} was cut into bands at {', '.join(f'{e:g}' for e in audit['bands'])}.")
                bands = {prep.sensitive: audit["bands"]}
            scored["metrics"].update(gaps)
        else:
            notes.append("Per-group metrics and gaps are computed for two-class targets only.")

    result_curves: dict[str, Any] = {}
    if curves:
        phases("curves", 0.0, "Drawing curves")
        t0 = time.perf_counter()
        result_curves = make_curves(prep, prep.test, output, scored["pred"], seed)
        timings["curves_seconds"] = time.perf_counter() - t0
    if threshold_info is not None:
        threshold_info["metrics_at_default"] = score_output(prep, prep.test, output, None)["metrics"]
        result_curves["threshold"] = threshold_info

    ranking: list[tuple[str, float, float]] = []
    importance_metric = None
    if importance:
        t0 = time.perf_counter()
        importance_metric = m.default_scoring(prep.task, len(prep.classes))
        ranking = _importance(prep, pipeline, X_test, importance_metric, seed, importance_rows,
                              phases.sub("importance"))
        timings["importance_seconds"] = time.perf_counter() - t0

    timings["total_seconds"] = time.perf_counter() - started
    progress(1.0, "Training done")
    return TrainingResult(
        pipeline=pipeline, task=prep.task, metrics=scored["metrics"], cv_metrics=cv_metrics, curves=result_curves,
        feature_importance=ranking, threshold=threshold, positive_label=prep.positive_label,
        classes=list(prep.classes), n_train=len(prep.train), n_test=len(prep.test),
        dropped_missing_target=prep.dropped_missing_target, pipeline_steps=describe_pipeline(pipeline),
        timings=timings, params=params, algorithm=algorithm.name, class_weight=class_weight, seed=seed,
        estimator_params=_jsonable_params(estimator_of(pipeline)), features=feature_columns(pipeline),
        importance_metric=importance_metric, notes=notes, groups=groups, group_bands=bands,
    )


def _fairness(prep: Prepared, output: np.ndarray, pred: np.ndarray) -> tuple[dict[str, Any], dict[str, float]]:
    """Per-group metrics and gaps of the sensitive column on the test rows (`training.fairness`)."""
    from desktop_app.core.training.fairness import band_edges, fairness_metrics, group_labels

    assert prep.sensitive is not None and prep.positive is not None
    positive = prep.positive
    column = prep.X[prep.sensitive].iloc[prep.test].reset_index(drop=True)
    numeric = prep.kinds.get(prep.sensitive) == "numeric"
    edges = band_edges(prep.X[prep.sensitive]) if numeric else None   # of every row: kept to band new batches alike
    per_group, gaps = fairness_metrics((prep.class_codes[prep.test] == positive).astype(int),
                                       (pred == positive).astype(int), output[:, positive],
                                       group_labels(column, numeric=numeric, edges=edges))
    return {"groups": per_group, **({"bands": edges} if edges else {})}, gaps


# Predicting and scoring ---------------------------------------------------------------------

def predict_output(model: Any, X: Any, prep: Prepared) -> np.ndarray:
    """Class probabilities (columns in `prep.classes` order) or predicted values of a pipeline (or its estimator).

    A pipeline's preparation stacks its sparse output in slices of rows here too (`stacking`), as while it
    was fitted: the same matrix, without SciPy's COO copy (2.5M test rows: 12–19 s -> 8 s, issue 15).
    """
    with stacked_in_slices(model.named_steps.get("prepare") if isinstance(model, Pipeline) else None):
        if prep.task != CLASSIFICATION:
            return np.asarray(model.predict(X), dtype=np.float64)
        proba = np.asarray(model.predict_proba(X), dtype=np.float64)
    model_classes = [m.plain(c) for c in model.classes_]
    if model_classes == prep.classes:
        return proba
    full = np.zeros((proba.shape[0], len(prep.classes)))  # a fold that lacked some class
    full[:, m.encode(np.asarray(model_classes, dtype=object), prep.classes)] = proba
    return full


def score_output(prep: Prepared, rows: np.ndarray, output: np.ndarray, threshold: float | None,
                 only: Iterable[str] | None = None) -> dict[str, Any]:
    """{"metrics": {...}, "pred": predicted codes (classification) or values}."""
    only = list(only) if only is not None else None
    if prep.task != CLASSIFICATION:
        return {"metrics": m.regression_metrics(prep.y[rows], output, only), "pred": output}
    pred = m.predicted_codes(output, prep.positive, threshold)
    metrics = m.classification_metrics(prep.class_codes[rows], output, pred, len(prep.classes), prep.positive, only)
    return {"metrics": metrics, "pred": pred}


def fit_and_score(prep: Prepared, params: Mapping[str, Any], class_weight: str | None, seed: int,
                  fit_rows: np.ndarray, val_rows: np.ndarray, only: Iterable[str] | None = None
                  ) -> tuple[dict[str, float], np.ndarray]:
    """Fit a fresh pipeline on `fit_rows`, score `val_rows` at the default threshold."""
    if prep.task == CLASSIFICATION and len(np.unique(prep.class_codes[fit_rows])) < 2:
        raise TrainingError("A cross-validation or validation part holds a single class (with rows ordered by "
                            "time, the earliest ones); use fewer folds, no cross-validation, or more rows.")
    pipeline = prep.pipeline(params, class_weight, seed)
    fit_pipeline(pipeline, prep.features(fit_rows), prep.y[fit_rows])
    output = predict_output(pipeline, prep.features(val_rows), prep)
    return score_output(prep, val_rows, output, None, only)["metrics"], output


def cross_validate(prep: Prepared, params: Mapping[str, Any], class_weight: str | None, seed: int, folds: int,
                   progress: ProgressCallback = no_progress, rows: np.ndarray | None = None,
                   only: Iterable[str] | None = None, on_cluster: bool = False
                   ) -> tuple[list[dict[str, float]], dict[str, np.ndarray] | None]:
    """Per-fold metrics over the training rows, and (two classes) out-of-fold probabilities.

    `on_cluster`: the folds are tasks on the Dask cluster of `cluster.on_cluster` (the same results).
    """
    rows = prep.train if rows is None else rows
    splits = cv_folds_for(prep, rows, folds, seed)
    results = []
    oof_rows, oof_p = [], []
    for i, (val_rows, (metrics, output)) in enumerate(zip((v for _, v in splits),
                                                          _fold_outcomes(prep, params, class_weight, seed, splits,
                                                                         only, on_cluster, progress))):
        results.append(metrics)
        if prep.binary:
            oof_rows.append(val_rows)
            oof_p.append(output[:, prep.positive])
        if on_cluster:
            progress((i + 1) / len(splits), f"Cross-validation fold {i + 1} of {len(splits)} done on the cluster")
    progress(1.0, "Cross-validation done")
    oof = {"rows": np.concatenate(oof_rows), "p": np.concatenate(oof_p)} if oof_rows else None
    return results, oof


def _fold_outcomes(prep: Prepared, params: Mapping[str, Any], class_weight: str | None, seed: int,
                   splits: list[tuple[np.ndarray, np.ndarray]], only: Iterable[str] | None, on_cluster: bool,
                   progress: ProgressCallback) -> Iterator[tuple[dict[str, float], np.ndarray]]:
    """(metrics, validation output) of each split, in order: here one by one, or as tasks on the cluster."""
    if on_cluster:
        from desktop_app.core.training.cluster import fold_outcomes

        progress(0.0, f"Sending {len(splits)} cross-validation folds to the cluster")
        outcomes = fold_outcomes(prep, dict(params), class_weight, seed, splits, None if only is None else list(only))
        try:
            yield from outcomes
        finally:
            outcomes.close()  # a cancel: the folds not yet finished are cancelled
        return
    for i, (fit_rows, val_rows) in enumerate(splits):
        progress(i / len(splits), f"Cross-validation fold {i + 1} of {len(splits)}")
        yield fit_and_score(prep, params, class_weight, seed, fit_rows, val_rows, only)


def summarise_folds(folds: list[dict[str, float]]) -> dict[str, float]:
    """cv_<metric>_mean and cv_<metric>_std (population std over the folds)."""
    out: dict[str, float] = {}
    for name in folds[0] if folds else ():
        values = np.array([f[name] for f in folds if name in f], dtype=np.float64)
        out[f"cv_{name}_mean"] = float(values.mean())
        out[f"cv_{name}_std"] = float(values.std())
    return out


def _tune_threshold(prep: Prepared, params: Mapping[str, Any], class_weight: str | None, seed: int,
                    oof: dict[str, np.ndarray] | None, progress: ProgressCallback) -> tuple[float, dict[str, Any]]:
    positive = prep.positive
    if oof is not None and len(oof["rows"]) >= len(prep.train) // 2:
        is_positive, p, source = prep.class_codes[oof["rows"]] == positive, oof["p"], "cross-validation"
    else:
        progress(0.0, "Choosing the decision threshold")
        if prep.time_ordered:
            cut = int(len(prep.train) * (1 - VALIDATION_SHARE))
            fit_rows, val_rows = prep.train[:cut], prep.train[cut:]
        else:
            fit_at, val_at = stratified_split(prep.class_codes[prep.train], VALIDATION_SHARE, seed)
            fit_rows, val_rows = prep.train[fit_at], prep.train[val_at]
        _, output = fit_and_score(prep, params, class_weight, seed, fit_rows, val_rows, only=())
        is_positive, p, source = prep.class_codes[val_rows] == positive, output[:, positive], "validation"
    if is_positive.all() or not is_positive.any():
        raise TrainingError("The rows used to choose a threshold hold a single class; use more rows or no tuning.")
    threshold, f1 = m.best_f1_threshold(is_positive, p)
    progress(1.0, f"Threshold {threshold:.3g}")
    return threshold, {"value": threshold, "chosen_on": source, "objective": "f1", "objective_value": f1,
                       "rows": int(len(p))}


# Curves and importance --------------------------------------------------------------------------

def make_curves(prep: Prepared, rows: np.ndarray, output: np.ndarray, pred: np.ndarray, seed: int) -> dict[str, Any]:
    """What the charts of a run draw, JSON-ready (curves thinned to at most `metrics.CURVE_POINTS` points).

    regression   residuals: actual, predicted, residual (a seeded sample of at most RESIDUAL_POINTS rows)
    binary       confusion_matrix, per_class, roc, pr, calibration
    multiclass   confusion_matrix, per_class; per class (one-vs-rest, keyed by the label as text):
                 roc_ovr (fpr, tpr, thresholds), pr_ovr (precision, recall, thresholds) and
                 ovr_scores (roc_auc, average_precision, prevalence, support)
    """
    if prep.task != CLASSIFICATION:
        return {"residuals": m.residuals(prep.y[rows], output, seed)}
    codes = prep.class_codes[rows]
    out: dict[str, Any] = {"confusion_matrix": m.confusion(codes, pred, prep.classes),
                           "per_class": m.per_class_report(codes, pred, prep.classes)}
    positive = prep.positive  # the positive class's code when binary, else None
    if positive is not None:
        if 0 < int((codes == positive).sum()) < len(codes):
            out.update(m.binary_curves(codes, output, positive))
    else:
        out["roc_ovr"] = m.multiclass_roc(codes, output, prep.classes)
        out["pr_ovr"] = m.multiclass_pr(codes, output, prep.classes)
        out["ovr_scores"] = m.multiclass_scores(codes, output, prep.classes)
    return out


def _importance(prep: Prepared, pipeline: Pipeline, X_test: pd.DataFrame, metric: str, seed: int, max_rows: int,
                progress: ProgressCallback) -> list[tuple[str, float, float]]:
    target_values = prep.class_codes[prep.test] if prep.task == CLASSIFICATION else prep.y[prep.test]
    blocks = column_blocks(pipeline)
    # Fast way: prepare the sample once and only call the estimator on shuffled blocks.
    model = pipeline.steps[-1][1] if blocks is not None else pipeline
    prepare = pipeline[:-1].transform if blocks is not None else None

    def score(data: Any, y: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
        output = predict_output(model, data, prep)
        scores = np.empty(n_groups)
        for g in range(n_groups):
            rows = groups == g
            if prep.task == CLASSIFICATION:
                pred = m.predicted_codes(output[rows], prep.positive, None)
                values = m.classification_metrics(y[rows], output[rows], pred, len(prep.classes), prep.positive,
                                                  [metric])
            else:
                values = m.regression_metrics(y[rows], output[rows], [metric])
            scores[g] = values.get(metric, np.nan)
        return scores

    return permutation_importance(score, X_test, target_values, feature_columns(pipeline), n_repeats=N_REPEATS,
                                  max_rows=max_rows, seed=seed, greater_is_better=metric not in m.LOWER_IS_BETTER,
                                  progress=progress, prepare=prepare, blocks=blocks)


def _jsonable_params(estimator: Any) -> dict[str, Any]:
    out = {}
    for key, value in sorted(estimator.get_params(deep=True).items()):
        if hasattr(value, "get_params"):
            value = type(value).__name__
        elif isinstance(value, np.generic):
            value = value.item()
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            value = repr(value)
        out[key] = value
    return out
