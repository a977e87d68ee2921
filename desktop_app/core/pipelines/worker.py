"""A pipeline run in its own process, as the window starts it; no Qt here (the window polls).

The run is begun (recorded, every step waiting) in the window's process, then a `spawn`ed worker
opens the project and executes it, sending progress through a queue; each step's state is in
the run's record, which the window reads. Cancel terminates the worker at once — training need
not cooperate — and ends the run as cancelled, with the training run the worker left unfinished;
a registration is one transaction, so nothing is ever half registered.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import time
from typing import TYPE_CHECKING

from desktop_app.core.pipelines.entities import PipelineRun, PipelineStatus
from desktop_app.core.tracking.worker import worker_progress

if TYPE_CHECKING:
    from desktop_app.core.project import Project


def _child(project_path: str, database_url: str, run_id: str, events) -> None:
    from desktop_app.core.project import Project

    progress = worker_progress(lambda fraction, message: events.put(("progress", fraction, message)))
    with Project.open(project_path, database_url=database_url) as project:
        run = project.pipelines.execute(run_id, progress)
    events.put(("ended", 1.0, run.status.value))


class PipelineProcess:
    """One pipeline run executing in a worker process. Call `poll()` regularly until `ended`."""

    def __init__(self, project: Project, run_id: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.run_id = run_id
        self._project = project
        self._events = context.Queue()
        self.ended = False
        self.fraction, self.message = 0.0, "Starting"
        self.process = context.Process(target=_child, args=(str(project.path), project.db.url, run_id, self._events),
                                       daemon=True, name=f"mldesk-pipeline-{run_id[:8]}")
        self.process.start()

    def poll(self) -> PipelineRun:
        """Collect progress; close the run if its process died without ending it. The run as recorded now."""
        while True:
            try:
                kind, fraction, message = self._events.get_nowait()
            except queue_module.Empty:
                break
            if kind == "progress":
                self.fraction, self.message = fraction, message
            else:
                self.ended = True
                self.process.join(5)
        if not self.ended and not self.process.is_alive():
            self.ended = True
            code = self.process.exitcode
            if code not in (None, 0):
                return self._project.pipelines.abandon(
                    self.run_id, PipelineStatus.FAILED,
                    f"The pipeline's process stopped unexpectedly (exit code {code}); what its finished steps "
                    "made is kept — run it again.", worker_pid=self.process.pid)
        return self._project.pipelines.get_run(self.run_id)

    def cancel(self) -> PipelineRun:
        pid = self.process.pid
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(5)
        self.ended = True
        return self._project.pipelines.abandon(self.run_id, PipelineStatus.CANCELLED, "Cancelled by the user; "
                                               "what its finished steps made is kept.", worker_pid=pid)

    def wait(self, timeout: float = 600.0) -> PipelineRun:
        """Poll until the run ends (for scripts and tests)."""
        deadline = time.monotonic() + timeout
        run = self.poll()
        while not self.ended and time.monotonic() < deadline:
            time.sleep(0.05)
            run = self.poll()
        return run
