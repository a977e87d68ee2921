"""Metrics, curves and the F1-best threshold, from predictions already made.

Metric names follow scikit-learn's scorer names without the "neg_" prefix:
  binary      accuracy, balanced_accuracy, precision, recall, f1, roc_auc, average_precision, log_loss
  multiclass  accuracy, balanced_accuracy, precision_macro, recall_macro, f1_macro, roc_auc_ovr, log_loss
  regression  r2, rmse, mae
Names, directions and labels live in `metric_names` (no scikit-learn import). Binary metrics take the positive
class given (by default the minority class, chosen by the caller).

Classification labels are turned into integer codes (index in the model's `classes_`)
before scoring: the counts, and so the metrics, are the same as on the labels themselves,
and it is much faster on text labels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn import metrics as skm

from desktop_app.core.training.metric_names import (  # noqa: F401  (re-exported: callers use m.<name>)
    BINARY_METRICS,
    LOWER_IS_BETTER,
    MULTICLASS_METRICS,
    REGRESSION_METRICS,
    better,
    default_scoring,
    metric_names,
)

CURVE_POINTS = 200
CALIBRATION_BINS = 10
RESIDUAL_POINTS = 2000


# Labels ---------------------------------------------------------------------------------------

def encode(y: np.ndarray, classes: Sequence[Any]) -> np.ndarray:
    """Each label's index in `classes` (-1 for a label the model never saw)."""
    import pandas as pd

    return pd.Index(list(classes)).get_indexer(np.asarray(y, dtype=object)).astype(np.int64)


def predicted_codes(proba: np.ndarray, positive: int | None, threshold: float | None) -> np.ndarray:
    """Class codes from probabilities: the most probable class, or positive when p ≥ threshold.

    The threshold rule is FixedThresholdClassifier's, so the saved pipeline predicts the same.
    """
    if threshold is None or positive is None:
        return np.argmax(proba, axis=1).astype(np.int64)
    negative = 1 - positive
    return np.where(proba[:, positive] >= threshold, positive, negative).astype(np.int64)


# Metrics ------------------------------------------------------------------------------------

def classification_metrics(codes: np.ndarray, proba: np.ndarray, pred: np.ndarray, n_classes: int,
                           positive: int | None, only: Sequence[str] | None = None) -> dict[str, float]:
    """Metrics of class codes `codes` against predicted codes `pred` and probabilities `proba`.

    A metric that cannot be computed (say, a class absent from these rows) is left out.
    """
    names = metric_names("classification", n_classes) if only is None else only
    labels = list(range(n_classes))
    out: dict[str, float] = {}
    for name in names:
        try:
            value = _classification_metric(name, codes, proba, pred, labels, positive)
        except ValueError:
            continue
        if value is not None and math.isfinite(value):
            out[name] = float(value)
    return out


def _classification_metric(name: str, codes: np.ndarray, proba: np.ndarray, pred: np.ndarray, labels: list[int],
                           positive: int | None) -> float | None:
    if name == "accuracy":
        return skm.accuracy_score(codes, pred)
    if name == "balanced_accuracy":
        return skm.balanced_accuracy_score(codes, pred)
    if name in ("precision", "recall", "f1"):
        fn = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score}[name]
        return fn(codes, pred, pos_label=positive, zero_division=0.0)
    if name in ("precision_macro", "recall_macro", "f1_macro"):
        fn = {"precision_macro": skm.precision_score, "recall_macro": skm.recall_score,
              "f1_macro": skm.f1_score}[name]
        return fn(codes, pred, labels=labels, average="macro", zero_division=0.0)
    if name == "roc_auc":
        return skm.roc_auc_score(codes == positive, proba[:, positive])
    if name == "average_precision":
        return skm.average_precision_score(codes == positive, proba[:, positive])
    if name == "roc_auc_ovr":
        return skm.roc_auc_score(codes, proba, multi_class="ovr", labels=labels)
    if name == "log_loss":
        return skm.log_loss(codes, proba, labels=labels)
    raise ValueError(name)


def regression_metrics(y: np.ndarray, pred: np.ndarray, only: Sequence[str] | None = None) -> dict[str, float]:
    out = {}
    for name in REGRESSION_METRICS if only is None else only:
        if name == "r2":
            value = skm.r2_score(y, pred)
        elif name == "rmse":
            value = skm.root_mean_squared_error(y, pred)
        elif name == "mae":
            value = skm.mean_absolute_error(y, pred)
        else:
            continue
        if math.isfinite(value):
            out[name] = float(value)
    return out


def best_f1_threshold(is_positive: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """(threshold, F1) maximising F1 when predicting positive for p ≥ threshold."""
    precision, recall, thresholds = skm.precision_recall_curve(is_positive, p)
    precision, recall = precision[:-1], recall[:-1]  # the last point has no threshold
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    if len(f1) == 0:
        return 0.5, 0.0
    best = int(np.argmax(f1))
    return float(thresholds[best]), float(f1[best])


# Curves ---------------------------------------------------------------------------------------

def _thin(n: int, limit: int = CURVE_POINTS) -> np.ndarray:
    """At most `limit` indices spread evenly over 0..n-1, both ends kept."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(np.int64))


def _floats(values: Any) -> list[float | None]:
    """JSON-ready floats (infinite or NaN → None)."""
    return [float(v) if math.isfinite(v) else None for v in np.asarray(values, dtype=np.float64).tolist()]


def plain(value: Any) -> Any:
    """A numpy scalar as the matching Python value (labels go into JSON)."""
    return value.item() if isinstance(value, np.generic) else value


def _roc(is_positive: np.ndarray, p: np.ndarray) -> dict[str, list]:
    fpr, tpr, thresholds = skm.roc_curve(is_positive, p)
    keep = _thin(len(fpr))
    return {"fpr": _floats(fpr[keep]), "tpr": _floats(tpr[keep]), "thresholds": _floats(thresholds[keep])}


def _pr(is_positive: np.ndarray, p: np.ndarray) -> dict[str, list]:
    precision, recall, thresholds = skm.precision_recall_curve(is_positive, p)
    keep = _thin(len(thresholds))
    # The last PR point (precision 1, recall 0) has no threshold: keep it apart so lists align.
    return {"precision": _floats(precision[keep]), "recall": _floats(recall[keep]),
            "thresholds": _floats(thresholds[keep])}


def binary_curves(codes: np.ndarray, proba: np.ndarray, positive: int) -> dict[str, Any]:
    is_positive, p = codes == positive, proba[:, positive]
    pr = _pr(is_positive, p)
    bins = np.minimum((p * CALIBRATION_BINS).astype(np.int64), CALIBRATION_BINS - 1)
    count = np.bincount(bins, minlength=CALIBRATION_BINS)
    sum_p = np.bincount(bins, weights=p, minlength=CALIBRATION_BINS)
    sum_y = np.bincount(bins, weights=is_positive.astype(np.float64), minlength=CALIBRATION_BINS)
    filled = count > 0
    calibration = {
        "bins": CALIBRATION_BINS,
        "mean_predicted": _floats(sum_p[filled] / count[filled]),
        "fraction_positive": _floats(sum_y[filled] / count[filled]),
        "count": count[filled].astype(int).tolist(),
    }
    return {"roc": _roc(is_positive, p), "pr": pr, "calibration": calibration}


def multiclass_roc(codes: np.ndarray, proba: np.ndarray, classes: Sequence[Any]) -> dict[str, Any]:
    """One-vs-rest ROC curve per class present in `codes`."""
    curves = {}
    for i, label in enumerate(classes):
        is_class = codes == i
        if is_class.any() and not is_class.all():
            curves[str(plain(label))] = _roc(is_class, proba[:, i])
    return curves


def multiclass_pr(codes: np.ndarray, proba: np.ndarray, classes: Sequence[Any]) -> dict[str, Any]:
    """One-vs-rest precision–recall curve per class present in `codes` (the same classes as `multiclass_roc`)."""
    curves = {}
    for i, label in enumerate(classes):
        is_class = codes == i
        if is_class.any() and not is_class.all():
            curves[str(plain(label))] = _pr(is_class, proba[:, i])
    return curves


def multiclass_scores(codes: np.ndarray, proba: np.ndarray, classes: Sequence[Any]) -> dict[str, dict[str, float]]:
    """Per class present in `codes`, one-vs-rest: ROC AUC, average precision and the class's share of the rows
    (the precision of a model that guesses), from the full predictions (not the thinned curves)."""
    scores = {}
    for i, label in enumerate(classes):
        is_class = codes == i
        if is_class.any() and not is_class.all():
            scores[str(plain(label))] = {
                "roc_auc": float(skm.roc_auc_score(is_class, proba[:, i])),
                "average_precision": float(skm.average_precision_score(is_class, proba[:, i])),
                "prevalence": float(is_class.mean()),
                "support": int(is_class.sum()),
            }
    return scores


def confusion(codes: np.ndarray, pred: np.ndarray, classes: Sequence[Any]) -> dict[str, Any]:
    n = len(classes)
    known = codes >= 0
    matrix = np.zeros((n, n), dtype=np.int64)
    np.add.at(matrix, (codes[known], pred[known]), 1)
    return {"labels": [plain(c) for c in classes], "matrix": matrix.tolist()}


def per_class_report(codes: np.ndarray, pred: np.ndarray, classes: Sequence[Any]) -> list[dict[str, Any]]:
    precision, recall, f1, support = skm.precision_recall_fscore_support(
        codes, pred, labels=list(range(len(classes))), zero_division=0.0)
    return [{"label": plain(c), "precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for c, p, r, f, s in zip(classes, precision, recall, f1, support)]


def residuals(y: np.ndarray, pred: np.ndarray, seed: int, limit: int = RESIDUAL_POINTS) -> dict[str, Any]:
    """Predicted vs actual for at most `limit` rows (a seeded sample), for a scatter plot."""
    rows = np.arange(len(y))
    if len(rows) > limit:
        rows = np.sort(np.random.default_rng(seed).choice(len(y), limit, replace=False))
    return {"actual": _floats(y[rows]), "predicted": _floats(pred[rows]),
            "residual": _floats(np.asarray(y[rows], dtype=np.float64) - np.asarray(pred[rows], dtype=np.float64))}
