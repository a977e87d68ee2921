"""Background work for the window: a thread pool with a thin Qt bridge.

`TaskRunner.submit(title, fn)` runs `fn(progress)` on a worker thread. `progress` is a
`CancelToken`-wrapped callback, so core functions report progress and stop cooperatively
when the user presses Cancel.

Worker threads never touch Qt: they put (task, event) pairs on a thread-safe queue, and a
timer on the GUI thread drains it and emits each `Task`'s signals there. (Emitting Qt signals
from plain Python threads is exactly where PySide6 has had lost-signal and crash bugs; this
way every connected slot, lambdas included, runs on the GUI thread, and nothing is lost.)
The timer only runs while tasks exist. Progress is throttled so a chatty core function
cannot flood the event loop.
"""

from __future__ import annotations

import queue
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.core.errors import Cancelled
from desktop_app.core.progress import CancelToken, ProgressCallback
from desktop_app.ui.work import heap
from desktop_app.ui.work.task_log import TaskLog

PROGRESS_INTERVAL_S = 0.05  # at most ~20 progress updates per second per task
POLL_MS = 15                 # how often the GUI thread picks up worker events
HISTORY_SIZE = 50            # logs of the last visible tasks kept for the task bar


class Task(QObject):
    """One piece of background work. Connect to its signals, call `cancel()` to stop it."""

    progress = Signal(float, str)   # fraction 0..1, message
    finished = Signal(object)       # the function's return value
    failed = Signal(object)         # the exception (never Cancelled)
    cancelled = Signal()            # the user cancelled; nothing was kept
    ended = Signal()                # after any of finished / failed / cancelled

    def __init__(self, title: str, *, visible: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.visible = visible
        self.token = CancelToken()
        self.fraction = 0.0
        self.message = ""
        self.state = "queued"        # queued, running, done, failed, cancelled
        self.result: Any = None
        self.error: BaseException | None = None
        self.log = TaskLog(title, visible=visible)   # what it did (kept after it ended)

    def cancel(self) -> None:
        """Ask the task to stop; it ends with `cancelled` at its next progress report."""
        if not self.token.cancelled:
            self.log.cancel_requested()
        self.token.cancel()

    @property
    def is_running(self) -> bool:
        return self.state in ("queued", "running")

    # -- GUI thread, called by the runner --------------------------------------------
    def _apply_progress(self, fraction: float, message: str) -> None:
        if not self.is_running:
            return  # a late report after the end
        self.state = "running"
        self.fraction, self.message = fraction, message
        self.log.progress(fraction, message)
        self.progress.emit(fraction, message)

    def _apply_done(self, future: Future) -> None:
        error = None if future.cancelled() else future.exception()
        if future.cancelled() or isinstance(error, Cancelled):
            self.state = "cancelled"
            self.log.cancelled()
            self.cancelled.emit()
        elif error is not None:
            self.state = "failed"
            self.error = error
            self.log.failed(error)
            self.failed.emit(error)
        else:
            self.state = "done"
            self.result = future.result()
            self.log.finished()
            self.finished.emit(self.result)
        self.ended.emit()


class _Reporter:
    """The progress callback a worker calls: throttles, then queues the report (no Qt here)."""

    def __init__(self, task: Task, events: queue.SimpleQueue) -> None:
        self._task, self._events, self._last = task, events, 0.0

    def __call__(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if fraction >= 1.0 or fraction <= 0.0 or now - self._last >= PROGRESS_INTERVAL_S:
            self._last = now
            self._events.put((self._task, "progress", (float(fraction), str(message))))


class TaskRunner(QObject):
    """Runs tasks on a private thread pool; announces them for the task bar."""

    task_started = Signal(object)  # Task, when submitted
    task_ended = Signal(object)    # Task, after it ended (any outcome)

    def __init__(self, max_workers: int = 4, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="mldesk-task")
        self._events: queue.SimpleQueue = queue.SimpleQueue()
        self._tasks: list[Task] = []
        self._history: deque[TaskLog] = deque(maxlen=HISTORY_SIZE)
        self._closed = False
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._drain)

    def submit(
        self,
        title: str,
        fn: Callable[[ProgressCallback], Any],
        *,
        visible: bool = True,
    ) -> Task:
        """Run `fn(progress)` in the background and return its Task.

        `visible=False` keeps quick helper work (previews, summaries) out of the task bar. Steps and
        dialogs go through `background.BackgroundWork`, which connects the Task's outcomes for them.
        """
        if self._closed:
            raise RuntimeError("The task runner has been shut down.")
        task = Task(title, visible=visible)
        self._tasks.append(task)
        if visible:
            self._history.append(task.log)
        self.task_started.emit(task)
        events = self._events
        future = self._executor.submit(self._run, task.token, _Reporter(task, events), fn)
        future.add_done_callback(lambda f, t=task: events.put((t, "done", f)))
        if not self._timer.isActive():
            self._timer.start()
        return task

    @property
    def tasks(self) -> list[Task]:
        """Tasks that have not ended yet, oldest first."""
        return list(self._tasks)

    @property
    def history(self) -> list[TaskLog]:
        """Logs of the last `HISTORY_SIZE` visible tasks (running or ended), newest first."""
        return list(reversed(self._history))

    def has_running(self, *, visible_only: bool = False) -> bool:
        return any(t.is_running and (t.visible or not visible_only) for t in self._tasks)

    def cancel_all(self) -> None:
        for task in self._tasks:
            task.cancel()

    @property
    def is_shut_down(self) -> bool:
        """The window closed: no more work is taken (a timer that fires after that must not submit)."""
        return self._closed

    def shutdown(self, wait: bool = True) -> None:
        """Cancel everything and stop the pool (on window close); pending results are dropped."""
        self._closed = True
        self.cancel_all()
        self._executor.shutdown(wait=wait, cancel_futures=True)
        self._timer.stop()

    # -- worker thread (no Qt) -------------------------------------------------------
    @staticmethod
    def _run(token: CancelToken, report: _Reporter, fn: Callable[[ProgressCallback], Any]) -> Any:
        callback = token.wrap(report)
        callback(0.0, "Starting…")
        result = fn(callback)
        if token.cancelled:
            # The function finished without noticing; its result is no longer wanted.
            raise Cancelled()
        return result

    # -- GUI thread ---------------------------------------------------------------------
    def _drain(self) -> None:
        while True:
            try:
                task, kind, payload = self._events.get_nowait()
            except queue.Empty:
                break
            if kind == "progress":
                task._apply_progress(*payload)
            else:
                task._apply_done(payload)
                if task in self._tasks:
                    self._tasks.remove(task)
                self.task_ended.emit(task)
        if not self._tasks:
            self._timer.stop()
            heap.settle()   # the modules the work imported stay out of the full garbage collections
