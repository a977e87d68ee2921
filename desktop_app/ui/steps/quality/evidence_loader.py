"""Loads a version's table once, in the background, and builds a finding's evidence from it.

The Quality step asks `request(finding)` whenever the highlighted finding changes; only the
newest request is answered (`ready(finding, evidence)` or `failed(finding, text)`). The table
is kept for the version in focus only, and shared with fix previews (`frame()`).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop_app.ui.widgets.errors import user_message
from desktop_app.ui.work.tasks import Task, TaskRunner


def needs_data(finding: Any) -> bool:
    """Whether the finding has anything to show from the table (a column, a pair, example rows)."""
    return bool(finding.column or finding.evidence_rows or finding.check == "correlated_features")


class EvidenceLoader(QObject):
    ready = Signal(object, object)   # finding, Evidence
    failed = Signal(object, str)     # finding, what went wrong (one sentence)

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._datasets: Any = None
        self._version: Any = None
        self._frame: Any = None
        self._frame_task: Task | None = None
        self._evidence_task: Task | None = None
        self._wanted: Any = None     # the finding whose evidence is waiting for the table

    def set_version(self, datasets: Any, version: Any) -> None:
        """Forget the previous version's table; nothing is loaded until evidence is asked for."""
        if version is not None and self._version is not None and version.id == self._version.id:
            return
        self.cancel()
        self._datasets, self._version, self._frame = datasets, version, None

    def frame(self) -> Any:
        """The loaded table of the current version, or None."""
        return self._frame

    def request(self, finding: Any) -> None:
        if self._evidence_task is not None:
            self._evidence_task.cancel()
            self._evidence_task = None
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

        task = self._runner.submit(f"Evidence for {finding.check}", work, visible=False)
        self._evidence_task = task
        task.finished.connect(lambda evidence, t=task, f=finding: self._built(t, f, evidence))
        task.failed.connect(lambda error, t=task, f=finding: self._build_failed(t, f, error))

    def cancel(self) -> None:
        for task in (self._frame_task, self._evidence_task):
            if task is not None:
                task.cancel()
        self._frame_task = self._evidence_task = self._wanted = None

    # -- internals ------------------------------------------------------------------------------
    def _load(self) -> None:
        if self._frame_task is not None:
            return
        version, datasets = self._version, self._datasets
        task = self._runner.submit(f"Loading {version.label}", lambda progress: datasets.load(version, progress),
                                   visible=False)
        self._frame_task = task
        task.finished.connect(lambda frame, t=task: self._loaded(t, frame))
        task.failed.connect(lambda error, t=task: self._load_failed(t, error))

    def _loaded(self, task: Task, frame: Any) -> None:
        if task is not self._frame_task:
            return
        self._frame_task = None
        self._frame = frame
        if self._wanted is not None:
            self.request(self._wanted)

    def _load_failed(self, task: Task, error: BaseException) -> None:
        if task is not self._frame_task:
            return
        self._frame_task = None
        wanted, self._wanted = self._wanted, None
        self.failed.emit(wanted, user_message(error))

    def _built(self, task: Task, finding: Any, evidence: Any) -> None:
        if task is self._evidence_task:
            self._evidence_task = None
            self.ready.emit(finding, evidence)

    def _build_failed(self, task: Task, finding: Any, error: BaseException) -> None:
        if task is self._evidence_task:
            self._evidence_task = None
            self.failed.emit(finding, user_message(error))
