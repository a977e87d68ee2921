"""Hist gradient boosting fitted on its early-stopping split without a third copy of the prepared rows.

`pipeline.fit(X, y)` hands the boosting the whole prepared matrix, and its `fit` splits that
matrix for early stopping (`train_test_split`: a copy of every row) while the matrix itself stays
referenced to the end: at 10M rows the rows, the matrix and its split copy are 2.9 × the table for
the whole boosting (docs/benchmarks.md, "Ten million rows"). `fit_on_own_split` makes the very
split the boosting would make (the same seed drawn from its `random_state`, the same stratified
`train_test_split`) of the prepared matrix, lets the matrix go, and passes the two parts as `X`,
`X_val` (scikit-learn ≥ 1.7): the boosting then sees the same training rows in the same order and
the same validation rows, so it grows the same trees.

The same model needs the rest of its fit unchanged too; each condition is checked and, when one
does not hold, the pipeline is fitted the usual way: early stopping on (with 'auto', more than
10,000 training rows either way), an integer `random_state`, no `class_weight`, every class among
the training rows, and every category of a categorical feature among the training rows (the
boosting learns its known categories from the rows it is given). Tests compare the fitted
pipelines byte for byte.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import is_classifier
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from desktop_app.core.training.stratified_split import label_codes, stratified_split

_AUTO_EARLY_STOPPING_ROWS = 10_000   # scikit-learn's early_stopping='auto' threshold


def fit_on_own_split(pipeline: Pipeline, X: pd.DataFrame, y: np.ndarray) -> bool:
    """Fit `pipeline` (… → a hist gradient boosting) as `pipeline.fit(X, y)` would, handing the boosting its
    early-stopping split; False when that could fit another model (the caller then fits it the usual way)."""
    model = pipeline.steps[-1][1]
    if type(model).__name__ not in ("HistGradientBoostingClassifier", "HistGradientBoostingRegressor"):
        return False   # (checked by name first: importing sklearn.ensemble for every fit would cost its time)
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    if not isinstance(model, HistGradientBoostingClassifier | HistGradientBoostingRegressor):
        return False
    params = model.get_params(deep=False)
    if (params["early_stopping"] is False or params["validation_fraction"] is None or params["warm_start"]
            or not isinstance(params["random_state"], Integral) or params.get("class_weight") is not None):
        return False
    # The boosting's own first draw from its random_state seeds the split (and its binning).
    seed = np.random.RandomState(int(params["random_state"])).randint(np.iinfo(np.uint32).max, dtype="u8")
    classifier = is_classifier(model)
    if classifier:   # stratified by the label codes the boosting stratifies by (LabelEncoder's)
        codes = label_codes(y)[1]
        train, val = stratified_split(codes, params["validation_fraction"], seed)
    else:
        train, val = train_test_split(np.arange(len(X)), test_size=params["validation_fraction"], random_state=seed)
    if params["early_stopping"] == "auto" and len(train) <= _AUTO_EARLY_STOPPING_ROWS:
        return False
    if classifier and np.bincount(codes[train], minlength=codes.max() + 1).min() == 0:
        return False
    prepared = pipeline[:-1].fit_transform(X, y)   # the same step objects: this fits the pipeline's own
    X_train, X_val = prepared[train], prepared[val]   # as the boosting's train_test_split takes them
    del prepared   # the one copy the boosting's own split kept beside its parts to the end
    if not _categories_known(model, X_train, X_val):
        return False
    model.fit(X_train, y[train], X_val=X_val, y_val=y[val])
    return True


def _categories_known(model: Any, X_train: np.ndarray, X_val: np.ndarray) -> bool:
    """Whether every category code of the validation rows is also among the training rows'."""
    mask = model.get_params(deep=False)["categorical_features"]
    if mask is None or isinstance(mask, str):   # none, or 'from_dtype' (a matrix has no dtypes to tell)
        return True
    mask = np.asarray(mask)
    for column in (np.flatnonzero(mask) if mask.dtype == bool else mask):
        seen, wanted = _codes(X_train[:, column]), _codes(X_val[:, column])
        if seen is None or wanted is None:
            return False
        size = max(len(seen), len(wanted))
        if bool((np.pad(wanted, (0, size - len(wanted))) & ~np.pad(seen, (0, size - len(seen)))).any()):
            return False
    return True


def _codes(values: np.ndarray) -> np.ndarray | None:
    """Which non-negative whole-number codes occur in `values` (missing ignored); None for anything else."""
    present = values[~np.isnan(values)]
    if present.size == 0:
        return np.zeros(0, dtype=bool)
    if present.min() < 0 or bool((present != np.floor(present)).any()):
        return None
    return np.bincount(present.astype(np.int64)) > 0
