"""For whom does the model work worse: metrics per group of a sensitive column, and the gaps between groups.

    groups, gaps = fairness_metrics(y_true, y_pred, scores, group_labels(frame["gender"]))
    groups   {"Female": {"count": 1840, "selection_rate": 0.31, "recall": 0.74, "fpr": 0.28, …}, "Male": {…}}
    gaps     {"recall_gap": 0.06, "selection_rate_ratio": 0.87, "equalized_odds_difference": 0.06, …}

Computed with fairlearn's `MetricFrame` on a two-class model's held-out rows (1 = the positive class):
count, selection rate (share predicted positive), recall, false-positive rate, precision and ROC AUC per
group; a metric's gap is its largest minus its smallest value over the groups, its ratio the smallest
over the largest. Demographic parity difference is the selection-rate gap; equalised-odds difference
the larger of the recall and false-positive-rate gaps (fairlearn's definitions). The gaps are recorded
with the run's metrics, so KPI gates can hold them (`recall_gap<=0.1`, `selection_rate_ratio>=0.8`).

A numeric sensitive column (age) is cut into bands on the fly: its quartiles, rounded, as labels such
as "≤ 48" and "49–54". Missing values are a group of their own, "(missing)".
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

GROUP_METRICS = ("count", "selection_rate", "recall", "fpr", "precision", "roc_auc")
GAPPED = ("selection_rate", "recall", "fpr", "precision", "roc_auc")
# The gap metrics a run records; for each, lower is better except the ratios.
GAP_METRICS = (*(f"{m}_gap" for m in GAPPED), *(f"{m}_ratio" for m in GAPPED), "demographic_parity_difference",
               "equalized_odds_difference")
BANDS = 4
MISSING = "(missing)"


def is_gap_metric(name: str) -> bool:
    return name in GAP_METRICS


def band_edges(series: pd.Series) -> list[float]:
    """The edges of a numeric column's bands: its quartiles, rounded (fewer when values repeat)."""
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    values = values[~np.isnan(values)]
    if not len(values):
        return []
    return [float(v) for v in np.unique(np.round(np.quantile(values, np.linspace(0, 1, BANDS + 1))))]


def group_labels(series: pd.Series, numeric: bool | None = None, edges: list[float] | None = None) -> pd.Series:
    """The group of each row (a categorical series whose categories are the groups in the order to show them):
    the value as text, or for numbers a band of the column's quartiles (or of `edges`, the bands a model was
    audited with), lowest first; "(missing)" last."""
    numbers = pd.to_numeric(series, errors="coerce") if numeric is not False else None
    if numbers is not None and (numeric or edges or (numbers.notna().sum() and numbers.nunique() > 2 * BANDS)):
        labels, order = _bands(numbers, edges if edges else band_edges(numbers))
    else:
        labels = series.astype("string").fillna(MISSING).astype(object)
        order = sorted(set(labels) - {MISSING})
    present = set(labels)
    order = [g for g in order if g in present] + ([MISSING] if MISSING in present else [])
    return pd.Series(pd.Categorical(labels, categories=order), index=series.index, name=series.name)


def _bands(numbers: pd.Series, edges: list[float]) -> tuple[pd.Series, list[str]]:
    values = numbers.to_numpy(dtype=float)
    if len(edges) < 3:
        labels = numbers.map(lambda v: f"{v:g}", na_action="ignore").fillna(MISSING).astype(object)
        return labels, [f"{v:g}" for v in sorted(numbers.dropna().unique())]
    whole = bool(np.all(np.mod(values[~np.isnan(values)], 1) == 0))
    names = []
    for i in range(len(edges) - 1):
        low, high = edges[i] + (1 if whole else 0), edges[i + 1]   # bands hold (low, high]: 45 is in "≤ 45"
        names.append(f"≤ {high:g}" if i == 0 else f"{low:g}–{high:g}")
    cut = pd.cut(numbers, bins=[-math.inf, *edges[1:-1], math.inf], labels=names, right=True)
    return cut.astype(object).where(numbers.notna(), MISSING), names


def fairness_metrics(y_true: np.ndarray, y_pred: np.ndarray, scores: np.ndarray,
                     groups: pd.Series) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """(per-group metrics, gaps) for a two-class model: `y_true`, `y_pred` as 0/1 (1 = positive), `scores` its
    probability of the positive class, `groups` each row's group."""
    from fairlearn.metrics import MetricFrame, count, false_positive_rate, selection_rate
    from sklearn.metrics import precision_score, recall_score, roc_auc_score

    def recall(y, p):
        return recall_score(y, p, zero_division=np.nan)

    def precision(y, p):
        return precision_score(y, p, zero_division=np.nan)

    def auc(y, s):
        return roc_auc_score(y, s) if len(np.unique(y)) == 2 else np.nan

    order = list(groups.cat.categories) if isinstance(groups.dtype, pd.CategoricalDtype) else sorted(set(groups))
    labels = np.asarray(groups, dtype=object)
    frame = MetricFrame(metrics={"count": count, "selection_rate": selection_rate, "recall": recall,
                                 "fpr": false_positive_rate, "precision": precision},
                        y_true=np.asarray(y_true), y_pred=np.asarray(y_pred), sensitive_features=labels)
    ranked = MetricFrame(metrics={"roc_auc": auc}, y_true=np.asarray(y_true), y_pred=np.asarray(scores),
                         sensitive_features=labels)
    table = frame.by_group.join(ranked.by_group)
    per_group = {str(group): {name: _finite(table.loc[group, name]) for name in GROUP_METRICS}
                 for group in order if group in table.index}
    for metrics in per_group.values():
        metrics["count"] = int(metrics["count"] or 0)
    gaps: dict[str, float] = {}
    for name in GAPPED:
        values = [v for v in table[name].astype(float) if math.isfinite(v)]
        if len(values) >= 2:
            gaps[f"{name}_gap"] = float(max(values) - min(values))
            gaps[f"{name}_ratio"] = float(min(values) / max(values)) if max(values) > 0 else float("nan")
    if "selection_rate_gap" in gaps:
        gaps["demographic_parity_difference"] = gaps["selection_rate_gap"]
    if "recall_gap" in gaps and "fpr_gap" in gaps:
        gaps["equalized_odds_difference"] = max(gaps["recall_gap"], gaps["fpr_gap"])
    return per_group, {k: v for k, v in gaps.items() if math.isfinite(v)}


def _finite(value: Any) -> Any:
    value = float(value)
    return value if math.isfinite(value) else None
