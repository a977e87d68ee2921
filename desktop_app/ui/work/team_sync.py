"""The open project's sync with its team's shared folder, for the whole window (docs/sync.md).

One `TeamSync` per window, shared by the top bar's sync badge, the Team place and the window's
opening and closing of projects — so that there is one sync state, and never two syncs of one
project at once. Every sync and every status read runs on the window's TaskRunner through
`BackgroundWork`; the GUI thread never touches the shared folder (a network drive that went away
can hang a plain `is_dir()` for seconds).

- `set_project(project)` reads the status and, when the project is linked, syncs (on open) — once the
  opening's own work is done: the chart library is prepared in slices on the GUI thread then
  (`chart_warmup`), and a sync's worker competing for the GIL would stretch its last slice from
  ~50 ms to ~180 ms;
- `sync_now()` is the Team place's "Sync now" (progress and Cancel in the task bar);
- `link(folder)` makes `folder` the project's shared folder and syncs with it;
- `close_project(project, then)` is a last sync when a project (or the window) closes: bounded by
  `CLOSE_BOUND_MS`, then cancelled — a sync cut anywhere loses nothing, the next one completes it;
- `refresh_status()` re-reads what waits to be sent and the conflicts (after a local change).

What it knows (`status`, `report`, `error`, `syncing`) changes with `changed()`; `received(report)`
follows a sync that applied the team's changes (the steps reload); `failed(error)` follows a sync
the user asked for that failed (the error dialog). Syncs the window starts on its own (opening,
closing) fail quietly: their sentence shows in the Team place and the top bar.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.ui.work.background import BackgroundWork
from desktop_app.ui.work.chart_warmup import charts_ready

if TYPE_CHECKING:
    from desktop_app.core.project import Project
    from desktop_app.core.sync.service import SyncReport, SyncStatus
    from desktop_app.ui.work.tasks import Task, TaskRunner

CLOSE_BOUND_MS = 4_000        # a closing sync gets this long, then it is cancelled (it resumes next time)
STATUS_DELAY_MS = 400         # after a local change, read the status once things settle
OPEN_POLL_MS = 100            # on opening, look this often whether the opening's own work is done …
OPEN_WAIT_MS = 5_000          # … and sync after this long in any case


class TeamSync(QObject):
    changed = Signal()                 # status, report, error or syncing changed
    received = Signal(object)          # SyncReport of a sync that applied something
    failed = Signal(object)            # an error of a sync the user asked for

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.work = BackgroundWork(runner)
        self.project: Project | None = None
        self.status: SyncStatus | None = None
        self.report: dict[str, Any] | None = None   # the last sync's report (SyncReport.to_dict())
        self.error: BaseException | None = None     # why the last sync failed (cleared by a good one)
        self.message = ""                          # the running sync's last progress message
        self.ended = 0                             # syncs of this project ended since it opened (any outcome)
        self._mine: weakref.WeakSet[Task] = weakref.WeakSet()      # every sync task started here
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(STATUS_DELAY_MS)
        self._status_timer.timeout.connect(self.refresh_status)
        self._open_timer = QTimer(self)
        self._open_timer.setInterval(OPEN_POLL_MS)
        self._open_timer.timeout.connect(self._sync_when_settled)
        self._open_waited = 0
        runner.task_ended.connect(self._task_ended)

    # -- what it knows -------------------------------------------------------------------------
    @property
    def linked(self) -> bool:
        return self.status is not None and self.status.folder is not None

    @property
    def syncing(self) -> bool:
        return self.work.running("sync")

    @property
    def busy(self) -> bool:
        """Syncing, or about to: the sync on opening waits for the opening's own work."""
        return self.syncing or self._open_timer.isActive()

    def owns(self, task: Task) -> bool:
        """Whether `task` is a sync started here (the window lets it finish when a project closes)."""
        return task in self._mine

    # -- the open project ----------------------------------------------------------------------
    def set_project(self, project: Project | None, *, sync: bool = True) -> None:
        """Follow `project` (None: no project); read its status, then sync if it is linked and `sync`."""
        self.work.drop()
        self._status_timer.stop()
        self._open_timer.stop()
        self.project, self.status, self.report, self.error, self.message = project, None, None, None, ""
        self.ended = 0
        self.changed.emit()
        if project is None:
            return

        def opened(status: SyncStatus) -> None:
            self._status_read(status)
            if sync and status.folder is not None:
                self._open_waited = 0
                self._open_timer.start()
                self._sync_when_settled()

        self.work.start("status", "Reading the sync status", lambda _p: project.sync.status(), visible=False,
                        done=opened, failed=self._status_failed)

    def _sync_when_settled(self) -> None:
        """The sync on opening, once the chart library is ready (or after OPEN_WAIT_MS)."""
        if self.project is None:
            self._open_timer.stop()
            return
        if not charts_ready() and self._open_waited < OPEN_WAIT_MS:
            self._open_waited += OPEN_POLL_MS
            return
        self._open_timer.stop()
        if not self.syncing:
            project = self.project
            self._start(lambda p: project.sync.sync(progress=p), "Syncing with the team's folder", asked=False)

    def refresh_status(self) -> Task | None:
        """Read the status again (pending changes, conflicts); nothing while a sync runs (it reads it after)."""
        if self.project is None or self.syncing:
            return None
        project = self.project
        return self.work.start("status", "Reading the sync status", lambda _p: project.sync.status(),
                               visible=False, done=self._status_read, failed=self._status_failed)

    def status_soon(self) -> None:
        """Read the status shortly (several changes in a row make one read)."""
        if self.project is not None:
            self._status_timer.start()

    # -- syncing ----------------------------------------------------------------------------------
    def sync_now(self) -> Task | None:
        """Publish this workstation's changes, then receive the team's (the user asked: errors are shown)."""
        if self.project is None or self.syncing:
            return self.work.task("sync")
        self._open_timer.stop()
        project = self.project
        return self._start(lambda p: project.sync.sync(progress=p), "Syncing with the team's folder", asked=True)

    def link(self, folder: str) -> Task | None:
        """Make `folder` the shared folder (a team's folder of this project, or an empty one) and sync."""
        if self.project is None or self.syncing:
            return None
        project = self.project
        return self._start(lambda p: project.sync.sync(folder, progress=p), f"Linking to {folder}", asked=True)

    def cancel(self) -> None:
        self.work.cancel("sync")

    def _start(self, sync: Callable[[Any], SyncReport], title: str, *, asked: bool) -> Task:
        project = self.project

        def work(progress: Any) -> tuple[SyncReport, SyncStatus]:
            return sync(progress), project.sync.status()

        self.error, self.message = None, ""
        task = self.work.start(
            "sync", title, work, done=self._synced, cancelled=self._sync_cancelled,
            failed=lambda error: self._sync_failed(error, asked),
            progress=lambda _f, message: self._progress(message))
        self._mine.add(task)
        self.changed.emit()
        return task

    def _progress(self, message: str) -> None:
        self.message = message
        self.changed.emit()

    def _synced(self, outcome: tuple[SyncReport, SyncStatus]) -> None:
        report, status = outcome
        self.ended += 1
        self.report, self.error, self.message = report.to_dict(), None, ""
        self._status_read(status)
        if report.applied:
            self.received.emit(report)

    def _sync_cancelled(self) -> None:
        self.ended += 1
        self.message = ""
        self.refresh_status()
        self.changed.emit()

    def _sync_failed(self, error: BaseException, asked: bool) -> None:
        self.ended += 1
        self.error, self.message = error, ""
        self.refresh_status()
        self.changed.emit()
        if asked:
            self.failed.emit(error)

    def _status_read(self, status: SyncStatus) -> None:
        self.status = status
        if status.last_report is not None:
            self.report = status.last_report
        self.changed.emit()

    def _status_failed(self, error: BaseException) -> None:
        self.error = error
        self.changed.emit()

    def _task_ended(self, task: Task) -> None:
        # A visible task of someone else's (an import, a run, a registration) may have made a change to send.
        if task.visible and not self.owns(task) and self.project is not None:
            self.status_soon()

    # -- closing ------------------------------------------------------------------------------------
    def close_project(self, project: Project, then: Callable[[], Any] | None = None) -> bool:
        """A last, bounded sync of `project` before it closes; `then()` once it ended (any outcome).

        Call it before `set_project` moves on. False (and `then` is not called) when there is nothing
        to do: the project is known not to be linked."""
        if project is self.project and self.status is not None and self.status.folder is None:
            return False
        task = self.work.release("sync") if project is self.project else None
        if task is None:
            def work(progress: Any) -> SyncReport | None:
                if project.sync.folder is None:
                    return None
                return project.sync.sync(progress=progress)

            task = self.work.run("Sending this workstation's changes to the team", work)
            self._mine.add(task)
        # else one sync at a time: the running one is the last one.
        if then is not None:
            task.ended.connect(then)
        QTimer.singleShot(CLOSE_BOUND_MS, self, lambda t=task: t.cancel() if t.is_running else None)
        return True
