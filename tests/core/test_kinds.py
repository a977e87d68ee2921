"""infer_kinds / apply_kinds on small tables and one 1M-row timing check."""

from __future__ import annotations

import datetime as dt
import time
import uuid

import numpy as np
import pyarrow as pa
import pytest

from desktop_app.core.data.kinds import apply_kinds, infer_kinds
from desktop_app.core.data.settings import ColumnKind as K
from desktop_app.core.errors import DataImportError
from tests.figures import record

S = pa.large_string()


def kinds_of(**columns) -> dict[str, K]:
    return infer_kinds(pa.table(columns))


def test_numbers():
    kinds = kinds_of(age=[30, 41, 30], score=[0.5, None, 1.5], flag01=[0, 1, 1])
    assert kinds == {"age": K.NUMERIC, "score": K.NUMERIC, "flag01": K.NUMERIC}  # 0/1 stays numeric


@pytest.mark.parametrize(
    "values", [["true", "false", None], ["Yes", "no", "YES"], ["y", "n", "y"], ["T", "F", "T"]]
)
def test_boolean_spellings(values):
    assert kinds_of(b=pa.array(values, S))["b"] == K.BOOLEAN


def test_boolean_type():
    assert kinds_of(b=[True, False, None])["b"] == K.BOOLEAN


def test_one_other_word_keeps_a_column_categorical():
    assert kinds_of(b=pa.array(["yes", "no", "maybe"], S))["b"] == K.CATEGORICAL


@pytest.mark.parametrize(
    "values",
    [
        ["2021-03-04", "2022-12-31", "2020-01-01"],
        ["2021-03-04 10:11:12", "2022-12-31 00:00:00", None],
        ["2021-03-04T10:11:12.250", "2022-12-31T00:00:00.5", "2020-01-01T01:02:03"],
        ["04/03/2021", "31/12/2022", "01/01/2020"],
        ["12/31/2022", "03/04/2021", "01/01/2020"],
        ["04.03.2021", "31.12.2022", "01.01.2020"],
        ["4 Mar 2021", "31 Dec 2022", "1 Jan 2020"],
    ],
)
def test_dates_as_text(values):
    assert kinds_of(d=pa.array(values, S))["d"] == K.DATETIME


def test_timestamp_type():
    assert kinds_of(d=[dt.datetime(2021, 1, 1), None])["d"] == K.DATETIME


def test_mostly_not_dates_is_not_datetime():
    values = ["2021-03-04"] * 90 + [f"note {i}" for i in range(10)]
    assert kinds_of(d=pa.array(values, S))["d"] == K.CATEGORICAL


def test_ids():
    n = 100
    kinds = kinds_of(
        customer_id=list(range(5)) * 20,                          # repeats: not an id
        row=list(range(1000, 1000 + n)),                          # runs as a sequence
        uuid=pa.array([str(uuid.UUID(int=i + 1)) for i in range(n)], S),
        code=pa.array([f"C{i:05d}" for i in range(n)], S),
        price=[i + 0.5 for i in range(n)],                        # unique floats stay numeric
    )
    assert kinds == {"customer_id": K.NUMERIC, "row": K.ID, "uuid": K.ID, "code": K.ID, "price": K.NUMERIC}


def test_small_table_id_by_name():
    assert kinds_of(id=[3, 1, 2], age=[30, 41, 25]) == {"id": K.ID, "age": K.NUMERIC}


def test_free_text_and_categories():
    notes = [f"Patient {i} reported mild symptoms after the visit" for i in range(40)]
    kinds = kinds_of(note=pa.array(notes, S), city=pa.array(["Köln", "Paris"] * 20, S))
    assert kinds == {"note": K.TEXT, "city": K.CATEGORICAL}


def test_numbers_read_as_text_are_numeric():
    values = [str(v) for v in range(200)] + ["unknown"]
    assert kinds_of(age=pa.array(values, S))["age"] == K.NUMERIC


def test_all_missing_column():
    assert kinds_of(x=pa.array([None, None], S))["x"] == K.CATEGORICAL


def test_apply_numeric_warns_about_text_values():
    values = ["30", " 41 ", "unknown", "2.5e1", None] + ["unknown"] * 119
    result = apply_kinds(pa.table({"age": pa.array(values, S)}), {"age": K.NUMERIC})
    assert result.table.schema.field("age").type == pa.float64()
    assert result.table.column("age").to_pylist()[:5] == [30.0, 41.0, None, 25.0, None]
    assert result.warnings == [
        "Column 'age' has text values such as 'unknown' in 120 rows — they were read as missing."
    ]


def test_apply_datetime_parses_and_warns():
    values = ["31/12/2022", "01/02/2021", "someday", None]
    result = apply_kinds(pa.table({"d": pa.array(values, S)}), {"d": K.DATETIME})
    assert result.table.column("d").to_pylist() == [dt.datetime(2022, 12, 31), dt.datetime(2021, 2, 1), None, None]
    assert result.warnings == [
        "Column 'd' has values that are not dates such as 'someday' in 1 row — they were read as missing."
    ]


def test_apply_datetime_mixed_formats_and_offsets():
    values = ["2021-03-04", "2021-03-04 10:00:00", "2021-03-04T10:00:00+02:00", "2021-03-04T10:00:00.5"]
    table = apply_kinds(pa.table({"d": pa.array(values, S)}), {"d": K.DATETIME}).table
    assert table.column("d").to_pylist() == [
        dt.datetime(2021, 3, 4), dt.datetime(2021, 3, 4, 10), dt.datetime(2021, 3, 4, 8),
        dt.datetime(2021, 3, 4, 10, 0, 0, 500000),
    ]


def test_apply_datetime_to_a_column_without_dates_is_refused():
    with pytest.raises(DataImportError, match="Column 'name' has no values that read as dates"):
        apply_kinds(pa.table({"name": pa.array(["Ann", "Bob"], S)}), {"name": K.DATETIME})


def test_apply_leaves_other_kinds_untouched():
    table = pa.table({"a": pa.array(["yes", "no"], S), "b": [1, 2], "c": pa.array(["x", "y"], S)})
    result = apply_kinds(table, {"a": K.BOOLEAN, "b": K.CATEGORICAL, "c": K.TEXT})
    assert result.table.equals(table) and result.warnings == []


def test_a_million_rows_are_inferred_and_applied():
    n = 1_000_000
    rng = np.random.default_rng(0)
    table = pa.table({
        "id": np.arange(n),
        "x": rng.normal(size=n),
        "n": rng.integers(0, 100, n),
        "city": pa.array(["Köln", "Paris", "Rome"], S).take(rng.integers(0, 3, n)),
        "day": pa.array(np.datetime_as_string(np.datetime64("2020-01-01") + np.arange(900)), S).take(
            rng.integers(0, 900, n)
        ),
    })
    start = time.perf_counter()
    kinds = infer_kinds(table)
    applied = apply_kinds(table, kinds)
    record("kinds_1m_rows_s", time.perf_counter() - start)   # goal: 1 s (bench_responsiveness.py)
    assert kinds == {"id": K.ID, "x": K.NUMERIC, "n": K.NUMERIC, "city": K.CATEGORICAL, "day": K.DATETIME}
    assert applied.table.schema.field("day").type == pa.timestamp("us")
