"""Multivariate drift: can a classifier tell the batch's rows from the reference's?

Per-column tests miss a change in how columns go together (say, age and income each as
before, their relation reversed). A domain classifier sees whole rows: label reference rows
0 and batch rows 1, and measure by cross-validation how well HistGradientBoosting separates
them. AUROC near 0.5 means it cannot (no drift); outside [domain_auc_low, domain_auc_high]
(0.45–0.65) the batch is flagged. The columns that separate them most are ranked by
permutation importance (drop of AUROC when a column is shuffled) on the held-out rows.

Both sides get the same number of rows — min(domain_rows, reference sample, batch), a
seeded sample — so the classes are balanced and a small batch costs little; with at most
`domain_rows` (20,000) per side this takes a few seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

# Imported here, not in the function: the OpenMP runtime must be loaded before
# `limited_threads` applies its limit, or the classifier runs with every core (and, on a
# busy 2-core machine, its spinning threads make it ~10× slower).
from sklearn.ensemble import HistGradientBoostingClassifier

from desktop_app.core.monitor.reference import CATEGORICAL, NUMERIC, drift_kind, numbers, sample_positions
from desktop_app.core.monitor.settings import DriftSettings
from desktop_app.core.training.threads import limited_threads

MIN_ROWS = 20                  # per side; fewer cannot be cross-validated meaningfully
MAX_CODES = 250                # HistGradientBoosting takes < 255 categories per column
TOP_FEATURES = 5
PERMUTATION_REPEATS = 3
PERMUTATION_ROWS = 2000
MAX_ITER = 60


def _encode(reference: pd.DataFrame, batch: pd.DataFrame, kinds: Mapping[str, str]) -> tuple[np.ndarray, list[str],
                                                                                                np.ndarray]:
    """Both sides as one float matrix (categories as codes of the most common values), its columns, categorical mask."""
    columns, blocks, categorical = [], [], []
    for column, column_kind in kinds.items():
        kind = drift_kind(column_kind)
        if kind is None or column not in reference.columns or column not in batch.columns:
            continue
        both = pd.concat([reference[column], batch[column]], ignore_index=True)
        if kind == NUMERIC:
            blocks.append(numbers(both))
            categorical.append(False)
        else:
            text = both.astype("string")
            codes, uniques = pd.factorize(text, use_na_sentinel=True)
            if len(uniques) > MAX_CODES:  # keep the most common; the rest share one code
                ranks = np.argsort(-np.bincount(codes[codes >= 0], minlength=len(uniques)), kind="stable")
                remap = np.full(len(uniques), MAX_CODES, dtype=np.int64)
                remap[ranks[:MAX_CODES]] = np.arange(MAX_CODES)
                codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
            blocks.append(np.where(codes >= 0, codes, np.nan).astype(np.float64))
            categorical.append(True)
        columns.append(column)
    matrix = np.column_stack(blocks) if blocks else np.empty((len(reference) + len(batch), 0))
    return matrix, columns, np.asarray(categorical, dtype=bool)


def _permutation_importance(model: Any, X: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std of the AUROC drop when each column is shuffled (PERMUTATION_REPEATS times, seeded).

    sklearn.inspection.permutation_importance computes the same drops, but with one
    predict call per column and repeat; a boosted model's predict has a fixed cost per tree,
    so every shuffled copy is stacked and scored in one call (about 20× faster here).
    """
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(seed)
    n, k = X.shape
    base = roc_auc_score(y, model.predict_proba(X)[:, 1])
    copies = np.repeat(X[np.newaxis], k * PERMUTATION_REPEATS, axis=0)
    for j in range(k):
        for r in range(PERMUTATION_REPEATS):
            copies[j * PERMUTATION_REPEATS + r, :, j] = X[rng.permutation(n), j]
    proba = model.predict_proba(copies.reshape(-1, k))[:, 1].reshape(k, PERMUTATION_REPEATS, n)
    drops = np.array([[base - roc_auc_score(y, proba[j, r]) for r in range(PERMUTATION_REPEATS)] for j in range(k)])
    return drops.mean(axis=1), drops.std(axis=1)


def _folds(X: np.ndarray, y: np.ndarray, settings: DriftSettings):
    """Stratified folds in which identical rows never sit on both sides of a split.

    A batch that repeats reference rows (the training file sent again, say) would otherwise
    put a row labelled "reference" in the training part and its copy labelled "batch" in
    the held-out part: the classifier learns the copy's opposite label and the AUROC drops
    far below 0.5 — drift reported on unchanged data. Copies go to one fold together.
    """
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    groups = pd.factorize(pd.util.hash_pandas_object(pd.DataFrame(X), index=False))[0]
    if groups.max(initial=-1) + 1 == len(y):  # no copies: plain stratified folds
        return StratifiedKFold(settings.domain_folds, shuffle=True, random_state=settings.seed).split(X, y)
    return StratifiedGroupKFold(settings.domain_folds, shuffle=True, random_state=settings.seed).split(X, y, groups)


@limited_threads
def domain_classifier(reference: pd.DataFrame, batch: pd.DataFrame, kinds: Mapping[str, str],
                      settings: DriftSettings) -> dict[str, Any]:
    """{"auc", "auc_folds", "drifted", "band", "rows_reference", "rows_batch", "top_features", …} or {"skipped"}."""
    from sklearn.metrics import roc_auc_score

    band = [settings.domain_auc_low, settings.domain_auc_high]
    if len(reference) < MIN_ROWS or len(batch) < MIN_ROWS:
        return {"skipped": f"Needs at least {MIN_ROWS} rows on each side.", "band": band}
    rows = min(settings.domain_rows, len(reference), len(batch))
    ref_pos = sample_positions(len(reference), rows, settings.seed)
    batch_pos = sample_positions(len(batch), rows, settings.seed + 1)
    reference = reference if ref_pos is None else reference.iloc[ref_pos]
    batch = batch if batch_pos is None else batch.iloc[batch_pos]
    X, columns, categorical = _encode(reference, batch, kinds)
    if not columns:
        return {"skipped": "No numeric or categorical columns to compare.", "band": band}
    y = np.r_[np.zeros(len(reference), dtype=np.int64), np.ones(len(batch), dtype=np.int64)]
    proba = np.empty(len(y))
    fold_auc, last = [], None
    for train, test in _folds(X, y, settings):
        model = HistGradientBoostingClassifier(max_iter=MAX_ITER, learning_rate=0.1, early_stopping=False,
                                               categorical_features=categorical if categorical.any() else None,
                                               random_state=settings.seed)
        model.fit(X[train], y[train])
        proba[test] = model.predict_proba(X[test])[:, 1]
        fold_auc.append(float(roc_auc_score(y[test], proba[test])))
        last = (model, test)
    auc = float(roc_auc_score(y, proba))
    drifted = not (settings.domain_auc_low <= auc <= settings.domain_auc_high)
    assert last is not None  # the folds are at least two (DriftSettings refuses domain_folds < 2)
    model, test = last
    if len(test) > PERMUTATION_ROWS:
        test = np.sort(np.random.default_rng(settings.seed).choice(test, PERMUTATION_ROWS, replace=False))
    mean, std = _permutation_importance(model, X[test], y[test], settings.seed)
    order = np.argsort(-mean, kind="stable")[:TOP_FEATURES]
    top = [{"column": columns[i], "kind": CATEGORICAL if categorical[i] else NUMERIC,
            "importance": float(mean[i]), "std": float(std[i])} for i in order]
    return {"method": "HistGradientBoostingClassifier, reference rows against batch rows, "
                      f"{settings.domain_folds}-fold cross-validated AUROC",
            "auc": auc, "auc_folds": fold_auc, "drifted": drifted, "band": band,
            "rows_reference": len(reference), "rows_batch": len(batch), "top_features": top,
            "importance": f"permutation importance (AUROC drop, {PERMUTATION_REPEATS} shuffles) on at most "
                          f"{PERMUTATION_ROWS:,} held-out rows of the last fold"}
