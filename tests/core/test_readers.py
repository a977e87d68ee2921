"""read_preview / read_table / list_sheets on real fixture files written into tmp_path."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from desktop_app.core.data import read_csv, readers
from desktop_app.core.data.detect import detect_settings
from desktop_app.core.data.readers import TableRead, list_sheets, read_preview, read_table
from desktop_app.core.data.settings import FileFormat, ReadSettings, SettingError
from desktop_app.core.errors import Cancelled, DataImportError
from tests.core import real_shapes


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read(path, **changes) -> TableRead:
    return read_table(path, detect_settings(path).with_changes(**changes))


@pytest.fixture
def small_chunks(monkeypatch):
    """Several chunks from a few rows, to exercise the cross-chunk type rules."""
    monkeypatch.setattr(read_csv, "CHUNK_ROWS", 2)


# -- encodings and dialects ---------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_accented_names_in_every_encoding(tmp_path, encoding):
    path = write(tmp_path, "people.csv", "name,city,age\nMüller,Köln,30\nRenée,Besançon,25\n", encoding)
    table = read(path).table
    assert table.column_names == ["name", "city", "age"]  # no BOM left in the first name
    assert table.column("name").to_pylist() == ["Müller", "Renée"]
    assert table.column("city").to_pylist() == ["Köln", "Besançon"]
    assert table.column("age").to_pylist() == [30, 25]


def test_cp1252_euro_sign(tmp_path):
    path = write(tmp_path, "prices.csv", "item;price\nCafé;3 €\nThé;2 €\n", "cp1252")
    assert read(path).table.column("price").to_pylist() == ["3 €", "2 €"]


def test_semicolon_and_decimal_comma(tmp_path):
    path = write(tmp_path, "eu.csv", "name;value;count\nA;3,14;1\nB;2,5;2\nC;-0,75;3\n")
    table = read(path).table
    assert table.schema.field("value").type == pa.float64()
    assert table.column("value").to_pylist() == [3.14, 2.5, -0.75]


def test_tab_separated(tmp_path):
    path = write(tmp_path, "a.tsv", "a\tb\n1\tx, y\n2\tz\n")
    assert read(path).table.to_pydict() == {"a": [1, 2], "b": ["x, y", "z"]}


def test_pipe_separated(tmp_path):
    path = write(tmp_path, "a.txt", "a|b|c\n1|2|3\n4|5|6\n")
    assert read(path).table.to_pydict() == {"a": [1, 4], "b": [2, 5], "c": [3, 6]}


def test_quoted_fields_with_delimiters_quotes_and_newlines(tmp_path):
    text = 'id,text,n\n1,"hello, world",2\n2,"two\nlines, here",3\n3,"say ""hi""",4\n'
    table = read(write(tmp_path, "q.csv", text)).table
    assert table.column("text").to_pylist() == ["hello, world", "two\nlines, here", 'say "hi"']
    assert table.column("n").to_pylist() == [2, 3, 4]


def test_thousands_separators(tmp_path):
    us = read(write(tmp_path, "us.csv", 'id,amount\n1,"1,234.5"\n2,"12,345,678.25"\n3,17\n')).table
    eu = read(write(tmp_path, "eu.csv", "id;amount\n1;1.234,5\n2;12.345.678,25\n3;17\n")).table
    assert us.column("amount").to_pylist() == eu.column("amount").to_pylist() == [1234.5, 12345678.25, 17.0]


def test_no_header_names_columns(tmp_path):
    table = read(write(tmp_path, "n.csv", "1,2.5,x\n3,4.5,y\n")).table
    assert table.to_pydict() == {"column_1": [1, 3], "column_2": [2.5, 4.5], "column_3": ["x", "y"]}


def test_column_names_are_strings(tmp_path):
    table = read(write(tmp_path, "n.csv", "1,2\n3,4\n"), header=True).table
    assert table.column_names == ["1", "2"]


# -- missing values, names, types -----------------------------------------------------------


def test_missing_markers(tmp_path):
    text = "a,b,c\n1,NA,x\n2,N/A,y\n?,3, null \n,null,z\n5,6,-\n"
    table = read(write(tmp_path, "m.csv", text)).table
    assert table.column("a").to_pylist() == [1, 2, None, None, 5]
    assert table.column("b").to_pylist() == [None, None, 3, None, 6]
    assert table.column("c").to_pylist() == ["x", "y", None, "z", None]


def test_custom_missing_markers(tmp_path):
    path = write(tmp_path, "m.csv", "a,b\n1,NA\n-999,2\n")
    table = read(path, missing_markers=("-999",)).table
    assert table.column("a").to_pylist() == [1, None]
    assert table.column("b").to_pylist() == ["NA", "2"]  # NA is a value now


def test_duplicate_and_blank_column_names(tmp_path):
    result = read(write(tmp_path, "d.csv", "a,a,,b,a\n1,2,3,4,5\n"))
    assert result.table.column_names == ["a", "a_2", "column_3", "b", "a_3"]
    assert result.table.column("a_3").to_pylist() == [5]
    assert any("'a' → 'a_2', 'a_3'" in w for w in result.warnings)


def test_renamed_duplicate_does_not_clash_with_an_existing_name(tmp_path):
    table = read(write(tmp_path, "d.csv", "a,a_2,a\n1,2,3\n")).table
    assert table.column_names == ["a", "a_2", "a_3"]


def test_mixed_column_across_chunks_is_text_with_original_spelling(tmp_path, small_chunks):
    text = "code,value,flag\n007,1,True\n2,2.5,False\n3,3,yes\nunknown,4,True\n,5,\n"
    table = read(write(tmp_path, "mix.csv", text)).table
    assert table.column("code").to_pylist() == ["007", "2", "3", "unknown", None]
    assert table.schema.field("value").type == pa.float64()  # int chunk + float chunk
    assert table.column("value").to_pylist() == [1.0, 2.5, 3.0, 4.0, 5.0]
    assert table.column("flag").to_pylist() == ["True", "False", "yes", "True", None]


def test_all_missing_chunk_takes_the_other_chunks_type(tmp_path, small_chunks):
    table = read(write(tmp_path, "n.csv", "a,b\n1,x\n2,\n3,\n4,\n5,y\n")).table
    assert pa.types.is_large_string(table.schema.field("b").type)
    assert table.column("b").to_pylist() == ["x", None, None, None, "y"]
    assert table.column("a").num_chunks == 3


def test_huge_integers_are_kept_as_text(tmp_path):
    table = read(write(tmp_path, "ids.csv", "id,n\n12345678901234567890123,1\n2,2\n")).table
    assert table.column("id").to_pylist() == ["12345678901234567890123", "2"]


def test_booleans(tmp_path):
    table = read(write(tmp_path, "b.csv", "a,b\nTrue,1\nFalse,2\n,3\n")).table
    assert table.schema.field("a").type == pa.bool_()
    assert table.column("a").to_pylist() == [True, False, None]


# -- ragged rows ----------------------------------------------------------------------------


RAGGED = "a,b,c,d,e\n" + "".join(f"{i},{i},{i},{i},{i}\n" for i in range(2, 57)) + "1,2,3,4,5,6,7\n9,9,9,9,9\n"


def test_ragged_row_refused_with_its_line_number(tmp_path):
    path = write(tmp_path, "r.csv", RAGGED)
    with pytest.raises(DataImportError) as caught:
        read(path)
    assert str(caught.value) == "Line 57 has 7 fields but the header has 5 — fix the file or choose 'skip bad lines'."


def test_ragged_rows_skipped_with_a_warning(tmp_path, small_chunks):
    path = write(tmp_path, "r.csv", "a,b\n1,2\n3,4,5\n6,7\n8,9,10,11\n12,13\n")
    result = read(path, bad_lines="skip")
    assert result.table.to_pydict() == {"a": [1, 6, 12], "b": [2, 7, 13]}
    assert result.warnings == ["2 line(s) had more fields than the header and were skipped: 3, 5."]


def test_ragged_first_data_row_is_not_taken_for_an_index(tmp_path):
    path = write(tmp_path, "r.csv", "a,b\n1,2,9\n3,4\n")
    with pytest.raises(DataImportError, match="^Line 2 has 3 fields but the header has 2"):
        read(path)
    result = read(path, bad_lines="skip")
    assert result.table.to_pydict() == {"a": [3], "b": [4]}
    assert "skipped: 2." in result.warnings[0]


def test_short_rows_are_padded_with_missing(tmp_path):
    table = read(write(tmp_path, "s.csv", "a,b,c\n1,2,3\n4,5\n")).table
    assert table.column("c").to_pylist() == [3, None]


# -- bad files ------------------------------------------------------------------------------


def test_empty_file(tmp_path):
    path = write(tmp_path, "e.csv", "")
    with pytest.raises(DataImportError) as caught:
        read_table(path, ReadSettings())
    assert str(caught.value) == "The file e.csv is empty — choose a file that contains a header row and data."


def test_header_only(tmp_path):
    path = write(tmp_path, "h.csv", "a,b,c\n")
    with pytest.raises(DataImportError, match="has a header but no data rows"):
        read(path)


def test_binary_data_named_csv(tmp_path):
    path = tmp_path / "b.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    with pytest.raises(DataImportError, match="binary data"):
        read_table(path, ReadSettings())


def test_wrong_encoding_is_one_sentence(tmp_path):
    path = write(tmp_path, "c.csv", "name\nMüller\n", "cp1252")
    with pytest.raises(DataImportError, match="not valid utf-8 text — choose another encoding such as cp1252"):
        read_table(path, ReadSettings(encoding="utf-8"))


def test_fake_xlsx(tmp_path):
    path = write(tmp_path, "fake.xlsx", "a,b\n1,2\n")
    with pytest.raises(DataImportError, match="not a real Excel workbook"):
        read_table(path, ReadSettings(format=FileFormat.EXCEL))
    with pytest.raises(DataImportError, match="not a real Excel workbook"):
        list_sheets(path)


# -- progress, cancel, preview ------------------------------------------------------------


def test_progress_between_chunks_and_cancel(tmp_path, small_chunks, monkeypatch):
    monkeypatch.setattr(read_csv, "USE_ARROW", False)  # the pandas read streams; pyarrow's: test_read_csv_arrow
    path = write(tmp_path, "p.csv", "a,b\n" + "".join(f"{i},{i * 2}\n" for i in range(20)))
    seen = []
    result = read_table(path, detect_settings(path), lambda f, m: seen.append(f))
    assert result.table.num_rows == 20
    assert len(seen) == 10 and all(0 <= f <= 1 for f in seen) and seen == sorted(seen)

    def cancel(fraction, message):
        raise Cancelled()

    with pytest.raises(Cancelled):
        read_table(path, detect_settings(path), cancel)


def test_preview_reads_only_the_first_rows(tmp_path):
    path = write(tmp_path, "p.csv", "a,b\n" + "".join(f"{i},x\n" for i in range(1000)) + "oops,1,2,3\n")
    preview = read_preview(path, detect_settings(path), nrows=5)
    assert preview.table.column("a").to_pylist() == [0, 1, 2, 3, 4]


# -- Excel and Parquet ----------------------------------------------------------------------


@pytest.fixture
def workbook_path(tmp_path):
    workbook = Workbook()
    first = workbook.active
    first.title = "Patients"
    first.append(["name", "age", "seen", "name"])
    first.append(["Müller", 30, dt.datetime(2021, 3, 4), "x"])
    first.append(["Renée", None, dt.datetime(2022, 1, 2), "NA"])
    first.append([None, None, None, None])
    first.append(["Zoë", 41.5, dt.datetime(2023, 5, 6), "y"])
    second = workbook.create_sheet("Visits")
    second.append(["visit", "cost"])
    second.append([1, "12.5"])
    second.append([2, "n/a"])
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    return path


def test_list_sheets(workbook_path, tmp_path):
    assert list_sheets(workbook_path) == ["Patients", "Visits"]
    assert list_sheets(write(tmp_path, "a.csv", "a\n1\n")) == []


def test_excel_first_sheet_by_default(workbook_path):
    result = read_table(workbook_path, ReadSettings(format=FileFormat.EXCEL))
    table = result.table
    assert table.column_names == ["name", "age", "seen", "name_2"]
    assert table.column("name").to_pylist() == ["Müller", "Renée", "Zoë"]  # blank row dropped
    assert table.column("age").to_pylist() == [30.0, None, 41.5]
    assert table.column("seen").to_pylist()[0] == dt.datetime(2021, 3, 4)
    assert table.column("name_2").to_pylist() == ["x", None, "y"]
    assert result.warnings


def test_excel_named_sheet(workbook_path):
    table = read(workbook_path, sheet="Visits").table
    assert table.to_pydict() == {"visit": [1, 2], "cost": ["12.5", None]}


def test_excel_unknown_sheet(workbook_path):
    with pytest.raises(DataImportError) as caught:
        read_table(workbook_path, ReadSettings(format=FileFormat.EXCEL, sheet="Nope"))
    assert str(caught.value) == "There is no sheet 'Nope' in book.xlsx — choose one of 'Patients', 'Visits'."


def test_excel_preview(workbook_path):
    assert read_preview(workbook_path, detect_settings(workbook_path), nrows=2).table.num_rows == 2


def test_parquet_by_row_groups(tmp_path):
    path = tmp_path / "d.parquet"
    table = pa.table({"a": list(range(10)), "b": [f"v{i}" for i in range(10)]})
    pq.write_table(table, path, row_group_size=3)
    seen = []
    result = read_table(path, detect_settings(path), lambda f, m: seen.append(f))
    assert result.table.to_pydict() == table.to_pydict()
    assert len(seen) == 4
    assert read_preview(path, detect_settings(path), nrows=4).table.column("a").to_pylist() == [0, 1, 2, 3]


def test_parquet_categorical_is_decoded(tmp_path):
    path = tmp_path / "c.parquet"
    pd.DataFrame({"c": pd.Categorical(["x", "y", "x"])}).to_parquet(path)
    table = read(path).table
    assert not pa.types.is_dictionary(table.schema.field("c").type)
    assert table.column("c").to_pylist() == ["x", "y", "x"]


def test_unreadable_parquet(tmp_path):
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"PAR1" + b"\x00" * 100 + b"PAR1")
    with pytest.raises(DataImportError, match="Parquet"):
        read_table(path, ReadSettings(format=FileFormat.PARQUET))


# -- parallel reading of large UTF-8 files ----------------------------------------------------


@pytest.fixture
def tiny_ranges(monkeypatch):
    """Make a small file 'large': ranges of 64 bytes, two threads."""
    monkeypatch.setattr(read_csv, "PARALLEL_RANGE_BYTES", 64)
    monkeypatch.setattr(read_csv, "_worker_count", lambda: 2)
    calls = []
    original = read_csv.CsvReader._read_parallel

    def spy(self, progress):
        result = original(self, progress)
        calls.append(result is not None)
        return result

    monkeypatch.setattr(read_csv.CsvReader, "_read_parallel", spy)
    return calls


def _rows(n, ragged_at=None):
    lines = []
    for i in range(n):
        value = "unknown" if i == n - 3 else str(i)
        lines.append(f"{i};{i},5;{value};NA;city {i % 3}" + (";extra" if i == ragged_at else ""))
    return "id;x;code;empty;city\n" + "\n".join(lines) + "\n"


def test_parallel_read_matches_the_serial_read(tmp_path, monkeypatch, tiny_ranges):
    path = write(tmp_path, "big.csv", _rows(200), "utf-8-sig")
    parallel = read(path).table
    assert tiny_ranges == [True]
    monkeypatch.setattr(read_csv, "_worker_count", lambda: 1)
    serial = read(path).table
    assert parallel.equals(serial)
    assert parallel.column("x").to_pylist()[:2] == [0.5, 1.5]
    assert parallel.column("code").to_pylist()[197] == "unknown"  # text in one range: whole column text
    assert parallel.column("empty").null_count == 200


def test_parallel_read_falls_back_to_name_a_ragged_line(tmp_path, tiny_ranges):
    path = write(tmp_path, "big.csv", _rows(200, ragged_at=150))
    with pytest.raises(DataImportError, match="^Line 152 has 6 fields but the header has 5"):
        read(path)
    assert tiny_ranges == [False]
    result = read(path, bad_lines="skip")
    assert result.table.num_rows == 199 and "skipped: 152." in result.warnings[-1]


def test_quoted_line_breaks_are_read_serially(tmp_path, tiny_ranges):
    text = "id,note\n" + "".join(f'{i},"line one\nline two {i}"\n' for i in range(100))
    table = read(write(tmp_path, "q.csv", text)).table
    assert tiny_ranges == [False]
    assert table.column("note").to_pylist()[99] == "line one\nline two 99"


def test_parallel_read_reports_progress_and_cancels(tmp_path, tiny_ranges):
    path = write(tmp_path, "big.csv", _rows(200))
    seen = []
    read_table(path, detect_settings(path), lambda f, m: seen.append(f))
    assert len(seen) > 10 and seen == sorted(seen)
    assert any(f == pytest.approx(0.9) for f in seen)  # the read ends at 0.9; the mixed-column re-read follows

    def cancel(fraction, message):
        if fraction > 0.3:
            raise Cancelled()

    with pytest.raises(Cancelled):
        read_table(path, detect_settings(path), cancel)


# -- real shapes: numbers as names, a preamble, R's row names (issue 10, 7b) ---------------------


def _assert_values(table, shape):
    assert table.num_rows == shape.rows
    for name, expected in shape.values.items():
        assert table.column(name).to_pylist() == expected, name


def test_world_bank_table_below_its_preamble(tmp_path):
    shape = real_shapes.world_bank(tmp_path)
    result = read(shape.path)
    # The trailing comma of every line makes one more, empty column, named as any unnamed column is.
    assert result.table.column_names == shape.columns + [f"column_{len(shape.columns) + 1}"]
    assert result.table.column(len(shape.columns)).null_count == shape.rows
    _assert_values(result.table, shape)


def test_year_names_over_whole_numbers_are_read_as_names(tmp_path):
    shape = real_shapes.world_bank(tmp_path, preamble=False, whole_numbers=True)
    table = read(shape.path).table
    assert table.column_names[: len(shape.columns)] == shape.columns
    _assert_values(table, shape)


def test_statistics_series_below_a_title_and_notes(tmp_path):
    shape = real_shapes.bls_series(tmp_path)
    table = read(shape.path).table
    assert table.column_names == shape.columns
    _assert_values(table, shape)


def test_r_row_numbers_are_left_out(tmp_path):
    shape = real_shapes.r_write_table(tmp_path)
    result = read(shape.path)
    assert result.table.column_names == ["weight", "feed"]
    _assert_values(result.table, shape)
    assert result.warnings == ["Each row started with its row number (1, 2, 3 …) and no column name, "
                               "as R writes files; the numbers were left out."]


def test_r_row_names_that_are_names_are_kept(tmp_path):
    cars = ["Mazda RX4", "Mazda RX4 Wag", "Datsun 710", "Hornet 4 Drive", "Valiant", "Duster 360"]
    shape = real_shapes.r_write_table(tmp_path, row_names=cars)
    result = read(shape.path)
    assert result.table.column_names == [readers.ROW_NAME, "weight", "feed"]
    _assert_values(result.table, shape)
    assert "kept as the column 'row_name'" in result.warnings[0]


def test_r_row_numbers_that_do_not_run_1_to_n_are_kept(tmp_path):
    # A subset written by R keeps the original row numbers: 3, 7, 12 … say which rows were taken.
    numbers = ["3", "7", "12", "15", "21"]
    table = read(real_shapes.r_write_table(tmp_path, row_names=numbers).path).table
    assert table.column(readers.ROW_NAME).to_pylist() == [int(n) for n in numbers]


def test_a_row_wider_than_r_rows_names_the_width_of_the_rows(tmp_path):
    path = write(tmp_path, "r.csv", '"weight","feed"\n"1",20,"a"\n"2",30,"b"\n"3",40,"c","extra"\n')
    with pytest.raises(DataImportError) as caught:
        read_table(path, ReadSettings(row_names=True))
    assert str(caught.value) == ("Line 4 has 4 fields but the rows above have 3 (a row name and 2 columns) — "
                                 "fix the file or choose 'skip bad lines'.")


def test_start_row_set_by_hand(tmp_path):
    shape = real_shapes.bls_series(tmp_path)
    settings = ReadSettings(skip_rows=shape.skip_rows)
    assert read_table(shape.path, settings).table.column_names == shape.columns
    # One row further: the first year becomes the header, one row less remains.
    later = read_table(shape.path, settings.with_changes(skip_rows=shape.skip_rows + 1)).table
    assert later.column_names[0] == str(shape.values["Year"][0]) and later.num_rows == shape.rows - 1


def test_start_row_beyond_the_end(tmp_path):
    path = write(tmp_path, "a.csv", "a,b\n1,2\n")
    with pytest.raises(DataImportError) as caught:
        read_table(path, ReadSettings(skip_rows=5))
    assert str(caught.value) == "The file a.csv has no rows from row 6 on — choose an earlier start row."


def test_parallel_read_below_a_preamble_matches_the_serial_read(tmp_path, monkeypatch, tiny_ranges):
    preamble = 'Report of sales\n\nRegion:,"North, East"\n\n'
    path = write(tmp_path, "big.csv", preamble + _rows(200))
    settings = detect_settings(path)
    assert settings.skip_rows == preamble.count("\n")
    parallel = read_table(path, settings).table
    assert tiny_ranges == [True]
    monkeypatch.setattr(read_csv, "_worker_count", lambda: 1)
    serial = read_table(path, settings).table
    assert parallel.equals(serial)
    assert parallel.column("id").to_pylist() == list(range(200))


def test_parallel_read_of_r_rows_matches_the_serial_read(tmp_path, monkeypatch, tiny_ranges):
    shape = real_shapes.r_write_table(tmp_path)
    parallel = read(shape.path).table
    assert tiny_ranges == [True]
    monkeypatch.setattr(read_csv, "_worker_count", lambda: 1)
    assert parallel.equals(read(shape.path).table)
    _assert_values(parallel, shape)


def test_excel_rows_above_the_table_are_skipped(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Clinic visits, 2024"])
    sheet.append(["Source: front desk"])
    sheet.append([])
    sheet.append(["age", "weight"])
    ages, weights = list(range(40, 60)), [70.5 + i for i in range(20)]
    for age, weight in zip(ages, weights):
        sheet.append([age, weight])
    path = tmp_path / "visits.xlsx"
    book.save(path)
    table = read(path).table
    assert table.to_pydict() == {"age": ages, "weight": weights}
    assert readers.rows_above(path, detect_settings(path)) == ["Clinic visits, 2024", "Source: front desk"]


def test_rows_above_quotes_what_is_skipped(tmp_path):
    shape = real_shapes.bls_series(tmp_path)
    above = readers.rows_above(shape.path, detect_settings(shape.path))
    assert above == ["Labor Force Statistics from the Current Population Survey", "Series Id:, LNS14000000",
                     "Seasonally Adjusted", "Series title:, (Seas) Unemployment Rate, 16 years and over"]
    assert readers.rows_above(shape.path, ReadSettings()) == []


# -- settings that cannot work ---------------------------------------------------------------------


@pytest.mark.parametrize("changes, fragment", [
    ({"delimiter": ""}, "The delimiter must be one character, not ''"),
    ({"delimiter": ",,"}, "The delimiter must be one character, not ',,'"),
    ({"decimal": ""}, "The decimal mark must be one character, not ''"),
    ({"quotechar": "''"}, "The quote character must be one character"),
    ({"thousands": ".", "decimal": "."}, "The thousands separator and the decimal mark are both '.'"),
    ({"skip_rows": -1}, "The number of rows to skip must be a whole number of 0 or more, not -1."),
])
def test_settings_that_cannot_work_are_one_sentence(changes, fragment):
    with pytest.raises(SettingError) as caught:
        ReadSettings().with_changes(**changes)
    assert str(caught.value).startswith(fragment)
    assert isinstance(caught.value, DataImportError) and caught.value.setting in changes


def test_settings_stored_before_skip_rows_existed_still_load():
    stored = ReadSettings(delimiter=";").to_dict()
    del stored["skip_rows"], stored["row_names"]
    assert ReadSettings.from_dict(stored) == ReadSettings(delimiter=";")
    again = ReadSettings(skip_rows=4, row_names=True)
    assert ReadSettings.from_dict(again.to_dict()) == again
