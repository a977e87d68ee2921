"""Checks between columns: pairs of numeric features that carry the same information."""

from __future__ import annotations

import numpy as np

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.quality.checks._common import CONSTANT, EMPTY, ID_LIKE, CheckContext, Findings, count
from desktop_app.core.quality.findings import Finding, Fix, Severity

MAX_CELLS = 20_000_000  # rows × columns of the matrix correlations are computed on
_MIN_PAIR_ROWS = 3


def pairwise_correlation(matrix: np.ndarray) -> np.ndarray:
    """Pearson correlation of every pair of columns over the rows where both have a value (NaN = missing)."""
    present = np.isfinite(matrix)
    if present.all():
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.corrcoef(matrix, rowvar=False).reshape(matrix.shape[1], matrix.shape[1])
    means = np.nanmean(np.where(present, matrix, np.nan), axis=0)
    centred = np.where(present, matrix - means, 0.0)
    m = present.astype(np.float64)
    n = m.T @ m
    sx = centred.T @ m                     # [i, j]: sum of column i over rows where j is present (and i)
    sxx = (centred * centred).T @ m
    sxy = centred.T @ centred
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sxy - sx * sx.T / n
        var_i = sxx - sx * sx / n
        r = cov / np.sqrt(var_i * var_i.T)
    r[n < _MIN_PAIR_ROWS] = np.nan
    return r


def correlated_features(ctx: CheckContext) -> Findings:
    cols = [c for c in ctx.features(EMPTY, CONSTANT, ID_LIKE)
            if c.is_numeric and c.kind == ColumnKind.NUMERIC and c.n_unique >= 2]
    if len(cols) < 2 or ctx.rows < _MIN_PAIR_ROWS:
        return []
    rows = ctx.profile.sample_index if ctx.sampled else None
    limit = MAX_CELLS // len(cols)
    sampled = ctx.sampled
    if (ctx.profile.sample_size if rows is not None else ctx.rows) > limit:
        rows = np.sort(np.random.default_rng(ctx.thresholds.sample_seed).choice(ctx.rows, limit, replace=False))
        sampled = True
    matrix = np.column_stack([c.numbers_at(rows) for c in cols])
    matrix[~np.isfinite(matrix)] = np.nan
    r = pairwise_correlation(matrix)
    i, j = np.nonzero(np.triu(np.abs(np.nan_to_num(r)) >= ctx.thresholds.correlation, k=1))
    order = np.argsort(-np.abs(r[i, j]), kind="stable")
    note = f" (measured on a random sample of {count(len(matrix))} rows)" if sampled else ""
    out: Findings = []
    for a, b in zip(i[order], j[order]):
        first, second, value = cols[a].name, cols[b].name, float(r[a, b])
        direction = "together" if value > 0 else "in opposite directions"
        out.append(Finding(
            "correlated_features", Severity.INFO, second,
            f"Columns '{first}' and '{second}' move {direction} almost exactly (correlation {value:.3f}){note}. "
            f"'{second}' adds little that '{first}' does not already say — dropping one makes linear models more "
            "stable and easier to read; tree-based models do not mind.",
            {"column_a": first, "column_b": second, "correlation": value},
            Fix("drop_column", {"column": second}, f"Drop column '{second}'"), (), sampled,
        ))
    return out
