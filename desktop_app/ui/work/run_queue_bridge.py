"""Training runs for the window: the core `RunQueue` behind a thin Qt bridge.

One bridge serves the whole window: the Train step submits the runs it creates, the
Compare step submits re-runs, and both listen to the same signals.

Why a thread and not `RunQueue.poll()` on a GUI timer: `poll()` joins a finished worker
process (measured 400–530 ms while the child interpreter shuts down), and `cancel()`
terminates and joins one (~50 ms) and writes to the database. Called on the GUI thread
those would freeze the window, so a private Python thread owns the queue and polls it
every 100 ms. That thread never touches Qt: it puts plain events on a thread-safe queue,
and a timer on the GUI thread drains it and emits this object's signals (the TaskRunner's
pattern). The GUI thread only ever enqueues commands, so Start, Cancel and Cancel all
return at once.

Task bar: given the window's TaskRunner, each running run is mirrored there as a task
("Training Logistic regression", its progress, Cancel) by a tiny waiting function that
only relays progress — so the bottom bar shows training like any other background work,
and its Cancel button cancels the run.

The thread uses the window's own `Project` object (its engine is thread-safe, as for the
TaskRunner's threads). It must NOT open a second `Project` on the same folder: opening
one reads the database file with a plain `open()`/`close()`, and on POSIX closing any
descriptor of a file drops every SQLite lock this process holds on it — the next worker
process to exit then believes it is the last connection and deletes the live WAL file
(seen here as runs that stay "queued" for the window, then "database disk image is
malformed").
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

if TYPE_CHECKING:
    from desktop_app.core.project import Project
    from desktop_app.ui.work.tasks import TaskRunner

POLL_S = 0.1        # how often the queue thread polls the worker processes
DRAIN_MS = 100      # how often the GUI thread picks up what the queue thread saw


class RunQueueBridge(QObject):
    """Submit, cancel and follow training runs executed in worker processes.

    Signals arrive on the GUI thread, in order, for every run submitted here:
    `run_submitted` → `run_started` → `run_progress`… → `run_ended` (a run cancelled
    while waiting goes straight to `run_ended`).
    """

    run_submitted = Signal(str)             # run id, queued
    run_started = Signal(str)               # run id, its worker process started
    run_progress = Signal(str, float, str)  # run id, fraction 0..1, message
    run_ended = Signal(str, str)            # run id, final status: finished, failed or cancelled
    busy_changed = Signal(bool)             # True while any run waits or runs
    failed = Signal(object)                 # an error of the queue itself (not of a run)

    def __init__(self, parallel: int = 1, runner: TaskRunner | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.parallel = max(1, parallel)
        self.runner = runner                   # TaskRunner: mirror running runs in the task bar
        self._titles: dict[str, str] = {}
        self._mirrors: dict[str, _Mirror] = {}
        self.project: Project | None = None
        self._worker: _QueueThread | None = None
        self._events: queue.SimpleQueue = queue.SimpleQueue()
        self._states: dict[str, str] = {}      # run id → queued, running, cancelling (ended runs drop out)
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_MS)
        self._timer.timeout.connect(self._drain)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # -- GUI thread: commands ---------------------------------------------------------
    def set_project(self, project: Project) -> None:
        """Follow `project`; runs of the previous project are cancelled (their workers stop)."""
        if project is self.project:
            return
        self._stop_worker(wait=False)
        self.project = project

    def submit(self, run_ids: Iterable[str], titles: dict[str, str] | None = None) -> None:
        """Queue runs already created (`project.runs.create` / `rerun`); they start in order.

        `titles` names them for the task bar ("Logistic regression · balanced")."""
        if self.project is None:
            raise RuntimeError("Open a project before training.")
        worker = self._ensure_worker()
        for run_id in run_ids:
            if run_id in self._states:
                continue
            self._states[run_id] = "queued"
            self._titles[run_id] = (titles or {}).get(run_id) or f"run {run_id[:8]}"
            worker.commands.put(("submit", run_id))
            self.run_submitted.emit(run_id)
        self._wake()

    def cancel(self, run_id: str) -> None:
        """Stop one run now (its worker process is terminated); `run_ended` follows."""
        if self._worker is None or self._states.get(run_id) in (None, "cancelling"):
            return
        self._states[run_id] = "cancelling"
        self._worker.commands.put(("cancel", run_id))
        self._wake()

    def cancel_all(self) -> None:
        for run_id in list(self._states):
            self.cancel(run_id)

    def shutdown(self, wait: bool = True) -> None:
        """Cancel every run and stop the queue thread (window close, application quit)."""
        self._stop_worker(wait=wait)
        self._drain()
        self._timer.stop()

    # -- GUI thread: state ----------------------------------------------------------------
    def state(self, run_id: str) -> str | None:
        """'queued', 'running' or 'cancelling' for a run not yet ended here; None otherwise."""
        return self._states.get(run_id)

    @property
    def active(self) -> list[str]:
        """Runs submitted here that have not ended yet, in submission order."""
        return list(self._states)

    @property
    def busy(self) -> bool:
        return bool(self._states)

    # -- internals ------------------------------------------------------------------------
    def _ensure_worker(self) -> _QueueThread:
        if self._worker is None or not self._worker.is_alive():
            self._worker = _QueueThread(self.project, self.parallel, self._events)
            self._worker.start()
        return self._worker

    def _stop_worker(self, wait: bool) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.commands.put(("stop", None))
            if wait:
                worker.join(30)
        # Runs of that queue are cancelled by its thread; report them ended now so that
        # nothing waits for them (their late events are dropped: they are no longer known).
        ended = list(self._states)
        self._states.clear()
        for run_id in ended:
            self._end_mirror(run_id, "cancelled")
            self.run_ended.emit(run_id, "cancelled")
        if self._timer.isActive():
            self._timer.stop()
            self.busy_changed.emit(False)

    def _wake(self) -> None:
        if not self._timer.isActive():
            self._timer.start()
            self.busy_changed.emit(True)

    def _drain(self) -> None:
        latest: dict[str, tuple[float, str]] = {}
        ended: list[tuple[str, str]] = []
        while True:
            try:
                kind, run_id, payload = self._events.get_nowait()
            except queue.Empty:
                break
            if kind == "error":
                self.failed.emit(payload)
                continue
            if run_id not in self._states:
                continue  # from a previous project's queue, or already reported
            if kind == "started":
                if self._states[run_id] == "queued":
                    self._states[run_id] = "running"
                self._start_mirror(run_id)
                self.run_started.emit(run_id)
            elif kind == "progress":
                latest[run_id] = payload  # only the newest report per run is drawn
            else:
                latest.pop(run_id, None)
                ended.append((run_id, payload))
                self._states.pop(run_id, None)
                self._end_mirror(run_id, payload)
                self.run_ended.emit(run_id, payload)
        for run_id, (fraction, message) in latest.items():
            if run_id in self._states:
                mirror = self._mirrors.get(run_id)
                if mirror is not None:
                    mirror.latest = (fraction, message)
                self.run_progress.emit(run_id, fraction, message)
        if not self._states and self._timer.isActive():
            self._timer.stop()
            self.busy_changed.emit(False)


    # -- the task bar ------------------------------------------------------------------------
    def _start_mirror(self, run_id: str) -> None:
        if self.runner is None or run_id in self._mirrors:
            return
        mirror = _Mirror()
        self._mirrors[run_id] = mirror
        try:
            task = self.runner.submit(f"Training {self._titles.get(run_id, run_id[:8])}", mirror.relay)
        except RuntimeError:  # the runner was shut down (window closing)
            self._mirrors.pop(run_id, None)
            return
        # Cancel in the task bar cancels the run (a run that ended first is left alone).
        task.cancelled.connect(lambda: self.cancel(run_id) if run_id in self._states else None)

    def _end_mirror(self, run_id: str, status: str) -> None:
        self._titles.pop(run_id, None)
        mirror = self._mirrors.pop(run_id, None)
        if mirror is not None:
            mirror.finish(status)


class _Mirror:
    """The task-bar twin of a running run: waits, relays progress, ends as the run ended. No Qt."""

    def __init__(self) -> None:
        self.latest: tuple[float, str] = (0.0, "Starting")
        self._status: str | None = None
        self._done = threading.Event()

    def finish(self, status: str) -> None:
        self._status = status
        self._done.set()

    def relay(self, progress: Any) -> str:
        """Runs on a TaskRunner thread; `progress` raises Cancelled when Cancel is pressed."""
        from desktop_app.core.errors import Cancelled, MLDeskError

        while not self._done.wait(POLL_S):
            progress(*self.latest)
        if self._status == "cancelled":
            raise Cancelled()
        if self._status == "failed":
            raise MLDeskError("The run failed; the Train step's queue says why (Why? button).")
        return self._status


class _QueueThread(threading.Thread):
    """Owns a RunQueue; no Qt here. Events: (kind, run_id, payload)."""

    def __init__(self, project: Project, parallel: int, events: queue.SimpleQueue) -> None:
        super().__init__(name="mldesk-run-queue", daemon=True)
        self.commands: queue.SimpleQueue = queue.SimpleQueue()
        self._project, self._parallel, self._events = project, parallel, events

    def run(self) -> None:
        from desktop_app.core.tracking.worker import RunQueue

        project = self._project
        try:
            runs = RunQueue(project, self._parallel)
        except Exception as error:  # noqa: BLE001 - reported to the window
            self._events.put(("error", "", error))
            self._fail_pending()
            return
        try:
            while self._serve(runs, project):
                for event in self._safe(runs.poll) or ():
                    if event.kind == "ended":
                        self._events.put(("ended", event.run_id, str(event.status)))
                    elif event.kind == "started":
                        self._events.put(("started", event.run_id, None))
                    else:
                        self._events.put(("progress", event.run_id, (float(event.fraction), str(event.message))))
        finally:
            self._safe(runs.cancel_all)

    def _serve(self, runs: Any, project: Project) -> bool:
        """Carry out the commands that arrived (waiting up to POLL_S for the first); False on stop."""
        try:
            command = self.commands.get(timeout=POLL_S)
        except queue.Empty:
            return True
        while True:
            kind, run_id = command
            if kind == "stop":
                return False
            if kind == "submit":
                runs.submit(run_id)
            elif kind == "cancel":
                known = run_id in runs.waiting or run_id in runs.running
                self._safe(lambda run_id=run_id: runs.cancel(run_id))
                if known:  # RunQueue reports nothing for a cancelled run: say how it ended
                    status = self._safe(lambda run_id=run_id: str(project.runs.get(run_id).status)) or "cancelled"
                    self._events.put(("ended", run_id, status))
            try:
                command = self.commands.get_nowait()
            except queue.Empty:
                return True

    def _safe(self, fn: Any) -> Any:
        try:
            return fn()
        except Exception as error:  # noqa: BLE001 - reported to the window, the loop goes on
            self._events.put(("error", "", error))
            return None

    def _fail_pending(self) -> None:
        while True:
            try:
                kind, run_id = self.commands.get_nowait()
            except queue.Empty:
                return
            if kind == "submit":
                self._events.put(("ended", run_id, "failed"))
