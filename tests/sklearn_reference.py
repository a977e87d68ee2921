"""The 8 binary metrics as a plain scikit-learn script computes them: the reference MLDesk's numbers are held to.

Shared by tests/core/training/test_evaluation.py (equality to 1e-12) and
tests/benchmarks/bench_training_core.py (the "bare" side of the timing).
"""

from __future__ import annotations

import numpy as np
from sklearn import metrics as skm


def binary_metrics(y_test: np.ndarray, pred: np.ndarray, proba: np.ndarray, classes,
                   positive: str = "Yes") -> dict[str, float]:
    """The 8 binary metrics on text labels, as a script is usually written; `classes` is the model's classes_."""
    p_yes = proba[:, list(classes).index(positive)]
    return {
        "accuracy": skm.accuracy_score(y_test, pred),
        "balanced_accuracy": skm.balanced_accuracy_score(y_test, pred),
        "precision": skm.precision_score(y_test, pred, pos_label=positive, zero_division=0),
        "recall": skm.recall_score(y_test, pred, pos_label=positive),
        "f1": skm.f1_score(y_test, pred, pos_label=positive),
        "roc_auc": skm.roc_auc_score(y_test == positive, p_yes),
        "average_precision": skm.average_precision_score(y_test == positive, p_yes),
        "log_loss": skm.log_loss(y_test, proba),
    }
