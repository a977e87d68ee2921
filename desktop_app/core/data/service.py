"""Datasets and their immutable versions: import, list, resolve, load.

Reached as `project.datasets`. An import reads the file, settles each column's kind,
writes one Parquet snapshot named by its SHA-256 and records a DatasetVersion with an
audit event — all or nothing: a cancelled or failed import leaves no row and no object.
"""

from __future__ import annotations

import builtins  # in annotations below `DatasetService.list`, plain `list` names that method
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop_app.core import memory
from desktop_app.core.data.entities import DatasetInfo, DatasetVersionInfo, ImportResult
from desktop_app.core.data.listing import DATASETS_SQL, datasets_from, version_entity
from desktop_app.core.data.reading import KINDS_METADATA_KEY, FileRead, read_for_import, write_snapshot
from desktop_app.core.data.settings import ColumnKind, ReadSettings
from desktop_app.core.errors import NotFoundError
from desktop_app.core.identity import current_host, current_user
from desktop_app.core.progress import ProgressCallback, no_progress
from desktop_app.core.store import audit, changes
from desktop_app.core.store.models import ID_LENGTH, DatasetRow, DatasetVersionRow, derived_id, named_id

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from desktop_app.core.store.database import Database
    from desktop_app.core.store.objects import ObjectStore


class DatasetService:
    def __init__(self, db: Database, objects: ObjectStore) -> None:
        self._db = db
        self._objects = objects

    # -- import ---------------------------------------------------------------------------

    def import_file(
        self,
        path: str | Path,
        name: str | None = None,
        settings: ReadSettings | None = None,
        kinds: dict[str, ColumnKind | str] | None = None,
        progress: ProgressCallback = no_progress,
    ) -> ImportResult:
        return self.store_read(read_for_import(path, name, settings, kinds, progress), progress)

    def store_read(self, read: FileRead, progress: ProgressCallback = no_progress) -> ImportResult:
        """Store a file read for import (`data.reading`) as the next version of its dataset."""
        version, created = self._store_snapshot(
            read.table, read.name, read.columns, read.source_name, read.source_sha256, read.settings, read.warnings,
            progress,
        )
        progress(1.0, "Imported" if created else f"Already imported as {version.label}")
        return ImportResult(version=version, settings=read.settings, warnings=read.warnings, created=created)

    def derive(
        self,
        parent: DatasetVersionInfo,
        frame: pd.DataFrame,
        kinds: dict[str, ColumnKind],
        recipe: list[dict[str, Any]],
        progress: ProgressCallback = no_progress,
        also_record: tuple[Callable[[Session, DatasetVersionRow], None], ...] = (),
    ) -> ImportResult:
        """Store `frame` as the next version of `parent`'s dataset, made from it by `recipe`.

        `recipe` is the whole ordered list of steps from the imported source to this
        version (the parent's own recipe first), so it can be replayed on a new file.
        `also_record(session, row)` adds to the new version's transaction (e.g. the audit
        event of the fix that made it).
        """
        import pyarrow as pa

        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.replace_schema_metadata(
            {KINDS_METADATA_KEY: json.dumps({c: str(kinds[c]) for c in table.column_names}).encode()}
        )
        columns = [{"name": f.name, "kind": str(kinds[f.name]), "dtype": str(f.type)} for f in table.schema]
        version, created = self._store_snapshot(
            table, parent.dataset_name, columns, parent.source_name, parent.source_sha256, parent.read_settings,
            (), progress, parent_id=parent.id, recipe=recipe, also_record=also_record,
        )
        return ImportResult(version=version, settings=parent.read_settings or ReadSettings(), warnings=(),
                            created=created)

    def _store_snapshot(
        self,
        table: pa.Table,
        name: str,
        columns: list[dict[str, Any]],
        source_name: str,
        source_sha256: str | None,
        settings: ReadSettings | None,
        warnings: tuple[str, ...],
        progress: ProgressCallback,
        parent_id: str | None = None,
        recipe: list[Any] | None = None,
        also_record: tuple[Callable[[Session, DatasetVersionRow], None], ...] = (),
    ) -> tuple[DatasetVersionInfo, bool]:
        """Write the snapshot and record its version; `also_record` adds more to the same transaction
        (called only when a new version is made)."""
        sha = write_snapshot(self._objects, table, progress)

        def record(session) -> tuple[DatasetVersionInfo, bool]:
            dataset = session.scalars(select(DatasetRow).where(DatasetRow.name == name)).first()
            if dataset is not None:
                existing = session.scalars(
                    select(DatasetVersionRow).where(
                        DatasetVersionRow.dataset_id == dataset.id, DatasetVersionRow.sha256 == sha
                    )
                ).first()
                if existing is not None:
                    return version_entity(existing, dataset.name), False
            else:
                dataset = DatasetRow(id=named_id(session.info["project"], "dataset", name), name=name,
                                     created_by=current_user())
                session.add(dataset)
                session.flush()
                audit.record(session, "dataset.create", "dataset", dataset.id, after={"name": name})
            number = (
                session.scalar(
                    select(func.max(DatasetVersionRow.number)).where(DatasetVersionRow.dataset_id == dataset.id)
                )
                or 0
            ) + 1
            row = DatasetVersionRow(
                id=derived_id(dataset.id, "snapshot", sha),
                stamp=changes.new_stamp(session),
                dataset_id=dataset.id,
                number=number,
                sha256=sha,
                rows=table.num_rows,
                n_columns=table.num_columns,
                columns=columns,
                source_name=source_name,
                source_sha256=source_sha256,
                read_settings=settings.to_dict() if settings else None,
                warnings=list(warnings),
                parent_id=parent_id,
                recipe=recipe,
                created_by=current_user(),
                host=current_host(),
            )
            session.add(row)
            session.flush()
            audit.record(
                session,
                "dataset.import" if parent_id is None else "dataset.derive",
                "dataset_version",
                row.id,
                after={"dataset": name, "version": number, "sha256": sha, "rows": table.num_rows,
                       "source": source_name, "source_sha256": source_sha256},
            )
            for extra in also_record:
                extra(session, row)
            return version_entity(row, name), True

        # Names and numbers are taken inside one write transaction, retried if another
        # process took the same one first (see store.database).
        return self._db.write(record)

    # -- queries --------------------------------------------------------------------------

    def list(self) -> list[DatasetInfo]:
        """Every dataset with its versions (`data.listing`: the same query `mldesk datasets` runs at a glance)."""
        with self._db.read() as session:
            return datasets_from(session.connection().exec_driver_sql(DATASETS_SQL))

    def get_version(self, ref: str) -> DatasetVersionInfo:
        """Resolve `name` (latest version), `name@N`, or a version id (or unique id prefix ≥ 6)."""
        with self._db.read() as session:
            return self.version_in(session, ref)

    @staticmethod
    def version_in(session: Session, ref: str) -> DatasetVersionInfo:
        """`get_version` inside the caller's unit of work (one transaction, not two: on a team database
        each is a round trip and a commit)."""
        ref = ref.strip()
        if len(ref) == ID_LENGTH:  # a whole version id, as callers that hold one pass it: one query
            found = session.execute(select(DatasetVersionRow, DatasetRow.name).join(DatasetVersionRow.dataset)
                                    .where(DatasetVersionRow.id == ref)).first()
            if found is not None:
                return version_entity(found[0], found[1])
        name, _, number = ref.partition("@")
        dataset = session.scalars(
            select(DatasetRow).where(DatasetRow.name == name, DatasetRow.deleted_at.is_(None))
        ).first()
        if dataset is not None:
            query = select(DatasetVersionRow).where(DatasetVersionRow.dataset_id == dataset.id)
            if number:
                if not number.isdigit():
                    raise NotFoundError(f"'{number}' is not a version number; write {name}@1, {name}@2, …")
                query = query.where(DatasetVersionRow.number == int(number))
            row = session.scalars(query.order_by(DatasetVersionRow.number.desc())).first()
            if row is None:
                raise NotFoundError(f"Dataset '{name}' has no version {number}; `mldesk datasets` lists them.")
            return version_entity(row, dataset.name)
        if len(ref) >= 6 and "@" not in ref:
            rows = session.scalars(
                select(DatasetVersionRow).where(DatasetVersionRow.id.startswith(ref, autoescape=True)).limit(2)
            ).all()
            if len(rows) == 1:
                return version_entity(rows[0], rows[0].dataset.name)
        raise NotFoundError(f"There is no dataset '{ref}' in this project; `mldesk datasets` lists them.")

    def table_bytes(self, version: DatasetVersionInfo) -> int:
        """The version's size in memory once loaded (pandas), estimated without loading it (core.memory)."""
        return memory.table_bytes(version.columns, version.rows, self._objects.path(version.sha256))

    def load_table(
        self, version: DatasetVersionInfo | str, progress: ProgressCallback = no_progress, categories: bool = False,
        columns: builtins.list[str] | None = None, rows: builtins.list[int] | None = None,
    ) -> pa.Table:
        """The version's snapshot as an Arrow table, verified against its hash.

        `progress` is called between reading, parsing and checking; a cancel raised
        from it stops the load there (a single Parquet parse cannot be interrupted).
        With `categories`, categorical and boolean columns come dictionary-encoded
        (pandas categoricals): about twice as fast to load and far smaller, for display.
        `columns` parses only those columns (the whole file is still verified). `rows` (positions,
        each within the table) parses only the row groups holding them, and gives those rows in that order.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        if isinstance(version, str):
            version = self.get_version(version)
        progress(0.0, f"Reading {version.label}")
        data, thread, digest = self._objects.read_bytes_checked_in_background(version.sha256)
        try:
            progress(0.3, f"Parsing {version.label}")
            dictionary = [c.name for c in version.columns
                          if categories and c.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
                          and c.dtype in ("string", "large_string")]
            # ParquetFile, not pq.read_table: the latter's dataset scanner can leave a decoding thread
            # alive after a damaged file's error, and the process then aborts as it exits (apache/arrow#34314).
            parquet = pq.ParquetFile(pa.BufferReader(data), read_dictionary=dictionary or None)
            table = parquet.read(columns=columns) if rows is None else _read_rows(parquet, columns, rows)
        finally:
            self._objects.finish_check(version.sha256, thread, digest)
        progress(0.8, f"Loaded {version.label}")
        return table

    def load(
        self, version: DatasetVersionInfo | str, progress: ProgressCallback = no_progress, categories: bool = False
    ) -> pd.DataFrame:
        """The version as a pandas DataFrame, verified against its hash (`categories`: see load_table)."""
        table = self.load_table(version, progress, categories)
        frame = table.to_pandas()
        progress(1.0, "Loaded")
        return frame




def _read_rows(file: Any, columns: builtins.list[str] | None, rows: builtins.list[int]) -> pa.Table:
    """Rows `rows` of a Parquet file, parsing only the row groups that hold them."""
    import bisect

    import pyarrow as pa

    if not rows:
        schema = file.schema_arrow
        return (schema if columns is None else pa.schema([schema.field(c) for c in columns])).empty_table()
    starts = [0]
    for group in range(file.num_row_groups):
        starts.append(starts[-1] + file.metadata.row_group(group).num_rows)
    if any(not 0 <= r < starts[-1] for r in rows):
        raise IndexError(f"row positions must be within the {starts[-1]} rows of the table")
    groups = sorted({bisect.bisect_right(starts, r) - 1 for r in rows})
    part = file.read_row_groups(groups, columns=columns)
    offset, at = 0, {}
    for group in groups:
        at[group] = offset
        offset += starts[group + 1] - starts[group]
    index = []
    for r in rows:
        group = bisect.bisect_right(starts, r) - 1
        index.append(at[group] + r - starts[group])
    return part.take(pa.array(index, type=pa.int64()))
