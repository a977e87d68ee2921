"""Delimited text through pyarrow's CSV reader, giving exactly the table the pandas read gives.

`read_csv.CsvReader` tries this first for a whole-file read. pyarrow parses without importing
pandas (a quarter second of every import) and types values by other rules, so it is only
used where the outcome can be made the same, down to the Parquet bytes of the snapshot (its
hash is the version's identity: a re-import must find the version made before). `None`
hands the file back to the pandas read:

- before reading, a file over `MAX_BYTES` (pandas parses faster per byte; the pandas import
  saved matters less), settings pyarrow cannot honour: a decimal comma or a thousands separator,
  rows skipped above the table, R's row names, leading ragged rows, one column only (pandas
  passes over lines of spaces), an encoding other than UTF-8 or a single-byte code page, and
  a large file that cannot be cut into ranges (the pandas read then streams with progress);
- while reading, any parse error (ragged or short rows, invalid UTF-8, an unclosed quote);
- after reading, any column whose values pandas may read otherwise: a float column holding
  NaN spellings or integers beyond 64 bits, an integral float column in a file with a '+'
  (pandas reads '+1' as an integer), integers in a file with '0x' (pyarrow reads hex), and
  text that pandas would read as numbers or truth values in some of its chunks (it then
  reads the column again as text, in chunks of its own).

The rest follows pandas' rules. Missing markers and truth values ("true" in any case) are
the same; dates and times stay text (pyarrow would parse them). Types are settled per
*unit* as pandas settles them per chunk — each byte range of a parallel read, else every
`CHUNK_ROWS` rows: whole numbers with blanks are float64, an empty column takes the other
units' type — and units are reconciled by the same `tables.concat_chunks`. The Arrow chunks
are those pandas makes, since the Parquet writer's pages (and so the hash) follow them:
numbers and truth values one chunk per unit; text one chunk per `_pandas_sub_rows` rows (the
pieces pandas' low-memory parser reads), or one per unit when a piece is all blank. A large
UTF-8 file is read in the byte ranges of the pandas read (`CsvReader._ranges`), several at a
time, with progress and cancel between ranges.
"""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from desktop_app.core.data import read_csv
from desktop_app.core.data.tables import STRING, columns_needing_text
from desktop_app.core.progress import ProgressCallback

if TYPE_CHECKING:
    from desktop_app.core.data.read_csv import CsvReader

UTF8 = ("utf-8", "utf8", "utf-8-sig")
# Single-byte code pages: decoded by Python, strictly, as pandas decodes them.
SINGLE_BYTE = ("cp1252", "latin-1", "latin1", "iso-8859-1", "iso8859-1", "iso-8859-15", "iso8859-15")
INT64_EDGE = 2.0**63  # pandas reads larger integers as uint64 or text, pyarrow as float64
# Text pandas may read as a number or a truth value (a superset, to be safe).
NUMBERISH = (r"(?i)^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d*)?\s*$"
             r"|^\s*[-+]?(inf|infinity|nan)\s*$|^\s*(true|false)\s*$|^\s*$")
BLOCK_BYTES = 1 << 20  # pyarrow's default
# The allocator for what the read makes. Not Arrow's default (mimalloc): with it the import of
# a 400k-row file spent 0.4–0.6 s more in the kernel (page faults) on the benchmark machine.
POOL = pa.system_memory_pool
# Above this, pandas reads: its parser takes about 30% less CPU per byte than pyarrow's here
# (pandas 3.1, pyarrow 26, 2 cores), which outweighs the quarter second of importing pandas
# that the pyarrow read saves (docs/benchmarks.md, "mldesk import").
MAX_BYTES = 64 << 20
_TEMPORAL = (pa.types.is_date, pa.types.is_time, pa.types.is_timestamp)


class Refused(Exception):
    """The pyarrow read would differ from the pandas read: read with pandas instead."""


def read_with_arrow(reader: CsvReader, progress: ProgressCallback) -> list[pa.Table] | None:
    """The file's units as Arrow tables, as the pandas read makes them, or None (see above)."""
    s = reader.s
    encoding = s.encoding.lower().replace("_", "-")
    if (s.decimal != "." or s.thousands or s.skip_rows or s.row_names or reader.skiprows
            or len(reader.names) < 2 or encoding not in UTF8 + SINGLE_BYTE):
        return None
    size = reader.path.stat().st_size
    if size > MAX_BYTES:
        return None
    offsets = reader._ranges() if read_csv._worker_count() > 1 and encoding in UTF8 else None
    if offsets is None and size >= 2 * read_csv.PARALLEL_RANGE_BYTES:
        return None  # read serially by pandas, with progress between chunks
    try:
        return _ArrowRead(reader, encoding).run(offsets, progress)
    except (Refused, pa.ArrowInvalid, UnicodeDecodeError):
        return None


class _ArrowRead:
    def __init__(self, reader: CsvReader, encoding: str) -> None:
        self.reader = reader
        self.encoding = encoding
        self.names = reader.names
        self.sub_rows = _pandas_sub_rows(len(self.names))
        self.text: set[str] = set()  # columns read as text from the start (dates, times)

    def run(self, offsets: list[int] | None, progress: ProgressCallback) -> list[pa.Table]:
        if offsets is None:
            data = self._whole()
            if not data.strip():
                return []  # a header and no rows: the caller says so
            progress(0.0, f"Reading {self.reader.path.name}")  # a file under 16 MB: one step
            table = self._parse(data, learn=True)
            progress(0.9, f"Read {table.num_rows:,} rows of {self.reader.path.name}")
            step = read_csv.CHUNK_ROWS
            units = [self._as_pandas_chunk(table.slice(start, step)) for start in range(0, table.num_rows, step)]
        else:
            units = self._ranges(offsets, progress)
        if units and columns_needing_text(units):
            raise Refused("a column is text in some units only: pandas reads it again as text")
        return units

    # -- the two ways of cutting the file ----------------------------------------------------

    def _whole(self) -> bytes:
        path = self.reader.path
        with open(path, "rb") as handle:
            whole = handle.read()
            if whole.count(b"\r") != whole.count(b"\r\n"):
                raise Refused("bare CR line ends: the header is found by LF")
            start = 3 if whole.startswith(b"\xef\xbb\xbf") and self.encoding in UTF8 else 0
            del whole
            handle.seek(start)
            if self.reader.s.header:
                start = read_csv._end_of_first_record(handle, self.reader.s.quotechar.encode())
            handle.seek(start)
            data = handle.read()
        if self.encoding not in UTF8:
            data = data.decode(self.encoding).encode("utf-8")  # strict, as pandas decodes
        return data

    def _ranges(self, offsets: list[int], progress: ProgressCallback) -> list[pa.Table]:
        path = self.reader.path
        size = path.stat().st_size
        with open(path, "rb") as handle:  # dates and times seen at the start are read as text everywhere
            handle.seek(offsets[0])
            head = handle.read(1 << 20)
        head = head[: head.rfind(b"\n") + 1]
        if head:
            self._parse(head, learn=True)

        def task(start: int, end: int) -> pa.Table:
            with open(path, "rb") as handle:
                handle.seek(start)
                data = handle.read(end - start)
            return self._as_pandas_chunk(self._parse(data))

        units: list[pa.Table] = []
        rows = 0
        with ThreadPoolExecutor(read_csv._worker_count()) as pool:
            futures = [pool.submit(task, a, b) for a, b in zip(offsets, offsets[1:])]
            try:
                for future, end in zip(futures, offsets[1:]):
                    units.append(future.result())
                    rows += units[-1].num_rows
                    progress(0.9 * end / size, f"Read {rows:,} rows of {path.name}")
            finally:
                for future in futures:  # on cancel or refusal: stop what has not started
                    future.cancel()
        return units

    # -- one parse -----------------------------------------------------------------------------

    def _parse(
        self, data: bytes, whole: bool = False, learn: bool = False, text: frozenset[str] = frozenset()
    ) -> pa.Table:
        """`data` (data rows only, UTF-8) typed as pandas types a chunk: on all of it.

        pyarrow parses blocks of `BLOCK_BYTES` on its threads, types each column on the first
        block (one that is all blank defers to the next) and fails on a later value that does
        not fit that type; `data` is then parsed again as one block, typed on all of it. So
        the type is the first of pyarrow's candidates that every value fits, either way.
        Dates and times are read as text: those found with `learn` (the main thread, before
        the ranges) in every later parse, those found in a range in that range only (`text`).
        """
        text = text | self.text
        s = self.reader.s
        try:
            table = pacsv.read_csv(
                pa.py_buffer(data),
                read_options=pacsv.ReadOptions(
                    column_names=self.names, use_threads=False,  # ranges run on threads: faster than pyarrow's own
                    block_size=max(len(data), 1 << 16) + 1 if whole else BLOCK_BYTES,
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=s.delimiter, quote_char=s.quotechar, double_quote=True, escape_char=False,
                    newlines_in_values=True, ignore_empty_lines=True,
                ),
                convert_options=pacsv.ConvertOptions(
                    null_values=self.reader._options()["na_values"], strings_can_be_null=True,
                    quoted_strings_can_be_null=True, true_values=_spellings("true"),
                    false_values=_spellings("false"), column_types={name: pa.string() for name in text},
                ),
                memory_pool=POOL(),
            )
        except pa.ArrowInvalid:
            if whole or len(data) <= BLOCK_BYTES:
                raise  # a parse error: the pandas read names the line
            return self._parse(data, True, learn, text)
        temporal = frozenset(f.name for f in table.schema if any(test(f.type) for test in _TEMPORAL))
        if temporal:  # pandas keeps dates and times as text; kinds parses them later
            if learn:
                self.text |= temporal
            return self._parse(data, whole, learn, text | temporal)
        _check(table, data)
        return table

    def _as_pandas_chunk(self, table: pa.Table) -> pa.Table:
        """What `tables.chunk_to_arrow` makes of pandas' frame for the same rows (see the module
        docstring): types, and the Arrow chunks the snapshot's bytes depend on."""
        arrays = []
        for column in table.columns:
            rows = len(column)
            if rows and column.null_count == rows:
                column = pa.chunked_array([pa.nulls(rows)])
            elif pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                column = self._text_chunks(pc.cast(column.combine_chunks(POOL()), STRING, memory_pool=POOL()))
            else:
                if pa.types.is_integer(column.type) and column.null_count:
                    column = pc.cast(column, pa.float64(), memory_pool=POOL())
                column = pa.chunked_array([column.combine_chunks(POOL())])
            arrays.append(column)
        return pa.Table.from_arrays(arrays, names=table.column_names)

    def _text_chunks(self, values: pa.Array) -> pa.ChunkedArray:
        pieces = [values.slice(start, self.sub_rows) for start in range(0, len(values), self.sub_rows)]
        for piece in pieces:
            if piece.null_count < len(piece) and _all_numberish(piece):
                raise Refused("pandas reads a piece of a text column as numbers, then the column again as text")
        if any(piece.null_count == len(piece) for piece in pieces):
            return pa.chunked_array([values])  # pandas joins text and an empty piece into one array
        return pa.chunked_array(pieces, STRING)


def _pandas_sub_rows(width: int) -> int:
    """The rows pandas' C parser reads at a time with low_memory (its `buffer_lines`): the
    largest power of two under half of 2**20 / the number of columns."""
    heuristic = 2**20 // max(width, 1)
    rows = 1
    while rows * 2 < heuristic:
        rows *= 2
    return rows


def _spellings(word: str) -> list[str]:
    """Every upper/lower-case spelling: pandas reads truth values in any case."""
    return ["".join(letters) for letters in itertools.product(*((c.lower(), c.upper()) for c in word))]


def _check(table: pa.Table, data: bytes) -> None:
    """Refuse a parse whose numbers pandas may read otherwise (see the module docstring)."""
    plus = hex_ = None
    for column in table.columns:
        kind = column.type
        if pa.types.is_floating(kind):
            if column.null_count == len(column):
                continue
            if pc.any(pc.is_nan(column)).as_py():
                raise Refused("a NaN spelling that is not a missing marker")
            # (No Python number handed to pyarrow.compute: converting it would import pandas.)
            finite = pc.min_max(pc.abs(column.filter(pc.is_finite(column))))
            if (finite["max"].as_py() or 0.0) >= INT64_EDGE:
                raise Refused("integers beyond 64 bits")
            if plus is None:
                plus = b"+" in data
            if plus and pc.all(pc.equal(pc.floor(column), column)).as_py():
                raise Refused("'+1' is an integer to pandas")
        elif pa.types.is_integer(kind):
            if hex_ is None:
                hex_ = _has_hex_prefix(data)
            if hex_:
                raise Refused("pyarrow reads hexadecimal integers")
        elif not (pa.types.is_boolean(kind) or pa.types.is_null(kind) or pa.types.is_string(kind)
                  or pa.types.is_large_string(kind)):
            raise Refused(f"a column read as {kind}")


def _has_hex_prefix(data: bytes, step: int = 1 << 18) -> bool:
    """'0x' or '0X' anywhere in `data`: numpy on slices (faster than bytes.find, no GIL held,
    and one small buffer reused rather than arrays the size of `data`)."""
    import numpy as np

    codes = np.frombuffer(data, np.uint8)
    lowered = np.empty(step, np.uint8)
    for start in range(0, len(codes) - 1, step):
        part = codes[start + 1 : start + 1 + step]
        after_x = np.flatnonzero(np.bitwise_or(part, 0x20, out=lowered[: len(part)]) == ord("x"))
        if after_x.size and (codes[start + after_x] == ord("0")).any():
            return True
    return False


def _all_numberish(values: pa.Array) -> bool:
    values = values.drop_null()
    if not pc.all(pc.match_substring_regex(values.slice(0, 200), NUMBERISH)).as_py():
        return False  # the usual case: a word among the first values
    return bool(pc.all(pc.match_substring_regex(values, NUMBERISH)).as_py())
