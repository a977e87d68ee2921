"""Reference statistics of a model version's training data, computed once and stored.

A batch is compared with these, never with the training data itself, so checking a batch
neither re-reads nor re-sorts the training set. Per column:

  numeric      distinct sorted values with their counts (SortedReference: KS, Wasserstein,
               charts, and the PSI bins — reference quantiles and the count in each — which
               are derived from them in microseconds, so the number of bins stays a setting),
               mean and standard deviation, rows and missing values;
  categorical  the count of each category (as text), rows and missing values.

Plus a seeded sample of rows (SAMPLE_ROWS) for the domain classifier and the charts, and,
added by the service, the same statistics for the model's predictions on that sample and
for the target.

Sizes: the sorted values hold every row up to EXACT_ROWS (1,000,000) rows, so every
statistic is exact against the whole training set up to that size; a larger training set
is described by a seeded sample of EXACT_ROWS rows for KS/Wasserstein (mean, standard
deviation, PSI bins, category counts and missing shares still use every row).

Stored as one content-addressed object: a NumPy .npz archive of plain arrays (no pickle;
loaded with allow_pickle=False), the metadata as a JSON member and the row sample as a
Parquet member.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from desktop_app.core.monitor.statistics import SortedReference, quantile_edges, reference_bin_counts
from desktop_app.core.progress import ProgressCallback

NUMERIC, CATEGORICAL = "numeric", "categorical"
EXACT_ROWS = 1_000_000
SAMPLE_ROWS = 100_000
# Categories kept per column; the rest are pooled (and reported) as OTHER.
MAX_CATEGORIES = 10_000
OTHER = "(other)"
FORMAT = 1


def drift_kind(column_kind: str) -> str | None:
    """numeric, categorical, or None for kinds drift leaves out (dates move on by nature; ids, free text)."""
    kind = str(column_kind)
    if kind == "numeric":
        return NUMERIC
    if kind in ("categorical", "boolean"):
        return CATEGORICAL
    return None


def numbers(series: pd.Series) -> np.ndarray:
    """A column as float64 with missing and infinite values as NaN (both count as missing)."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return np.where(np.isfinite(values), values, np.nan)


def category_counts(series: pd.Series) -> pd.Series:
    """Non-missing values counted by their text (True → "True"), most common first."""
    counts = series.value_counts(dropna=True, sort=False)
    if counts.empty:
        return pd.Series([], dtype=np.int64)
    keys = pd.Index([str(k) for k in counts.index])
    counts = pd.Series(counts.to_numpy(dtype=np.int64), index=keys)
    if not keys.is_unique:
        counts = counts.groupby(level=0, sort=False).sum()
    return counts.sort_values(ascending=False, kind="stable")


@dataclass
class ColumnReference:
    column: str
    kind: str                                # numeric | categorical
    rows: int                                # rows, missing included
    missing: int
    # numeric
    sorted: SortedReference | None = None
    mean: float = math.nan
    std: float = math.nan
    exact: bool = True                       # sorted values hold every row (else a seeded sample)
    # categorical
    categories: list[str] = field(default_factory=list)
    counts: np.ndarray | None = None
    other: int = 0                           # rows in categories beyond MAX_CATEGORIES

    def psi_bins(self, bins: int) -> tuple[np.ndarray, np.ndarray]:
        """(inner edges, reference count per bin) of `bins` quantile bins; derived from the sorted values."""
        edges = quantile_edges(self.numeric, bins)
        return edges, reference_bin_counts(self.numeric, edges)

    @property
    def numeric(self) -> SortedReference:
        """The sorted values of a numeric column (ValueError for a categorical one, which has none)."""
        if self.sorted is None:
            raise ValueError(f"'{self.column}' is a {self.kind} column; it has no sorted values.")
        return self.sorted

    @property
    def present(self) -> int:
        return self.rows - self.missing

    @property
    def missing_share(self) -> float:
        return self.missing / self.rows if self.rows else 0.0


def numeric_reference(column: str, series: pd.Series, *, seed: int = 0,
                      exact_rows: int = EXACT_ROWS) -> ColumnReference:
    values = numbers(series)
    finite = values[~np.isnan(values)]
    exact = finite.size <= exact_rows
    kept = finite if exact else np.random.default_rng(seed).choice(finite, exact_rows, replace=False)
    ref = SortedReference.from_sorted(np.sort(kept))
    mean = float(finite.mean()) if finite.size else math.nan
    std = float(finite.std()) if finite.size else math.nan
    return ColumnReference(column, NUMERIC, int(values.size), int(values.size - finite.size), sorted=ref, mean=mean,
                           std=std, exact=exact)


def categorical_reference(column: str, series: pd.Series) -> ColumnReference:
    counts = category_counts(series)
    other = 0
    if len(counts) > MAX_CATEGORIES:
        other = int(counts.iloc[MAX_CATEGORIES:].sum())
        counts = counts.iloc[:MAX_CATEGORIES]
    missing = int(series.isna().sum())
    return ColumnReference(column, CATEGORICAL, int(len(series)), missing, categories=list(counts.index),
                           counts=counts.to_numpy(dtype=np.int64), other=other)


def column_reference(column: str, series: pd.Series, kind: str, *, seed: int = 0,
                     exact_rows: int = EXACT_ROWS) -> ColumnReference:
    if kind == NUMERIC:
        return numeric_reference(column, series, seed=seed, exact_rows=exact_rows)
    return categorical_reference(column, series)


@dataclass
class ReferenceStats:
    """Everything a batch is compared with; `columns` are the model's input columns."""

    rows: int
    columns: dict[str, ColumnReference]
    kinds: dict[str, str]                     # every input column's data kind (dates, ids too)
    sample: pd.DataFrame                      # seeded rows of the input columns
    seed: int = 0
    predictions: dict[str, ColumnReference] = field(default_factory=dict)
    target: ColumnReference | None = None
    info: dict[str, Any] = field(default_factory=dict)   # task, classes, positive label, …

    @property
    def sample_rows(self) -> int:
        return len(self.sample)

    def to_bytes(self) -> bytes:
        arrays: dict[str, np.ndarray] = {}
        meta: dict[str, Any] = {"format": FORMAT, "rows": self.rows, "kinds": self.kinds, "seed": self.seed,
                                "info": self.info, "columns": [], "predictions": [], "target": None}
        for group, refs in (("columns", self.columns.values()), ("predictions", self.predictions.values()),
                            ("target", [self.target] if self.target is not None else [])):
            for ref in refs:
                key = f"{group}.{len(arrays)}"
                entry = {"key": key, "column": ref.column, "kind": ref.kind, "rows": ref.rows,
                         "missing": ref.missing}
                if ref.kind == NUMERIC:
                    entry.update(mean=_json_float(ref.mean), std=_json_float(ref.std), exact=ref.exact)
                    arrays[f"{key}.values"] = ref.numeric.values
                    arrays[f"{key}.counts"] = ref.numeric.counts
                else:
                    assert ref.counts is not None  # a categorical reference always has its counts
                    entry.update(categories=ref.categories, other=ref.other)
                    arrays[f"{key}.counts"] = ref.counts
                if group == "target":
                    meta["target"] = entry
                else:
                    meta[group].append(entry)
        sample = io.BytesIO()
        self.sample.to_parquet(sample, index=False)
        arrays["sample.parquet"] = np.frombuffer(sample.getvalue(), dtype=np.uint8)
        arrays["meta.json"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        out = io.BytesIO()
        # numpy's stub reads `**arrays` as possibly holding its `allow_pickle` flag; the keys here are member names.
        np.savez(out, **arrays)  # type: ignore[arg-type]
        return out.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> ReferenceStats:
        import pyarrow.parquet as pq

        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            meta = json.loads(archive["meta.json"].tobytes())
            if meta.get("format") != FORMAT:
                raise ValueError(f"unknown reference format {meta.get('format')}")

            def load(entry: Mapping[str, Any]) -> ColumnReference:
                key = entry["key"]
                if entry["kind"] == NUMERIC:
                    return ColumnReference(
                        entry["column"], NUMERIC, entry["rows"], entry["missing"],
                        sorted=SortedReference.from_counts(archive[f"{key}.values"], archive[f"{key}.counts"]),
                        mean=_float(entry["mean"]), std=_float(entry["std"]), exact=entry["exact"])
                return ColumnReference(entry["column"], CATEGORICAL, entry["rows"], entry["missing"],
                                       categories=list(entry["categories"]), counts=archive[f"{key}.counts"],
                                       other=entry["other"])

            columns = {e["column"]: load(e) for e in meta["columns"]}
            predictions = {e["column"]: load(e) for e in meta["predictions"]}
            target = load(meta["target"]) if meta["target"] else None
            sample = pq.ParquetFile(io.BytesIO(archive["sample.parquet"].tobytes())).read().to_pandas()
        return cls(meta["rows"], columns, meta["kinds"], sample, meta["seed"], predictions, target, meta["info"])


def _json_float(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _float(value: float | None) -> float:
    return math.nan if value is None else float(value)


def sample_positions(rows: int, size: int, seed: int) -> np.ndarray | None:
    """Sorted seeded row positions, or None when every row fits."""
    if rows <= size:
        return None
    return np.sort(np.random.default_rng(seed).choice(rows, size, replace=False))


def build_reference(frame: pd.DataFrame, kinds: Mapping[str, str], columns: list[str], *, seed: int = 0,
                    sample_rows: int = SAMPLE_ROWS, exact_rows: int = EXACT_ROWS,
                    sample_columns: list[str] | None = None,
                    progress: ProgressCallback | None = None) -> ReferenceStats:
    """Statistics of `columns` of `frame` (the training data), by each column's data kind.

    The row sample keeps `sample_columns` (default `columns`): the model may need more
    columns than drift tests (a column only a data fix reads) to predict on the sample.
    """
    refs: dict[str, ColumnReference] = {}
    for i, column in enumerate(columns):
        if progress is not None:
            progress(i / max(len(columns), 1), f"Describing '{column}'")
        kind = drift_kind(kinds.get(column, ""))
        if kind is not None:
            refs[column] = column_reference(column, frame[column], kind, seed=seed, exact_rows=exact_rows)
    keep = list(sample_columns or columns)
    positions = sample_positions(len(frame), sample_rows, seed)
    sample = frame[keep] if positions is None else frame[keep].iloc[positions]
    return ReferenceStats(len(frame), refs, {c: str(kinds.get(c, "")) for c in columns},
                          sample.reset_index(drop=True), seed)
