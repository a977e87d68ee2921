"""Edges the mutation run (docs/benchmarks.md) found untested: the stored drift document, numbers
tested as categories (counts against SciPy), what is skipped and why, progress, unknown settings."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from desktop_app.core.monitor.drift import column_drift, data_drift
from desktop_app.core.monitor.errors import MonitorError
from desktop_app.core.monitor.reference import build_reference, column_reference
from desktop_app.core.monitor.settings import DriftSettings


def _reference(columns: dict[str, pd.Series], kinds: dict[str, str] | None = None):
    frame = pd.DataFrame(columns)
    kinds = kinds or {c: "numeric" for c in frame}
    return build_reference(frame, kinds, list(frame))


def test_the_stored_document_holds_every_verdict():
    rng = np.random.default_rng(1)
    stats_ = _reference({"a": pd.Series(rng.normal(size=300)), "b": pd.Series(rng.normal(size=300)),
                         "when": pd.Series(pd.date_range("2024-01-01", periods=300))},
                        {"a": "numeric", "b": "numeric", "when": "datetime"})
    batch = pd.DataFrame({"a": rng.normal(3, 1, 200), "b": rng.normal(size=200)})
    result = data_drift(stats_, batch, DriftSettings())
    document = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert document["share_drifted"] == 0.5 and document["dataset_drift"] is True
    assert document["drift_share"] == DriftSettings().drift_share
    assert document["drifted_columns"] == ["a"] and [c["column"] for c in document["columns"]] == ["a", "b"]
    assert document["skipped"] == {"when": "datetime columns are not tested for drift"}


def test_a_column_missing_from_the_batch_is_skipped_and_progress_counts_the_tested_ones():
    rng = np.random.default_rng(2)
    stats_ = _reference({c: pd.Series(rng.normal(size=200)) for c in ("a", "b", "c")})
    seen: list[tuple[float, str]] = []
    result = data_drift(stats_, pd.DataFrame({"a": rng.normal(size=100), "c": rng.normal(size=100)}),
                        DriftSettings(), progress=lambda fraction, message: seen.append((fraction, message)))
    assert result.skipped == {"b": "not in the batch"}
    assert seen == [(0.0, "Comparing 'a'"), (0.5, "Comparing 'c'")]


def test_untested_and_infinite_figures_are_stored_as_null():
    ref = column_reference("x", pd.Series([1.0, 2.0, 3.0]), "numeric")
    untested = column_drift(ref, pd.Series([np.nan, np.nan]), DriftSettings())
    assert untested.test is None and math.isnan(untested.threshold)
    stored = untested.to_dict()
    assert stored["threshold"] is None and stored["statistic"] is None and stored["note"]
    assert stored["missing_batch"] == 1.0 and isinstance(stored["missing_batch"], float)
    infinite = column_drift(column_reference("c", pd.Series(["a", "a", "b"] * 5), "categorical"),
                            pd.Series(["a", "c", "c"] * 5),
                            DriftSettings(categorical_test="chi_squared", chi_squared_method="goodness_of_fit"))
    assert infinite.statistic == math.inf and infinite.to_dict()["statistic"] is None
    assert infinite.drifted and json.dumps(infinite.to_dict(), allow_nan=False)


def test_few_distinct_numbers_are_counted_as_categories_exactly():
    ref_values = pd.Series([0.0] * 50 + [1.0] * 30 + [2.0] * 20)
    batch = pd.Series([0.0] * 20 + [1.0] * 35 + [3.0] * 1)         # 2 is gone, 3 appears once
    result = column_drift(column_reference("n", ref_values, "numeric"), batch, DriftSettings())
    keys = sorted(set(ref_values) | set(batch))
    table = np.array([[int((ref_values == k).sum()) for k in keys], [int((batch == k).sum()) for k in keys]])
    expected = stats.chi2_contingency(table, correction=False)
    assert result.test == "chi_squared"
    assert result.statistic == pytest.approx(expected.statistic, rel=1e-9)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-9)
    assert result.new_categories == ["3"] and result.new_category_share == 1 / len(batch)


def test_unknown_settings_are_named_with_the_known_ones():
    with pytest.raises(MonitorError) as caught:
        DriftSettings.from_dict({"drift_shares": 0.3, "pvalue": 0.1})
    message = str(caught.value)
    assert message.startswith("Unknown drift setting(s) drift_shares, pvalue; the settings are small_sample_rows, "
                              "categorical_max_values, ")
    assert message.endswith(", seed.")
