"""A file read for import, and its Parquet snapshot written to the object store: the part of an
import that needs no database (`DatasetService` records it; `data.import_glance` can too).

Kept apart from the service so that `mldesk import` on a project it can glance at never imports
SQLAlchemy (issue 15): reading the file is most of its work, recording the version a few rows.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.core import memory
from desktop_app.core.data.settings import ColumnKind, ReadSettings
from desktop_app.core.errors import DataImportError
from desktop_app.core.progress import ProgressCallback, no_progress, scaled
from desktop_app.core.store.objects import sha256_file

if TYPE_CHECKING:
    import pyarrow as pa

    from desktop_app.core.store.objects import ObjectStore

KINDS_METADATA_KEY = b"mldesk.kinds"
MAX_NAME_LENGTH = 200


def clean_dataset_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise DataImportError("The dataset name is empty; give the dataset a name.")
    if "@" in name:
        raise DataImportError(f"The dataset name '{name}' contains '@', which marks a version number; "
                              "choose another name.")
    if len(name) > MAX_NAME_LENGTH:
        raise DataImportError(f"The dataset name is longer than {MAX_NAME_LENGTH} characters; choose a shorter name.")
    return name


@dataclass(frozen=True)
class FileRead:
    """A file read and typed for import, not yet stored."""

    name: str                       # the dataset it goes to
    source_name: str                # the file's name, for lineage
    source_sha256: str
    settings: ReadSettings
    table: pa.Table                 # the kinds applied, and recorded in its schema's metadata
    columns: list[dict[str, Any]]   # [{"name", "kind", "dtype"}] as the version stores them
    warnings: tuple[str, ...]


def read_for_import(
    path: str | Path,
    name: str | None = None,
    settings: ReadSettings | None = None,
    kinds: dict[str, ColumnKind | str] | None = None,
    progress: ProgressCallback = no_progress,
) -> FileRead:
    """Read `path` (settings detected unless given), settle each column's kind (`kinds` overrides the
    inferred ones) and hash the source; progress goes from 0 to 0.9. `progress` may raise `Cancelled`."""
    from desktop_app.core.data.detect import detect_settings
    from desktop_app.core.data.kinds import apply_kinds, infer_kinds
    from desktop_app.core.data.readers import read_table

    path = Path(path)
    if not path.is_file():
        raise DataImportError(f"There is no file {path}; check the path and try again.")
    name = clean_dataset_name(name if name is not None else path.stem)
    memory.ensure_fits(f"Importing {path.name}", memory.step_bytes("import", memory.file_table_bytes(path)))
    progress(0.0, f"Reading {path.name}")
    settings = settings or detect_settings(path)

    # Hash the source alongside the read (hashlib releases the GIL) for lineage.
    source_hash: list[str] = []
    hasher = threading.Thread(target=lambda: source_hash.append(sha256_file(path)), daemon=True)
    hasher.start()

    read = read_table(path, settings, scaled(progress, 0.0, 0.85))
    progress(0.85, "Settling column kinds")
    final_kinds = infer_kinds(read.table)
    for column, kind in (kinds or {}).items():
        if column not in final_kinds:
            raise DataImportError(f"There is no column '{column}' in {path.name}; check the column kinds you set.")
        final_kinds[column] = ColumnKind(kind)
    applied = apply_kinds(read.table, final_kinds)
    table = applied.table.replace_schema_metadata(
        {KINDS_METADATA_KEY: json.dumps({c: str(k) for c, k in final_kinds.items()}).encode()}
    )
    columns = [{"name": f.name, "kind": str(final_kinds[f.name]), "dtype": str(f.type)} for f in table.schema]
    hasher.join()
    return FileRead(name=name, source_name=path.name, source_sha256=source_hash[0], settings=settings, table=table,
                    columns=columns, warnings=tuple(read.warnings) + tuple(applied.warnings))


def write_snapshot(objects: ObjectStore, table: pa.Table, progress: ProgressCallback = no_progress) -> str:
    """Write `table` as a Parquet snapshot into `objects` under its SHA-256, which it returns.

    The object is in place before any record names it: a crash in between leaves an unreferenced
    file, never a version without its data.
    """
    import pyarrow.parquet as pq

    with objects.staging_file(".parquet") as staged:
        progress(0.9, "Writing the snapshot")
        pq.write_table(table, staged, compression="snappy")
        sha = sha256_file(staged)
        progress(0.98, "Recording the version")  # last chance to cancel: nothing is kept yet
        objects.adopt(staged, sha)
    return sha
