"""Per-column figures for the data view: counts, range, most common values, histogram."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from desktop_app.core.data.bins import are_whole, whole_number_edges
from desktop_app.core.data.settings import ColumnKind

TOP_VALUES = 10
HISTOGRAM_BINS = 30


@dataclass
class ColumnSummary:
    name: str
    kind: ColumnKind
    count: int                     # values present
    missing: int
    missing_pct: float             # 0..100
    distinct: int                  # distinct values present
    min: Any                       # float for numeric, ISO text for datetime, else None
    mean: float | None             # numeric only
    max: Any
    std: float | None              # numeric only (sample standard deviation)
    top_values: list[tuple[str, int]]              # up to 10, most frequent first
    histogram: tuple[list[float], list[int]] | None  # (edges, counts), numeric only


def summarize_column(values: pd.Series, kind: ColumnKind) -> ColumnSummary:
    kind = ColumnKind(kind)
    total = len(values)
    counts = values.value_counts(dropna=True, sort=True)
    present = int(counts.sum())
    missing = total - present
    top = [(_label(v), int(n)) for v, n in counts.head(TOP_VALUES).items()]
    low = mean = high = std = histogram = None
    if kind == ColumnKind.NUMERIC:
        numbers = _finite(values)
        if len(numbers):
            low, high = float(numbers.min()), float(numbers.max())
            mean = float(numbers.mean())
            std = float(numbers.std(ddof=1)) if len(numbers) > 1 else 0.0
            histogram = _histogram(numbers, low, high)
    elif kind == ColumnKind.DATETIME and pd.api.types.is_datetime64_any_dtype(values.dtype) and present:
        low, high = values.min().isoformat(), values.max().isoformat()
    return ColumnSummary(
        name=str(values.name),
        kind=kind,
        count=present,
        missing=missing,
        missing_pct=100.0 * missing / total if total else 0.0,
        distinct=len(counts),
        min=low,
        mean=mean,
        max=high,
        std=std,
        top_values=top,
        histogram=histogram,
    )


def _finite(values: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(values.dtype) or not pd.api.types.is_numeric_dtype(values.dtype):
        if pd.api.types.is_bool_dtype(values.dtype):
            values = values.astype("float64")
        else:
            values = pd.to_numeric(values, errors="coerce")
    numbers = values.to_numpy(dtype="float64", na_value=np.nan)
    return numbers[np.isfinite(numbers)]


def _histogram(numbers: np.ndarray, low: float, high: float) -> tuple[list[float], list[int]]:
    if are_whole(numbers):
        edges = whole_number_edges(low, high, HISTOGRAM_BINS)  # one bar per value, or per 2, 3… values
    else:
        edges = np.histogram_bin_edges(numbers, bins=HISTOGRAM_BINS, range=(low, high) if high > low else None)
    counts, edges = np.histogram(numbers, bins=edges)
    return edges.tolist(), counts.tolist()


def _label(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)
