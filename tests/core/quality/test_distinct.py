"""An id column factorised without a hash table (quality.distinct): exactly pandas' answer, or none."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from desktop_app.core.quality.distinct import MAX_TEXT_BYTES, all_distinct


def _as_pandas(series: pd.Series) -> tuple[np.ndarray, pd.Index]:
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes.astype(np.int32), pd.Index(uniques)


def _same(got, series) -> None:
    codes, uniques = _as_pandas(series)
    assert got is not None
    assert got[0].dtype == np.int32 and np.array_equal(got[0], codes)
    assert got[1].dtype == uniques.dtype and got[1].equals(uniques)


@pytest.mark.parametrize("series", [
    pd.Series(["b", "a", None, "", "ab", "ab\x00", "ø", "a b"], dtype="str"),
    pd.Series(np.array([3, -1, 2**40, 0], dtype=np.int64)),
    pd.Series(np.array([5, 1, 2], dtype=np.uint8)),
    pd.Series([1.5, np.nan, -0.0, 2.25, np.inf]),
    pd.Series(pd.to_datetime(["2024-01-02", None, "2023-12-31"])),
    pd.Series([], dtype="str"),
], ids=["text", "integers", "small unsigned", "floats", "times", "empty"])
def test_all_different_values_get_pandas_codes_and_values(series):
    _same(all_distinct(series), series)


def test_text_in_several_arrow_chunks_and_a_slice(monkeypatch):
    from desktop_app.core.quality import distinct

    monkeypatch.setattr(distinct, "PIECE_ROWS", 3)   # pieces inside the chunks too
    chunked = pa.chunked_array([["x1", None, "x2"], ["x3", "x4", "x5", None, "x6"], pa.array([], pa.string())])
    series = pd.Series(pd.arrays.ArrowStringArray(chunked))
    _same(all_distinct(series), series)
    _same(all_distinct(series.iloc[2:7]), series.iloc[2:7])


@pytest.mark.parametrize("series", [
    pd.Series(["a", "b", "a"], dtype="str"),
    pd.Series([1, 2, 1]),
    pd.Series([0.0, -0.0]),                  # one value to pandas
    pd.Series(pd.to_datetime(["2024-01-01", "2024-01-01"])),
    pd.Series(["x" * (MAX_TEXT_BYTES + 1), "y"], dtype="str"),   # long text: no id, left to the usual way
    pd.Series(["a", 3], dtype=object),
    pd.Series([True, False]),
], ids=["text", "integers", "zeros", "times", "long text", "objects", "booleans"])
def test_anything_else_is_left_to_the_usual_way(series):
    assert all_distinct(series) is None


def test_texts_that_differ_only_in_a_trailing_zero_byte_or_length_are_different():
    series = pd.Series(["", "\x00", "\x00\x00", "a", "a\x00", "\x00a"], dtype="str")
    _same(all_distinct(series), series)


def test_a_million_ids_with_one_repeat_are_not_taken_for_distinct():
    ids = pd.Series([f"R{i:08d}" for i in range(1_000_000)] + ["R00012345"], dtype="str")
    assert all_distinct(ids) is None
    assert all_distinct(ids.iloc[:-1]) is not None
