"""Prediction drift and, when the batch has labels, the model's quality on it.

Prediction drift compares what the model answers on the batch with what it answered on the
reference sample (computed once with the reference), column by column with the same tests
as the features:
  classification  `prediction` (the predicted class, as categories) and the predicted
                  probabilities: the positive class's for two classes, each class's for more;
  regression      `prediction` (the predicted value, as numbers).
A shift here with no feature drift points at an interaction; feature drift with none here
usually matters less to the model's users.

With labels (the target column present in the batch), the metrics are the training's
(`training.metrics`, the run's decision threshold and positive class), so they compare
directly with the run's test metrics and the model's KPI gate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from desktop_app.core.monitor.reference import CATEGORICAL, NUMERIC

PREDICTION = "prediction"
PROBA_PREFIX = "proba_"
MAX_PROBA_COLUMNS = 10


def prediction_series(output: pd.DataFrame, classes: Sequence[Any] | None, positive_label: Any = None
                      ) -> dict[str, tuple[pd.Series, str]]:
    """{name: (values, kind)} of the predictions to compare, from `predict_frame`'s columns in its order.

    `output` holds the prediction first, then one probability per class in `classes` order.
    """
    values = output.iloc[:, 0].reset_index(drop=True)
    if not classes:
        return {PREDICTION: (values, NUMERIC)}
    out = {PREDICTION: (values.astype("string"), CATEGORICAL)}
    probas = output.iloc[:, 1:1 + len(classes)]
    if probas.shape[1] != len(classes):
        return out
    chosen = list(range(len(classes)))
    if len(classes) == 2:
        chosen = [list(classes).index(positive_label)] if positive_label in list(classes) else [1]
    for i in chosen[:MAX_PROBA_COLUMNS]:
        out[f"{PROBA_PREFIX}{classes[i]}"] = (probas.iloc[:, i].reset_index(drop=True), NUMERIC)
    return out


def labelled_metrics(
    labels: pd.Series,
    output: pd.DataFrame,
    *,
    task: str | None,
    classes: Sequence[Any] | None,
    positive_label: Any,
    threshold: float | None,
    test_metrics: Mapping[str, Any],
    groups: pd.Series | None = None,
) -> dict[str, Any]:
    """The model's metrics on the labelled rows of the batch, beside the run's test metrics; with `groups` (each
    row's group of the column the run was audited on), the per-group metrics and the gaps too."""
    from desktop_app.core.training import metrics as m

    known = labels.notna().to_numpy()
    notes: list[str] = []
    by_group: dict[str, Any] | None = None
    if task == "classification" and classes:
        codes = m.encode(np.asarray(labels.astype(object)), list(classes))
        unseen = known & (codes < 0)
        if unseen.any():
            notes.append(f"{int(unseen.sum()):,} row(s) have a label the model never saw; they are left out.")
        keep = known & (codes >= 0)
        proba = output.iloc[:, 1:1 + len(classes)].to_numpy(dtype=np.float64)[keep]
        positive = list(classes).index(positive_label) if len(classes) == 2 and positive_label in classes else None
        pred = m.predicted_codes(proba, positive, threshold if positive is not None else None)
        values = m.classification_metrics(codes[keep], proba, pred, len(classes), positive)
        if groups is not None and positive is not None and keep.any():
            from desktop_app.core.training.fairness import fairness_metrics

            per_group, gaps = fairness_metrics((codes[keep] == positive).astype(int), (pred == positive).astype(int),
                                               proba[:, positive], groups[keep].reset_index(drop=True))
            values = {**values, **gaps}
            by_group = {str(groups.name or "group"): per_group}
    else:
        y = pd.to_numeric(labels, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        keep = known & np.isfinite(y)
        pred = output.iloc[:, 0].to_numpy(dtype=np.float64)[keep]
        values = m.regression_metrics(y[keep], pred)
    rows = int(keep.sum())
    if groups is not None and by_group is None:
        notes.append("Per-group metrics are computed for two-class models only.")
    if rows == 0:
        return {"rows": 0, "metrics": {}, "test_metrics": dict(test_metrics), "delta": {},
                "notes": notes + ["No row has a usable label."]}
    delta = {k: values[k] - float(test_metrics[k]) for k in values
             if test_metrics.get(k) is not None and np.isfinite(float(test_metrics[k]))}
    document = {"rows": rows, "metrics": values, "test_metrics": dict(test_metrics), "delta": delta, "notes": notes}
    if by_group is not None:
        document["groups"] = by_group
    return document
