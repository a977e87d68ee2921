"""Histogram edges for whole numbers: every bar holds the same count of possible values.

Equal-width bins over ages 30–87 are 1.9 wide, so some hold two ages and some one: the bars
alternate high and low (a comb) although the data is smooth. Edges at k − 0.5 with a whole-number
width give every bar the same number of ages.
"""

from __future__ import annotations

import math

import numpy as np


def whole_number_edges(low: float, high: float, bins: int) -> np.ndarray:
    """Edges from `low` − 0.5 to at least `high` + 0.5, `bins` bars or fewer, each a whole number wide."""
    span = int(round(high - low)) + 1                    # possible values, low..high
    width = max(1, math.ceil(span / bins))
    count = math.ceil(span / width)
    return low - 0.5 + width * np.arange(count + 1, dtype="float64")


def are_whole(numbers: np.ndarray) -> bool:
    """True when every value is a whole number (and there is at least one)."""
    return bool(numbers.size) and bool(np.all(numbers == np.round(numbers)))
