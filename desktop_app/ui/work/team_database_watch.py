"""Whether the open project's team database can be reached, and retrying until it can again.

A project in a team database (PostgreSQL, issue 13) lives on a server: a unit of work may fail
because the server is down, restarting or out of the network's reach. The core says so in one
sentence (`core/store/server.py`: "… cannot be reached …" or "the connection … was lost …"). One
`TeamDatabaseWatch` per window hears every task of the window's `TaskRunner` end; when one failed
that way it marks the database unreachable (`lost`) and tries a cheap read — the project's latest
audit event — on the runner, after `DELAYS_MS[0]`, then backing off to `DELAYS_MS[-1]`, never on the
GUI thread. When a try succeeds it emits `back` (the window reloads the step in view).

    watch = TeamDatabaseWatch(runner)
    watch.set_project(project)          # None, or a project in a local file: nothing to watch
    watch.lost.connect(...); watch.back.connect(...); watch.changed.connect(...)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.core.errors import ProjectError
from desktop_app.ui.work.background import BackgroundWork

if TYPE_CHECKING:
    from desktop_app.core.project import Project
    from desktop_app.ui.work.tasks import Task, TaskRunner

DELAYS_MS = (2_000, 4_000, 8_000, 15_000, 30_000)   # between tries: grows, then stays at the last


def unreachable(error: BaseException | None) -> bool:
    """Whether `error` says the team database's server cannot be reached (down, or the connection lost)."""
    if not isinstance(error, ProjectError):
        return False
    sentence = str(error)
    return "team database" in sentence and ("cannot be reached" in sentence or "was lost" in sentence)


class TeamDatabaseWatch(QObject):
    changed = Signal()          # reachable, tries or the next delay changed
    lost = Signal(object)       # the error of the unit of work that found the server unreachable
    back = Signal()             # a try reached the server again

    def __init__(self, runner: TaskRunner, parent: QObject | None = None, delays_ms: tuple[int, ...] = DELAYS_MS
                 ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.work = BackgroundWork(runner)
        self.delays_ms = delays_ms
        self.project: Project | None = None
        self.error: BaseException | None = None    # why it is unreachable; None while it is reachable
        self.tries = 0                             # tries that failed since it became unreachable
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._try)
        runner.task_ended.connect(self._task_ended)

    @property
    def reachable(self) -> bool:
        return self.error is None

    @property
    def where(self) -> str | None:
        """host:port/database of the watched project's team database (None: no team database open)."""
        return self.project.team_database if self.project is not None else None

    @property
    def next_delay_ms(self) -> int:
        return self.delays_ms[min(self.tries, len(self.delays_ms) - 1)]

    def set_project(self, project: Project | None) -> None:
        """Watch `project` if it lives in a team database; forget the previous one."""
        self.work.drop()
        self._timer.stop()
        self.project = project if project is not None and project.team_database else None
        was_unreachable = self.error is not None
        self.error, self.tries = None, 0
        if was_unreachable:
            self.changed.emit()

    def report(self, error: BaseException) -> None:
        """A unit of work failed with `error`: when it says the server is unreachable, start retrying."""
        if self.project is None or not unreachable(error) or self.error is not None:
            return
        self.error, self.tries = error, 0
        self._timer.start(self.next_delay_ms)
        self.changed.emit()
        self.lost.emit(error)

    def try_now(self) -> Task | None:
        """Try to reach the server at once (a "Retry now" of the user's)."""
        if self.project is None or self.error is None or self.work.running("try"):
            return None
        self._timer.stop()
        return self._try()

    def _task_ended(self, task: Task) -> None:
        if task.state == "failed" and task.error is not None:
            self.report(task.error)

    def _try(self) -> Task | None:
        project = self.project
        if project is None:
            return None
        return self.work.start("try", "Reaching the team database",
                               lambda _p: project.audit_events(project.id, limit=1),
                               visible=False, done=lambda _events: self._reached(), failed=self._still_unreachable)

    def _reached(self) -> None:
        if self.error is None:
            return
        self.error, self.tries = None, 0
        self.changed.emit()
        self.back.emit()

    def _still_unreachable(self, error: BaseException) -> None:
        if self.project is None or self.error is None:
            return
        self.error = error if unreachable(error) else self.error
        self.tries += 1
        self._timer.start(self.next_delay_ms)
        self.changed.emit()
