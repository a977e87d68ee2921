"""What the Export step's worker threads do (no Qt here: these run off the GUI thread).

Each function takes the open project and the `progress` callback the TaskRunner hands in
(which raises `Cancelled` once the user presses Cancel), and returns plain objects the step
shows on the GUI thread: the core's result with what the step shows beside it. What a bundle
on disk holds and a version's last export are the core's (`project.bundles.listing`,
`project.bundles.last_export`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.core.progress import ProgressCallback, no_progress, scaled
from desktop_app.ui.work import separate_process

if TYPE_CHECKING:
    import pandas as pd

    from desktop_app.core.bundles.entities import ExportResult, VerificationResult
    from desktop_app.core.bundles.listing import BundleListing
    from desktop_app.core.project import Project
    from desktop_app.core.scoring.service import ScoringResult
    from desktop_app.core.scoring.validation import ValidationReport

PREVIEW_ROWS = 200
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
class ExportOutcome:
    result: ExportResult
    listing: BundleListing          # what the new bundle holds, for the Bundle tab


@dataclass(frozen=True)
class ScoringOutcome:
    result: ScoringResult
    preview: pd.DataFrame           # predictions and flags first, at most PREVIEW_ROWS rows
    added: list[str] = field(default_factory=list)   # the prediction, probability and flags columns
    row_numbers: list[int] = field(default_factory=list)   # each preview row's number in the input
    ids: list[str] = field(default_factory=list)           # id columns: shown as written, no separators


def export_bundle(project: Project, ref: str, folder: Path, *, zipped: bool, overwrite: bool,
                  progress: ProgressCallback = no_progress) -> ExportOutcome:
    progress = short_messages(progress)
    # Verifying re-creates the run's held-out rows: for a large table, in a separate process (see that module).
    needs = project.runs.prepared_bytes(project.scoring.source(ref).run)
    result = separate_process.call(project, "bundles.export", ref, folder, zip=zipped, overwrite=overwrite,
                                   needs=needs, progress=scaled(progress, 0, 0.99))
    listing = project.bundles.listing(result.path)
    progress(1.0, f"Exported {result.model}")
    return ExportOutcome(result, listing)


def verify_bundle(project: Project, path: Path, ref: str,
                  progress: ProgressCallback = no_progress) -> VerificationResult:
    return project.bundles.verify(path, ref, progress=short_messages(progress))


def validate_file(project: Project, ref: str, path: Path,
                  progress: ProgressCallback = no_progress) -> ValidationReport:
    return project.scoring.validate_file(ref, path, progress=short_messages(progress))


def score_file(project: Project, ref: str, path: Path, out: Path, *, only_valid: bool,
               progress: ProgressCallback = no_progress) -> ScoringOutcome:
    result = project.scoring.score_file(ref, path, out=out, only_valid=only_valid, progress=short_messages(progress))
    head = result.output.head(PREVIEW_ROWS)
    row, flags = head.columns[0], head.columns[-1]   # scoring.output's order: row first, flags last
    added = [*result.prediction_columns, str(flags)]
    preview = head[added + [c for c in head.columns if c not in added and c != row]].reset_index(drop=True)
    return ScoringOutcome(result, preview, added, [int(n) for n in head[row]], list(result.id_columns))
