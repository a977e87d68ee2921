"""What kind each column holds, and converting the storage where a kind demands it.

Inference looks at a sample of each column (`SAMPLE_SIZE` values spread over the whole
column) with pyarrow.compute, so it stays fast on millions of rows; only the checks
that must see every value (unique per row, boolean spellings) read the full column.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.data.tables import TableRead
from desktop_app.core.errors import DataImportError

SAMPLE_SIZE = 20_000
DATE_SHARE = 0.95      # share of sampled values that must parse for a datetime column
NUMBER_SHARE = 0.95    # same, for a text column read as numbers
EXACT_UNIQUE_ROWS = 200_000
UNIQUE_BLOCK_ROWS = 50_000
PARALLEL_ROWS = 50_000  # from this many rows, columns are inferred on several threads
TIMESTAMP = pa.timestamp("us")

BOOLEAN_WORDS = {"true", "false", "yes", "no", "y", "n", "t", "f"}
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_UUID = r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
_ID_NAME = re.compile(r"(^|[\s_.\-])(id|uuid|guid|key)$|^(id|uuid|guid)([\s_.\-]|$)|[a-z](Id|ID)$|^(ID|Id)$", re.I)

# Date formats tried in order; a later one wins only with more parsed values. Where a
# day-first and a month-first format tie (every day ≤ 12) the day-first one is kept.
DATE_FORMATS = (
    "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",  # [:5] ISO
    "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z", "%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%Y%m%d",
    "%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%y",
    "%m/%d/%Y", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%y",
    "%d.%m.%Y", "%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%y",
    "%d-%m-%Y", "%m-%d-%Y",
    "%d %b %Y", "%d-%b-%Y", "%b %d %Y", "%b %d, %Y", "%d %B %Y", "%B %d %Y", "%B %d, %Y",
)
ISO_CAST = "iso"  # fractional seconds: Arrow's cast reads them, strptime does not
_ISO = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?$"


def infer_kinds(table: pa.Table) -> dict[str, ColumnKind]:
    """The kind of every column, by name; columns side by side on threads for a large table
    (pyarrow.compute releases the GIL, so they share the cores)."""
    if table.num_rows < PARALLEL_ROWS or table.num_columns < 2:
        return {name: _infer(name, column) for name, column in zip(table.column_names, table.columns)}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(min(4, os.cpu_count() or 1)) as pool:
        kinds = list(pool.map(_infer, table.column_names, table.columns))
    return dict(zip(table.column_names, kinds))


def apply_kinds(table: pa.Table, kinds: dict[str, ColumnKind]) -> TableRead:
    """Parse text as dates or numbers where the kind asks for it; other values stay as read."""
    notes: list[str] = []
    columns = []
    for name, column in zip(table.column_names, table.columns):
        kind = kinds.get(name)
        if kind is not None and _is_text(column.type):
            if kind == ColumnKind.DATETIME:
                column = _to_datetime(name, column, notes)
            elif kind == ColumnKind.NUMERIC:
                column = _to_numeric(name, column, notes)
        columns.append(column)
    return TableRead(pa.Table.from_arrays(columns, names=table.column_names), notes)


# -- inference --------------------------------------------------------------------------


def _infer(name: str, column: pa.ChunkedArray) -> ColumnKind:
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
        kind = kind.value_type
    if pa.types.is_boolean(kind):
        return ColumnKind.BOOLEAN
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        return ColumnKind.DATETIME
    if pa.types.is_integer(kind):
        return ColumnKind.ID if _integer_id(name, column) else ColumnKind.NUMERIC
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return ColumnKind.NUMERIC
    if _is_text(kind):
        return _infer_text(name, column)
    return ColumnKind.CATEGORICAL


def _integer_id(name: str, column: pa.ChunkedArray) -> bool:
    """Unique per row, and an id by name, by size, or by running as a sequence."""
    rows = len(column)
    if rows < 2 or column.null_count:
        return False
    # ids usually count up (compared in Arrow: to_numpy would import pandas, a quarter second)
    rising = pc.all(pc.greater(column.slice(1), column.slice(0, rows - 1))).as_py()
    if not (rising or _unique(column, sample_values(column))):
        return False
    if _ID_NAME.search(name) or rows >= 1000:
        return True
    bounds = pc.min_max(column)
    span = bounds["max"].as_py() - bounds["min"].as_py() + 1
    return rows >= 20 and span <= 2 * rows


def _infer_text(name: str, column: pa.ChunkedArray) -> ColumnKind:
    sample = sample_values(column)
    if len(sample) == 0:
        return ColumnKind.CATEGORICAL
    trimmed = pc.utf8_trim_whitespace(sample)
    if _only_boolean_words(sample) and _only_boolean_words(column):
        return ColumnKind.BOOLEAN
    unique_rows = column.null_count == 0 and _unique(column, sample)
    if unique_rows and _ID_NAME.search(name):
        return ColumnKind.ID
    if _share(pc.match_substring_regex(trimmed, _NUMBER)) >= NUMBER_SHARE:
        return ColumnKind.NUMERIC
    if date_formats(trimmed):
        return ColumnKind.DATETIME
    lengths = pc.utf8_length(sample)
    mean_length = pc.mean(lengths).as_py() or 0
    if unique_rows:
        if _share(pc.match_substring_regex(trimmed, _UUID)) >= 0.95:
            return ColumnKind.ID
        spaced = _share(pc.match_substring_regex(sample, r"\s"))
        if len(column) >= 50 and spaced == 0 and mean_length <= 40:
            return ColumnKind.ID
    distinct = len(pc.unique(sample)) / len(sample)
    if distinct > 0.5 and mean_length > 20:
        return ColumnKind.TEXT
    return ColumnKind.CATEGORICAL


def _only_boolean_words(values: pa.Array | pa.ChunkedArray) -> bool:
    distinct = pc.unique(values).drop_null()
    if not 0 < len(distinct) <= 4 * len(BOOLEAN_WORDS):  # allow Yes / YES / yes …
        return False
    return set(pc.utf8_lower(pc.utf8_trim_whitespace(distinct)).to_pylist()) <= BOOLEAN_WORDS


def _unique(column: pa.ChunkedArray, sample: pa.Array) -> bool:
    """No value repeats (nulls aside).

    Above `EXACT_UNIQUE_ROWS`, hashing every value would cost more than all the rest of
    inference, so the check reads the spread sample (repeats anywhere in the column)
    and three contiguous blocks (repeats next to each other, as in sorted data).
    """
    if not _distinct(sample):
        return False
    rows = len(column)
    if rows <= EXACT_UNIQUE_ROWS:
        return _distinct(column)
    block = UNIQUE_BLOCK_ROWS
    return all(_distinct(column.slice(start, block)) for start in (0, (rows - block) // 2, rows - block))


def _distinct(values: pa.Array | pa.ChunkedArray) -> bool:
    return pc.count_distinct(values, mode="only_valid").as_py() == len(values) - values.null_count


def _share(mask: pa.Array) -> float:
    return (pc.sum(mask).as_py() or 0) / len(mask) if len(mask) else 0.0


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def sample_values(column: pa.ChunkedArray | pa.Array, size: int = SAMPLE_SIZE) -> pa.Array:
    """Up to `size` non-null values spread evenly over the column."""
    if len(column) > size:
        picked = column.take(_spread(len(column), size)).drop_null()
        if len(picked) < min(100, len(column) - column.null_count):
            picked = column.drop_null()  # mostly empty: the spread missed the values
            if len(picked) > size:
                picked = picked.take(_spread(len(picked), size))
    else:
        picked = column.drop_null()
    if isinstance(picked, pa.ChunkedArray):
        picked = picked.combine_chunks()
    return picked


def _null(kind: pa.DataType) -> pa.Scalar:
    """A missing value of `kind` (`pa.scalar(None, kind)` would import pandas)."""
    return pa.nulls(1, kind)[0]


def _spread(length: int, size: int) -> pa.Array:
    """`size` row numbers spread evenly over `length` rows, as an Arrow array made from numpy's
    buffer: `pa.array(numpy)` would import pandas (a quarter second) to look for a Series."""
    positions = np.linspace(0, length - 1, size).astype(np.int64)
    return pa.Array.from_buffers(pa.int64(), size, [None, pa.py_buffer(positions)])


# -- dates ------------------------------------------------------------------------------


def date_formats(values: pa.Array) -> list[str]:
    """The formats that together parse ≥ 95% of `values` (trimmed text), best first; [] if none."""
    if len(values) == 0:
        return []
    probe = values.slice(0, 200)
    candidates = [f for f in (ISO_CAST, *DATE_FORMATS) if pc.any(_parse(probe, f).is_valid()).as_py()]
    if not candidates:
        return []
    scored = sorted(
        ((_parse(values, f).is_valid(), f) for f in candidates),
        key=lambda item: -_share(item[0]),
    )
    chosen: list[str] = []
    covered = None
    for valid, fmt in scored:
        if _swapped(fmt) in chosen:
            continue
        gained = valid if covered is None else pc.and_(valid, pc.invert(covered))
        if _share(gained) < 0.005:
            continue
        chosen.append(fmt)
        covered = valid if covered is None else pc.or_(covered, valid)
        if len(chosen) == 3:
            break
    return chosen if covered is not None and _share(covered) >= DATE_SHARE else []


def _swapped(fmt: str) -> str:
    """The month-first twin of a day-first format and the other way round."""
    return fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")


def _parse(values: pa.Array | pa.ChunkedArray, fmt: str) -> pa.Array | pa.ChunkedArray:
    if fmt == ISO_CAST:
        iso = pc.match_substring_regex(values, _ISO)
        try:
            return pc.if_else(iso, values, _null(values.type)).cast(TIMESTAMP)
        except pa.ArrowInvalid:  # one impossible date (2021-02-30) fails the whole cast
            parsed = _parse(values, DATE_FORMATS[0])
            for fmt in DATE_FORMATS[1:5]:
                parsed = pc.coalesce(parsed, _parse(values, fmt))
            return parsed
    parsed = pc.strptime(values, format=fmt, unit="us", error_is_null=True)
    if parsed.type.tz is not None:
        parsed = parsed.cast(TIMESTAMP)  # offsets given: keep the UTC instant, naive
    return parsed


def _to_datetime(name: str, column: pa.ChunkedArray, notes: list[str]) -> pa.ChunkedArray:
    trimmed = pc.utf8_trim_whitespace(column)
    formats = date_formats(pc.utf8_trim_whitespace(sample_values(column))) or _best_effort_formats(trimmed)
    if not formats:
        if column.null_count == len(column):
            return pa.chunked_array([pa.nulls(len(column), TIMESTAMP)])
        raise DataImportError(
            f"Column '{name}' has no values that read as dates, such as {_examples(column)} — "
            "choose another kind for it."
        )
    parsed = _parse(trimmed, formats[0])
    for fmt in formats[1:]:
        parsed = pc.coalesce(parsed, _parse(trimmed, fmt))
    _note_lost(name, column, parsed, notes, "values that are not dates")
    return parsed if isinstance(parsed, pa.ChunkedArray) else pa.chunked_array([parsed])


def _best_effort_formats(trimmed: pa.ChunkedArray) -> list[str]:
    """The user chose datetime for a column that is mostly not dates: use the best format."""
    sample = sample_values(trimmed)
    best = max((_share(_parse(sample, f).is_valid()), f) for f in (ISO_CAST, *DATE_FORMATS))
    return [best[1]] if best[0] > 0 else []


# -- numbers ----------------------------------------------------------------------------


def _to_numeric(name: str, column: pa.ChunkedArray, notes: list[str]) -> pa.ChunkedArray:
    trimmed = pc.utf8_trim_whitespace(column)
    numeric = pc.match_substring_regex(trimmed, _NUMBER)
    parsed = pc.if_else(numeric, trimmed, _null(trimmed.type)).cast(pa.float64())
    _note_lost(name, column, parsed, notes, "text values")
    return parsed


def _note_lost(name: str, before: pa.ChunkedArray, after: pa.ChunkedArray, notes: list[str], what: str) -> None:
    lost = pc.and_(before.is_valid(), after.is_null())
    count = pc.sum(lost).as_py() or 0
    if count:
        examples = _examples(before.filter(lost))
        rows = f"{count:,} row" + ("s" if count != 1 else "")
        notes.append(f"Column '{name}' has {what} such as {examples} in {rows} — they were read as missing.")


def _examples(values: pa.ChunkedArray, limit: int = 3) -> str:
    distinct = pc.unique(values.drop_null().slice(0, 10_000)).to_pylist()[:limit]
    return ", ".join(f"'{v}'" for v in distinct)
