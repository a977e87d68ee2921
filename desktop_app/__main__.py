"""The entry point of `python -m desktop_app` and of the standalone build's executable (packaging/build.py).

With no arguments it opens the window; with arguments it is the `mldesk` CLI (`mldesk --version`,
`mldesk init …`). `multiprocessing.freeze_support()` comes first: in a frozen executable a
training worker (`multiprocessing` spawn, core/tracking/worker.py) is this same executable
started again with `--multiprocessing-fork`, which must run the worker and exit here, before any
argument is parsed or any window opens. Outside a frozen executable it does nothing.

`MLDESK_SMOKE_WINDOW=<folder>` is the seam of packaging/smoke.py, the smoke test of the frozen
build (where no test harness can reach inside): the window opens as usual, then the welcome page
(and, with MLDESK_SMOKE_PROJECT, that project's Data step) is saved to PNG in the folder, with
the seconds from MLDESK_SMOKE_T0 (the launcher's `time.time()`) to the painted welcome page and
where the user guide was found; with MLDESK_SMOKE_TRAIN=DATASET:TARGET:ALGORITHM one run is
trained through the window's run queue (a spawned worker process, as the Train step does), and
the window closes instead of running its event loop. Results go to window.json in the folder.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Sequence

SMOKE_WINDOW = "MLDESK_SMOKE_WINDOW"
SMOKE_PROJECT = "MLDESK_SMOKE_PROJECT"
SMOKE_T0 = "MLDESK_SMOKE_T0"
SMOKE_TRAIN = "MLDESK_SMOKE_TRAIN"


def main(argv: Sequence[str] | None = None) -> int:
    multiprocessing.freeze_support()   # a frozen spawn child runs its worker here and exits
    _restore_library_path()
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        _release_windows_console()
        if os.environ.get(SMOKE_WINDOW):
            _smoke_window()
        args = ["gui"]
    from desktop_app.cli import main as cli_main

    return cli_main(args)


def _restore_library_path() -> None:
    """Linux build: PyInstaller's launcher points LD_LIBRARY_PATH at the build's libraries, and every program
    this one starts would inherit it — the file manager or browser that "Open folder" and the guide's links
    start (xdg-open), `mount`, … — and could load the build's libraries instead of its own and crash. This
    process no longer needs it (the loader read it at start-up), so children get the user's value back.
    A spawned training worker is this executable again: its launcher sets the variable anew."""
    if not getattr(sys, "frozen", False) or not sys.platform.startswith("linux"):
        return
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is None:
        os.environ.pop("LD_LIBRARY_PATH", None)
    else:
        os.environ["LD_LIBRARY_PATH"] = original


def _release_windows_console() -> None:
    """Windows: the build is a console executable (so the CLI prints); a double-click on it opens a
    console of its own, which the window does not need. Leave a console this process did not create."""
    if sys.platform != "win32" or not getattr(sys, "frozen", False):
        return
    import ctypes

    kernel32 = ctypes.windll.kernel32
    processes = (ctypes.c_uint * 2)()
    if kernel32.GetConsoleProcessList(processes, 2) == 1:   # only us: the console was opened for this process
        kernel32.FreeConsole()


def _smoke_window() -> None:
    """Replace the window's event loop by the smoke test's screenshots (see the module's docstring)."""
    import json
    import time
    from pathlib import Path

    import desktop_app.ui.app as app_module

    out = Path(os.environ[SMOKE_WINDOW])
    started = float(os.environ.get(SMOKE_T0) or time.time())

    def wait_until(app, condition, timeout: float = 120.0) -> bool:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                return False
            app.processEvents()
            time.sleep(0.01)
        return True

    def shots(app, window) -> int:
        window.repaint()
        app.processEvents()
        report: dict = {"welcome_seconds": time.time() - started}
        out.mkdir(parents=True, exist_ok=True)
        report["welcome_saved"] = window.grab().save(str(out / "welcome.png"))
        project = os.environ.get(SMOKE_PROJECT)
        if project:
            window.open_project(project)
            report["project_opened"] = wait_until(app, lambda: window.project is not None and not window.runner.tasks)
            window.navigator.select("data")
            report["data_loaded"] = wait_until(
                app, lambda: window.data_step.model is not None and not window.runner.tasks)
            window.repaint()
            app.processEvents()
            report["data_saved"] = window.grab().save(str(out / "data.png"))
            train = os.environ.get(SMOKE_TRAIN)
            if train and window.project is not None:
                report["worker_run"] = _train_in_worker(app, window, train.split(":", 2), wait_until)
        from desktop_app.ui.shell.guide_files import guide_path

        report["guide"] = str(guide_path())
        report["children_library_path"] = os.environ.get("LD_LIBRARY_PATH")
        (out / "window.json").write_text(json.dumps(report), encoding="utf-8")
        window.close()
        return 0

    app_module._run = shots


def _train_in_worker(app, window, spec: list[str], wait_until) -> dict:
    """One run through the window's run queue, in a spawned worker process; its final status."""
    from desktop_app.core.tracking.entities import RunSpec, RunStatus

    dataset, target, algorithm = spec
    project = window.project
    run = project.runs.create(RunSpec(dataset=dataset, target=target, algorithm=algorithm))
    window.run_queue.submit([run.id])
    ended = (RunStatus.FINISHED, RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.INTERRUPTED)
    wait_until(app, lambda: project.runs.get(run.id).status in ended, timeout=300.0)
    done = project.runs.get(run.id)
    return {"id": done.id, "status": str(done.status), "metrics": done.metrics,
            "error": (done.error or "").strip().splitlines()[:1]}


if __name__ == "__main__":
    raise SystemExit(main())
