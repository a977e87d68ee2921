"""What the Export step's worker threads do (no Qt here: these run off the GUI thread).

Each function takes the open project and the `progress` callback the TaskRunner hands in
(which raises `Cancelled` once the user presses Cancel), and returns plain objects the step
shows on the GUI thread.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.core.progress import ProgressCallback, no_progress, scaled

PREVIEW_ROWS = 200
CARD = "MODEL_CARD.md"
MESSAGE_CHARS = 60   # progress messages longer than this (long paths) are shortened in the middle


def short_messages(progress: ProgressCallback) -> ProgressCallback:
    """Forward progress with messages cut to MESSAGE_CHARS, so a long path cannot widen the task bar."""

    def forward(fraction: float, message: str) -> None:
        if len(message) > MESSAGE_CHARS:
            keep = MESSAGE_CHARS - 1
            message = message[: keep // 2] + "…" + message[-(keep - keep // 2):]
        progress(fraction, message)

    return forward


@dataclass(frozen=True)
class BundleListing:
    """What is in a bundle on disk: (path inside the bundle, size in bytes) and its model card."""

    path: Path
    zipped: bool
    files: tuple[tuple[str, int], ...]
    card: str = ""

    @property
    def size(self) -> int:
        return sum(size for _name, size in self.files)


@dataclass(frozen=True)
class ExportOutcome:
    result: Any                     # bundles.entities.ExportResult
    listing: BundleListing


@dataclass(frozen=True)
class LastExport:
    """The newest `model.export` audit event of a version, and the bundle if it is still there."""

    event: Any
    listing: BundleListing | None = None


@dataclass(frozen=True)
class ScoringOutcome:
    result: Any                     # scoring.service.ScoringResult
    preview: Any                    # DataFrame: predictions first, at most PREVIEW_ROWS rows
    added: list[str] = field(default_factory=list)   # the prediction and probability columns


def list_bundle(path: Path) -> BundleListing:
    """The files of a bundle folder or zip, sorted as SHA256SUMS lists them, with the model card's text."""
    path = Path(path)
    if path.is_file():
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            files = sorted((i.filename.split("/", 1)[-1], i.file_size) for i in infos)
            card_name = next((i.filename for i in infos if i.filename.split("/", 1)[-1] == CARD), None)
            card = archive.read(card_name).decode("utf-8", "replace") if card_name else ""
        return BundleListing(path, True, tuple(files), card)
    files = sorted((p.relative_to(path).as_posix(), p.stat().st_size) for p in path.rglob("*") if p.is_file())
    card_path = path / CARD
    card = card_path.read_text(encoding="utf-8", errors="replace") if card_path.is_file() else ""
    return BundleListing(path, False, tuple(files), card)


def export_bundle(project: Any, ref: str, folder: Path, *, zipped: bool, overwrite: bool,
                  progress: ProgressCallback = no_progress) -> ExportOutcome:
    progress = short_messages(progress)
    result = project.bundles.export(ref, folder, zip=zipped, overwrite=overwrite, progress=scaled(progress, 0, 0.99))
    listing = list_bundle(result.path)
    progress(1.0, f"Exported {result.model}")
    return ExportOutcome(result, listing)


def verify_bundle(project: Any, path: Path, ref: str, progress: ProgressCallback = no_progress) -> Any:
    return project.bundles.verify(path, ref, progress=short_messages(progress))


def last_export(project: Any, version_id: str) -> LastExport | None:
    """The newest export of this version recorded in the audit trail (any session, any user)."""
    events = [e for e in project.audit_events(entity_id=version_id, limit=500) if e.action == "model.export"]
    if not events:
        return None
    event = events[0]
    path = Path((event.after or {}).get("path", ""))
    listing = None
    try:
        if str(path) and path.exists():
            listing = list_bundle(path)
    except (OSError, zipfile.BadZipFile):
        listing = None
    return LastExport(event, listing)


def validate_file(project: Any, ref: str, path: Path, progress: ProgressCallback = no_progress) -> Any:
    return project.scoring.validate_file(ref, path, progress=short_messages(progress))


def score_file(project: Any, ref: str, path: Path, out: Path, *, only_valid: bool,
               progress: ProgressCallback = no_progress) -> ScoringOutcome:
    from desktop_app.ui.steps.export.text import prediction_columns

    result = project.scoring.score_file(ref, path, out=out, only_valid=only_valid, progress=short_messages(progress))
    added = prediction_columns(list(result.output.columns), result.classes)
    head = result.output.head(PREVIEW_ROWS)
    preview = head[added + [c for c in head.columns if c not in added]].reset_index(drop=True)
    return ScoringOutcome(result, preview, added)
