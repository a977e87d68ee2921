"""Read a CSV, Excel or Parquet file into an Arrow table, following `ReadSettings`.

The entry points: `read_table` (the whole file, streamed, with progress and cancel),
`read_preview` (the first rows, read the same way), `list_sheets` and `rows_above` (what the
import wizard shows). The format is checked against the file's content first; the work is
done by one module per kind of file:

    read_csv             delimited text: chunked, parallel on large UTF-8 files, R's row names
    read_csv_arrow       the same table through pyarrow's reader, where it can be made the same
    read_excel_parquet   Excel workbooks and Parquet files
    tables               what they share: clean column names, one schema across chunks

`TableRead` and `ROW_NAME`, which callers import from here, are re-exported.
"""

from __future__ import annotations

import csv
from pathlib import Path

from desktop_app.core.data.detect import detect_format, open_workbook, read_ends
from desktop_app.core.data.read_csv import ROW_NAME, CsvReader
from desktop_app.core.data.read_excel_parquet import cell_text, read_excel, read_parquet
from desktop_app.core.data.settings import FileFormat, ReadSettings
from desktop_app.core.data.tables import TableRead
from desktop_app.core.errors import DataImportError
from desktop_app.core.progress import ProgressCallback, no_progress

__all__ = ["ROW_NAME", "TableRead", "list_sheets", "read_preview", "read_table", "rows_above"]


def list_sheets(path: Path) -> list[str]:
    """The sheet names of an Excel workbook, in workbook order; [] for other formats."""
    path = Path(path)
    if _content_format(path) is not FileFormat.EXCEL:
        return []
    with open_workbook(path) as workbook:
        return list(workbook.sheetnames)


def read_preview(path: Path, settings: ReadSettings, nrows: int = 200) -> TableRead:
    """The first `nrows` rows, read the same way `read_table` reads the whole file."""
    return _read(Path(path), settings, no_progress, nrows)


def rows_above(path: Path, settings: ReadSettings, limit: int = 10) -> list[str]:
    """The first `limit` non-blank rows that `settings.skip_rows` passes over, their filled
    fields joined by commas: what the import wizard shows as "skipped" (a title, notes)."""
    path = Path(path)
    if settings.skip_rows == 0 or FileFormat(settings.format) is FileFormat.PARQUET:
        return []
    if FileFormat(settings.format) is FileFormat.EXCEL:
        with open_workbook(path) as workbook:
            sheet = workbook[settings.sheet] if settings.sheet in workbook.sheetnames else workbook.worksheets[0]
            records = [[cell_text(v) for v in row if v is not None]
                       for row in sheet.iter_rows(max_row=settings.skip_rows, values_only=True)]
    else:
        try:
            with open(path, encoding=settings.encoding, errors="replace", newline="") as text:
                reader = csv.reader(text, delimiter=settings.delimiter, quotechar=settings.quotechar)
                records = [record for _, record in zip(range(settings.skip_rows), reader)]
        except (OSError, LookupError, csv.Error):
            return []  # the preview itself says what is wrong with the file
    lines = [", ".join(f.strip() for f in record if f.strip()) for record in records]
    return [line for line in lines if line][:limit]


def read_table(path: Path, settings: ReadSettings, progress: ProgressCallback = no_progress) -> TableRead:
    """The whole file. `progress` may raise `Cancelled`; nothing is kept then."""
    return _read(Path(path), settings, progress, None)


_FORMAT_NAMES = {
    FileFormat.CSV: "delimited text", FileFormat.EXCEL: "an Excel workbook", FileFormat.PARQUET: "a Parquet file",
}


def _read(path: Path, settings: ReadSettings, progress: ProgressCallback, nrows: int | None) -> TableRead:
    actual = _content_format(path)
    if actual != FileFormat(settings.format):
        raise DataImportError(
            f"The file {path.name} is {_FORMAT_NAMES[actual]}, not {_FORMAT_NAMES[settings.format]} — "
            f"choose the format '{actual.value}' or let MLDesk detect the settings."
        )
    if actual is FileFormat.PARQUET:
        return read_parquet(path, progress, nrows)
    if actual is FileFormat.EXCEL:
        return read_excel(path, settings, progress, nrows)
    return CsvReader(path, settings).read(progress, nrows)


def _content_format(path: Path) -> FileFormat:
    """The format by content (raises for missing, empty, fake or damaged files)."""
    head, tail = read_ends(path)
    return detect_format(path, head, tail)
