"""A long column is factorized in pieces (the GIL is let go between them) with the same result as one call."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.quality import profile

rng = np.random.default_rng(0)
N = 5000
COLUMNS = {
    "integers": pd.Series(rng.integers(0, 50, N)),
    "floats with missing": pd.Series(np.where(rng.random(N) < 0.1, np.nan, rng.integers(0, 30, N) / 2)),
    "text": pd.Series(rng.choice(["a", "b", "c", None], N)).astype("str"),
    "mixed objects": pd.Series(rng.choice(["a", "b", None, 3], N).tolist(), dtype=object),
    "yes/no with missing": pd.Series(rng.choice([True, False, None], N).tolist(), dtype=object),
    "dates": pd.Series(pd.to_datetime(rng.integers(0, 20, N), unit="D")).where(rng.random(N) > 0.05),
    "nullable integers": pd.Series(pd.array(rng.integers(0, 9, N), dtype="Int64")).where(rng.random(N) > 0.1),
    "a value first seen late": pd.Series(["x"] * 4000 + ["y"] * 1000),
    "missing at first": pd.Series([np.nan] * 2000 + list(rng.integers(0, 5, N - 2000).astype(float))),
}


@pytest.mark.parametrize("name", list(COLUMNS))
def test_pieces_give_the_same_codes_and_values_as_one_call(name, monkeypatch):
    series = COLUMNS[name]
    monkeypatch.setattr(profile, "FACTORIZE_PIECE", 10**9)
    whole_codes, whole_uniques = profile.factorize(series)
    monkeypatch.setattr(profile, "FACTORIZE_PIECE", 700)
    codes, uniques = profile.factorize(series)
    assert codes.dtype == np.int32 and np.array_equal(codes, whole_codes)
    assert uniques.dtype == whole_uniques.dtype and uniques.equals(whole_uniques)
