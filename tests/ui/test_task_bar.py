"""The task bar: clicking it opens the task log window; long titles are elided, never widen it."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from desktop_app.core.errors import DataImportError


def _bar(qtbot, runner, width=900):
    from desktop_app.ui.shell.task_bar import TaskBar

    bar = TaskBar(runner)
    qtbot.addWidget(bar)
    bar.resize(width, bar.sizeHint().height())
    bar.show()
    qtbot.waitExposed(bar)
    return bar


def test_clicking_the_bar_lists_tasks_with_their_status_and_error(qtbot, runner):
    from desktop_app.ui.shell.task_log_dialog import TaskLogDialog

    bar = _bar(qtbot, runner)
    release = threading.Event()

    def work(progress):  # reports are throttled (tasks.PROGRESS_INTERVAL_S): space them out
        steps = ((0.25, "Reading the file"), (0.30, "Reading the file"), (0.75, "Checking the columns"))
        for fraction, message in steps:
            progress(fraction, message)          # the same message twice is logged once
            time.sleep(0.08)
        release.wait(5)
        return "ok"

    def broken(progress):
        raise DataImportError("The file is empty — choose another file.")

    good = runner.submit("Import heart.csv", work)
    qtbot.waitUntil(lambda: "Checking the columns" in bar.title.full_text, timeout=5000)
    assert bar.title.cursor().shape() == Qt.CursorShape.PointingHandCursor
    assert "Show what this task did" in bar.title.toolTip()
    release.set()
    qtbot.waitUntil(lambda: good.state == "done", timeout=5000)
    bad = runner.submit("Import empty.csv", broken)
    qtbot.waitUntil(lambda: bad.state == "failed" and not runner.tasks, timeout=5000)
    assert "Import empty.csv — failed" in bar.idle.full_text

    qtbot.mouseClick(bar.idle, Qt.MouseButton.LeftButton)
    dialog = bar.findChild(TaskLogDialog) or bar._dialog
    assert isinstance(dialog, TaskLogDialog) and dialog.isVisible() and not dialog.isModal()
    rows = [(dialog.tasks.topLevelItem(i).text(0), dialog.tasks.topLevelItem(i).text(1))
            for i in range(dialog.tasks.topLevelItemCount())]
    assert rows == [("Import empty.csv", "failed"), ("Import heart.csv", "done")]   # newest first

    assert dialog.selected() is bad.log
    text = dialog.log_view.toPlainText()
    assert "Failed: The file is empty — choose another file." in text
    assert "Traceback" in text and "DataImportError" in text                         # the details

    dialog.tasks.setCurrentItem(dialog.tasks.topLevelItem(1))
    messages = [entry.message for entry in good.log.entries]
    assert messages == ["Started", "Reading the file", "Checking the columns", "Finished"]
    assert "Checking the columns" in dialog.log_view.toPlainText()
    copied = dialog.copy()
    assert QGuiApplication.clipboard().text() == copied and "Reading the file" in copied

    dialog.tasks.setCurrentItem(dialog.tasks.topLevelItem(0))
    dialog.resize(720, 420)
    dialog.grab().save("/tmp/task_log.png")
    dialog.close()


def test_a_long_title_is_elided_and_does_not_widen_the_bar(qtbot, runner):
    bar = _bar(qtbot, runner, width=900)      # the main window is never narrower (its steps need 860+)
    release = threading.Event()
    title = "Training " + "a very long model name " * 14
    title = title[:300]
    task = runner.submit(title, lambda progress: release.wait(5))
    try:
        qtbot.waitUntil(lambda: bar.title.isVisible() and bar.title.width() > 300, timeout=5000)
        assert len(title) == 300
        assert bar.sizeHint().width() <= bar.width()
        assert bar.minimumSizeHint().width() <= 600                # the window can still shrink
        assert bar.title.width() < bar.title.fontMetrics().horizontalAdvance(title)
        assert bar.title.is_elided() and "…" in bar.title.displayed_text()
        assert title in bar.title.toolTip()
    finally:
        release.set()
    qtbot.waitUntil(lambda: task.state == "done", timeout=5000)
    assert bar.sizeHint().width() <= bar.width()                 # "Last task: <long title> — done"


def test_a_cancelled_task_logs_the_request_and_the_end(qtbot, runner):
    started = threading.Event()

    def work(progress):
        started.set()
        while True:
            progress(0.1, "working")
            threading.Event().wait(0.005)

    task = runner.submit("endless", work)
    qtbot.waitUntil(lambda: task.message == "working", timeout=5000)
    with qtbot.waitSignal(task.cancelled, timeout=5000):
        task.cancel()
    messages = [entry.message for entry in task.log.entries]
    assert messages[0] == "Started" and messages.count("working") == 1
    assert "Cancel requested" in messages and messages[-1].startswith("Cancelled")
    assert runner.history[0] is task.log and task.log.ended_at is not None


def test_the_history_keeps_only_visible_tasks_and_is_bounded(qtbot, runner):
    from desktop_app.ui.work import tasks

    for index in range(tasks.HISTORY_SIZE + 5):
        runner.submit(f"task {index}", lambda progress: None)
    runner.submit("hidden helper", lambda progress: None, visible=False)
    qtbot.waitUntil(lambda: not runner.tasks, timeout=10_000)
    titles = [log.title for log in runner.history]
    assert len(titles) == tasks.HISTORY_SIZE and titles[0] == f"task {tasks.HISTORY_SIZE + 4}"
    assert "hidden helper" not in titles
