"""Tables with problems planted at known rows, shared by the quality tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.data.settings import ColumnKind

N = 1000
# Where each problem is planted (positional rows).
MISSING_AGE = [5, 50, 500]
TEXT_IN_NUMBERS = {7: "unknown", 70: "unknown", 700: "n/a yet"}
INFINITE = [11, 111]
OUTLIERS = [13, 613]
RARE = [17, 817]
NEAR_CONSTANT = [19]
MISSING_TARGET = [23, 923]
NOT_A_DATE = [29]
MINORITY_SHARE = 0.05


def planted_frame(n: int = N, seed: int = 7) -> pd.DataFrame:
    """One table with (almost) every problem the checks look for, each at a known place."""
    rng = np.random.default_rng(seed)
    target = np.where(np.arange(n) % 20 == 0, "yes", "no").astype(object)  # exactly 5% "yes"
    age = rng.integers(20, 80, n).astype(float)
    age[MISSING_AGE] = np.nan
    weight_text = np.array([f"{v:,}" for v in rng.integers(900, 5000, n)], dtype=object)  # "1,234"
    for row, text in TEXT_IN_NUMBERS.items():
        weight_text[row] = text
    ratio = rng.normal(1.0, 0.1, n)
    ratio[INFINITE] = np.inf
    height = rng.normal(170, 8, n)
    height[OUTLIERS] = [900.0, 1500.0]
    city = rng.choice(["North", "South", "East", "West"], n).astype(object)
    city[RARE] = "Atlantis"
    flag = np.array(["No"] * n, dtype=object)
    flag[NEAR_CONSTANT] = "Yes"
    days = rng.integers(0, 900, n)
    visit = (np.datetime64("2022-01-01") + days.astype("timedelta64[D]")).astype(str).astype(object)
    visit[NOT_A_DATE] = "soon"
    mostly_empty = np.where(rng.random(n) < 0.7, np.nan, rng.normal(0, 1, n))
    target_with_gaps = target.copy()
    target_with_gaps[MISSING_TARGET] = None
    return pd.DataFrame({
        "age": age,
        "weight_text": pd.array(weight_text, dtype="str"),
        "ratio": ratio,
        "height": height,
        "height_copy": height * 2.54 + rng.normal(0, 0.01, n),
        "income": np.exp(rng.normal(10, 1.2, n)),
        "city": pd.array(city, dtype="str"),
        "flag": pd.array(flag, dtype="str"),
        "constant": pd.array(["same"] * n, dtype="str"),
        "zip": pd.array([f"Z{v:03d}" for v in rng.integers(0, 300, n)], dtype="str"),
        "visit": pd.array(visit, dtype="str"),
        "empty": np.full(n, np.nan),
        "mostly_empty": mostly_empty,
        "leak": pd.array(np.where(target == "yes", "Y", "N"), dtype="str"),
        "target": pd.array(target_with_gaps, dtype="str"),
    })


PLANTED_KINDS = {
    "age": ColumnKind.NUMERIC, "weight_text": ColumnKind.CATEGORICAL, "ratio": ColumnKind.NUMERIC,
    "height": ColumnKind.NUMERIC, "height_copy": ColumnKind.NUMERIC, "income": ColumnKind.NUMERIC,
    "city": ColumnKind.CATEGORICAL, "flag": ColumnKind.BOOLEAN, "constant": ColumnKind.CATEGORICAL,
    "zip": ColumnKind.CATEGORICAL, "visit": ColumnKind.CATEGORICAL, "empty": ColumnKind.NUMERIC,
    "mostly_empty": ColumnKind.NUMERIC, "leak": ColumnKind.CATEGORICAL, "target": ColumnKind.CATEGORICAL,
}


@pytest.fixture(scope="module")
def planted() -> pd.DataFrame:
    return planted_frame()


@pytest.fixture(scope="module")
def planted_report(planted):
    from desktop_app.core.quality import run_checks

    return run_checks(planted, PLANTED_KINDS, target="target")


def only(report, check: str, column: str | None = ...):
    """The one finding of `check` (on `column`, if given)."""
    found = [f for f in report.findings if f.check == check and (column is ... or f.column == column)]
    assert len(found) == 1, f"expected one {check} finding for {column}, got {[(f.column, f.message) for f in found]}"
    return found[0]
