"""Checks that need a target: missing answers, one class, imbalance, leakage."""

from __future__ import annotations

import numpy as np
import pandas as pd

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.quality.checks._common import (
    CONSTANT, EMPTY, EVIDENCE, ID_LIKE, CheckContext, Findings, count, plain, plural, quote, share,
)
from desktop_app.core.quality.findings import Finding, Fix, Severity
from desktop_app.core.quality.profile import BOOL, DATETIME, TEXT, ColumnProfile, first_positions

_MIN_LEAK_ROWS = 20
_MAX_BINS = 64
_MAX_TABLE = 20_000_000  # cells of the value × class table of one feature


def is_classification(target: ColumnProfile, max_classes: int) -> bool:
    """Classes for categories, booleans and text; for numbers only a few whole-number values."""
    if target.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN) or target.family in (TEXT, BOOL):
        return True
    return target.is_numeric and target.integer_valued and target.n_unique <= max_classes


def missing_target(ctx: CheckContext) -> Findings:
    tp = ctx.target_profile
    if tp is None or tp.missing == 0:
        return []
    name, n = tp.name, tp.missing
    figures = {"missing": n, "rows": ctx.rows, "share": n / max(ctx.rows, 1)}
    if tp.present == 0:
        return [Finding("missing_target", Severity.ERROR, name,
                        f"The target '{name}' is empty in every row, so there is nothing to learn — choose another "
                        "target.", figures)]
    return [Finding(
        "missing_target", Severity.ERROR, name,
        f"The target '{name}' is empty in {plural(n, 'row')} ({share(n / ctx.rows)}). A model cannot learn from "
        "rows without an answer — drop those rows.",
        figures, Fix("drop_missing_target", {"column": name}, f"Drop {plural(n, 'row')} without a target"),
        first_positions(tp.codes < 0, EVIDENCE),
    )]


def target_classes(ctx: CheckContext) -> Findings:
    tp = ctx.target_profile
    if tp is None or tp.present == 0:
        return []
    name, t = tp.name, ctx.thresholds
    if tp.n_unique == 1:
        value = plain(tp.top_value)
        return [Finding(
            "single_class_target", Severity.ERROR, name,
            f"The target '{name}' has the same value ({quote(value)}) in all {plural(tp.present, 'row')} that "
            "have one. A model needs at least two different answers to learn from — choose another target or add "
            "rows with other values.",
            {"value": value, "rows": tp.present},
        )]
    if not is_classification(tp, t.classification_max_classes):
        return []
    minority = int(tp.order[-1])
    minority_share = float(tp.counts[minority]) / tp.present
    tiny = [plain(tp.uniques[i]) for i in np.flatnonzero(tp.counts < 2)]
    if minority_share >= t.imbalance_share and not tiny:
        return []
    label = plain(tp.uniques[minority])
    which = "" if tp.n_unique == 2 else f" (the smallest of {tp.n_unique} classes)"
    message = (
        f"The target '{name}' is imbalanced: only {share(minority_share)} of rows are {quote(label)}{which}. "
        "A plain model may ignore this class — use balanced class weights or resampling when training."
    )
    if tiny:
        message += (f" {plural(len(tiny), 'class', 'classes')} ({', '.join(quote(v) for v in tiny[:3])}) "
                    f"{'has' if len(tiny) == 1 else 'have'} a single row, too few to both train and test on — "
                    "remove such rows or collect more.")
    lookup = np.zeros(tp.n_unique, dtype=bool)
    lookup[minority] = True
    return [Finding(
        "class_imbalance", Severity.WARNING, name, message,
        {"classes": {str(tp.uniques[i]): int(tp.counts[i]) for i in tp.order[:20]}, "minority": label,
         "minority_share": minority_share, "single_row_classes": tiny,
         "suggested_training": {"class_weight": "balanced"}},
        None, tp.positions_of(lookup, EVIDENCE),
    )]


# Leakage ------------------------------------------------------------------------------------

def _feature_codes(ctx: CheckContext, col: ColumnProfile, rows: np.ndarray, bins: int) -> tuple[np.ndarray, int]:
    """Small integer codes of `col` at `rows` (0 = missing): distinct values, or quantile bins of numbers."""
    if col.is_numeric or col.family == DATETIME:
        if col.n_unique > _MAX_BINS:
            if col.is_numeric:
                values = col.numbers[rows]
            else:
                stamps = pd.to_datetime(col.series.iloc[rows], errors="coerce")
                values = stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
                values[stamps.isna().to_numpy()] = np.nan
            finite = np.isfinite(values)
            edges = np.unique(np.quantile(values[finite], np.linspace(0, 1, bins + 1)[1:-1])) if finite.any() \
                else np.empty(0)
            codes = np.searchsorted(edges, values, side="right") + 1
            codes[~finite] = 0
            return codes.astype(np.int64), len(edges) + 2
    if col.n_unique + 1 <= _MAX_BINS * 4:
        return col.codes[rows].astype(np.int64) + 1, col.n_unique + 1
    # many distinct values: number only those present in the rows used, so tables stay small
    _, codes = np.unique(col.codes[rows], return_inverse=True)
    return codes.astype(np.int64), int(codes.max()) + 1 if codes.size else 1


def _holdout_accuracy(x: np.ndarray, nx: int, y: np.ndarray, k: int, half: np.ndarray) -> float:
    """Accuracy on each half of predicting the most common class per value of x learned on the other half."""
    right = 0
    for train, test in ((half, ~half), (~half, half)):
        table = np.bincount(x[train] * k + y[train], minlength=nx * k).reshape(nx, k)
        guess = table.argmax(axis=1)
        guess[table.sum(axis=1) == 0] = np.bincount(y[train], minlength=k).argmax()
        right += int((guess[x[test]] == y[test]).sum())
    return right / len(y)


def _holdout_r2(x: np.ndarray, nx: int, y: np.ndarray, half: np.ndarray) -> float:
    """R² on each half of predicting the mean target per value of x learned on the other half."""
    sse = sst = 0.0
    for train, test in ((half, ~half), (~half, half)):
        sums = np.bincount(x[train], weights=y[train], minlength=nx)
        counts = np.bincount(x[train], minlength=nx)
        means = np.where(counts > 0, sums / np.maximum(counts, 1), y[train].mean())
        sse += float(((y[test] - means[x[test]]) ** 2).sum())
        sst += float(((y[test] - y[test].mean()) ** 2).sum())
    return 1.0 - sse / sst if sst > 0 else 0.0


def target_leakage(ctx: CheckContext) -> Findings:
    """A single column that predicts the target almost perfectly on rows it has not seen."""
    tp = ctx.target_profile
    if tp is None or tp.n_unique < 2:
        return []
    t = ctx.thresholds
    rows = ctx.profile.sample_index if ctx.sampled else np.arange(ctx.rows)
    classes = is_classification(tp, t.classification_max_classes)
    if classes:
        y_all = tp.codes[rows].astype(np.int64)
        keep = y_all >= 0
    else:
        if not tp.is_numeric:
            return []
        y_all = tp.numbers[rows]
        keep = np.isfinite(y_all)
    rows, y = rows[keep], y_all[keep]
    if len(y) < _MIN_LEAK_ROWS:
        return []
    half = np.random.default_rng(t.sample_seed).random(len(y)) < 0.5
    bins = int(np.clip(len(y) // 25, 8, _MAX_BINS))  # quantile bins for columns with many distinct values
    if classes:
        k = tp.n_unique
        class_counts = np.bincount(y, minlength=k)
        baseline = float(class_counts.max() / len(y))
        if baseline >= 1.0:
            return []
        majority = plain(tp.uniques[int(class_counts.argmax())])
    out: Findings = []
    for col in ctx.features(EMPTY, CONSTANT, ID_LIKE):
        if col.kind == ColumnKind.ID or col.n_unique < 2:
            continue
        x, nx = _feature_codes(ctx, col, rows, bins)
        if classes and nx * k > _MAX_TABLE:
            continue  # a value-by-class table this large would not fit; such a column is near-unique anyway
        if classes:
            accuracy = _holdout_accuracy(x, nx, y, k, half)
            score = float((accuracy - baseline) / (1.0 - baseline))
            figures = {"score": score, "accuracy": accuracy, "baseline": baseline, "baseline_class": majority}
            how = (f"{share(accuracy)} of rows it had not seen are classed right from this column alone, against "
                   f"{share(baseline)} by always guessing {quote(majority)}")
        else:
            score = _holdout_r2(x, nx, y, half)
            figures = {"score": score, "r2": score}
            how = (f"it explains {share(max(score, 0))} of the target's variation on rows it had not seen "
                   f"(R² {score:.3f})")
        if score < t.leakage_score:
            continue
        binned = (col.is_numeric or col.family == DATETIME) and col.n_unique > _MAX_BINS
        figures |= {"rows_used": int(len(y)), "method": "holdout_per_quantile_bin" if binned else "holdout_per_value"}
        note = f" Measured on a random sample of {count(len(y))} rows." if ctx.sampled else ""
        out.append(Finding(
            "target_leakage", Severity.ERROR, col.name,
            f"Column '{col.name}' predicts the target '{tp.name}' almost perfectly on its own: {how}. Such a column "
            "often holds information that is only known after the outcome (leakage), and a model built on it fails "
            f"in real use — drop it unless you are sure it is available when predicting.{note}",
            figures, Fix("drop_column", {"column": col.name}, f"Drop column '{col.name}'"), (), ctx.sampled,
        ))
    return out
