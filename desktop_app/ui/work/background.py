"""Background work written once: what a step (or a dialog) runs, and what it does with the outcome.

A step used to write four methods per long action (start, done, failed, cancelled) and open each
handler with `if task is not self._x_task: return`, so that a result arriving after the user had
moved on (another version picked, the project closed) was not shown. `BackgroundWork` does that
bookkeeping once, after Orange's `ConcurrentMixin` (start a task, cancel the one it replaces, ignore
a stale result), on the window's `TaskRunner`:

    self.work.start("load", f"Loading {version.label}", lambda progress: datasets.load(version, progress),
                    done=self._show_table, failed=self._show_load_error)

- A **slot** ("load", "check", …) holds at most one task. Starting another in the same slot cancels
  the first, and nothing the first reports reaches its callbacks any more.
- `done(result)`, `failed(error)` and `cancelled()` run on the GUI thread for the current task of
  the slot only, after the slot is freed; `ended()` follows whichever of them ran; `progress(f, m)`
  follows the current task's reports.
- `cancel(slot)` is the user's Cancel: the task stays current, so its `cancelled` (or its result,
  if it ended first) still arrives. `drop(slot)` cancels and forgets: nothing of it arrives (a
  new project). `release(slot)` forgets without cancelling: the task goes on, unheard.
  `running(slot)` says whether a slot is busy.
- `run(...)` starts a task that no other replaces and that `drop()` does not stop — a change the
  user asked for (save, register, archive): every outcome arrives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from desktop_app.core.progress import ProgressCallback
    from desktop_app.ui.work.tasks import Task, TaskRunner

T = TypeVar("T")
Work = Callable[["ProgressCallback"], T]


class BackgroundWork:
    """Named slots of background work for one owner (a step panel or a dialog)."""

    def __init__(self, runner: TaskRunner) -> None:
        self.runner = runner
        self._current: dict[str, Task] = {}
        self._loose: set[Task] = set()        # tasks of run(): not in a slot, never replaced

    def start(
        self,
        slot: str,
        title: str,
        work: Work[T],
        *,
        done: Callable[[T], Any] | None = None,
        failed: Callable[[BaseException], Any] | None = None,
        cancelled: Callable[[], Any] | None = None,
        ended: Callable[[], Any] | None = None,
        progress: Callable[[float, str], Any] | None = None,
        visible: bool = True,
    ) -> Task:
        """Run `work(progress)` in `slot`, replacing (and cancelling) the slot's previous task.

        `visible=False` keeps quick helper work (loading a list, a preview) out of the task bar."""
        self.drop(slot)
        task = self.runner.submit(title, work, visible=visible)
        self._current[slot] = task

        def settle(callback: Callable[..., Any] | None, *outcome: Any) -> None:
            if self._current.get(slot) is not task:
                return  # replaced or dropped: whoever asked for it has moved on
            del self._current[slot]
            if callback is not None:
                callback(*outcome)
            if ended is not None:
                ended()

        task.finished.connect(lambda result: settle(done, result))
        task.failed.connect(lambda error: settle(failed, error))
        task.cancelled.connect(lambda: settle(cancelled))
        if progress is not None:
            task.progress.connect(lambda fraction, message: progress(fraction, message)
                                  if self._current.get(slot) is task else None)
        return task

    def run(
        self,
        title: str,
        work: Work[T],
        *,
        done: Callable[[T], Any] | None = None,
        failed: Callable[[BaseException], Any] | None = None,
        cancelled: Callable[[], Any] | None = None,
        visible: bool = True,
    ) -> Task:
        """Run `work(progress)` outside any slot: nothing replaces or drops it, every outcome arrives."""
        task = self.runner.submit(title, work, visible=visible)
        self._loose.add(task)

        def settle(callback: Callable[..., Any] | None, *outcome: Any) -> None:
            self._loose.discard(task)   # first: a callback that asks `running()` hears the truth
            if callback is not None:
                callback(*outcome)

        task.finished.connect(lambda result: settle(done, result))
        task.failed.connect(lambda error: settle(failed, error))
        task.cancelled.connect(lambda: settle(cancelled))
        return task

    def task(self, slot: str) -> Task | None:
        """The slot's current task, or None."""
        return self._current.get(slot)

    def running(self, *slots: str) -> bool:
        """Whether any of `slots` holds a task (with no slot named: any slot, or any task of `run`)."""
        if not slots:
            return bool(self._current) or bool(self._loose)
        return any(slot in self._current for slot in slots)

    def cancel(self, *slots: str) -> None:
        """Ask the tasks of `slots` to stop; their `cancelled` (or their result, if first) still arrives."""
        for slot in slots:
            task = self._current.get(slot)
            if task is not None:
                task.cancel()

    def release(self, slot: str) -> Task | None:
        """Let the slot's task go on without its owner: it is not cancelled, and nothing of it arrives
        any more (a last sync of a project being closed, say). Returns the task."""
        return self._current.pop(slot, None)

    def drop(self, *slots: str) -> None:
        """Cancel and forget the tasks of `slots` (every slot when none is named): nothing of them
        arrives any more. Tasks of `run` go on."""
        for slot in slots or list(self._current):
            task = self._current.pop(slot, None)
            if task is not None:
                task.cancel()
