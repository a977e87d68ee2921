"""Which task a target column asks for: classification or regression.

Kept apart from `pipeline` so that the window can tell the task without importing
scikit-learn (a large import that would hold up the GUI thread's share of the GIL).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.training.catalogue import CLASSIFICATION, REGRESSION
from desktop_app.core.training.errors import TrainingError

# A numeric target with at most this many whole values is a set of classes (0/1, a 1–5 rating).
MAX_CLASSES_FROM_NUMBERS = 10


def detect_task(series: pd.Series, kind: ColumnKind | str | None = None) -> str:
    """"classification" or "regression" for a target column (the caller may override it).

    Categories and booleans are classes. Numbers are a regression target unless they are
    a few whole values (at most MAX_CLASSES_FROM_NUMBERS, e.g. 0/1 or a 1–5 rating).
    """
    kind = ColumnKind(kind) if kind is not None else _kind_from_dtype(series)
    name = series.name
    if kind in (ColumnKind.ID, ColumnKind.TEXT, ColumnKind.DATETIME):
        raise TrainingError(f"Column '{name}' holds {kind.value} values, which cannot be predicted; "
                            "choose a numeric, categorical or yes/no column as the target.")
    if kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
        return CLASSIFICATION
    values = series.dropna()
    if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        return CLASSIFICATION
    if values.empty:
        return REGRESSION
    numbers = values.to_numpy(dtype=np.float64)
    whole = bool(np.all(np.mod(numbers, 1) == 0))
    if whole and values.nunique() <= MAX_CLASSES_FROM_NUMBERS:
        return CLASSIFICATION
    return REGRESSION


def _kind_from_dtype(series: pd.Series) -> ColumnKind:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return ColumnKind.BOOLEAN
    if pd.api.types.is_numeric_dtype(dtype):
        return ColumnKind.NUMERIC
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return ColumnKind.DATETIME
    return ColumnKind.CATEGORICAL
