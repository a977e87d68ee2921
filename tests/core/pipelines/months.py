"""Months of heart-disease data for pipeline tests: one like the sample, one shifted."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tests.conftest import SAMPLE_CSV


def same_month(path: Path, seed: int = 1, rows: int = 4000) -> Path:
    """Rows drawn (with replacement) from the sample: the same distribution, other content."""
    frame = pd.read_csv(SAMPLE_CSV)
    frame.sample(n=rows, replace=True, random_state=seed).to_csv(path, index=False)
    return path


def shifted_month(path: Path) -> Path:
    """The sample with 8 of its 11 features moved far: patients older, heavier, smoking, with high pressure."""
    frame = pd.read_csv(SAMPLE_CSV)
    rng = np.random.default_rng(2)
    frame["age"] = frame["age"] + 15
    frame["weight"] = frame["weight"] + 25
    frame["height"] = frame["height"] - 10
    frame["sys_bp"] = frame["sys_bp"] + 30
    frame["dia_bp"] = frame["dia_bp"] + 20
    frame["smoke"] = np.where(rng.random(len(frame)) < 0.9, "Yes", "No")
    frame["alcohol"] = np.where(rng.random(len(frame)) < 0.9, "Yes", "No")
    frame["cholesterol"] = "well above normal"
    frame.to_csv(path, index=False)
    return path
