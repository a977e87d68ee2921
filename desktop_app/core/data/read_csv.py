"""Delimited text into an Arrow table, streamed: the CSV half of `readers.read_table`.

Text goes through pandas' C parser in chunks of `CHUNK_ROWS` rows and each chunk becomes
Arrow at once (so pandas objects never pile up); the column types of all chunks are
reconciled at the end (`tables.concat_chunks`). A large UTF-8 file is cut into byte ranges at
line ends and the ranges are parsed on several threads, which keeps the import as fast as a
plain `pd.read_csv` (itself parallel in pandas 3.1). Progress is reported, and cancel
honoured, between chunks or ranges.

A whole-file read of a file under 64 MB first goes through pyarrow's reader
(`read_csv_arrow`), which makes the same table — types, values, Arrow chunks and so the
snapshot's hash — without importing pandas, and hands back to the pandas read whatever it
cannot make the same (a decimal comma, ragged rows, values pyarrow reads otherwise …).

The header is read here, not by pandas: names are cleaned, rows above the table
(`ReadSettings.skip_rows`) are passed over as the csv module counts records, leading ragged
rows are found, and with `row_names` (R's write.table layout) the unnamed first field of each
row is read as a column `row_name`, dropped again when it holds just the row numbers 1, 2, 3 …
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import warnings
from collections.abc import Generator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa

from desktop_app.core.data.detect import binary_file_error, empty_file_error
from desktop_app.core.data.settings import ReadSettings
from desktop_app.core.data.tables import (
    STRING,
    TableRead,
    chunk_to_arrow,
    clean_names,
    columns_needing_text,
    concat_chunks,
    is_number,
)
from desktop_app.core.errors import DataImportError
from desktop_app.core.progress import ProgressCallback

CHUNK_ROWS = 100_000
PARALLEL_RANGE_BYTES = 8 << 20  # per thread task when a large UTF-8 file is read in parallel
MAX_WORKERS = 6  # pandas' own default ceiling for parallel CSV reading
USE_ARROW = True  # whole-file reads try pyarrow's reader first (read_csv_arrow); False: pandas only
ROW_NAME = "row_name"  # the column made of R's row names when they are more than row numbers

_SKIPPED = re.compile(r"Skipping line (\d+): expected (\d+) fields, saw (\d+)")
_EXPECTED = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


class CsvReader:
    def __init__(self, path: Path, settings: ReadSettings) -> None:
        self.path = path
        self.s = settings
        self.warnings: list[str] = []
        self.skipped: list[int] = []  # 1-based line numbers of rows dropped as ragged
        self.skiprows: list[int] = []  # 0-based record indexes of leading ragged rows
        self.names: list[str] = []

    def read(self, progress: ProgressCallback, nrows: int | None) -> TableRead:
        self._plan()
        tables = self._read_arrow(progress) if nrows is None else None
        parts = self._read_parallel(progress) if nrows is None and tables is None else None
        if tables is not None:
            text_columns: set[str] = set()  # settled by the pyarrow read itself
        else:
            tables, text_columns = parts or self._read_serial(progress, nrows)
        if sum(t.num_rows for t in tables) == 0:
            raise DataImportError(
                f"The file {self.path.name} has a header but no data rows — choose a file with data below the header."
            )
        text_columns |= columns_needing_text(tables)
        if text_columns:
            # Mixed chunks: read those columns again as text so every value keeps its spelling.
            progress(0.9, f"Reading {len(text_columns)} mixed column(s) again as text")
            tables = self._reread_as_text(tables, text_columns, nrows, progress)
        table = concat_chunks(tables)
        if self.s.row_names:
            table = self._settle_row_names(table)
        self._note_skipped()
        return TableRead(table, self.warnings)

    def _settle_row_names(self, table: pa.Table) -> pa.Table:
        """Drop R's row names when they are the row numbers 1..n; keep real names as a column."""
        import numpy as np

        column = table.column(0)
        if is_number(column.type) and column.null_count == 0 and \
                np.array_equal(column.to_numpy(), np.arange(1, table.num_rows + 1)):
            self.warnings.append(
                "Each row started with its row number (1, 2, 3 …) and no column name, as R writes files; "
                "the numbers were left out."
            )
            return table.remove_column(0)
        self.warnings.append(
            "Each row started with a row name that had no column name, as R writes files; "
            f"it was kept as the column '{table.column_names[0]}'."
        )
        return table

    def _read_arrow(self, progress: ProgressCallback) -> list[pa.Table] | None:
        """The whole file through pyarrow's reader when that gives the same table (read_csv_arrow)."""
        if not USE_ARROW:
            return None
        from desktop_app.core.data.read_csv_arrow import read_with_arrow

        return read_with_arrow(self, progress)

    def _read_serial(self, progress: ProgressCallback, nrows: int | None) -> tuple[list[pa.Table], set[str]]:
        size = self.path.stat().st_size
        tables: list[pa.Table] = []
        text_columns: set[str] = set()
        rows = 0
        with open(self.path, "rb") as handle, closing(self._chunks(handle, nrows)) as chunks:
            for chunk in chunks:
                table, fallback = chunk_to_arrow(chunk, self.names)
                del chunk
                text_columns |= fallback
                tables.append(table)
                rows += table.num_rows
                progress(min(0.9 * handle.tell() / size, 0.9), f"Read {rows:,} rows of {self.path.name}")
        return tables, text_columns

    def _read_parallel(self, progress: ProgressCallback) -> tuple[list[pa.Table], set[str]] | None:
        """Parse byte ranges of a large UTF-8 file on several threads (pandas' tokenizer
        releases the GIL), in order, with progress and cancel between ranges.

        None when the file does not qualify or a range fails to parse: the serial read
        then runs and reports errors with the right line numbers.
        """
        workers = _worker_count()
        offsets = self._ranges() if workers > 1 else None
        if offsets is None:
            return None
        options = {**self._options(), "header": None, "skiprows": None, "on_bad_lines": "error", "encoding": "utf-8"}
        size = self.path.stat().st_size

        def parse(start: int, end: int) -> tuple[pa.Table, set[str]] | None:
            import pandas as pd

            with open(self.path, "rb") as handle:
                handle.seek(start)
                data = handle.read(end - start)
            try:
                frame = pd.read_csv(io.BytesIO(data), **options)
            except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
                return None  # e.g. a ragged row: the serial read names its line
            del data
            return chunk_to_arrow(frame, self.names)

        tables: list[pa.Table] = []
        text_columns: set[str] = set()
        rows = 0
        with warnings.catch_warnings(), ThreadPoolExecutor(workers) as pool:
            warnings.simplefilter("ignore")  # DtypeWarning from mixed chunks: handled by the re-read
            futures = [pool.submit(parse, a, b) for a, b in zip(offsets, offsets[1:])]
            try:
                for future, end in zip(futures, offsets[1:]):
                    result = future.result()
                    if result is None:
                        return None
                    tables.append(result[0])
                    text_columns |= result[1]
                    rows += result[0].num_rows
                    progress(0.9 * end / size, f"Read {rows:,} rows of {self.path.name}")
            finally:
                for future in futures:  # on cancel or failure: stop what has not started
                    future.cancel()
        return tables, text_columns

    def _ranges(self) -> list[int] | None:
        """Byte offsets that split the data rows at line ends, or None when the file
        cannot be split safely (not UTF-8, small, leading ragged rows, quoted line breaks)."""
        s = self.s
        size = self.path.stat().st_size
        if size < 2 * PARALLEL_RANGE_BYTES or self.skiprows:
            return None
        if s.encoding.lower().replace("_", "-") not in ("utf-8", "utf8", "utf-8-sig"):
            return None  # the ranges are handed to the parser as raw UTF-8 bytes
        quote = s.quotechar.encode()
        with open(self.path, "rb") as handle:
            head = handle.read(1 << 20)
            if b"\r" in head.replace(b"\r\n", b""):
                return None  # bare CR line ends: the boundaries below look for LF
            start = 3 if head.startswith(codecs.BOM_UTF8) else 0
            handle.seek(start)
            if s.skip_rows:
                start = _end_of_records(handle, quote, s.skip_rows)
            if s.header:
                start = _end_of_first_record(handle, quote)
            handle.seek(start)
            sample = handle.read(1 << 20)
            # A quoted field spanning lines could straddle a range boundary.
            if quote in sample and any(line.count(quote) % 2 for line in sample.splitlines()):
                return None
            if b"\r" in sample.replace(b"\r\n", b""):
                return None
            offsets = [start]
            while offsets[-1] + PARALLEL_RANGE_BYTES < size:
                handle.seek(offsets[-1] + PARALLEL_RANGE_BYTES)
                handle.readline()
                if handle.tell() >= size:
                    break
                first = handle.readline()
                # A range whose first row is ragged would have it taken for an index.
                if len(_split_record(first, s)) > len(self.names):
                    return None
                offsets.append(handle.tell() - len(first))
        offsets.append(size)
        return offsets if len(offsets) > 2 else None

    def _plan(self) -> None:
        """Read the header ourselves: names are cleaned, and leading ragged rows found.

        pandas treats a first data row with extra fields as an index column (or drops
        the extra fields), so such rows are handled here instead of by the parser.
        """
        s = self.s
        with open(self.path, "rb") as raw:
            start = raw.read(64 * 1024)
        if b"\x00" in start and not s.encoding.lower().replace("_", "-").startswith(("utf-16", "utf-32")):
            raise binary_file_error(self.path)
        try:
            with open(self.path, encoding=s.encoding, newline="") as text:
                reader = csv.reader(text, delimiter=s.delimiter, quotechar=s.quotechar)
                first, index = None, -1
                for index, record in enumerate(reader):
                    if record and index >= s.skip_rows:
                        first = record
                        break
                if first is None:
                    if s.skip_rows and index >= 0:
                        raise DataImportError(
                            f"The file {self.path.name} has no rows from row {s.skip_rows + 1} on — "
                            "choose an earlier start row."
                        )
                    raise empty_file_error(self.path)
                width = len(first) + (1 if s.row_names and s.header else 0)  # R's header lacks the row name
                for offset, record in enumerate(reader, start=index + 1):
                    if not record:
                        continue
                    if len(record) <= width:
                        break
                    if s.bad_lines != "skip":
                        raise _ragged_error(offset + 1, len(record), width, s.header, s.row_names)
                    self.skiprows.append(offset)
                    self.skipped.append(offset + 1)
        except UnicodeDecodeError as exc:
            raise self._decode_error() from exc
        except csv.Error as exc:
            raise DataImportError(
                f"The first row of {self.path.name} cannot be read ({exc}) — check the delimiter and quote character."
            ) from exc
        except (LookupError, ValueError) as exc:
            raise DataImportError(
                f"The encoding '{s.encoding}' is not known — choose an encoding such as utf-8 or cp1252."
            ) from exc
        if s.header:
            self.names, notes = clean_names(([ROW_NAME] if s.row_names else []) + first)
            self.warnings.extend(notes)
        else:
            self.names = [f"column_{i + 1}" for i in range(width)]

    def _options(self) -> dict[str, Any]:
        s = self.s
        markers = {m.strip() for m in s.missing_markers} | {""}
        # Markers match after stripping spaces: also list them with one space around.
        na_values = sorted({form for m in markers for form in (m, f" {m}", f"{m} ", f" {m} ")})
        return dict(
            sep=s.delimiter,
            quotechar=s.quotechar,
            decimal=s.decimal,
            thousands=s.thousands or None,
            encoding=s.encoding,
            header=0 if s.header else None,
            names=self.names,
            skiprows=[*range(s.skip_rows), *self.skiprows] or None,
            keep_default_na=False,
            na_values=na_values,
            on_bad_lines="warn" if s.bad_lines == "skip" else "error",
            engine="c",
            low_memory=True,  # faster; a column mixing ints and text within a chunk is re-read as text
        )

    def _chunks(self, handle: BinaryIO, nrows: int | None, **extra: Any) -> Generator[Any, None, None]:
        import pandas as pd

        options = {**self._options(), **extra}
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", pd.errors.ParserWarning)
                warnings.simplefilter("ignore", pd.errors.DtypeWarning)
                if nrows is not None:
                    yield pd.read_csv(handle, nrows=nrows, **options)
                else:
                    with pd.read_csv(handle, chunksize=CHUNK_ROWS, **options) as reader:
                        yield from reader
                self._collect_skipped(caught)
        except pd.errors.EmptyDataError as exc:
            raise empty_file_error(self.path) from exc
        except pd.errors.ParserError as exc:
            raise self._parser_error(exc) from exc
        except UnicodeDecodeError as exc:
            raise self._decode_error() from exc

    def _collect_skipped(self, caught: list[warnings.WarningMessage]) -> None:
        for w in caught:
            for match in _SKIPPED.finditer(str(w.message)):
                self.skipped.append(int(match.group(1)))

    def _note_skipped(self) -> None:
        if not self.skipped:
            return
        lines = sorted(set(self.skipped))
        shown = ", ".join(str(n) for n in lines[:10]) + (" …" if len(lines) > 10 else "")
        self.warnings.append(
            f"{len(lines)} line(s) had more fields than the header and were skipped: {shown}."
        )

    def _parser_error(self, exc: Exception) -> DataImportError:
        message = str(exc)
        found = _EXPECTED.search(message)
        if found:
            width, line, seen = (int(g) for g in found.groups())
            return _ragged_error(line, seen, width, self.s.header, self.s.row_names)
        detail = message.replace("Error tokenizing data. C error: ", "").strip().rstrip(".")
        return DataImportError(
            f"The file {self.path.name} cannot be read as delimited text ({detail}) — "
            "check the delimiter and quote character."
        )

    def _decode_error(self) -> DataImportError:
        if self.s.encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig"):
            hint = "choose another encoding such as cp1252"
        else:
            hint = "choose another encoding such as utf-8"
        return DataImportError(f"The file {self.path.name} is not valid {self.s.encoding} text — {hint}.")

    def _reread_as_text(
        self, tables: list[pa.Table], columns: set[str], nrows: int | None, progress: ProgressCallback
    ) -> list[pa.Table]:
        import pandas as pd

        # All columns are parsed (usecols would stop pandas from spotting ragged rows),
        # but only the mixed ones are kept.
        dtype = {name: pd.ArrowDtype(STRING) for name in columns}
        keep = [n for n in self.names if n in columns]
        size = self.path.stat().st_size
        skipped = list(self.skipped)
        out: list[pa.Table] = []
        position = 0
        with open(self.path, "rb") as handle, closing(self._chunks(handle, nrows, dtype=dtype)) as chunks:
            for chunk in chunks:
                part = pa.Table.from_pandas(chunk[keep], preserve_index=False)
                del chunk
                out.append(part)
                progress(0.9 + 0.08 * handle.tell() / size, "Reading mixed columns again as text")
        self.skipped = skipped  # the second pass skips the same lines
        texts = pa.concat_tables(out) if len(out) > 1 else out[0]
        result = []
        for table in tables:
            part = texts.slice(position, table.num_rows)
            position += table.num_rows
            for name in keep:
                table = table.set_column(self.names.index(name), name, part.column(name).cast(STRING))
            result.append(table.replace_schema_metadata(None))
        return result


def _ragged_error(line: int, seen: int, width: int, header: bool = True, row_names: bool = False) -> DataImportError:
    # pandas counts a quoted line break as part of its row, so after one the number is
    # the row's, not the editor's line.
    if row_names and header:
        reference = f"the rows above have {width} (a row name and {width - 1} columns)"
    else:
        reference = f"{'the header' if header else 'the first line'} has {width}"
    return DataImportError(
        f"Line {line} has {seen} fields but {reference} — fix the file or choose 'skip bad lines'."
    )


def _worker_count() -> int:
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        available = os.cpu_count() or 1
    return min(available, MAX_WORKERS)


def _end_of_records(handle: Any, quote: bytes, count: int) -> int:
    """Byte offset after the next `count` records, blank lines included (a quoted line
    break is followed by counting quotes), as the csv module and pandas count rows."""
    for _ in range(count):
        quotes = 0
        while True:
            line = handle.readline()
            if not line:
                return handle.tell()
            quotes += line.count(quote)
            if quotes % 2 == 0:
                break
    return handle.tell()


def _end_of_first_record(handle: Any, quote: bytes) -> int:
    """Byte offset after the header record (blank lines before it are skipped; a
    quoted line break inside it is followed, by counting quotes)."""
    quotes = 0
    seen_text = False
    while True:
        line = handle.readline()
        if not line:
            return handle.tell()
        if not seen_text and not line.strip():
            continue
        seen_text = True
        quotes += line.count(quote)
        if quotes % 2 == 0:
            return handle.tell()


def _split_record(line: bytes, settings: ReadSettings) -> list[str]:
    text = line.decode("utf-8", errors="replace")
    return next(csv.reader([text], delimiter=settings.delimiter, quotechar=settings.quotechar), [])
