"""Loads a version's table once, in the background, and builds a finding's evidence from it.

The Quality step asks `request(finding)` whenever the highlighted finding changes; only the
newest request is answered (`ready(finding, evidence)` or `failed(finding, text)`). The table
is kept for the version in focus only, and shared with fix previews (`frame()`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from desktop_app.ui.widgets.errors import user_message
from desktop_app.ui.work.background import BackgroundWork

if TYPE_CHECKING:
    import pandas as pd

    from desktop_app.core.data.entities import DatasetVersionInfo
    from desktop_app.core.data.service import DatasetService
    from desktop_app.core.quality.findings import Finding
    from desktop_app.ui.work.tasks import TaskRunner


def needs_data(finding: Finding) -> bool:
    """Whether the finding has anything to show from the table (a column, a pair, example rows)."""
    return bool(finding.column or finding.evidence_rows or finding.check == "correlated_features")


class EvidenceLoader(QObject):
    ready = Signal(object, object)   # finding, Evidence
    failed = Signal(object, str)     # finding, what went wrong (one sentence)

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.work = BackgroundWork(runner)
        self._datasets: DatasetService | None = None
        self._version: DatasetVersionInfo | None = None
        self._frame: pd.DataFrame | None = None
        self._wanted: Finding | None = None     # the finding whose evidence is waiting for the table

    def set_version(self, datasets: DatasetService | None, version: DatasetVersionInfo | None) -> None:
        """Forget the previous version's table; nothing is loaded until evidence is asked for."""
        if version is not None and self._version is not None and version.id == self._version.id:
            return
        self.cancel()
        self._datasets, self._version, self._frame = datasets, version, None

    def frame(self) -> pd.DataFrame | None:
        """The loaded table of the current version, or None."""
        return self._frame

    def request(self, finding: Finding | None) -> None:
        self.work.drop("evidence")
        self._wanted = None
        if finding is None or self._version is None or not needs_data(finding):
            return
        if self._frame is None:
            self._wanted = finding
            self._load()
            return
        frame, kinds = self._frame, dict(self._version.kinds)

        def work(_progress):
            from desktop_app.ui.steps.quality.evidence import build_evidence

            return build_evidence(frame, kinds, finding)

        self.work.start("evidence", f"Evidence for {finding.check}", work, visible=False,
                        done=lambda evidence: self.ready.emit(finding, evidence),
                        failed=lambda error: self.failed.emit(finding, user_message(error)))

    def cancel(self) -> None:
        self.work.drop()
        self._wanted = None

    # -- internals ------------------------------------------------------------------------------
    def _load(self) -> None:
        if self.work.running("table"):
            return
        version, datasets = self._version, self._datasets
        self.work.start("table", f"Loading {version.label}", lambda progress: datasets.load(version, progress),
                        visible=False, done=self._loaded, failed=self._load_failed)

    def _loaded(self, frame: pd.DataFrame) -> None:
        self._frame = frame
        if self._wanted is not None:
            self.request(self._wanted)

    def _load_failed(self, error: BaseException) -> None:
        wanted, self._wanted = self._wanted, None
        self.failed.emit(wanted, user_message(error))
