"""Per-column and dataset drift of a batch against stored reference statistics.

Which test, as Evidently's DataDriftPreset chooses (settings.numeric_test / categorical_test
= "auto"): with at most `small_sample_rows` (1000) reference values, KS for numbers and
chi-squared for categories; above, the Wasserstein distance divided by the reference's
standard deviation for numbers and the Jensen–Shannon distance for categories. A numeric
column with at most `categorical_max_values` (5) distinct values in reference and batch
together is tested as categories. Missing (and infinite) values are left out of the tests
and compared on their own: a column whose share of missing values moves by at least
`missing_change`, significantly, has drifted too. PSI is computed beside every test and
reported in bands; it does not decide.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from desktop_app.core.monitor import statistics as st
from desktop_app.core.monitor.reference import NUMERIC, OTHER, ColumnReference, ReferenceStats, category_counts, numbers
from desktop_app.core.monitor.settings import DriftSettings
from desktop_app.core.progress import ProgressCallback

NEW_CATEGORIES_LISTED = 20
# Wasserstein is divided by max(std, this), as Evidently does, so a constant reference stays finite.
MIN_NORM = 0.001


@dataclass
class ColumnDrift:
    column: str
    kind: str                      # numeric | categorical (the column's data kind)
    test: str | None               # ks | wasserstein | chi_squared | jensen_shannon; None when untestable
    statistic: float | None        # KS D, normed Wasserstein, chi-squared, JS distance (None: infinite)
    p_value: float | None          # KS and chi-squared only
    threshold: float
    drifted: bool                  # the test's verdict or the missing-share change
    psi: float | None
    psi_band: str
    missing_ref: float             # share of missing values
    missing_batch: float
    missing_drifted: bool
    new_categories: list[str] = field(default_factory=list)
    new_category_share: float = 0.0
    rows_ref: int = 0              # values tested (missing left out)
    rows_batch: int = 0
    note: str = ""

    @property
    def test_verdict(self) -> bool | None:
        """The test's own verdict (without the missing-share change); None when untested."""
        if self.test is None:
            return None
        if self.p_value is not None:
            return self.p_value < self.threshold
        return self.statistic is None or self.statistic >= self.threshold

    def to_dict(self) -> dict[str, Any]:
        return _finite(asdict(self))


@dataclass
class DataDrift:
    columns: list[ColumnDrift]
    share_drifted: float
    dataset_drift: bool
    drift_share: float
    skipped: dict[str, str] = field(default_factory=dict)   # column → why it was not tested

    @property
    def drifted_columns(self) -> list[str]:
        return [c.column for c in self.columns if c.drifted]

    def column(self, name: str) -> ColumnDrift:
        return next(c for c in self.columns if c.column == name)

    def to_dict(self) -> dict[str, Any]:
        return {"columns": [c.to_dict() for c in self.columns], "share_drifted": self.share_drifted,
                "dataset_drift": self.dataset_drift, "drift_share": self.drift_share,
                "drifted_columns": self.drifted_columns, "skipped": self.skipped}


def _finite(value: Any) -> Any:
    """JSON-safe: NaN and infinities become None (PostgreSQL's JSON refuses them)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if isinstance(value, np.generic):
        return _finite(value.item())
    return value


def _categorical_counts(ref: ColumnReference, batch: pd.Series) -> tuple[np.ndarray, np.ndarray, list[str], int]:
    """Reference and batch counts over the union of categories; the new categories, most common first."""
    counts = category_counts(batch)
    index = pd.Index(ref.categories).get_indexer(counts.index) if len(counts) else np.empty(0, dtype=np.int64)
    known = index >= 0
    ref_counts = np.asarray(ref.counts, dtype=np.int64)
    batch_counts = np.zeros(len(ref.categories), dtype=np.int64)
    np.add.at(batch_counts, index[known], counts.to_numpy()[known])
    unknown = counts[~known]
    new: list[str] = []
    if ref.other:  # categories beyond the stored ones cannot be told from new ones: pool them
        ref_counts = np.r_[ref_counts, ref.other]
        batch_counts = np.r_[batch_counts, int(unknown.sum())]
    elif len(unknown):
        new = list(unknown.index)
        ref_counts = np.r_[ref_counts, np.zeros(len(unknown), dtype=np.int64)]
        batch_counts = np.r_[batch_counts, unknown.to_numpy()]
    return ref_counts, batch_counts, new, int(unknown.sum()) if not ref.other else 0


def _numeric_as_categories(ref: ColumnReference, batch: st.SortedBatch) -> tuple[np.ndarray, np.ndarray, list[str]]:
    keys = np.union1d(ref.numeric.values, batch.values)
    ref_counts = np.zeros(keys.size, dtype=np.int64)
    ref_counts[np.searchsorted(keys, ref.numeric.values)] = ref.numeric.counts
    batch_counts = np.zeros(keys.size, dtype=np.int64)
    batch_counts[np.searchsorted(keys, batch.values)] = np.diff(np.r_[0, batch.le])
    new = [f"{v:g}" for v in keys[(ref_counts == 0) & (batch_counts > 0)]]
    return ref_counts, batch_counts, new


def _categorical_test(ref_counts: np.ndarray, batch_counts: np.ndarray, small: bool, settings: DriftSettings
                      ) -> tuple[str, float, float | None, float]:
    test = settings.categorical_test if settings.categorical_test != "auto" else \
        ("chi_squared" if small else "jensen_shannon")
    if test == "chi_squared":
        chi = st.chi_squared if settings.chi_squared_method == "two_sample" else st.chi_squared_goodness_of_fit
        statistic, p = chi(ref_counts, batch_counts)
        return test, statistic, p, settings.p_value
    return test, st.jensen_shannon(ref_counts, batch_counts), None, settings.distance


def column_drift(ref: ColumnReference, series: pd.Series, settings: DriftSettings) -> ColumnDrift:
    """How the batch's `series` differs from the reference column `ref`."""
    rows_batch = len(series)
    if ref.kind == NUMERIC:
        values = numbers(series)
        finite = np.sort(values[~np.isnan(values)])
        missing_batch = rows_batch - finite.size
    else:
        finite = np.empty(0)  # numbers only
        missing_batch = int(series.isna().sum())
    present = rows_batch - missing_batch
    missing_ref_share = ref.missing_share
    missing_batch_share = missing_batch / rows_batch if rows_batch else 0.0
    missing_p = st.missing_change(ref.missing, ref.rows, missing_batch, rows_batch)
    missing_drifted = bool(abs(missing_batch_share - missing_ref_share) >= settings.missing_change
                           and missing_p < settings.p_value)
    result = ColumnDrift(ref.column, ref.kind, None, None, None, math.nan, missing_drifted, None, "stable",
                         missing_ref_share, missing_batch_share, missing_drifted, rows_ref=ref.present,
                         rows_batch=present)
    if ref.present == 0 or present == 0:
        result.note = ("The reference has no values in this column." if ref.present == 0
                       else "The batch has no values in this column.")
        return result

    small = ref.present <= settings.small_sample_rows
    if ref.kind == NUMERIC:
        batch = st.SortedBatch.of(ref.numeric, finite)
        few = settings.categorical_max_values
        n_values = np.union1d(ref.numeric.values, batch.values).size \
            if ref.numeric.values.size <= few and batch.values.size <= few else few + 1
        if n_values <= settings.categorical_max_values and settings.numeric_test == "auto":
            ref_counts, batch_counts, new = _numeric_as_categories(ref, batch)
            result.test, statistic, result.p_value, result.threshold = _categorical_test(
                ref_counts, batch_counts, small, settings)
            result.psi = st.psi(st.shares(ref_counts), st.shares(batch_counts))
            result.new_categories = new[:NEW_CATEGORIES_LISTED]
            result.new_category_share = float(batch_counts[ref_counts == 0].sum() / present)
            result.note = f"Tested as categories: {n_values} distinct values."
        else:
            test = settings.numeric_test if settings.numeric_test != "auto" else ("ks" if small else "wasserstein")
            if test == "ks":
                statistic, result.p_value = st.ks_test(ref.numeric, batch)
                result.threshold = settings.p_value
            else:
                norm = max(ref.std if math.isfinite(ref.std) else 0.0, MIN_NORM)
                statistic = st.wasserstein(ref.numeric, batch) / norm
                result.threshold = settings.distance
            result.test = test
            edges, ref_bins = ref.psi_bins(settings.psi_bins)
            result.psi = st.psi(st.shares(ref_bins), st.shares(st.bin_counts(edges, finite)))
    else:
        ref_counts, batch_counts, new, new_rows = _categorical_counts(ref, series)
        result.test, statistic, result.p_value, result.threshold = _categorical_test(
            ref_counts, batch_counts, small, settings)
        result.psi = st.psi(st.shares(ref_counts), st.shares(batch_counts))
        result.new_categories = new[:NEW_CATEGORIES_LISTED]
        result.new_category_share = new_rows / present
        if ref.other:
            result.note = f"Categories beyond the {len(ref.categories):,} most common are pooled as {OTHER}."
    result.statistic = statistic
    result.psi_band = st.psi_band(result.psi, settings.psi_moderate, settings.psi_significant)
    result.drifted = bool(result.test_verdict or missing_drifted)
    return result


def data_drift(reference: ReferenceStats, frame: pd.DataFrame, settings: DriftSettings,
               progress: ProgressCallback | None = None) -> DataDrift:
    """Drift of every reference column present in `frame`, and whether the dataset has drifted."""
    results: list[ColumnDrift] = []
    skipped: dict[str, str] = {}
    for column, kind in reference.kinds.items():
        if column not in reference.columns:
            skipped[column] = f"{kind} columns are not tested for drift"
    names = [c for c in reference.columns if c in frame.columns]
    for column in reference.columns:
        if column not in frame.columns:
            skipped[column] = "not in the batch"
    for i, column in enumerate(names):
        if progress is not None:
            progress(i / max(len(names), 1), f"Comparing '{column}'")
        results.append(column_drift(reference.columns[column], frame[column], settings))
    share = sum(c.drifted for c in results) / len(results) if results else 0.0
    return DataDrift(results, share, bool(results) and share >= settings.drift_share, settings.drift_share, skipped)
