"""Arrow tables from what a reader parsed: clean column names, and one schema across chunks.

Every reader (delimited text, Excel, Parquet) hands its pieces here, so a file reads into the
same shape whatever its format: names that are strings, never blank and never repeated; text
as `large_string` (what pandas' pyarrow-backed "str" holds, so no copy on the way in); and
chunks whose types disagree reconciled at the end (ints with floats → float64, anything else
mixed → text, an all-missing chunk takes the others' type).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

STRING = pa.large_string()  # what pandas' pyarrow-backed "str" holds: no copy on the way in


@dataclass
class TableRead:
    table: pa.Table
    warnings: list[str] = field(default_factory=list)


def clean_names(raw: list[Any]) -> tuple[list[str], list[str]]:
    """Strings, none blank (`column_N`), none repeated (`name_2`, `name_3`), plus warnings."""
    names = [("" if v is None else str(v)).strip() for v in raw]
    blank = [i for i, n in enumerate(names) if not n]
    for i in blank:
        names[i] = f"column_{i + 1}"
    taken = set(names)
    seen: dict[str, int] = {}
    renamed: dict[str, list[str]] = {}
    for i, name in enumerate(names):
        if name not in seen:
            seen[name] = 1
            continue
        number = seen[name]
        while True:
            number += 1
            candidate = f"{name}_{number}"
            if candidate not in taken:
                break
        seen[name] = number
        taken.add(candidate)
        names[i] = candidate
        renamed.setdefault(name, []).append(candidate)
    notes = []
    if renamed:
        parts = "; ".join(f"'{n}' → " + ", ".join(f"'{c}'" for c in cs) for n, cs in renamed.items())
        notes.append(f"Some columns had the same name and were renamed: {parts}.")
    if blank and len(blank) < len(names):
        listed = ", ".join(names[i] for i in blank[:5]) + (" …" if len(blank) > 5 else "")
        notes.append(f"{len(blank)} column(s) had no name and were named {listed}.")
    return names, notes


def chunk_to_arrow(frame: Any, names: list[str]) -> tuple[pa.Table, set[str]]:
    """One pandas chunk as an Arrow table; columns Arrow cannot type become text."""
    arrays, fallback = [], set()
    for position, name in enumerate(names):
        series = frame.iloc[:, position]
        try:
            array = pa.array(series, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            # e.g. integers beyond 64 bits, or True next to 1: keep the text.
            array = pa.array(series.astype("str"), from_pandas=True)
            fallback.add(name)
        if pa.types.is_string(array.type):
            array = array.cast(STRING)
        if len(array) and array.null_count == len(array):
            array = pa.nulls(len(array))  # an all-missing chunk takes the other chunks' type
        arrays.append(array)
    return pa.Table.from_arrays(arrays, names=names), fallback


def columns_needing_text(tables: list[pa.Table]) -> set[str]:
    needing = set()
    for i, name in enumerate(tables[0].column_names):
        types = {t.schema.field(i).type for t in tables} - {pa.null()}
        if len(types) > 1 and not all(is_number(t) for t in types):
            needing.add(name)
    return needing


def is_number(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t)


def unify_types(tables: list[pa.Table]) -> list[pa.Table]:
    """Give every chunk the same schema: ints with floats → float64, anything else mixed
    → text, and an all-null chunk takes the type of the others."""
    target = []
    for i in range(tables[0].num_columns):
        types = {t.schema.field(i).type for t in tables} - {pa.null()}
        if not types:
            target.append(STRING)
        elif len(types) == 1:
            target.append(types.pop())
        elif all(is_number(t) for t in types):
            target.append(pa.float64() if any(pa.types.is_floating(t) for t in types) else pa.int64())
        else:
            target.append(STRING)
    schema = pa.schema([pa.field(n, t) for n, t in zip(tables[0].column_names, target)])
    return [t if t.schema.equals(schema) else _cast_table(t, schema) for t in tables]


def _cast_table(table: pa.Table, schema: pa.Schema) -> pa.Table:
    columns = []
    for column, target in zip(table.columns, schema.types):
        columns.append(column if column.type == target else column.cast(target))
    return pa.Table.from_arrays(columns, schema=schema)


def concat_chunks(tables: list[pa.Table]) -> pa.Table:
    tables = unify_types([t.replace_schema_metadata(None) for t in tables])
    return pa.concat_tables(tables) if len(tables) > 1 else tables[0]
