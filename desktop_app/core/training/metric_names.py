"""What each metric is called, what it means, and which way is better — with no scikit-learn import.

The one home of this knowledge: training and search rank by it, the comparison marks the best
run with it, the registry's held-out comparison says who wins with it, and the window labels
and explains metrics with it (importing `training.metrics` would load scikit-learn).
Names follow scikit-learn's scorers without the "neg_" prefix; a cross-validated figure is
`cv_<name>_mean` / `cv_<name>_std`.
"""

from __future__ import annotations

import math

BINARY_METRICS = ("accuracy", "balanced_accuracy", "precision", "recall", "f1", "roc_auc", "average_precision",
                  "log_loss")
MULTICLASS_METRICS = ("accuracy", "balanced_accuracy", "precision_macro", "recall_macro", "f1_macro", "roc_auc_ovr",
                      "log_loss")
REGRESSION_METRICS = ("r2", "rmse", "mae")
LOWER_IS_BETTER = frozenset({"log_loss", "rmse", "mae"})
# Metrics between 0 and 1 with higher better: they can share one chart scale.
UNIT_METRICS = ("accuracy", "balanced_accuracy", "precision", "recall", "f1", "roc_auc", "average_precision",
                "precision_macro", "recall_macro", "f1_macro", "roc_auc_ovr", "r2")
# The order metrics are listed in (others follow alphabetically).
METRIC_ORDER = ("roc_auc", "roc_auc_ovr", "r2", "recall", "recall_macro", "precision", "precision_macro", "f1",
                "f1_macro", "accuracy", "balanced_accuracy", "average_precision", "log_loss", "rmse", "mae")
MAIN_METRICS = ("roc_auc", "f1_macro", "r2")   # what a leaderboard ranks by: binary, multiclass, regression

METRIC_LABELS = {
    "accuracy": "Accuracy", "balanced_accuracy": "Balanced accuracy", "precision": "Precision", "recall": "Recall",
    "f1": "F1", "roc_auc": "ROC AUC", "average_precision": "Average precision", "log_loss": "Log loss",
    "precision_macro": "Precision (macro)", "recall_macro": "Recall (macro)", "f1_macro": "F1 (macro)",
    "roc_auc_ovr": "ROC AUC (one-vs-rest)", "r2": "R²", "rmse": "RMSE", "mae": "MAE",
}
SHORT_METRIC_LABELS = {"balanced_accuracy": "Bal. acc.", "average_precision": "Avg. prec.",
                       "precision_macro": "Precision (m)", "recall_macro": "Recall (m)", "f1_macro": "F1 (m)",
                       "roc_auc_ovr": "ROC AUC (ovr)"}
METRIC_HELP = {
    "accuracy": "share of test rows predicted right",
    "balanced_accuracy": "mean recall over the classes: fair when one class is rare",
    "precision": "of the rows predicted positive, the share that are",
    "recall": "of the positive rows, the share the model finds",
    "f1": "balance of precision and recall",
    "roc_auc": "how well the scores rank positives above negatives (0.5 = chance, 1 = perfect)",
    "average_precision": "area under the precision–recall curve",
    "log_loss": "penalty for confident wrong probabilities (lower is better)",
    "r2": "share of the target's variance explained (1 = perfect)",
    "rmse": "typical size of an error, in the target's units (lower is better)",
    "mae": "mean absolute error, in the target's units (lower is better)",
}


def base_metric(name: str) -> str:
    """'cv_recall_mean' → 'recall'; 'recall' → 'recall'."""
    base = name[3:] if name.startswith("cv_") else name
    return base.removesuffix("_mean").removesuffix("_std")


def lower_is_better(name: str) -> bool:
    """A loss, or a gap between groups (`training.fairness`: the ratios are better high)."""
    base = base_metric(name)
    return base in LOWER_IS_BETTER or base.endswith("_gap") or base in ("demographic_parity_difference",
                                                                       "equalized_odds_difference")


def better(metric: str, a: float, b: float) -> bool:
    """Whether score `a` beats score `b` on `metric` (NaN never wins)."""
    if math.isnan(a):
        return False
    if math.isnan(b):
        return True
    return a < b if lower_is_better(metric) else a > b


def metric_names(task: str, n_classes: int = 2) -> tuple[str, ...]:
    if task == "regression":
        return REGRESSION_METRICS
    return BINARY_METRICS if n_classes == 2 else MULTICLASS_METRICS


def default_scoring(task: str, n_classes: int = 2) -> str:
    """roc_auc for two classes, f1_macro for more, r2 for regression."""
    if task == "regression":
        return "r2"
    return "roc_auc" if n_classes == 2 else "f1_macro"
