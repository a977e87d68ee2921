"""detect_settings: format, encoding, delimiter, quote, header and number style by content."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest
from openpyxl import Workbook

from desktop_app.core.data.detect import detect_settings
from desktop_app.core.data.settings import FileFormat
from desktop_app.core.errors import DataImportError
from tests.core import real_shapes

ACCENTED = "name,city,price\nMüller,Köln,3\nRenée,Besançon,4\nJosé,Málaga,5\n"


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# -- encodings --------------------------------------------------------------------------


def test_plain_utf8(tmp_path):
    settings = detect_settings(write(tmp_path, "a.csv", ACCENTED))
    assert settings.format is FileFormat.CSV
    assert (settings.encoding, settings.delimiter, settings.header) == ("utf-8", ",", True)


def test_utf8_with_bom_uses_utf8_sig(tmp_path):
    assert detect_settings(write(tmp_path, "a.csv", ACCENTED, "utf-8-sig")).encoding == "utf-8-sig"


def test_utf16_with_bom(tmp_path):
    settings = detect_settings(write(tmp_path, "a.csv", ACCENTED.replace(",", "\t"), "utf-16"))
    assert (settings.encoding, settings.delimiter) == ("utf-16", "\t")


def test_cp1252_accents_and_euro(tmp_path):
    text = "name;note\nMüller;3 €\nRenée;café “crème”\n"
    assert detect_settings(write(tmp_path, "a.csv", text, "cp1252")).encoding == "cp1252"


def test_short_cp1252_text_is_not_taken_for_another_code_page(tmp_path):
    # charset-normalizer alone guesses cp775 or mac_latin2 on samples this small.
    assert detect_settings(write(tmp_path, "a.csv", "a,b\n1,é\n", "cp1252")).encoding == "cp1252"


def test_utf8_decided_on_the_whole_sample_not_only_the_start(tmp_path):
    text = "a,b\n" + "x,1\n" * 100_000 + "é,2\n"  # the only non-ASCII byte is past 256 KB
    path = write(tmp_path, "a.csv", text, "cp1252")
    assert detect_settings(path).encoding == "cp1252"


def test_cyrillic_cp1251_is_not_read_as_cp1252(tmp_path):
    text = "имя,город\nИван,Москва\nПётр,Санкт-Петербург\nАнна,Новосибирск\n" * 20
    assert detect_settings(write(tmp_path, "a.csv", text, "cp1251")).encoding == "cp1251"


# -- delimiters, quotes, header -----------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter(tmp_path, delimiter):
    text = "\n".join(delimiter.join(row) for row in [["a", "b", "c"], ["1", "x y", "2.5"], ["3", "z", "4.5"]])
    assert detect_settings(write(tmp_path, "a.txt", text + "\n")).delimiter == delimiter


def test_quoted_fields_with_delimiters_and_newlines(tmp_path):
    text = 'id;text;n\n1;"a; b\nc";2\n2;"d;e;f";3\n3;plain;4\n'
    settings = detect_settings(write(tmp_path, "a.csv", text))
    assert (settings.delimiter, settings.quotechar) == (";", '"')


def test_single_quote_character(tmp_path):
    text = "id,name\n1,'Smith, John'\n2,'Doe, Jane'\n3,'Roe, R'\n"
    settings = detect_settings(write(tmp_path, "a.csv", text))
    assert (settings.delimiter, settings.quotechar) == (",", "'")


def test_commas_inside_tab_separated_text(tmp_path):
    text = "name\tcomment\nBob\tHi, there, you\nAnn\tok\n"
    assert detect_settings(write(tmp_path, "a.tsv", text)).delimiter == "\t"


def test_no_header_when_first_row_is_data(tmp_path):
    assert detect_settings(write(tmp_path, "a.csv", "1,2.5,x\n3,4.5,y\n")).header is False


def test_header_over_numbers(tmp_path):
    assert detect_settings(write(tmp_path, "a.csv", "id,2019,2020\n1,5,6\n2,7,8\n")).header is True


# -- numbers ----------------------------------------------------------------------------


def test_semicolon_with_decimal_comma(tmp_path):
    settings = detect_settings(write(tmp_path, "a.csv", "x;y\n3,14;2,5\n1,5;0,25\n"))
    assert (settings.delimiter, settings.decimal, settings.thousands) == (";", ",", None)


def test_european_thousands(tmp_path):
    settings = detect_settings(write(tmp_path, "a.csv", "id;amount\n1;1.234,5\n2;12.345.678,25\n3;17\n"))
    assert (settings.decimal, settings.thousands) == (",", ".")


def test_quoted_us_thousands(tmp_path):
    settings = detect_settings(write(tmp_path, "a.csv", 'id,amount\n1,"1,234.5"\n2,"12,345,678.25"\n3,17\n'))
    assert (settings.delimiter, settings.decimal, settings.thousands) == (",", ".", ",")


# -- other formats and bad files ------------------------------------------------------------


def test_xlsx_by_content_even_with_a_csv_name(tmp_path):
    workbook = Workbook()
    workbook.active.title = "First"
    workbook.active.append(["a", "b"])
    workbook.active.append([1, 2])
    workbook.create_sheet("Second")
    path = tmp_path / "really_excel.csv"
    workbook.save(path)
    settings = detect_settings(path)
    assert (settings.format, settings.sheet, settings.header) == (FileFormat.EXCEL, "First", True)


def test_parquet(tmp_path):
    path = tmp_path / "a.parquet"
    pd.DataFrame({"a": [1, 2]}).to_parquet(path)
    assert detect_settings(path).format is FileFormat.PARQUET


def test_empty_file(tmp_path):
    path = write(tmp_path, "empty.csv", "")
    with pytest.raises(DataImportError, match="The file empty.csv is empty — choose a file that contains"):
        detect_settings(path)


def test_blank_lines_only_count_as_empty(tmp_path):
    with pytest.raises(DataImportError, match="is empty"):
        detect_settings(write(tmp_path, "blank.csv", "\n\n  \n"))


def test_binary_named_csv(tmp_path):
    path = tmp_path / "image.csv"
    path.write_bytes(bytes(range(256)) * 50)
    with pytest.raises(DataImportError, match="contains binary data, not text"):
        detect_settings(path)


def test_text_renamed_to_xlsx(tmp_path):
    path = write(tmp_path, "fake.xlsx", "a,b\n1,2\n")
    with pytest.raises(DataImportError, match="not a real Excel workbook .*not a zip archive"):
        detect_settings(path)


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data.csv", "a,b\n1,2\n")
    with pytest.raises(DataImportError, match="zip archive but not an Excel workbook"):
        detect_settings(path)


def test_truncated_parquet(tmp_path):
    path = tmp_path / "a.parquet"
    pd.DataFrame({"a": range(100)}).to_parquet(path)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(DataImportError, match="Parquet"):
        detect_settings(path)


def test_missing_file(tmp_path):
    with pytest.raises(DataImportError, match="There is no file"):
        detect_settings(tmp_path / "nope.csv")


def test_error_messages_are_one_sentence(tmp_path):
    path = write(tmp_path, "fake.xlsx", "a,b\n1,2\n")
    with pytest.raises(DataImportError) as caught:
        detect_settings(path)
    message = str(caught.value)
    assert message.endswith(".") and message.count(". ") == 0 and "\n" not in message


# -- real shapes: numbers as names, a preamble, R's row names (issue 10, 7b) ---------------------


def test_year_names_over_decimals_and_blanks_are_a_header(tmp_path):
    shape = real_shapes.world_bank(tmp_path, preamble=False)
    settings = detect_settings(shape.path)
    assert (settings.header, settings.skip_rows, settings.row_names) == (True, 0, False)


def test_year_names_over_whole_numbers_are_a_header(tmp_path):
    # Population counts: whole numbers in the year columns too, so only the run of years tells.
    assert detect_settings(real_shapes.world_bank(tmp_path, preamble=False, whole_numbers=True).path).header is True


def test_evenly_spaced_number_names_are_a_header(tmp_path):
    # Answers to questions 1..5 on a 1-5 scale: no text anywhere, the names run 1, 2, 3, 4, 5.
    rows = ["1,2,3,4,5", "4,2,5,1,3", "2,2,4,5,1", "5,3,3,2,4", "1,4,2,2,5"]
    assert detect_settings(write(tmp_path, "answers.csv", "\n".join(rows) + "\n")).header is True


def test_rows_that_all_run_in_order_have_no_header(tmp_path):
    rows = ["1,2,3", "4,5,6", "7,8,9", "10,11,12"]
    assert detect_settings(write(tmp_path, "counts.csv", "\n".join(rows) + "\n")).header is False


def test_two_numbers_in_order_are_not_enough_for_a_header(tmp_path):
    assert detect_settings(write(tmp_path, "pairs.csv", "1,2\n5,3\n8,1\n")).header is False


def test_a_preamble_above_the_table_is_skipped(tmp_path):
    shape = real_shapes.world_bank(tmp_path)
    settings = detect_settings(shape.path)
    assert (settings.skip_rows, settings.header, settings.encoding) == (shape.skip_rows, True, "utf-8-sig")


def test_a_title_notes_and_blank_lines_are_skipped(tmp_path):
    shape = real_shapes.bls_series(tmp_path)
    settings = detect_settings(shape.path)
    assert (settings.skip_rows, settings.header, settings.delimiter) == (shape.skip_rows, True, ",")


def test_r_row_names_layout(tmp_path):
    settings = detect_settings(real_shapes.r_write_table(tmp_path).path)
    assert (settings.row_names, settings.header, settings.skip_rows) == (True, True, 0)


def test_r_layout_below_a_preamble(tmp_path):
    shape = real_shapes.r_write_table(tmp_path)
    shape.path.write_text("Chick weights by feed\n\n" + shape.path.read_text())
    settings = detect_settings(shape.path)
    assert (settings.row_names, settings.skip_rows) == (True, 2)


def test_a_title_right_above_a_two_column_table_is_not_taken_for_r_layout(tmp_path):
    text = "Sales by region\nregion,amount\nNorth,10\nSouth,12\nEast,9\nWest,14\n"
    settings = detect_settings(write(tmp_path, "sales.csv", text))
    assert (settings.skip_rows, settings.row_names, settings.header) == (1, False, True)


@pytest.mark.parametrize("text", [
    "name,city\nAnn\n\nBob,Rome\nCid,Oslo\nDan,Pisa\n",  # all text: a short row is not a title
    "a,b,c,d\n1,2,3\n4,5,6\n7,8,9\n",                     # a header wider than its rows
    "name,age\nAnn,30,\nBob,40,\nCid,50,\n",              # a trailing delimiter, not row names
    "a,b\n1,2\n\nc,d\n3,4\n5,6\n7,8\n",                   # rows above just like the table's
    "\n\n\na,b\n1,2\n3,4\n",                              # only blank lines above
    "a,b\n1,2,9\n3,4\n",                                  # a ragged row: refused as before, not skipped to
], ids=["text", "wide-header", "trailing-delimiter", "two-parts", "blank-lines", "ragged"])
def test_no_layout_is_proposed_without_evidence(tmp_path, text):
    settings = detect_settings(write(tmp_path, "a.csv", text))
    assert (settings.skip_rows, settings.row_names, settings.header) == (0, False, True)


def test_excel_title_rows_are_skipped(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Clinic visits, 2024"])
    sheet.append([])
    sheet.append(["age", "weight"])
    for i in range(20):
        sheet.append([40 + i, 70.5 + i])
    path = tmp_path / "visits.xlsx"
    workbook.save(path)
    settings = detect_settings(path)
    assert (settings.skip_rows, settings.header) == (2, True)
