"""Excel workbooks and Parquet files into Arrow tables: the binary formats of `readers.read_table`.

Excel is read cell by cell through openpyxl's read-only mode in chunks of `EXCEL_CHUNK_ROWS`
rows (a sheet's stated size may be missing, so progress is a guess there); blank rows carry
nothing and are passed over; cells that Arrow cannot type together are kept as their text.
Parquet is read row group by row group; dictionary columns come back as plain values.
Both finish through `tables` so that every format gives the same column names and types.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import Any

import pyarrow as pa

from desktop_app.core.data.detect import open_workbook
from desktop_app.core.data.settings import ReadSettings
from desktop_app.core.data.tables import STRING, TableRead, clean_names, concat_chunks
from desktop_app.core.errors import DataImportError
from desktop_app.core.progress import ProgressCallback

EXCEL_CHUNK_ROWS = 20_000


def read_excel(path: Path, settings: ReadSettings, progress: ProgressCallback, nrows: int | None) -> TableRead:
    with open_workbook(path) as workbook:
        if settings.sheet is None:
            sheet = workbook.worksheets[0]
        elif settings.sheet in workbook.sheetnames:
            sheet = workbook[settings.sheet]
        else:
            choices = ", ".join(f"'{n}'" for n in workbook.sheetnames)
            raise DataImportError(
                f"There is no sheet '{settings.sheet}' in {path.name} — choose one of {choices}."
            )
        return _read_sheet(path, sheet, settings, progress, nrows)


def _read_sheet(
    path: Path, sheet: Any, settings: ReadSettings, progress: ProgressCallback, nrows: int | None
) -> TableRead:
    markers = {m.strip() for m in settings.missing_markers} | {""}
    total = sheet.max_row or 0  # from the sheet's stated dimension; may be missing
    below = sheet.iter_rows(min_row=settings.skip_rows + 1, values_only=True)
    rows: Iterator[Any] = (r for r in below if _last_filled(r))  # blank rows carry nothing
    first = next(rows, None)
    if first is None:
        if settings.skip_rows:
            raise DataImportError(
                f"The sheet '{sheet.title}' in {path.name} has no rows from row {settings.skip_rows + 1} on — "
                "choose an earlier start row."
            )
        raise DataImportError(f"The sheet '{sheet.title}' in {path.name} is empty — choose another sheet or file.")
    raw_names = list(first) if settings.header else []
    if not settings.header:
        rows = chain([first], rows)
    width = _last_filled(raw_names)
    tables: list[pa.Table] = []
    buffer: list[tuple] = []
    count = 0
    for row in rows:
        width = max(width, _last_filled(row))
        buffer.append(row)
        count += 1
        if nrows is not None and count >= nrows:
            break
        if len(buffer) >= EXCEL_CHUNK_ROWS:
            tables.append(_cells_to_table(buffer, width, markers))
            buffer = []
            progress(min(0.9 * count / total, 0.9) if total else 0.5, f"Read {count:,} rows of {path.name}")
    if buffer:
        tables.append(_cells_to_table(buffer, width, markers))
    if not tables:
        raise DataImportError(
            f"The sheet '{sheet.title}' in {path.name} has a header but no data rows — "
            "choose a sheet with data below the header."
        )
    notes: list[str] = []
    if settings.header:
        names, notes = clean_names((raw_names + [None] * width)[:width])
    else:
        names = [f"column_{i + 1}" for i in range(width)]
    tables = [_widen(t, width).rename_columns(names) for t in tables]
    return TableRead(concat_chunks(tables), notes)


def _last_filled(row: tuple | list) -> int:
    for i in range(len(row) - 1, -1, -1):
        if row[i] is not None and row[i] != "":
            return i + 1
    return 0


def _widen(table: pa.Table, width: int) -> pa.Table:
    for i in range(table.num_columns, width):
        table = table.append_column(f"c{i}", pa.nulls(table.num_rows))
    return table


def _cells_to_table(rows: list[tuple], width: int, markers: set[str]) -> pa.Table:
    arrays = []
    for j in range(width):
        values = [_cell(r[j], markers) if j < len(r) else None for r in rows]
        try:
            array = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            array = pa.array([None if v is None else cell_text(v) for v in values], type=STRING)
        if pa.types.is_string(array.type):
            array = array.cast(STRING)
        arrays.append(array)
    return pa.Table.from_arrays(arrays, names=[f"c{j}" for j in range(width)])


def _cell(value: Any, markers: set[str]) -> Any:
    if isinstance(value, str) and value.strip() in markers:
        return None
    return value


def cell_text(value: Any) -> str:
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") and hasattr(value, "date") else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_parquet(path: Path, progress: ProgressCallback, nrows: int | None) -> TableRead:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise DataImportError(
            f"The file {path.name} is not a readable Parquet file — export it again or choose another file."
        ) from exc
    with parquet:
        groups = parquet.num_row_groups
        parts, rows = [], 0
        try:
            for i in range(groups):
                part = parquet.read_row_group(i)
                parts.append(part)
                rows += part.num_rows
                if nrows is not None and rows >= nrows:
                    break
                progress(0.9 * (i + 1) / groups, f"Read {rows:,} rows of {path.name}")
        except (OSError, pa.ArrowException) as exc:
            raise DataImportError(
                f"The file {path.name} is a damaged Parquet file — export it again or choose another file."
            ) from exc
    if rows == 0:
        raise DataImportError(f"The file {path.name} has columns but no data rows — choose a file with data.")
    table = pa.concat_tables(parts) if len(parts) > 1 else parts[0]
    if nrows is not None:
        table = table.slice(0, nrows)
    names, notes = clean_names(table.column_names)
    table = table.rename_columns(names).replace_schema_metadata(None)
    columns = [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in table.columns]
    return TableRead(pa.Table.from_arrays(columns, names=names), notes)
