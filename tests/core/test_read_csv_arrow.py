"""The pyarrow read of delimited text (read_csv_arrow) gives what the pandas read gives.

Every file here is read both ways — `read_csv.USE_ARROW` on and off — and the results must
be the same: the table (types, values), its Arrow chunks, the warnings, and the bytes of the
snapshot an import would write (its SHA-256 is the version's identity, so a re-import of a
file imported before this reader existed must still find its version). Each test also says
which way the file was read, so a refusal that would hide a difference is seen.
"""

from __future__ import annotations

import hashlib
import io
import string

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.core.data import read_csv, read_csv_arrow
from desktop_app.core.data.detect import detect_settings
from desktop_app.core.data.kinds import apply_kinds, infer_kinds
from desktop_app.core.data.readers import read_table
from desktop_app.core.errors import Cancelled, DataImportError


@pytest.fixture
def used(monkeypatch):
    """Records, per read, whether the pyarrow read produced the table (True) or refused (False)."""
    calls: list[bool] = []
    original = read_csv_arrow.read_with_arrow

    def spy(reader, progress):
        result = original(reader, progress)
        calls.append(result is not None)
        return result

    monkeypatch.setattr(read_csv_arrow, "read_with_arrow", spy)
    return calls


@pytest.fixture
def small_units(monkeypatch):
    """Several pandas chunks (units) from a few rows: 3 rows in a serial read."""
    monkeypatch.setattr(read_csv, "CHUNK_ROWS", 3)


@pytest.fixture
def small_ranges(monkeypatch):
    """A small file read in byte ranges of 120 bytes on two threads, as a large one is."""
    monkeypatch.setattr(read_csv, "PARALLEL_RANGE_BYTES", 120)
    monkeypatch.setattr(read_csv, "_worker_count", lambda: 2)


def snapshot_sha(table) -> str:
    applied = apply_kinds(table, infer_kinds(table)).table
    sink = io.BytesIO()
    pq.write_table(applied, sink, compression="snappy")
    return hashlib.sha256(sink.getvalue()).hexdigest()


def read_both(path, monkeypatch, **changes):
    """(pyarrow read, pandas read) of `path`, each a TableRead or the DataImportError raised."""
    settings_ = detect_settings(path).with_changes(**changes)
    results = []
    for arrow in (True, False):
        monkeypatch.setattr(read_csv, "USE_ARROW", arrow)
        try:
            results.append(read_table(path, settings_))
        except DataImportError as exc:
            results.append(exc)
    monkeypatch.setattr(read_csv, "USE_ARROW", True)
    return results


def assert_same(path, monkeypatch, **changes):
    arrow, pandas = read_both(path, monkeypatch, **changes)
    if isinstance(pandas, DataImportError):
        assert isinstance(arrow, DataImportError) and str(arrow) == str(pandas)
        return None
    assert not isinstance(arrow, DataImportError), arrow
    assert arrow.table.schema == pandas.table.schema
    assert arrow.table.equals(pandas.table)
    for a, p in zip(arrow.table.columns, pandas.table.columns):
        assert [len(c) for c in a.chunks] == [len(c) for c in p.chunks]
    assert arrow.warnings == pandas.warnings
    assert snapshot_sha(arrow.table) == snapshot_sha(pandas.table)
    return arrow.table


def write(tmp_path, text, encoding="utf-8", name="f.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# -- files pyarrow reads ------------------------------------------------------------------------

VARIED = (
    "id,name,score,count,flag,when,code,note\n"
    '1,"Smith, Anna",3.5,10,True,2024-01-02,007,"said ""hi"""\n'
    '2,"Lee\nJr",,NA,false,2024-02-30,010,\n'
    "3,N/A,2.25,7,TRUE,,0012,plain\n"
    "4,,-1e3,,False,2024-03-04 10:00,00,null\n"
    "5,  padded  ,inf,3,true,10:30,01,?\n"
)


@pytest.mark.parametrize("units", ["whole", "small_units", "small_ranges"])
def test_varied_values_read_the_same(tmp_path, monkeypatch, used, request, units):
    if units != "whole":
        request.getfixturevalue(units)
    text = VARIED.replace('"Lee\nJr"', '"Lee Jr"') if units == "small_ranges" else VARIED  # ranges: no quoted breaks
    table = assert_same(write(tmp_path, text), monkeypatch)
    assert used[0] is True
    assert table.column("code").to_pylist() == [7, 10, 12, 0, 1]  # leading zeros: numbers, as pandas reads them
    assert str(table.schema.field("count").type) == "double"  # whole numbers with blanks
    assert table.column("when").type == "large_string"  # dates and times stay text until kinds


def test_dates_first_seen_in_a_later_range_stay_text(tmp_path, monkeypatch, used, small_ranges):
    lines = [f"{i},," for i in range(40)] + [f"{i},2024-01-{1 + i % 28:02d},10:{i % 60:02d}" for i in range(40, 80)]
    table = assert_same(write(tmp_path, "n,day,time\n" + "\n".join(lines) + "\n"), monkeypatch)
    assert used[0] is True and str(table.schema.field("day").type) == "large_string"


def test_a_bom_and_crlf_line_ends(tmp_path, monkeypatch, used):
    path = write(tmp_path, "a,b\r\n1,x\r\n2,y\r\n", "utf-8-sig")
    table = assert_same(path, monkeypatch)
    assert used[0] is True and table.column_names == ["a", "b"]


def test_latin1_is_transcoded_the_same(tmp_path, monkeypatch, used):
    path = write(tmp_path, "name,city,n\nMüller,Köln,1\nRenée,Besançon,2\n", "latin-1")
    table = assert_same(path, monkeypatch)
    assert used[0] is True and table.column("city").to_pylist() == ["Köln", "Besançon"]


def test_int_with_blanks_only_in_an_empty_unit_stays_int(tmp_path, monkeypatch, used, small_units):
    # pandas: chunk 1 int64, chunk 2 all missing → the column stays int64 with nulls
    path = write(tmp_path, "a,b\n1,x\n2,y\n3,z\n,u\n,v\n,w\n4,q\n")
    table = assert_same(path, monkeypatch)
    assert used[0] is True and str(table.schema.field("a").type) == "int64"


def test_numbers_with_spaces_around(tmp_path, monkeypatch, used):
    table = assert_same(write(tmp_path, "a,b\n 1,x\n 2 ,y\n"), monkeypatch)
    assert used[0] is True and table.column("a").to_pylist() == [1, 2]


def test_no_header(tmp_path, monkeypatch, used):
    path = write(tmp_path, "1,2.5,x\n3,4.5,y\n")
    table = assert_same(path, monkeypatch, header=False)
    assert used[0] is True and table.column_names == ["column_1", "column_2", "column_3"]


def test_text_pieces_follow_pandas_low_memory_chunks(tmp_path, monkeypatch, used):
    """With 2048 columns pandas parses 256 rows at a time: a text column is chunked so, unless
    one piece is all blank (then it is one array), and the snapshot's bytes follow."""
    width, rows = 2048, 600
    header = ",".join(f"c{i}" for i in range(width))
    lines = [header]
    for r in range(rows):
        cells = ["1"] * width
        cells[1] = "" if 256 <= r < 512 else f"x{r}"
        cells[2] = f"y{r}"
        lines.append(",".join(cells))
    table = assert_same(write(tmp_path, "\n".join(lines) + "\n"), monkeypatch)
    assert used[0] is True
    assert [len(c) for c in table.column("c2").chunks] == [256, 256, 88]
    assert table.column("c1").num_chunks == 1


def test_a_header_only_file_and_an_empty_file_fail_the_same(tmp_path, monkeypatch):
    assert_same(write(tmp_path, "a,b\n"), monkeypatch)
    empty = write(tmp_path, "", name="e.csv")
    with pytest.raises(DataImportError, match="empty"):
        read_table(empty, detect_settings(write(tmp_path, "a,b\n1,2\n", name="g.csv")))


@pytest.mark.parametrize("units", ["whole", "small_ranges"])
def test_progress_and_cancel(tmp_path, used, request, units):
    if units != "whole":
        request.getfixturevalue(units)
    path = write(tmp_path, "a,b\n" + "".join(f"{i},x{i}\n" for i in range(100)))
    seen = []
    assert read_table(path, detect_settings(path), lambda f, m: seen.append(f)).table.num_rows == 100
    assert used == [True] and seen == sorted(seen) and seen[-1] == pytest.approx(0.9)
    assert len(seen) >= (5 if units == "small_ranges" else 2)

    def cancel(fraction, message):
        if fraction > 0.3:
            raise Cancelled()

    with pytest.raises(Cancelled):
        read_table(path, detect_settings(path), cancel)


def test_the_pyarrow_read_does_not_import_pandas(tmp_path):
    """Not importing pandas is most of what the pyarrow read saves in a new process."""
    import subprocess
    import sys

    rows = "".join(f"{i},{i % 7},{i * 0.5},{'yes' if i % 3 else 'no'},2024-01-{1 + i % 28:02d}\n"
                   for i in range(25_000))
    path = write(tmp_path, "id,group,x,flag,day\n" + rows)  # over kinds' 20,000-value sample
    code = (
        "import sys; from pathlib import Path\n"
        "from desktop_app.core.data.detect import detect_settings\n"
        "from desktop_app.core.data.kinds import apply_kinds, infer_kinds\n"
        "from desktop_app.core.data.readers import read_table\n"
        "t = read_table(Path(sys.argv[1]), detect_settings(Path(sys.argv[1]))).table\n"
        "apply_kinds(t, infer_kinds(t))\n"
        "print('pandas' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


# -- files pyarrow hands back to pandas -----------------------------------------------------------


@pytest.mark.parametrize(
    "text, changes",
    [
        ("name;value\nA;3,14\nB;2,5\n", {}),  # decimal comma
        ("a,b\n1,2\n1,2,3\n", {"bad_lines": "skip"}),  # ragged row
        ("a,b\n1,2\n3\n", {}),  # short row: pandas fills it with blanks
        ("a,b\n+1,x\n2,y\n", {}),  # '+1' is an integer to pandas
        ("a,b\n0x1A,x\n2,y\n", {}),  # pyarrow reads hexadecimal
        ("a,b\nNAN,x\n1.5,y\n", {}),  # a NaN spelling that is not a marker
        ("a,b\n18446744073709551615,x\n1,y\n", {}),  # beyond int64: pandas reads uint64
        ("only\n1\n   \n2\n", {}),  # one column: pandas passes over the line of spaces
        ("title\n\na,b\n1,2\n", {"skip_rows": 2}),
        ("a,b\r1,2\r3,4\r", {}),  # bare CR line ends
    ],
)
def test_files_pyarrow_would_read_otherwise_are_read_by_pandas(tmp_path, monkeypatch, used, text, changes):
    assert_same(write(tmp_path, text), monkeypatch, **changes)
    assert used == [False]


def test_a_column_text_in_one_unit_only_is_read_by_pandas(tmp_path, monkeypatch, used, small_units):
    path = write(tmp_path, "a,b\n1,x\n2,y\n3,z\nfour,u\n5,v\n")
    table = assert_same(path, monkeypatch)
    assert used == [False] and table.column("a").to_pylist() == ["1", "2", "3", "four", "5"]


def test_cp1252_bytes_latin1_cannot_hold_fall_back(tmp_path, monkeypatch, used):
    path = write(tmp_path, "item,price\nCafé,3 €\nThé,2 €\n", "cp1252")
    assert_same(path, monkeypatch)
    assert used[0] is True  # cp1252 decodes them as pandas does


# -- any small file ---------------------------------------------------------------------------------

TOKENS = st.sampled_from([
    "", "1", "-2", "007", "+3", "1.5", "-0.25", "1e5", ".5", "5.", "inf", "NaN", "nan", "NA", "n/a", "-", "?",
    "null", "None", "True", "false", "TRUE", "tRuE", "yes", "2024-01-31", "12:30", "2024-01-31 12:30:00",
    "0x10", "9223372036854775807", "9223372036854775808", " 1", "x y", "a,b", 'say "hi"', "line\nbreak", " ",
    "   ", "é", "0", "00", "cr\rx", "1,5",
])
WORDS = st.text(alphabet=string.ascii_letters + string.digits + " .-", min_size=0, max_size=6)


def _cell(value: str) -> str:
    if any(c in value for c in ',"\n\r') or value != value.strip():
        return '"' + value.replace('"', '""') + '"'
    return value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    columns=st.integers(2, 4),
    data=st.data(),
    units=st.sampled_from(["whole", "rows", "ranges"]),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_random_files_read_the_same(tmp_path_factory, monkeypatch, columns, data, units, newline):
    monkeypatch.setattr(read_csv, "CHUNK_ROWS", 4 if units == "rows" else 100_000)
    monkeypatch.setattr(read_csv, "PARALLEL_RANGE_BYTES", 64 if units == "ranges" else 8 << 20)
    monkeypatch.setattr(read_csv, "_worker_count", lambda: 2)
    rows = data.draw(st.lists(st.lists(TOKENS | WORDS, min_size=columns, max_size=columns), min_size=1, max_size=14))
    text = ",".join(f"c{i}" for i in range(columns)) + newline + "".join(
        ",".join(_cell(v) for v in row) + newline for row in rows
    )
    path = tmp_path_factory.mktemp("random") / "r.csv"
    path.write_bytes(text.encode("utf-8"))
    try:
        assert_same(path, monkeypatch, **{"encoding": "utf-8", "delimiter": ",", "quotechar": '"', "header": True,
                                          "skip_rows": 0, "row_names": False, "decimal": ".", "thousands": None})
    finally:
        monkeypatch.setattr(read_csv, "USE_ARROW", True)
