"""Runs executed in worker processes, queued; no Qt here (the window polls `RunQueue`).

A worker is a `spawn`ed process that opens the project and executes one run; it sends
progress through a queue. Cancel terminates the process at once — training need not
cooperate — and a worker that dies (a crash in native code) only fails its run.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_app.core.progress import ProgressCallback
from desktop_app.core.tracking.entities import RunStatus

if TYPE_CHECKING:
    from desktop_app.core.project import Project

PROGRESS_INTERVAL = 0.1  # seconds between progress messages a worker sends
# A worker runs at a lower scheduling priority than the window, so that on a small machine
# whose cores the training fills, the window still gets the CPU the moment it needs it.
WORKER_NICENESS = 5


@dataclass(frozen=True)
class RunEvent:
    run_id: str
    kind: str            # "started", "progress" or "ended"
    fraction: float = 0.0
    message: str = ""
    status: RunStatus | None = None


def worker_progress(send: Callable[[float, str], None]) -> ProgressCallback:
    """In a worker process: lower its priority, and a progress callback that sends at most one message every
    PROGRESS_INTERVAL (and the last one) with `send`."""
    import os

    if hasattr(os, "nice"):  # POSIX; Windows workers keep the normal priority
        os.nice(WORKER_NICENESS)
    last = [0.0]

    def progress(fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_INTERVAL or fraction >= 1.0:
            last[0] = now
            send(float(fraction), message)

    return progress


def _child(project_path: str, database_url: str, run_id: str, events) -> None:
    from desktop_app.core.project import Project

    progress = worker_progress(lambda fraction, message: events.put(("progress", run_id, fraction, message)))
    with Project.open(project_path, database_url=database_url) as project:
        run = project.runs.execute(run_id, progress)
    events.put(("ended", run_id, 1.0, run.status.value))


class RunProcess:
    """One run in its own process."""

    def __init__(self, project: Project, run_id: str, events) -> None:
        context = multiprocessing.get_context("spawn")
        self.run_id = run_id
        self._project = project
        self.process = context.Process(
            target=_child, args=(str(project.path), project.db.url, run_id, events), daemon=True,
            name=f"mldesk-run-{run_id[:8]}",
        )
        self.process.start()

    def cancel(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(5)
        self._project.runs.mark_ended(self.run_id, RunStatus.CANCELLED, "Cancelled by the user.")

    def reap(self) -> RunStatus:
        """After the process is gone: make sure the run is closed, whatever killed it."""
        self.process.join(1)
        code = self.process.exitcode
        run = self._project.runs.mark_ended(
            self.run_id, RunStatus.FAILED,
            f"The training process stopped unexpectedly (exit code {code}); the window and other runs "
            "are unaffected. Try fewer rows or a simpler model, or report this run's id.",
        )
        return run.status


class RunQueue:
    """Runs waiting and running, at most `parallel` at once. Call `poll()` regularly."""

    def __init__(self, project: Project, parallel: int = 1) -> None:
        self._project = project
        self.parallel = max(1, parallel)
        self._events = multiprocessing.get_context("spawn").Queue()
        self._waiting: deque[str] = deque()
        self._running: dict[str, RunProcess] = {}

    @property
    def waiting(self) -> list[str]:
        return list(self._waiting)

    @property
    def running(self) -> list[str]:
        return list(self._running)

    def submit(self, run_id: str) -> None:
        self._waiting.append(run_id)

    def cancel(self, run_id: str) -> None:
        if run_id in self._waiting:
            self._waiting.remove(run_id)
            self._project.runs.mark_ended(run_id, RunStatus.CANCELLED, "Cancelled before it started.")
        elif run_id in self._running:
            self._running.pop(run_id).cancel()

    def cancel_all(self) -> None:
        for run_id in list(self._waiting) + list(self._running):
            self.cancel(run_id)

    def poll(self) -> list[RunEvent]:
        """Start what can start, collect progress, close what ended."""
        events: list[RunEvent] = []
        while len(self._running) < self.parallel and self._waiting:
            run_id = self._waiting.popleft()
            self._running[run_id] = RunProcess(self._project, run_id, self._events)
            events.append(RunEvent(run_id, "started"))
        while True:
            try:
                kind, run_id, fraction, payload = self._events.get_nowait()
            except queue_module.Empty:
                break
            if run_id not in self._running:
                continue  # a late message from a cancelled worker
            if kind == "progress":
                events.append(RunEvent(run_id, "progress", fraction, payload))
            else:
                self._running.pop(run_id).process.join(5)
                events.append(RunEvent(run_id, "ended", 1.0, status=RunStatus(payload)))
        for run_id, worker in list(self._running.items()):
            if not worker.process.is_alive() and worker.process.exitcode not in (None, 0):
                self._running.pop(run_id)
                events.append(RunEvent(run_id, "ended", 1.0, status=worker.reap()))
        return events

    def wait(self, timeout: float = 600.0) -> list[RunEvent]:
        """Poll until nothing is waiting or running (for scripts and tests)."""
        events: list[RunEvent] = []
        deadline = time.monotonic() + timeout
        while (self._waiting or self._running) and time.monotonic() < deadline:
            events.extend(self.poll())
            time.sleep(0.05)
        return events
