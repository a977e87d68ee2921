"""The Export step's Batch scoring tab at work: check a file's rows against the version in focus, then
score them into a file.

A mixin of `ExportStep` (panel.py); the tab's widgets are `ScoringPanel` (scoring.py) and the worker
functions are in work.py. Both actions run in the step's `work` slots "validate" and "score"; a new
check replaces the one under way, a scoring waits for nothing else to run.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.ui.steps.export.text import Verdict, default_export_folder, exact_ref
from desktop_app.ui.widgets.errors import show_error, technical_details, user_message

if TYPE_CHECKING:
    from desktop_app.core.scoring.validation import ValidationReport
    from desktop_app.ui.steps.export.panel import ExportStep
    from desktop_app.ui.steps.export.work import ScoringOutcome
    from desktop_app.ui.work.tasks import Task


class ScoringActions:
    """Check, then score, a file of new rows with the version in focus."""

    def validate_file(self: ExportStep, path: Path) -> Task | None:
        """Check a file's rows against the version in focus (worker thread)."""
        from desktop_app.ui.steps.export.work import validate_file

        if self.project is None or self.entry is None or self.work.running("score"):
            return None
        path = Path(path)
        self.scoring.output_folder = self.default_export_folder()
        self.scoring.set_input(path)
        self.scoring.reset(keep_input=True)
        project, version = self.project, self.entry.version
        ref = exact_ref(version)
        task = self.work.start(
            "validate", f"Checking {path.name}", lambda progress: validate_file(project, ref, path, progress),
            progress=self.scoring.set_progress, done=self._validated,
            failed=lambda error: self._validate_failed(path, error), cancelled=self._validate_cancelled,
            ended=self._update_actions)
        self.scoring.set_busy(True, f"Reading {path.name}…")
        self._update_actions()
        return task

    def default_export_folder(self: ExportStep) -> Path:
        """Where bundles and scored files go unless the user browses elsewhere: the project's exports/, or a
        folder in Documents when the project itself hides under an app-data folder (the sample project)."""
        from PySide6.QtCore import QStandardPaths

        from desktop_app.core.sample import user_data_dir

        assert self.project is not None
        documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        return default_export_folder(Path(self.project.bundles.default_folder),
                                     Path(documents or Path.home()), [user_data_dir()])

    def _validated(self: ExportStep, report: ValidationReport) -> None:
        self.scoring.set_busy(False)
        self.scoring.show_report(report)

    def _validate_failed(self: ExportStep, path: Path, error: BaseException) -> None:
        self.scoring.set_busy(False)
        self.scoring.show_problem(Verdict("fail", f"Could not check {path.name}", user_message(error),
                                          technical_details(error)))

    def _validate_cancelled(self: ExportStep) -> None:
        self.scoring.set_busy(False)
        self.scoring.show_problem(Verdict("neutral", "Check cancelled", "Choose the file again to check it."))

    def score(self: ExportStep, out: Path, only_valid: bool) -> Task | None:
        from desktop_app.ui.steps.export.work import score_file

        path = self.scoring.input_path
        if self.project is None or self.entry is None or path is None or self.busy:
            return None
        project, version, out = self.project, self.entry.version, Path(out)
        if out.parent == self.scoring.output_folder:
            with suppress(OSError):   # the default folder in Documents may not exist yet; the core says if it fails
                out.parent.mkdir(parents=True, exist_ok=True)
        ref = exact_ref(version)
        task = self.work.start(
            "score", f"Scoring {path.name}",
            lambda progress: score_file(project, ref, path, out, only_valid=only_valid, progress=progress),
            progress=self.scoring.set_progress, done=self._scored,
            failed=lambda error: self._score_failed(path, error), cancelled=self._score_cancelled,
            ended=self._update_actions)
        self.scoring.clear_result()
        self.scoring.set_busy(True, f"Scoring {path.name}…")
        self._update_actions()
        return task

    def _scored(self: ExportStep, outcome: ScoringOutcome) -> None:
        self.scoring.set_busy(False)
        self.scoring.show_result(outcome)

    def _score_failed(self: ExportStep, path: Path, error: BaseException) -> None:
        self.scoring.set_busy(False)
        show_error(self, f"Could not score {path.name}", error)

    def _score_cancelled(self: ExportStep) -> None:
        self.scoring.set_busy(False)
        self.scoring.summary.setText("Scoring cancelled — no file was written.")
        self.scoring.summary.setVisible(True)
