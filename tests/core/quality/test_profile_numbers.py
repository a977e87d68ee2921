"""The checks read a numeric column's figures from its distinct values and counts (no float copy of every row):
the same figures as the rows give, computed here the plain way on columns with repeats, ties, missing and
infinite values, minus zero and nullable integers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.quality.checks import run_checks
from desktop_app.core.quality.checks._common import EVIDENCE
from desktop_app.core.quality.profile import ColumnProfile
from desktop_app.core.quality.thresholds import Thresholds

rng = np.random.default_rng(3)
N = 4000


def _with(values: np.ndarray, rows: list[int], new: list[float]) -> np.ndarray:
    values = values.astype(float).copy()
    values[rows] = new
    return values


COLUMNS = {
    "normal with far values both sides": _with(rng.normal(50, 5, N), [3, 900, 2000, 3999], [500, -400, 500, 7e3]),
    "ties at equal distance": _with(rng.normal(0, 1, N).round(2), [10, 20, 30], [-90.0, 90.0, -90.0]),
    "missing and infinite": _with(rng.normal(0, 1, N), [1, 2, 3, 4, 5], [np.nan, np.inf, -np.inf, np.nan, 40]),
    "minus zero": _with(rng.integers(-3, 4, N).astype(float), [0, 7, 8], [-0.0, 0.0, 99.0]),
    "whole numbers, even count": rng.integers(0, 100, N).astype(float),
    "odd count with missing": _with(rng.exponential(3, N), [0, 1, 2], [np.nan, np.nan, np.nan]),
}


def _series(name: str) -> pd.Series:
    return pd.Series(COLUMNS[name], name="x")


@pytest.mark.parametrize("name", list(COLUMNS) + ["nullable integers"])
def test_values_counts_and_median_are_the_rows(name):
    if name == "nullable integers":
        series = pd.Series(pd.array(rng.integers(0, 30, N), dtype="Int64")).where(rng.random(N) > 0.1)
    else:
        series = _series(name)
    col = ColumnProfile.build("x", series, ColumnKind.NUMERIC)
    rows = series.to_numpy(dtype=np.float64, na_value=np.nan)
    assert np.array_equal(col.numbers_at(), rows, equal_nan=True)
    picked = rng.choice(N, 50, replace=False)
    assert np.array_equal(col.numbers_at(picked), rows[picked], equal_nan=True)
    finite = rows[np.isfinite(rows)]
    assert col.finite_median() == np.median(finite)
    assert int(col.counts.sum()) == int((~np.isnan(rows)).sum())


@pytest.mark.parametrize("name", list(COLUMNS))
def test_outliers_and_infinite_values_match_the_rows(name):
    series = _series(name)
    frame = pd.DataFrame({"x": series, "y": rng.normal(0, 1, N)})
    report = run_checks(frame, {"x": ColumnKind.NUMERIC, "y": ColumnKind.NUMERIC}, None, Thresholds())
    found = {f.check: f for f in report.findings if f.column == "x"}
    rows = series.to_numpy(dtype=np.float64)
    finite = np.isfinite(rows)
    q1, median, q3 = np.quantile(rows[finite], [0.25, 0.5, 0.75])
    k = Thresholds().outlier_iqr_factor
    lower, upper = q1 - k * (q3 - q1), q3 + k * (q3 - q1)
    if np.all(rows[finite] == np.round(rows[finite])):
        lower, upper = float(math.floor(lower)), float(math.ceil(upper))
    mask = finite & ((rows < lower) | (rows > upper))
    if not mask.any():
        assert "outliers" not in found
    else:
        figures = found["outliers"].value
        inside = rows[finite & ~mask]
        flagged = rows[mask]
        assert figures["rows"] == int(mask.sum())
        assert (figures["below"], figures["above"]) == (int((flagged < lower).sum()), int((flagged > upper).sum()))
        assert figures["most_extreme"] == flagged[np.argmax(np.abs(flagged - median))]
        assert (figures["cap_lower"], figures["cap_upper"]) == (inside.min(), inside.max())
        positions = np.flatnonzero(mask)
        farthest = positions[np.argsort(-np.abs(rows[positions] - median), kind="stable")]
        evidence = found["outliers"].evidence_rows
        assert set(evidence) <= set(positions) and len(evidence) == min(len(positions), EVIDENCE)
        assert sorted(np.abs(rows[list(evidence)] - median)) == sorted(np.abs(rows[farthest[:len(evidence)]] - median))
    infinite = np.isinf(rows)
    if infinite.any():
        finding = found["infinite_values"]
        assert (finding.value["rows"], finding.value["positive"]) == (int(infinite.sum()), int(np.isposinf(rows).sum()))
        assert finding.evidence_rows == tuple(np.flatnonzero(infinite)[:EVIDENCE])
    else:
        assert "infinite_values" not in found
