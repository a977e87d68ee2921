"""A long column is factorized in pieces (the GIL is let go between them), or as an id when its values are all
different (quality.distinct), with the same result as one call."""

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
    # all different (ids): no hash table
    "ids as text": pd.Series([None, ""] + [f"R{i:07d}-ø" for i in rng.permutation(N - 2)], dtype="str"),
    "ids as integers": pd.Series(rng.permutation(N) * 7 - 1000),
    "ids as floats with missing": pd.Series(np.where(np.arange(N) % 11 == 0, np.nan, rng.permutation(N) / 3)),
    "ids as times with missing": pd.Series(pd.to_datetime(rng.permutation(N), unit="s")).where(rng.random(N) > 0.02),
    # all different in the first piece, then not
    "an id repeated late": pd.Series([f"id{i}" for i in range(N - 1)] + ["id3"], dtype="str"),
    "zero and minus zero": pd.Series(np.r_[np.arange(1, N) / 7, -0.0][::-1].copy()).where(lambda s: s != 1 / 7, 0.0),
    "a number repeated late": pd.Series(np.r_[np.arange(N - 1), 17]),
}


@pytest.mark.parametrize("name", list(COLUMNS))
def test_pieces_give_the_same_codes_and_values_as_one_call(name, monkeypatch):
    series = COLUMNS[name]
    monkeypatch.setattr(profile, "FACTORIZE_PIECE", 10**9)
    whole_codes, whole_uniques, whole_counts = profile.factorize_counted(series)
    monkeypatch.setattr(profile, "FACTORIZE_PIECE", 700)
    codes, uniques, counts = profile.factorize_counted(series)
    assert codes.dtype == np.int32 and np.array_equal(codes, whole_codes)
    assert uniques.dtype == whole_uniques.dtype and uniques.equals(whole_uniques)
    assert counts.dtype == np.int64 and np.array_equal(counts, whole_counts)
    assert np.array_equal(whole_counts, pd.Series(whole_codes[whole_codes >= 0]).value_counts().sort_index())
    narrow_codes, narrow_uniques, narrow_counts = profile.factorize_counted(series, narrow=True)
    assert np.array_equal(narrow_codes, codes) and narrow_uniques.equals(uniques)
    assert np.array_equal(narrow_counts, counts)
    assert narrow_codes.dtype == (np.int8 if len(uniques) <= 127 else np.int16 if len(uniques) <= 32767 else np.int32)


@pytest.mark.parametrize("slice_rows", [7, 1 << 16])
def test_duplicated_rows_are_pandas_own(slice_rows, monkeypatch):
    """Rows hashed a slice at a time and repeats found by sorting: the rows pandas calls duplicated."""
    monkeypatch.setattr(profile, "HASH_SLICE", slice_rows)
    frame = pd.DataFrame({"a": rng.integers(0, 4, N), "b": rng.choice(["x", "y", None], N),
                          "c": np.where(rng.random(N) < 0.2, np.nan, rng.integers(0, 3, N))})
    codes = [profile.factorize(frame[c])[0] for c in frame.columns]
    expected = np.flatnonzero(frame.duplicated(keep="first").to_numpy())
    assert np.array_equal(profile.duplicated_rows(codes), expected) and expected.size > 0
    distinct = frame.drop_duplicates()
    assert profile.duplicated_rows([profile.factorize(distinct[c])[0] for c in distinct.columns]).size == 0
