"""Export and verify model bundles; reached as `project.bundles`.

    result = project.bundles.export("heart-risk@production", "exports", zip=False, progress=cb, cancel=token)
    project.bundles.verify(result.path, "heart-risk@production")
    project.bundles.listing(result.path)            # the files of a bundle on disk and its model card
    project.bundles.last_export(version)            # the newest export in the audit trail, or None

`export` writes `<out_dir>/<model>-v<N>/` (a run exports as `run-<id8>/`), or with `zip` only
`<out_dir>/<model>-v<N>.zip` holding that folder. Everything is first written to a hidden
temporary folder inside `out_dir` and renamed into place only once complete and verified, so
a failed or cancelled export leaves nothing behind. An existing bundle of the same name is
refused unless `overwrite`. The export verifies the bundle (predict.py in a separate process
against the model in the app, see `verify.py`) unless told not to; a bundle that disagrees is
not kept. Each export writes a `model.export` audit event; its `after["path"]` is the bundle
(folder or zip), so the folder exported into is that path's parent.

Crash debris: the temporary folder is named by `owners.temp_name(EXPORT_TEMP_PREFIX)`, which
records this host, process id and process start time. A kill -9 leaves it behind;
`stale_exports(folder)` lists the ones whose owner is gone from this host and
`remove_stale_exports(folder)` removes them (`mldesk doctor` calls it for every folder of
`project.bundles.export_folders()`). A temporary of a live process or of another host is
never touched.

Rows: the input example is the first EXAMPLE_ROWS training rows and the verification uses up
to VERIFY_ROWS held-out rows, both re-created exactly as training split them
(`RunService.prepared`, the function behind `registry.holdout_rows`); when that
is impossible, the first rows of the dataset version serve.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.core.bundles.entities import ExportResult, VerificationResult
from desktop_app.core.bundles.errors import BundleError
from desktop_app.core.bundles.listing import BundleListing, LastExport, list_bundle
from desktop_app.core.errors import MLDeskError
from desktop_app.core.identity import current_host, current_user
from desktop_app.core.owners import EXPORT_TEMP_PREFIX, owner_of_temp, temp_name
from desktop_app.core.progress import CancelToken, ProgressCallback, no_progress, scaled
from desktop_app.core.store import audit

if TYPE_CHECKING:
    import pandas as pd

    from desktop_app.core.data.service import DatasetService
    from desktop_app.core.registry.entities import Lineage, ModelVersion
    from desktop_app.core.registry.service import RegistryService
    from desktop_app.core.scoring.service import ScoringService
    from desktop_app.core.scoring.signature import InputSignature
    from desktop_app.core.scoring.source import ModelRef, ModelSource
    from desktop_app.core.store.database import Database
    from desktop_app.core.store.objects import ObjectStore
    from desktop_app.core.tracking.service import RunService

EXAMPLE_ROWS = 5
VERIFY_ROWS = 1000
EXPORT_ACTION = "model.export"


class BundleService:
    def __init__(self, db: Database, objects: ObjectStore, datasets: DatasetService, runs: RunService,
                 registry: RegistryService, scoring: ScoringService, default_folder: Path) -> None:
        self._db = db
        self._objects = objects
        self._datasets = datasets
        self._runs = runs
        self._registry = registry
        self._scoring = scoring
        self.default_folder = default_folder  # the project's exports/

    # -- export -----------------------------------------------------------------------------------

    def export(
        self, ref: ModelRef, out_dir: str | os.PathLike | None = None, *, zip: bool = False, verify: bool = True,
        overwrite: bool = False, verify_rows: int = VERIFY_ROWS, progress: ProgressCallback = no_progress,
        cancel: CancelToken | None = None,
    ) -> ExportResult:
        """Write the bundle of a model version (or run) into `out_dir` (default: the project's exports/)."""
        import sklearn
        import skops.io as sio

        from desktop_app import __version__
        from desktop_app.core.bundles.checksums import SUMS_FILE
        from desktop_app.core.bundles.verify import verify_bundle
        from desktop_app.core.bundles.writer import BundleContent, write_bundle
        from desktop_app.core.store.objects import sha256_file
        from desktop_app.core.training.model_io import trusted_types

        progress = cancel.wrap(progress) if cancel is not None else progress
        started = time.perf_counter()
        source = self._scoring.source(ref)
        # Absolute: the audit event names where the bundle went, and doctor looks there for debris later.
        out_dir = (Path(out_dir).expanduser() if out_dir is not None else self.default_folder).absolute()
        final = out_dir / (source.file_stem + (".zip" if zip else ""))
        _prepare_target(out_dir, final, overwrite)

        progress(0.0, f"Loading {source.label}")
        model_bytes = self._objects.read_bytes(source.model_sha256)   # verified against its hash
        pipeline = self._scoring.pipeline(source)                      # refused if outside the allow-list
        signature = self._scoring.signature(source)
        lineage = self._lineage(source)
        progress(0.08, "Re-creating training and held-out rows")
        example, holdout = self._rows(source, signature, verify_rows if verify else 0)
        now = datetime.now(UTC)
        content = BundleContent(
            source=source, model_bytes=model_bytes, model_types=list(sio.get_untrusted_types(data=model_bytes)),
            trusted_types=trusted_types(), signature=signature, example=example, lineage=lineage,
            exported_by=f"{current_user()}@{current_host()}", exported_at=now, app_version=__version__,
            sklearn_version=sklearn.__version__,
        )

        temp = out_dir / temp_name(EXPORT_TEMP_PREFIX)
        try:
            temp.mkdir()
            folder = temp / source.file_stem
            folder.mkdir()
            files = write_bundle(folder, content, scaled(progress, 0.15, 0.45))
            verification = None
            if verify:
                verification = verify_bundle(folder, pipeline, holdout, progress=scaled(progress, 0.45, 0.9))
                if not verification.ok:
                    raise BundleError(f"The bundle was not kept: {verification.reason}")
            sums_sha = sha256_file(folder / SUMS_FILE)
            produced = folder
            if zip:
                produced = temp / final.name
                _zip(folder, produced, scaled(progress, 0.9, 0.98))
            progress(0.98, f"Moving the bundle to {final}")  # the last point where cancel applies
            if overwrite and (final.exists() or final.is_symlink()):
                _remove(final)
            os.replace(produced, final)
        except OSError as exc:
            raise BundleError(f"Cannot write the bundle into {out_dir}: {exc.strerror or exc}.") from exc
        finally:
            shutil.rmtree(temp, ignore_errors=True)

        size = final.stat().st_size if zip else sum(p.stat().st_size for p in final.rglob("*") if p.is_file())
        result = ExportResult(
            model=source.label, path=final, zipped=zip, files=tuple(files), size_bytes=size,
            model_sha256=source.model_sha256, sums_sha256=sums_sha, verification=verification,
            seconds=time.perf_counter() - started,
            notes=() if verify else ("The bundle was not verified.",),
        )
        self._audit(source, result)
        progress(1.0, f"Exported {source.label} to {final}")
        return result

    # -- verify -----------------------------------------------------------------------------------

    def verify(self, bundle: str | os.PathLike, ref: ModelRef, *, rows: int = VERIFY_ROWS,
               progress: ProgressCallback = no_progress, cancel: CancelToken | None = None) -> VerificationResult:
        """Check an exported bundle (folder or zip): its SHA256SUMS, that it holds `ref`'s model, and that its
        predict.py, run in a separate process, predicts as the model in the app does."""
        from desktop_app.core.bundles.checksums import check_sums
        from desktop_app.core.bundles.verify import verify_bundle
        from desktop_app.core.store.objects import sha256_file

        progress = cancel.wrap(progress) if cancel is not None else progress
        bundle = Path(bundle).expanduser()
        source = self._scoring.source(ref)
        with tempfile.TemporaryDirectory(prefix="mldesk-bundle-") as tmp:
            folder = _unzip(bundle, Path(tmp)) if bundle.is_file() else bundle
            if not (folder / "MLmodel").is_file():
                raise BundleError(f"{bundle} is not an MLDesk bundle (it has no MLmodel file).")
            problems = check_sums(folder)
            if problems:
                return VerificationResult(False, f"The bundle's files do not match SHA256SUMS: {problems[0]}"
                                                 + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
            if sha256_file(folder / "model.skops") != source.model_sha256:
                return VerificationResult(False, f"The bundle holds another model than {source.label}.")
            progress(0.05, "Re-creating held-out rows")
            pipeline = self._scoring.pipeline(source)
            _, holdout = self._rows(source, self._scoring.signature(source), rows)
            return verify_bundle(folder, pipeline, holdout, progress=scaled(progress, 0.1, 1.0))

    # -- bundles on disk --------------------------------------------------------------------------

    def listing(self, path: str | os.PathLike) -> BundleListing:
        """The files of a bundle folder or zip (paths inside the bundle, sizes) and its model card's text."""
        return list_bundle(Path(path))

    def last_export(self, version: str | ModelVersion) -> LastExport | None:
        """The newest export of a model version (or run, by id) in the audit trail, by any user in any session,
        with the listing of its bundle while the bundle is still where it was written; None if never exported."""
        entity_id = version if isinstance(version, str) else version.id
        with self._db.read() as session:
            events = audit.list_events(session, entity_id, 1, action=EXPORT_ACTION)
        if not events:
            return None
        path = (events[0].after or {}).get("path")
        listing = None
        try:
            if path and Path(path).exists():
                listing = list_bundle(Path(path))
        except (OSError, zipfile.BadZipFile):
            listing = None  # moved, half-copied or damaged since: the event is still worth showing
        return LastExport(events[0], listing)

    # -- crash debris -----------------------------------------------------------------------------

    def export_folders(self) -> list[Path]:
        """The project's exports/ folder and every folder an export was written into (from the audit trail)."""
        from sqlalchemy import select

        from desktop_app.core.store.models import AuditEventRow

        folders = {self.default_folder}
        with self._db.session() as session:
            for after in session.scalars(select(AuditEventRow.after).where(AuditEventRow.action == EXPORT_ACTION)):
                path = (after or {}).get("path") if isinstance(after, dict) else None
                if path:
                    folders.add(Path(path).parent)
        return sorted(folders)

    # -- internals --------------------------------------------------------------------------------

    def _lineage(self, source: ModelSource) -> Lineage | None:
        return self._registry.lineage(source.version) if source.version is not None else None

    def _rows(self, source: ModelSource, signature: InputSignature, n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(the first training rows, up to `n` held-out rows), the signature's columns only."""
        try:
            prep = self._runs.prepared(source.run)
            train, test = prep.X.iloc[prep.train[:EXAMPLE_ROWS]], prep.X.iloc[prep.test[:n]]
        except MLDeskError:
            frame = self._datasets.load(source.run.dataset_version_id)
            train, test = frame.head(EXAMPLE_ROWS), frame.head(n)
        columns = [c for c in signature.names if c in train.columns]
        return train[columns].reset_index(drop=True), test[columns].reset_index(drop=True)

    def _audit(self, source: ModelSource, result: ExportResult) -> None:
        entity_type, entity_id = source.entity
        verification = result.verification
        with self._db.session() as session:
            audit.record(session, EXPORT_ACTION, entity_type, entity_id, after={
                "model": source.label, "run_id": source.run.id, "path": str(result.path), "zipped": result.zipped,
                "model_sha256": result.model_sha256, "sums_sha256": result.sums_sha256,
                "verified": None if verification is None or verification.skipped else verification.ok,
            })


def stale_exports(folder: str | os.PathLike) -> list[Path]:
    """The unfinished exports in `folder` whose owning process is gone from this host (kill -9, power loss).

    Only folders named by `temp_name(EXPORT_TEMP_PREFIX)` count; those of a live process, of
    another host, or named otherwise (an older MLDesk's, a user's) are left alone.
    """
    folder = Path(folder)
    try:
        entries = sorted(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        raise BundleError(f"Cannot look into {folder} for unfinished exports: {exc.strerror or exc}.") from exc
    stale = []
    for entry in entries:
        owner = owner_of_temp(entry.name, EXPORT_TEMP_PREFIX)
        if owner is not None and entry.is_dir() and not entry.is_symlink() and owner.alive() is False:
            stale.append(entry)
    return stale


def remove_stale_exports(folder: str | os.PathLike) -> list[Path]:
    """Remove `stale_exports(folder)`; the ones removed (one that cannot be removed is left and not listed)."""
    removed = []
    for path in stale_exports(folder):
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            removed.append(path)
    return removed


def _prepare_target(out_dir: Path, final: Path, overwrite: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise BundleError(f"{out_dir} is a file; choose a folder to export into.")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BundleError(f"Cannot create the folder {out_dir}: {exc.strerror or exc}.") from exc
    if (final.exists() or final.is_symlink()) and not overwrite:
        raise BundleError(f"{final} already exists; remove it, choose another folder, or export with overwrite.")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _zip(folder: Path, target: Path, progress: ProgressCallback) -> None:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for i, path in enumerate(files):
            progress(i / max(len(files), 1), f"Zipping {path.name}")
            archive.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")


def _unzip(path: Path, into: Path) -> Path:
    """The bundle folder inside a bundle zip (refusing names that would land outside `into`)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            for name in names:
                target = (into / name).resolve()
                if not target.is_relative_to(into.resolve()):
                    raise BundleError(f"{path.name} holds a file outside its folder ({name}); it is not a bundle.")
            archive.extractall(into)
    except zipfile.BadZipFile:
        raise BundleError(f"{path} is neither a bundle folder nor a zip file.") from None
    tops = {n.split("/", 1)[0] for n in names}
    if len(tops) != 1:
        raise BundleError(f"{path.name} should hold one bundle folder; it holds {len(tops)} top-level entries.")
    return into / tops.pop()
