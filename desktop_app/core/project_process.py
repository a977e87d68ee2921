"""A project service's method called in a `spawn`ed process, as if it were called here; no Qt here.

Why: some work holds Python's global lock for long stretches that cannot be split — numpy's legacy
`RandomState.shuffle`, which re-draws a run's training rows, held it 324–355 ms on 9M rows. Called on
a thread of the window's process, such work freezes the window however it is scheduled; in another
process it cannot. `call_in_process(project, "monitor.add_batch", ref, path, progress=progress)` opens
the same project in a child process, calls `project.monitor.add_batch(ref, path, progress=…)` there
and returns its result, so the caller (a worker thread of the window) reads like a plain call:

- progress reports come back through a pipe and are passed to `progress`;
- cancel is cooperative, as for a thread: when `progress` raises `Cancelled`, the child is told, its own
  progress callback raises `Cancelled` at its next report, and the method leaves nothing behind;
- an error raised in the child is raised here (the child's traceback as its cause); one that cannot
  cross the pipe becomes an `MLDeskError` with the same sentence, or a `RuntimeError` naming it;
- a child that dies (a crash in native code, the kernel's out-of-memory killer) raises `ProcessDied`.

Starting a child costs ~1–2 s (a fresh interpreter imports pandas and scikit-learn), so callers use it
for large work only. The child opens the project from its folder (never a second `Project` in the
window's process: see `ui/work/run_queue_bridge.py` on SQLite locks) without recovery, which the
window already did, and runs at the lower priority of training workers.
"""

from __future__ import annotations

import multiprocessing
import pickle
import threading
import traceback
from typing import TYPE_CHECKING, Any

from desktop_app.core.errors import Cancelled, MLDeskError
from desktop_app.core.progress import ProgressCallback, no_progress

if TYPE_CHECKING:
    from desktop_app.core.project import Project

POLL_S = 0.1   # how often the waiting thread looks for the child's messages (and for a cancel)


class ProcessDied(MLDeskError):
    """The child process stopped without an answer."""


class RemoteTraceback(Exception):
    """The traceback of an error raised in the child, attached as the cause of the error raised here."""

    def __init__(self, text: str) -> None:
        super().__init__(text)

    def __str__(self) -> str:
        return f"\n\nIn the child process:\n{self.args[0]}"


def call_in_process(project: Project, method: str, *args: Any, progress: ProgressCallback = no_progress,
                    **kwargs: Any) -> Any:
    """`project.<method>(*args, progress=…, **kwargs)` run in a child process (see the module doc).

    `method` is a dotted path from the project ("monitor.add_batch"); the arguments and the result must
    pickle. Blocks until the child ends."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    stop = context.Event()
    process = context.Process(target=_child, args=(str(project.path), project.db.url, method, args, kwargs, send,
                                                   stop), daemon=True, name=f"mldesk-{method}")
    process.start()
    send.close()   # the child holds the only writing end now: its death reads as the end of the pipe
    last = (0.0, "Starting a separate process")
    try:
        while True:
            if not receive.poll(POLL_S):
                if not process.is_alive() and not receive.poll(0):
                    raise _died(process)
                _relay(progress, last, stop)   # notices a cancel even while the child is quiet
                continue
            try:
                kind, payload = receive.recv()
            except EOFError:
                raise _died(process) from None
            if kind == "progress":
                last = payload
                _relay(progress, last, stop)
            elif kind == "done":
                return payload
            else:
                raise _error(*payload)
    finally:
        receive.close()
        # Reaped on the side: a child that freed gigabytes takes up to seconds to exit, and its answer is here.
        threading.Thread(target=process.join, daemon=True, name="mldesk-reap").start()


def project_method(project: Project, method: str) -> Any:
    """The bound method a dotted path names from the project: "monitor.add_batch" → `project.monitor.add_batch`."""
    target: Any = project
    for name in method.split("."):
        target = getattr(target, name)
    return target


def _relay(progress: ProgressCallback, report: tuple[float, str], stop: Any) -> None:
    """Pass a report on; a cancel the caller raises is passed to the child instead (once)."""
    if stop.is_set():
        return  # the child is stopping: its Cancelled (or its result) is what ends the call
    try:
        progress(*report)
    except Cancelled:
        stop.set()


def _died(process: Any) -> ProcessDied:
    process.join(1)
    return ProcessDied(f"The separate process doing this work stopped unexpectedly (exit code {process.exitcode}), "
                       "so it was not finished. Close other programs to free memory and try again.")


def _error(error: BaseException, remote_traceback: str) -> BaseException:
    error.__cause__ = RemoteTraceback(remote_traceback)
    return error


# -- the child -------------------------------------------------------------------------------------

def _child(project_path: str, database_url: str, method: str, args: tuple, kwargs: dict, send: Any,
           stop: Any) -> None:
    from desktop_app.core.project import Project
    from desktop_app.core.tracking.worker import worker_progress

    report = worker_progress(lambda fraction, message: send.send(("progress", (fraction, message))))

    def progress(fraction: float, message: str) -> None:
        if stop.is_set():
            raise Cancelled()
        report(fraction, message)

    try:
        with Project.open(project_path, database_url=database_url, recover=False) as project:
            result = project_method(project, method)(*args, progress=progress, **kwargs)
        send.send(("done", result))
    except BaseException as error:  # noqa: BLE001 - every error goes back to the caller
        send.send(("failed", (_portable(error), traceback.format_exc())))
    finally:
        send.close()


def _portable(error: BaseException) -> BaseException:
    """`error` if it survives pickling; else an error of a plain type with the same sentence."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:  # noqa: BLE001 - any failure to cross means: send a plain copy
        if isinstance(error, MLDeskError):
            return MLDeskError(str(error))
        return RuntimeError(f"{type(error).__name__}: {error}")
