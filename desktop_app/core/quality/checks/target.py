"""Checks that need a target: missing answers, one class, imbalance, leakage."""

from __future__ import annotations

import numpy as np
import pandas as pd

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.quality.checks._common import (
    CONSTANT,
    EMPTY,
    EVIDENCE,
    ID_LIKE,
    CheckContext,
    Findings,
    count,
    plain,
    plural,
    quote,
    share,
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
#
# Two held-out predictors from one column, and the better score of the two counts:
# - per value: the most common class (or mean target) per distinct value, numbers and dates
#   with many values cut into quantile bins. It sees smooth overlaps but blurs a small class
#   that lives in a narrow range: a bin near the boundary mixes it with the large class.
# - nearest value (numbers and dates with many values only): each row gets the class (or
#   the target's rank) of the row with the nearest value in the other half. Only the order of
#   the values matters, so a column that separates the classes — however small one of them —
#   scores ~1, and so does a copy of a skewed numeric target, whose top quantile bin holds a
#   wide spread (ranks, not values, so that a few extreme targets do not decide R²). On an
#   ordinary noisy column it does worse than the per-value guess (its error is up to twice
#   the best possible), so taking the better of the two does not raise clean columns.

def _feature_values(col: ColumnProfile, rows: np.ndarray) -> np.ndarray:
    """Numbers of a numeric or date column at `rows` as floats (NaN = missing)."""
    if col.is_numeric:
        return col.numbers_at(rows)
    stamps = pd.to_datetime(col.series.iloc[rows], errors="coerce")
    values = stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
    values[stamps.isna().to_numpy()] = np.nan
    return values


def _has_many_values(col: ColumnProfile) -> bool:
    return (col.is_numeric or col.family == DATETIME) and col.n_unique > _MAX_BINS


def _feature_codes(col: ColumnProfile, rows: np.ndarray, bins: int) -> tuple[np.ndarray, int]:
    """Small integer codes of `col` at `rows` (0 = missing): distinct values, or quantile bins of numbers."""
    if _has_many_values(col):
        values = _feature_values(col, rows)
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


def _nearest_rows(values: np.ndarray, train: np.ndarray, test: np.ndarray) -> np.ndarray:
    """For each test row, the position of the train row with the nearest value (-1: none to compare with).

    A missing test value is matched to no row; ties between two neighbours go to the lower value.
    """
    nearest = np.full(int(test.sum()), -1, dtype=np.int64)
    known = np.flatnonzero(train & np.isfinite(values))
    if known.size == 0:
        return nearest
    known = known[np.argsort(values[known], kind="stable")]
    sorted_values = values[known]
    wanted = values[test]
    finite = np.isfinite(wanted)
    v = wanted[finite]
    above = np.clip(np.searchsorted(sorted_values, v), 0, known.size - 1)
    below = np.clip(above - 1, 0, known.size - 1)
    take_above = np.abs(sorted_values[above] - v) < np.abs(v - sorted_values[below])
    nearest[finite] = known[np.where(take_above, above, below)]
    return nearest


def _nearest_accuracy(values: np.ndarray, y: np.ndarray, k: int, half: np.ndarray) -> float:
    """Accuracy on each half of giving a row the class of the nearest value in the other half;
    a missing value gets the most common class of the other half's missing rows (else of all its rows)."""
    right = 0
    missing = ~np.isfinite(values)
    for train, test in ((half, ~half), (~half, half)):
        nearest = _nearest_rows(values, train, test)
        pool = y[train & missing] if (train & missing).any() else y[train]
        guess = np.where(nearest >= 0, y[np.maximum(nearest, 0)], np.bincount(pool, minlength=k).argmax())
        right += int((guess == y[test]).sum())
    return right / len(y)


def _nearest_r2(values: np.ndarray, y: np.ndarray, half: np.ndarray) -> float:
    """R² on each half of predicting a row's target (here: its rank) by that of the nearest value in the other half."""
    sse = sst = 0.0
    missing = ~np.isfinite(values)
    for train, test in ((half, ~half), (~half, half)):
        nearest = _nearest_rows(values, train, test)
        pool = y[train & missing] if (train & missing).any() else y[train]
        guess = np.where(nearest >= 0, y[np.maximum(nearest, 0)], pool.mean())
        sse += float(((y[test] - guess) ** 2).sum())
        sst += float(((y[test] - y[test].mean()) ** 2).sum())
    return 1.0 - sse / sst if sst > 0 else 0.0


def target_leakage(ctx: CheckContext) -> Findings:
    """A single column that predicts the target almost perfectly on rows it has not seen.

    Class targets are scored by the held-out accuracy gain over always guessing the most
    common class, `(accuracy − baseline) / (1 − baseline)`, which works the same for two
    classes or twenty; numeric targets by held-out R² (of the values per bin, of the ranks
    for the nearest value). Each score is the better of the
    per-value and the nearest-value predictor (see the note above), so a binary target with
    a 5% minority, a multiclass target and a skewed numeric target are all caught when one
    column reproduces them, while columns that merely correlate stay well below 0.9.
    """
    tp = ctx.target_profile
    if tp is None or tp.n_unique < 2:
        return []
    t = ctx.thresholds
    sample = ctx.profile.sample_index
    rows = sample if sample is not None else np.arange(ctx.rows)
    classes = is_classification(tp, t.classification_max_classes)
    if classes:
        y_all = tp.codes[rows].astype(np.int64)
        keep = y_all >= 0
    else:
        if not tp.is_numeric:
            return []
        y_all = tp.numbers_at(rows)
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
    else:
        ranks = pd.Series(y).rank().to_numpy()
    out: Findings = []
    for col in ctx.features(EMPTY, CONSTANT, ID_LIKE):
        if col.kind == ColumnKind.ID or col.n_unique < 2:
            continue
        x, nx = _feature_codes(col, rows, bins)
        if classes and nx * k > _MAX_TABLE:
            continue  # a value-by-class table this large would not fit; such a column is near-unique anyway
        values = _feature_values(col, rows) if _has_many_values(col) else None
        method = "holdout_per_quantile_bin" if values is not None else "holdout_per_value"
        if classes:
            accuracy = _holdout_accuracy(x, nx, y, k, half)
            if values is not None:
                nearest = _nearest_accuracy(values, y, k, half)
                if nearest > accuracy:
                    accuracy, method = nearest, "holdout_nearest_value"
            score = float((accuracy - baseline) / (1.0 - baseline))
            figures = {"score": score, "accuracy": accuracy, "baseline": baseline, "baseline_class": majority}
            how = (f"{share(accuracy)} of rows it had not seen are classed right from this column alone, against "
                   f"{share(baseline)} by always guessing {quote(majority)}")
        else:
            score = _holdout_r2(x, nx, y, half)
            how = (f"it explains {share(max(score, 0))} of the target's variation on rows it had not seen "
                   f"(R² {score:.3f})")
            if values is not None:
                nearest = _nearest_r2(values, ranks, half)
                if nearest > score:
                    score, method = nearest, "holdout_nearest_value_rank"
                    how = (f"it puts rows it had not seen in the target's order almost exactly (R² of the "
                           f"target's ranks {score:.3f})")
            figures = {"score": score, "r2": score}
        if score < t.leakage_score:
            continue
        figures |= {"rows_used": int(len(y)), "method": method}
        note = f" Measured on a random sample of {count(len(y))} rows." if ctx.sampled else ""
        out.append(Finding(
            "target_leakage", Severity.ERROR, col.name,
            f"Column '{col.name}' predicts the target '{tp.name}' almost perfectly on its own: {how}. Such a column "
            "often holds information that is only known after the outcome (leakage), and a model built on it fails "
            f"in real use — drop it unless you are sure it is available when predicting.{note}",
            figures, Fix("drop_column", {"column": col.name}, f"Drop column '{col.name}'"), (), ctx.sampled,
        ))
    return out
