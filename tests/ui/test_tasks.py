"""The task runner: results, errors and cancel reach the GUI thread through signals."""

from __future__ import annotations

import threading

from desktop_app.core.errors import DataImportError


def test_result_and_progress_arrive_on_the_gui_thread(qtbot, runner):
    gui = threading.current_thread()
    seen = []

    def work(progress):
        progress(0.5, "half way")
        return 42

    task = runner.submit("answer", work)
    task.progress.connect(lambda f, m: seen.append((threading.current_thread() is gui, f, m)))
    with qtbot.waitSignal(task.finished, timeout=5000) as blocker:
        pass
    assert blocker.args == [42]
    assert task.state == "done"
    assert all(on_gui for on_gui, _, _ in seen)
    qtbot.waitUntil(lambda: not runner.tasks)


def test_failure_carries_the_exception(qtbot, runner):
    def work(progress):
        raise DataImportError("The file is empty — choose another file.")

    task = runner.submit("broken", work)
    with qtbot.waitSignal(task.failed, timeout=5000) as blocker:
        pass
    assert isinstance(blocker.args[0], DataImportError)
    assert task.error is blocker.args[0]


def test_cancel_stops_a_cooperative_task(qtbot, runner):
    started = threading.Event()

    def work(progress):
        started.set()
        while True:  # ends only through Cancelled raised by the progress callback
            progress(0.1, "working")
            threading.Event().wait(0.005)

    task = runner.submit("endless", work)
    qtbot.waitUntil(started.is_set, timeout=5000)
    with qtbot.waitSignal(task.cancelled, timeout=5000):
        task.cancel()
    assert task.state == "cancelled"
    qtbot.waitUntil(lambda: not runner.tasks)


def test_result_of_a_cancelled_task_is_dropped(qtbot, runner):
    release = threading.Event()

    def work(progress):  # never reports progress after starting
        release.wait(5)
        return "late"

    task = runner.submit("deaf", work)
    finished = []
    task.finished.connect(finished.append)
    task.cancel()
    with qtbot.waitSignal(task.cancelled, timeout=5000):
        release.set()
    assert finished == []
