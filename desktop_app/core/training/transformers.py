"""The small transformers MLDesk puts in a pipeline besides scikit-learn's own.

They hold only JSON-like attributes and numpy arrays, so a fitted pipeline saved with skops.io
loads again with the app's allow-list (`model_io.trusted_types()` names each class here by its
dotted path). Keep it that way: an attribute holding any other object would need a new entry in
the allow-list.

- RecipeTransformer: repeats the quality step's column transforms (`quality.recipe`)
  on the rows to predict, then keeps the model's columns.
- AsNumbers / AsCategories / DateParts: turn one group of columns into the numbers the
  scikit-learn imputers and encoders expect, whatever storage the rows arrive in (pyarrow
  strings, pandas categoricals, nullable integers, booleans with gaps, dates as text).
- MedianImputer: scikit-learn's SimpleImputer(strategy="median") with a linear-time fit; it
  learns what SimpleImputer learns (a float array and its dtype), nothing else.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.impute import SimpleImputer

from desktop_app.core.quality.recipe import RecipeStep, apply_step
from desktop_app.core.training.errors import MissingColumnsError, TrainingError


def _frame(X: Any) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    raise TrainingError("The model needs a table with named columns (a pandas DataFrame), not a bare array.")


class _Stateless(TransformerMixin, BaseEstimator):
    """Fit only remembers the column names."""

    def fit(self, X: Any, y: Any = None) -> _Stateless:
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
        self.feature_names_in_ = np.asarray([str(c) for c in frame.columns], dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return True

    def _names(self, input_features: Any) -> list[str]:
        if input_features is not None:
            return [str(c) for c in input_features]
        return [str(c) for c in getattr(self, "feature_names_in_", [])]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(self._names(input_features), dtype=object)


class RecipeTransformer(_Stateless):
    """Apply recorded recipe steps (as `RecipeStep.to_dict()` JSON) and keep `columns`.

    The steps' values were learned when the fix was chosen, so nothing is learned here.
    Every prediction-time op is idempotent, so fitting on a version the recipe already made
    changes nothing, while raw rows (as in the original file) get the same fixes.
    `left_out` ([column, reason] pairs) only documents which columns the model ignores.
    """

    def __init__(self, recipe: list | tuple = (), columns: list | tuple = (), left_out: list | tuple = ()) -> None:
        self.recipe = recipe
        self.columns = columns
        self.left_out = left_out

    def fit(self, X: Any, y: Any = None) -> RecipeTransformer:
        self.transform(X)  # fails early, with the same message, if a column is missing
        self.feature_names_in_ = np.asarray([str(c) for c in self.columns], dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        return self

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> pd.DataFrame:
        out = self.transform(X)
        self.feature_names_in_ = np.asarray([str(c) for c in self.columns], dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        return out

    def transform(self, X: Any) -> pd.DataFrame:
        frame = _frame(X)
        kinds: dict = {}
        for data in self.recipe:
            frame, kinds = apply_step(frame, kinds, RecipeStep.from_dict(data))
        missing = [c for c in self.columns if c not in frame.columns]
        if missing:
            raise MissingColumnsError(missing)
        columns = list(self.columns)
        if list(frame.columns) == columns:
            return frame
        return frame[columns]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray([str(c) for c in self.columns], dtype=object)


def _numbers(series: pd.Series) -> np.ndarray:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return series.astype("float64").to_numpy(dtype=np.float64, na_value=np.nan)
    if pd.api.types.is_numeric_dtype(dtype):
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


class AsNumbers(_Stateless):
    """Columns as float64 (text that is not a number becomes missing)."""

    def transform(self, X: Any) -> np.ndarray:
        frame = _frame(X) if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
        if frame.shape[1] == 0:
            return np.empty((len(frame), 0))
        return np.column_stack([_numbers(frame[c]) for c in frame.columns])


def _label(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "True" if value else "False"
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))  # 1.0 and 1 are the same category, whether or not the column had gaps
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


def _categories(series: pd.Series) -> np.ndarray:
    # Through the distinct values even for text: every cell then points at one shared string per
    # category (8 bytes a cell) instead of a string object of its own (~60 bytes) — on 10M rows the
    # difference is gigabytes — and the encoders downstream compare identical objects, faster.
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    labels = np.empty(len(uniques) + 1, dtype=object)
    labels[:-1] = [_label(u) for u in uniques]
    labels[-1] = np.nan
    return labels[codes]  # code -1 (missing) picks the trailing NaN


class AsCategories(_Stateless):
    """Columns as text labels in an object array, missing as NaN (what SimpleImputer expects).

    Booleans become "True"/"False", whole floats lose their ".0", so a category is the same
    whether the column arrives as text, numbers, booleans or a pandas categorical.
    """

    def transform(self, X: Any) -> np.ndarray:
        frame = _frame(X) if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
        out = np.empty(frame.shape, dtype=object)
        for i, c in enumerate(frame.columns):
            out[:, i] = _categories(frame[c])
        return out


DATE_PARTS = ("year", "month", "dayofweek")
_DATE_ATTRIBUTES = {"year": "year", "month": "month", "dayofweek": "day_of_week"}


def _dates(series: pd.Series) -> pd.Series:
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series.dt.tz_convert("UTC").dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series
    parsed = pd.to_datetime(series, errors="coerce", format="ISO8601", utc=True)
    if parsed.isna().sum() > series.isna().sum():  # not all ISO: let pandas guess each value
        parsed = pd.to_datetime(series, errors="coerce", format="mixed", utc=True)
    return parsed.dt.tz_localize(None)


class DateParts(_Stateless):
    """Each date column as three numbers: year, month, day of week (missing stays missing).

    Dates given as text are read as ISO 8601, else guessed value by value; a dataset whose
    dates are in a local format should carry a `set_kind` recipe step with that format.
    """

    def transform(self, X: Any) -> np.ndarray:
        frame = _frame(X) if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
        parts = []
        for c in frame.columns:
            dates = _dates(frame[c]).dt
            for part in DATE_PARTS:
                parts.append(getattr(dates, _DATE_ATTRIBUTES[part]).to_numpy(dtype=np.float64, na_value=np.nan))
        if not parts:
            return np.empty((len(frame), 0))
        return np.column_stack(parts)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray([f"{c}_{p}" for c in self._names(input_features) for p in DATE_PARTS], dtype=object)


class MedianImputer(SimpleImputer):
    """SimpleImputer(strategy="median") that finds each column's median by partition, not by sorting.

    SimpleImputer fits a median through `numpy.ma.median`, which sorts a masked copy of the whole
    block with its index and mask arrays: at 10M rows 14 s of a 79 s logistic regression, and 5.5×
    the block in memory. Here each column's present values are copied once and partitioned around
    their middle (linear time), and the median is the mean of the two middle values as numpy.ma
    computes it, (0 + low + high) / 2: the same statistics to the bit, the sign of a zero included
    (tests compare them). Any block but float64 with NaN as the missing value, and every transform,
    is SimpleImputer's own.
    """

    def _dense_fit(self, X: Any, strategy: Any, missing_values: Any, fill_value: Any) -> np.ndarray:
        if not (strategy == "median" and isinstance(missing_values, float) and np.isnan(missing_values)
                and X.dtype == np.float64 and X.ndim == 2):
            return super()._dense_fit(X, strategy, missing_values, fill_value)
        missing = np.isnan(X)
        self._fit_indicator(missing)
        statistics = np.empty(X.shape[1], dtype=np.float64)
        for j in range(X.shape[1]):
            present = X[:, j][~missing[:, j]]
            statistics[j] = _median(present) if len(present) else (0.0 if self.keep_empty_features else np.nan)
        return statistics


def _median(values: np.ndarray) -> float:
    """The median as numpy.ma.median gives a column's: its sum of the two middle values (the one middle value
    twice for an odd count) starts from 0.0, so a median of -0.0 comes out as 0.0."""
    low, high = (len(values) - 1) // 2, len(values) // 2
    middle = np.partition(values, (low, high))
    return float(np.true_divide(0.0 + middle[low] + middle[high], 2.0))
