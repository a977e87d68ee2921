"""Files in and out of scoring: rows read with the app's own reader, results written by suffix.

Input goes through the import path (`data.detect.detect_settings` + `data.readers.read_table`):
CSV with its delimiter, encoding and number style detected, Excel, Parquet, the same missing
markers. Output is CSV, Parquet or Excel by the suffix of `out`, written to a temporary name
beside it and renamed when complete, so a failed or cancelled write leaves no partial file.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from desktop_app.core.progress import ProgressCallback, no_progress
from desktop_app.core.scoring.errors import ScoringError

OUTPUT_FORMATS = {".csv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "excel"}
EXCEL_MAX_ROWS = 1_048_575   # a worksheet holds 1,048,576 rows, the header included
WRITE_CHUNK_ROWS = 100_000


def read_rows(path: str | os.PathLike, progress: ProgressCallback = no_progress) -> pd.DataFrame:
    """The rows of a CSV, Excel or Parquet file, read as an import reads them (DataImportError if unreadable)."""
    from desktop_app.core.data.detect import detect_settings
    from desktop_app.core.data.readers import read_table

    path = Path(path)
    progress(0.0, f"Reading {path.name}")
    read = read_table(path, detect_settings(path), progress)
    return read.table.to_pandas()


def output_format(path: str | os.PathLike) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_FORMATS:
        raise ScoringError(f"MLDesk cannot write '{suffix or Path(path).name}' files; name the output "
                           "file .csv, .parquet or .xlsx.")
    return OUTPUT_FORMATS[suffix]


def write_rows(frame: pd.DataFrame, path: str | os.PathLike, progress: ProgressCallback = no_progress) -> Path:
    """Write `frame` to `path` (format by suffix) through a temporary file; nothing is left if it fails."""
    path = Path(path)
    fmt = output_format(path)
    if fmt == "excel" and len(frame) > EXCEL_MAX_ROWS:
        raise ScoringError(f"{len(frame):,} rows do not fit in an Excel sheet (at most {EXCEL_MAX_ROWS:,}); "
                           "write .csv or .parquet instead.")
    if not path.parent.is_dir():
        raise ScoringError(f"There is no folder {path.parent}; choose an existing folder for the output.")
    partial = path.with_name(f".{path.name}.partial")
    try:
        if fmt == "csv":
            _write_csv(frame, partial, progress)
        elif fmt == "parquet":
            progress(0.0, f"Writing {path.name}")
            frame.to_parquet(partial, index=False)
        else:
            progress(0.0, f"Writing {path.name}")
            frame.to_excel(partial, index=False, engine="openpyxl")
        os.replace(partial, path)
    except OSError as exc:
        raise ScoringError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    finally:
        partial.unlink(missing_ok=True)
    progress(1.0, f"Wrote {path.name}")
    return path


def _write_csv(frame: pd.DataFrame, path: Path, progress: ProgressCallback) -> None:
    """CSV through Arrow's writer (several times faster than pandas'), in chunks so cancel is honoured."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    n = len(frame)
    try:
        schema = pa.Schema.from_pandas(frame, preserve_index=False)
        first = pa.Table.from_pandas(frame.iloc[:WRITE_CHUNK_ROWS], schema=schema, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError):  # mixed Python objects: pandas copes
        progress(0.0, f"Writing {path.name}")
        frame.to_csv(path, index=False)
        return
    options = pcsv.WriteOptions(quoting_style="needed")
    with pcsv.CSVWriter(path, schema, write_options=options) as writer:
        for start in range(0, max(n, 1), WRITE_CHUNK_ROWS):
            progress(start / max(n, 1), f"Writing rows {start + 1:,}–{min(start + WRITE_CHUNK_ROWS, n):,}")
            part = first if start == 0 else pa.Table.from_pandas(
                frame.iloc[start:start + WRITE_CHUNK_ROWS], schema=schema, preserve_index=False)
            writer.write_table(part)
