"""MedianImputer learns exactly what SimpleImputer(strategy="median") learns, in linear time."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from sklearn.impute import SimpleImputer

from desktop_app.core.training.model_io import load_model, save_model
from desktop_app.core.training.pipeline import build_pipeline
from desktop_app.core.training.transformers import MedianImputer


def _both(X: np.ndarray, **params) -> tuple[SimpleImputer, MedianImputer]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # both overflow alike on ±1e308
        return (SimpleImputer(strategy="median", **params).fit(X),
                MedianImputer(strategy="median", **params).fit(X))


@pytest.mark.parametrize("rows", [1, 2, 3, 4, 11, 1000, 100_001])
def test_the_same_statistics_to_the_bit_on_random_columns(rows):
    rng = np.random.default_rng(rows)
    X = rng.normal(size=(rows, 5)) * 1e3
    X[rng.random(X.shape) < 0.2] = np.nan
    X[:, 1] = np.nan                               # a column with nothing in it
    X[:, 2] = np.round(X[:, 2] / 100)              # many ties
    X[: rows // 2, 3] = -0.0                       # signed zeros about the middle
    for keep in (True, False):
        simple, median = _both(X, keep_empty_features=keep)
        assert median.statistics_.tobytes() == simple.statistics_.tobytes()
        assert median._fit_dtype == simple._fit_dtype
        np.testing.assert_array_equal(median.transform(X), simple.transform(X))


def test_the_same_statistics_on_every_small_column_of_awkward_values():
    values = [-0.0, 0.0, 1.0, -1.0, np.nan, 1e308, -1e308, 5e-324]
    for size in range(1, 5):
        for column in itertools.product(values, repeat=size):
            X = np.array(column).reshape(-1, 1)
            simple, median = _both(X, keep_empty_features=True)
            assert median.statistics_.tobytes() == simple.statistics_.tobytes(), column


def test_other_blocks_and_settings_are_simple_imputers_own():
    X = np.array([[1.0, np.nan], [3.0, 4.0], [2.0, 8.0]], dtype=np.float32)   # not float64
    simple, median = _both(X, add_indicator=True)
    assert median.statistics_.dtype == simple.statistics_.dtype == np.float32
    np.testing.assert_array_equal(median.transform(X), simple.transform(X))   # the indicator columns too
    X64 = X.astype(np.float64)
    simple, median = _both(X64, add_indicator=True)
    np.testing.assert_array_equal(median.transform(X64), simple.transform(X64))
    ints = np.array([[1, -1], [3, 4], [2, 8]])
    a = SimpleImputer(strategy="median", missing_values=-1).fit(ints)
    b = MedianImputer(strategy="median", missing_values=-1).fit(ints)
    assert b.statistics_.tobytes() == a.statistics_.tobytes()


def test_a_pipeline_fills_numbers_with_it_and_saves_and_loads_it():
    import pandas as pd

    frame = pd.DataFrame({"x": [1.0, np.nan, 3.0, 4.0] * 10, "c": ["a", "b", None, "a"] * 10, "y": [0, 1] * 20})
    pipeline = build_pipeline({"x": "numeric", "c": "categorical", "y": "categorical"}, "y", "logistic_regression",
                              task="classification")
    pipeline.fit(frame[["x", "c"]], frame["y"])
    imputer = pipeline.named_steps["prepare"].named_transformers_["numbers"].named_steps["impute"]
    assert type(imputer) is MedianImputer and imputer.statistics_.tolist() == [3.0]
    again = load_model(save_model(pipeline))
    np.testing.assert_array_equal(again.predict_proba(frame[["x", "c"]]), pipeline.predict_proba(frame[["x", "c"]]))
