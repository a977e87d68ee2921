"""Builds a finding's evidence in the background, reading only the columns and rows it shows.

The Quality step asks `request(finding)` whenever the highlighted finding changes; only the
newest request is answered (`ready(finding, evidence)` or `failed(finding, text)`). No table is
kept in the window: each evidence reads its column(s) and example rows from the version's
snapshot (evidence_source.py), so a 10-million-row version does not sit in memory twice; the fix
preview loads the table it needs itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from desktop_app.ui.widgets.errors import user_message
from desktop_app.ui.work.background import BackgroundWork

if TYPE_CHECKING:
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

    def set_version(self, datasets: DatasetService | None, version: DatasetVersionInfo | None) -> None:
        """Evidence from now on comes from `version`; a request for another version is dropped."""
        if version is not None and self._version is not None and version.id == self._version.id:
            return
        self.cancel()
        self._datasets, self._version = datasets, version

    def request(self, finding: Finding | None) -> None:
        self.work.drop("evidence")
        if finding is None or self._version is None or self._datasets is None or not needs_data(finding):
            return
        datasets, version = self._datasets, self._version

        def work(progress):
            from desktop_app.ui.steps.quality.evidence_source import load_evidence

            return load_evidence(datasets, version, finding, progress)

        self.work.start("evidence", f"Evidence for {finding.check}", work, visible=False,
                        done=lambda evidence: self.ready.emit(finding, evidence),
                        failed=lambda error: self.failed.emit(finding, user_message(error)))

    def cancel(self) -> None:
        self.work.drop()
