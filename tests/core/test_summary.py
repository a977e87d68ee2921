"""summarize_column: counts, range, top values and histogram."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.data.settings import ColumnKind as K
from desktop_app.core.data.summary import ColumnSummary, summarize_column
from tests.figures import record


def test_numeric_figures():
    values = pd.Series([1.0, 2.0, 3.0, 4.0, None, np.inf], name="x")
    s = summarize_column(values, K.NUMERIC)
    assert isinstance(s, ColumnSummary)
    assert (s.name, s.kind, s.count, s.missing, s.distinct) == ("x", K.NUMERIC, 5, 1, 5)
    assert s.missing_pct == pytest.approx(100 / 6)
    assert (s.min, s.max, s.mean) == (1.0, 4.0, 2.5)  # inf is counted but left out of the figures
    assert s.std == pytest.approx(np.std([1, 2, 3, 4], ddof=1))
    edges, counts = s.histogram
    assert len(edges) == len(counts) + 1 and sum(counts) == 4


def test_histogram_has_about_30_bins():
    s = summarize_column(pd.Series(np.linspace(0, 1, 1000)), K.NUMERIC)
    edges, counts = s.histogram
    assert len(counts) == 30 and edges[0] == 0.0 and edges[-1] == 1.0 and sum(counts) == 1000


def test_small_integer_range_gets_one_bar_per_value():
    s = summarize_column(pd.Series([0, 1, 1, 3, 3, 3]), K.NUMERIC)
    assert s.histogram == ([-0.5, 0.5, 1.5, 2.5, 3.5], [1, 2, 0, 3])


def test_constant_column():
    s = summarize_column(pd.Series([2.5] * 4), K.NUMERIC)
    assert (s.min, s.max, s.std, sum(s.histogram[1])) == (2.5, 2.5, 0.0, 4)


def test_numeric_kind_over_text_values():
    s = summarize_column(pd.Series(["1", "2", "x", None]), K.NUMERIC)
    assert (s.min, s.max, s.count, s.missing) == (1.0, 2.0, 3, 1)


def test_categorical_top_values():
    values = pd.Series(["b", "a", "b", None, "c", "b", "a"], name="grade", dtype="str")
    s = summarize_column(values, K.CATEGORICAL)
    assert s.top_values == [("b", 3), ("a", 2), ("c", 1)]
    assert (s.count, s.missing, s.distinct) == (6, 1, 3)
    assert s.min is s.mean is s.max is s.std is s.histogram is None


def test_top_values_are_at_most_ten():
    s = summarize_column(pd.Series([f"v{i % 25}" for i in range(100)]), K.CATEGORICAL)
    assert len(s.top_values) == 10 and s.distinct == 25


def test_boolean():
    s = summarize_column(pd.Series([True, False, True, None], dtype="boolean"), K.BOOLEAN)
    assert s.top_values == [("True", 2), ("False", 1)] and s.missing == 1 and s.histogram is None


def test_datetime_range():
    values = pd.Series(pd.to_datetime(["2021-03-04", "2020-01-01", None, "2022-12-31"]))
    s = summarize_column(values, K.DATETIME)
    assert (s.min, s.max, s.count) == ("2020-01-01T00:00:00", "2022-12-31T00:00:00", 3)
    assert s.mean is None and s.histogram is None


def test_empty_series():
    s = summarize_column(pd.Series([], dtype="float64", name="e"), K.NUMERIC)
    assert (s.count, s.missing, s.missing_pct, s.distinct, s.histogram) == (0, 0, 0.0, 0, None)


def test_a_million_rows_are_summarised():
    rng = np.random.default_rng(0)
    numbers = pd.Series(rng.normal(size=1_000_000))
    labels = pd.Series(np.array(["red", "green", "blue"])[rng.integers(0, 3, 1_000_000)], dtype="str")
    start = time.perf_counter()
    summarize_column(numbers, K.NUMERIC)
    s = summarize_column(labels, K.CATEGORICAL)
    record("summary_1m_rows_s", time.perf_counter() - start)   # goal: 0.8 s (bench_responsiveness.py)
    assert sum(n for _, n in s.top_values) == 1_000_000


def test_whole_numbers_over_a_wide_range_get_whole_bins_without_a_comb():
    ages = pd.Series(np.repeat(np.arange(30, 88), 10))   # 58 ages, 10 rows each: a flat histogram
    edges, counts = summarize_column(ages, K.NUMERIC).histogram
    assert edges[0] == 29.5 and edges[-1] >= 87.5 and set(np.diff(edges)) == {2.0}
    assert set(counts[:-1]) == {20} and sum(counts) == 580    # every bar holds two ages (equal-width bins alternated)
