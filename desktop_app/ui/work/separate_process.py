"""Large work in a separate process, small work on the calling worker thread: the one decision, written once.

Some core work holds Python's lock for tenths of a second that cannot be split, and the window's own thread
then stalls whatever thread the work runs on: re-drawing a run's training rows (numpy's legacy shuffle,
324–355 ms on 9M rows), factorizing millions of labels, first imports of large modules. `call(project,
"monitor.add_batch", version, path, needs=bytes, progress=progress)`, called from a worker thread, runs
`project.monitor.add_batch(version, path, progress=…)` in a child process (`core.project_process`) when
`needs` — the work's peak memory as the core estimates it (`MonitorService.memory_needed`,
`RunService.prepared_bytes`) — reaches PROCESS_BYTES, and on the calling thread otherwise. Either way the
caller sees the same result, errors, progress and cooperative cancel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from desktop_app.core.progress import ProgressCallback, no_progress

if TYPE_CHECKING:
    from desktop_app.core.project import Project

# ~100k rows of a 20-column table (a batch read and scored, or a run's training rows re-created). On a thread
# the window's stalls grow with the rows (105–160 ms for a drift batch at 1M rows, ~490 ms at 10M); below this
# size they stay near 10 ms, and the ~1 s a new process takes to start would cost more than it saves.
PROCESS_BYTES = 64 * 2**20


def call(project: Project, method: str, *args: Any, needs: int | None, at: int | None = None,
         progress: ProgressCallback = no_progress, **kwargs: Any) -> Any:
    """`project.<method>(*args, progress=progress, **kwargs)`, in a child process when `needs` reaches `at` bytes
    (default PROCESS_BYTES)."""
    from desktop_app.core.project_process import call_in_process, project_method

    if (needs or 0) >= (PROCESS_BYTES if at is None else at):
        return call_in_process(project, method, *args, progress=progress, **kwargs)
    return project_method(project, method)(*args, progress=progress, **kwargs)
