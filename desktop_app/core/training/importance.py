"""Permutation feature importance on the input columns, kept cheap.

For each column the model uses, its values are shuffled `n_repeats` times (seeded) in a
sample of at most `max_rows` test rows, and the drop of the score is that column's
importance (mean and standard deviation over the shuffles).

Two ways to get the same numbers:
- fast: every step MLDesk puts before the estimator works column by column (recipe ops,
  casts, imputers, scaler, encoders), so shuffling an input column shuffles exactly its
  block of prepared columns. The sample is prepared once; each shuffle only reorders a
  block and calls the estimator. `column_blocks` finds the blocks, or answers None when a
  step it does not know is present;
- plain: shuffle the input column and run the whole pipeline again (the fallback).
Either way the shuffled copies of one column are scored in a single call (n_repeats × rows
at once). A test checks that both ways give identical importances.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from desktop_app.core.progress import ProgressCallback, no_progress
from desktop_app.core.training.transformers import DATE_PARTS, AsCategories, AsNumbers, DateParts, RecipeTransformer

# Rows of the test set the shuffles run on. Its cost is rows × columns × N_REPEATS predictions,
# independent of the training size: 2,000 rows keep it near 10% of a 400k-row gradient
# boosting run (5,000 rows: ~25%) while the ranking of the important columns is stable.
MAX_ROWS = 2000
N_REPEATS = 5
# Recipe ops that read and write one column only (every prediction-time op of quality.recipe today).
COLUMNWISE_OPS = frozenset({"drop_column", "set_kind", "convert_to_numbers", "cap_outliers", "merge_rare", "impute",
                            "infinite_to_missing"})
_COLUMNWISE_STEPS = (AsNumbers, AsCategories, DateParts, SimpleImputer, StandardScaler, OneHotEncoder, OrdinalEncoder)

Score = Callable[[Any, np.ndarray, np.ndarray, int], np.ndarray]


def column_blocks(pipeline: Pipeline) -> dict[str, tuple[int, int]] | None:
    """For each input column, its [start, stop) block in the prepared matrix; None if unsure."""
    named = dict(pipeline.steps)
    recipe, prepare = named.get("recipe"), named.get("prepare")
    if not isinstance(recipe, RecipeTransformer) or not isinstance(prepare, ColumnTransformer):
        return None
    if any(step.get("op") not in COLUMNWISE_OPS for step in recipe.recipe):
        return None
    blocks: dict[str, tuple[int, int]] = {}
    start = 0
    for name, steps, columns in prepare.transformers_:
        if name == "remainder" or isinstance(steps, str):
            if isinstance(steps, str) and steps != "drop":
                return None
            continue
        if not isinstance(steps, Pipeline) or not all(isinstance(s, _COLUMNWISE_STEPS) for _, s in steps.steps):
            return None
        widths = _widths(steps, list(columns))
        if widths is None:
            return None
        for column, width in zip(columns, widths):
            if column in blocks:
                return None
            blocks[str(column)] = (start, start + width)
            start += width
    return blocks


def _widths(steps: Pipeline, columns: list) -> list[int] | None:
    per_input = len(DATE_PARTS) if isinstance(steps.steps[0][1], DateParts) else 1
    imputers = [s for _, s in steps.steps if isinstance(s, SimpleImputer)]
    if any(not s.keep_empty_features for s in imputers):
        return None  # an all-missing column would vanish and shift the blocks
    encoder = steps.steps[-1][1]
    if isinstance(encoder, OneHotEncoder):
        if encoder.drop is not None:
            return None
        infrequent = getattr(encoder, "infrequent_categories_", [None] * len(columns))
        return [len(cats) if rare is None else len(cats) - len(rare) + 1
                for cats, rare in zip(encoder.categories_, infrequent)]
    return [per_input] * len(columns)


def _permute_block(matrix: Any, order: np.ndarray, start: int, stop: int) -> Any:
    if sp.issparse(matrix):
        matrix = matrix.tocsr()
        return sp.hstack([matrix[:, :start], matrix[order][:, start:stop], matrix[:, stop:]], format="csr")
    out = np.array(matrix, copy=True)
    out[:, start:stop] = matrix[order, start:stop]
    return out


def _stack(parts: list) -> Any:
    return sp.vstack(parts, format="csr") if sp.issparse(parts[0]) else np.vstack(parts)


def permutation_importance(
    score: Score,
    X: pd.DataFrame,
    y: np.ndarray,
    columns: list[str],
    *,
    n_repeats: int = N_REPEATS,
    max_rows: int = MAX_ROWS,
    seed: int = 0,
    greater_is_better: bool = True,
    progress: ProgressCallback = no_progress,
    prepare: Callable[[pd.DataFrame], Any] | None = None,
    blocks: dict[str, tuple[int, int]] | None = None,
) -> list[tuple[str, float, float]]:
    """[(column, mean drop, std of drop)], most important first.

    `score(data, y, groups, n_groups)` returns one score per group: `groups[i]` tells which
    stacked copy row i belongs to. Plain way: `data` is a DataFrame of input rows. Fast way
    (`prepare` and `blocks` given): `data` is the prepared matrix, `prepare(frame)` makes it.
    """
    rng = np.random.RandomState(seed)
    if len(X) > max_rows:
        rows = np.sort(rng.choice(len(X), max_rows, replace=False))
        X, y = X.iloc[rows], y[rows]
    X = X.reset_index(drop=True)
    n = len(X)
    if prepare is None or blocks is None or not all(c in blocks for c in columns):
        prepare = blocks = None  # the plain way
    base = X if prepare is None else prepare(X)
    baseline = float(score(base, y, np.zeros(n, dtype=np.int64), 1)[0])
    y_stacked = np.tile(y, n_repeats)
    groups = np.repeat(np.arange(n_repeats), n)
    sign = 1.0 if greater_is_better else -1.0
    out = []
    for i, column in enumerate(columns):
        progress(i / max(len(columns), 1), f"Importance of {column}")
        orders = [rng.permutation(n) for _ in range(n_repeats)]
        if blocks is not None:
            start, stop = blocks[column]
            stacked = _stack([_permute_block(base, order, start, stop) for order in orders])
        else:
            original = X[column].array
            copies = []
            for order in orders:
                copy = X.copy(deep=False)
                copy[column] = pd.Series(original.take(order), index=X.index)
                copies.append(copy)
            stacked = pd.concat(copies, ignore_index=True)
        drops = sign * (baseline - np.asarray(score(stacked, y_stacked, groups, n_repeats), dtype=np.float64))
        out.append((column, float(np.mean(drops)), float(np.std(drops))))
    progress(1.0, "Importance done")
    return sorted(out, key=lambda t: -t[1])
