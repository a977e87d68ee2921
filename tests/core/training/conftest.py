"""Shared data for the training tests: the heart sample and small mixed tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.data.settings import ColumnKind

REPO = Path(__file__).resolve().parents[3]
HEART_CSV = REPO / "resources" / "sample_data" / "heart.csv"
TARGET = "heart_disease"
NUMERIC = ["age", "weight", "height", "sys_bp", "dia_bp"]
CATEGORICAL = ["gender", "smoke", "alcohol", "phys_active", "cholesterol", "diabetes"]
# In the file's column order (the pipeline keeps the order of `kinds`).
HEART_KINDS = {
    "age": ColumnKind.NUMERIC, "gender": ColumnKind.CATEGORICAL, "weight": ColumnKind.NUMERIC,
    "height": ColumnKind.NUMERIC, "smoke": ColumnKind.BOOLEAN, "alcohol": ColumnKind.BOOLEAN,
    "phys_active": ColumnKind.BOOLEAN, "cholesterol": ColumnKind.CATEGORICAL, "sys_bp": ColumnKind.NUMERIC,
    "dia_bp": ColumnKind.NUMERIC, "diabetes": ColumnKind.BOOLEAN, TARGET: ColumnKind.BOOLEAN,
}


@pytest.fixture(autouse=True, scope="module")
def _training_threads():
    """Tests that fit pipelines directly get the thread limits training itself uses (see threads.py)."""
    from threadpoolctl import threadpool_limits

    from desktop_app.core.training.threads import BLAS_THREADS, OPENMP_THREADS

    with threadpool_limits(limits={"blas": BLAS_THREADS, "openmp": OPENMP_THREADS}):
        yield


@pytest.fixture(scope="session")
def heart() -> pd.DataFrame:
    return pd.read_csv(HEART_CSV)


def mixed_frame(n: int = 600, seed: int = 3) -> tuple[pd.DataFrame, dict[str, ColumnKind]]:
    """Every kind of column, with gaps: numbers, text categories, yes/no with None, dates, id, text."""
    rng = np.random.default_rng(seed)
    age = rng.integers(20, 80, n).astype(float)
    age[rng.random(n) < 0.05] = np.nan
    city = rng.choice(["North", "South", "East", "West"], n).astype(object)
    city[rng.random(n) < 0.05] = None
    member = np.where(rng.random(n) < 0.5, True, False).astype(object)
    member[rng.random(n) < 0.05] = None
    joined = pd.Series(np.datetime64("2020-01-01") + rng.integers(0, 1500, n).astype("timedelta64[D]"))
    joined[rng.random(n) < 0.03] = pd.NaT
    score = 0.04 * np.nan_to_num(age, nan=50) + (city == "North") * 1.0 + rng.normal(0, 1, n)
    frame = pd.DataFrame({
        "customer_id": pd.array([f"C{i:05d}" for i in range(n)], dtype="str"),
        "age": age,
        "city": pd.array(city, dtype="str"),
        "member": member,
        "joined": joined,
        "notes": pd.array([f"note {i} about things" for i in range(n)], dtype="str"),
        "churn": pd.array(np.where(score > np.median(score), "yes", "no"), dtype="str"),
    })
    kinds = {"customer_id": ColumnKind.ID, "age": ColumnKind.NUMERIC, "city": ColumnKind.CATEGORICAL,
             "member": ColumnKind.BOOLEAN, "joined": ColumnKind.DATETIME, "notes": ColumnKind.TEXT,
             "churn": ColumnKind.CATEGORICAL}
    return frame, kinds
