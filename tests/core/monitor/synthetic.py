"""A seeded 20-column mixed table (10 numeric, 10 categorical) with plantable shifts.

Shared by the drift tests and tests/benchmarks/bench_drift.py, so both check drift on the
same kind of data: a reference and a batch drawn the same way agree, and a planted change
shows in its column only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

NUMERIC = ["age", "weight", "height", "sys_bp", "dia_bp", "income", "bmi", "visits", "children", "score"]
CATEGORICAL = ["gender", "smoke", "alcohol", "active", "cholesterol", "diabetes", "region", "employment",
               "education", "channel"]
_CATEGORIES: dict[str, tuple[list[str], list[float]]] = {
    "gender": (["female", "male"], [0.52, 0.48]),
    "smoke": (["no", "yes"], [0.8, 0.2]),
    "alcohol": (["no", "yes"], [0.7, 0.3]),
    "active": (["no", "yes"], [0.35, 0.65]),
    "cholesterol": (["normal", "above", "well_above"], [0.7, 0.2, 0.1]),
    "diabetes": (["no", "type1", "type2"], [0.85, 0.03, 0.12]),
    "region": ([f"region_{i:02d}" for i in range(12)], list(np.linspace(1, 2, 12) / np.linspace(1, 2, 12).sum())),
    "employment": (["employed", "self", "student", "retired", "unemployed", "other"],
                   [0.5, 0.12, 0.1, 0.18, 0.06, 0.04]),
    "education": (["primary", "secondary", "bachelor", "master", "doctorate"], [0.1, 0.4, 0.3, 0.15, 0.05]),
    "channel": ([f"ch_{i}" for i in range(30)], list(np.r_[np.full(5, 0.12), np.full(25, 0.4 / 25)])),
}
KINDS = {**{c: "numeric" for c in NUMERIC}, **{c: "categorical" for c in CATEGORICAL}}


def make_frame(
    rows: int,
    seed: int,
    *,
    mean_shift: Mapping[str, float] | None = None,        # column → shift in standard deviations
    new_category: Mapping[str, tuple[str, float]] | None = None,  # column → (value, share of rows)
    proportions: Mapping[str, Sequence[float]] | None = None,     # column → new shares of its categories
    missing: Mapping[str, float] | None = None,           # column → share of rows made missing
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    shift = dict(mean_shift or {})

    def normal(column: str, mean: float, sd: float) -> np.ndarray:
        return rng.normal(mean + shift.get(column, 0.0) * sd, sd, rows)

    data: dict[str, object] = {
        "age": np.clip(np.round(normal("age", 54, 12)), 18, 95),
        "weight": np.round(normal("weight", 78, 14), 1),
        "height": np.round(normal("height", 170, 9)),
        "sys_bp": np.round(normal("sys_bp", 128, 17)),
        "dia_bp": np.round(normal("dia_bp", 82, 10)),
        "income": np.round(np.exp(normal("income", 10.5, 0.45)), 2),
        "bmi": np.round(normal("bmi", 27, 4), 1),
        "visits": rng.poisson(2.5 + shift.get("visits", 0.0) * 1.6, rows).astype(np.float64),
        "children": rng.choice(5, rows, p=[0.3, 0.25, 0.25, 0.15, 0.05]).astype(np.float64),
        "score": normal("score", 0, 1),
    }
    for column in CATEGORICAL:
        values, p = _CATEGORIES[column]
        p = np.asarray((proportions or {}).get(column, p), dtype=np.float64)
        data[column] = np.asarray(values, dtype=object)[rng.choice(len(values), rows, p=p / p.sum())]
    for column, (value, share) in (new_category or {}).items():
        data[column][rng.random(rows) < share] = value
    frame = pd.DataFrame(data)
    for column in CATEGORICAL:
        frame[column] = frame[column].astype("str")
    base_missing = {"weight": 0.015, "income": 0.03, "employment": 0.02}
    for column, share in {**base_missing, **(missing or {})}.items():
        frame.loc[rng.random(rows) < share, column] = np.nan
    return frame
