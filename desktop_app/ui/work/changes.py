"""What changed in the open project, so that every step shows the project as it is now, without F5.

A step that changed the project says what kind of thing it changed (`StepPanel.announce(Change.RUNS)`);
the window reloads the step in view at once if it shows that kind and marks the others stale, to reload
when they are shown. Changes made elsewhere — a CLI command, a training worker, a teammate on a team
database — are found by `AuditWatch`: every change writes an audit event, so the newest event's id,
read on a worker when the window regains focus or a step is shown, says whether anything moved.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from desktop_app.ui.work.background import BackgroundWork

if TYPE_CHECKING:
    from desktop_app.core.project import Project
    from desktop_app.ui.work.tasks import TaskRunner


class Change(Enum):
    """A kind of project state a step shows."""

    DATASETS = "datasets"   # a version imported or made by fixes
    REPORTS = "reports"     # a quality report saved
    RUNS = "runs"           # runs created, started, ended
    REGISTRY = "registry"   # model versions, aliases, gates, descriptions, drift settings
    MONITOR = "monitor"     # monitoring batches
    BUNDLES = "bundles"     # exported bundles
    PIPELINES = "pipelines"  # pipeline definitions saved, pipeline runs


EVERYTHING = frozenset(Change)


class AuditWatch(QObject):
    """Whether someone else changed the project since we last looked: the newest audit event's id.

    `check()` reads it on a worker (never the GUI thread: a team database is a round trip away) and
    emits `moved` when it differs from the one seen before; `settle()` takes the newest as seen (after
    a change made in this window, which the steps already follow)."""

    moved = Signal()

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.work = BackgroundWork(runner)
        self.project: Project | None = None
        self.seen: str | None = None

    def set_project(self, project: Project | None) -> None:
        self.work.drop()
        self.project, self.seen = project, None
        self.settle()

    def settle(self) -> None:
        self._read(news=False)

    def check(self) -> None:
        if not self.work.running("newest"):   # a read under way answers this question too
            self._read(news=True)

    def _read(self, *, news: bool) -> None:
        project = self.project
        if project is None:
            return

        def newest(_progress) -> str | None:
            events = project.audit_events(limit=1)
            return events[0].id if events else None

        # A failure (a team database out of reach) is the database watch's to tell; the next check retries.
        self.work.start("newest", "Looking for changes made elsewhere", newest, visible=False,
                        done=lambda event_id: self._seen(event_id, news), failed=lambda _error: None)

    def _seen(self, event_id: str | None, news: bool) -> None:
        before, self.seen = self.seen, event_id
        if news and event_id != before:
            self.moved.emit()
