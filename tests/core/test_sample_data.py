"""The synthetic heart-disease sample data and its generator script."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "resources" / "sample_data" / "make_heart_sample.py"
SHIPPED = REPO / "resources" / "sample_data" / "heart.csv"

COLUMNS = [
    "age", "gender", "weight", "height", "smoke", "alcohol", "phys_active",
    "cholesterol", "sys_bp", "dia_bp", "diabetes", "heart_disease",
]
WIDE_EXTRA = ["region", "income", "bmi", "visits", "last_visit", "employment", "notes", "record_id"]
MAY_BE_EMPTY = {"weight", "cholesterol", "phys_active"}


@pytest.fixture(scope="module")
def maker():
    spec = importlib.util.spec_from_file_location("make_heart_sample", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _make(maker, out: Path, *extra: str) -> pd.DataFrame:
    assert maker.main(["--rows", "2000", "--out", str(out), *extra]) == 0
    return pd.read_csv(out)


def test_columns_target_share_and_missing_values(maker, tmp_path):
    frame = _make(maker, tmp_path / "heart.csv")

    assert list(frame.columns) == COLUMNS
    assert len(frame) == 2000
    assert set(frame["heart_disease"]) == {"Yes", "No"}
    assert 0.06 <= (frame["heart_disease"] == "Yes").mean() <= 0.10

    missing = frame.isna().sum()
    assert set(missing[missing > 0].index) == MAY_BE_EMPTY
    for column in MAY_BE_EMPTY:
        assert missing[column] / len(frame) < 0.04

    assert frame["age"].between(30, 79).all()
    assert set(frame["gender"]) == {"Female", "Male"}
    assert set(frame["cholesterol"].dropna()) == {"normal", "above normal", "well above normal"}
    assert (frame["dia_bp"] < frame["sys_bp"]).all()


def test_same_seed_gives_identical_bytes(maker, tmp_path):
    _make(maker, tmp_path / "a.csv")
    _make(maker, tmp_path / "b.csv")
    _make(maker, tmp_path / "c.csv", "--seed", "7")

    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "a.csv").read_bytes() != (tmp_path / "c.csv").read_bytes()


def test_wide_adds_eight_columns_and_keeps_the_first_twelve(maker, tmp_path):
    narrow = _make(maker, tmp_path / "narrow.csv")
    wide = _make(maker, tmp_path / "wide.csv", "--wide")

    assert list(wide.columns) == COLUMNS + WIDE_EXTRA
    pd.testing.assert_frame_equal(wide[COLUMNS], narrow)
    assert wide["record_id"].is_unique
    assert wide["region"].nunique() == 12
    pd.to_datetime(wide["last_visit"], format="%Y-%m-%d")  # ISO dates throughout
    missing = wide.isna().sum()
    assert set(missing[missing > 0].index) == MAY_BE_EMPTY | {"bmi"}


def test_shipped_file(sample_csv, maker):
    assert sample_csv == SHIPPED
    assert SHIPPED.stat().st_size < 400_000
    frame = pd.read_csv(SHIPPED)

    assert list(frame.columns) == COLUMNS
    assert len(frame) == 5000
    assert frame["heart_disease"].notna().all()
    assert 0.07 <= (frame["heart_disease"] == "Yes").mean() <= 0.09


def test_shipped_file_tells_the_class_imbalance_story(maker):
    """Unweighted logistic regression misses most "Yes"; class_weight="balanced" finds most."""
    result = maker.check(pd.read_csv(SHIPPED), seed=42)

    assert result["recall_plain"] <= 0.15
    assert 0.65 <= result["recall_balanced"] <= 0.90
    assert 0.72 <= result["auc_plain"] <= 0.88
