"""Drive the real window for the benchmarks: open, import through the wizard, show a table.

Runs in a child process started by bench_import.py (QT_QPA_PLATFORM=offscreen).
The event loop is spun with processEvents, as a user's session would run it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QWizard


def spin_until(condition: Callable[[], bool], timeout: float = 600.0) -> None:
    """Run the event loop until `condition()` holds. It waits for events as `app.exec()` does, woken every 5 ms
    to look at the condition: a loop calling processEvents without waiting would keep the main thread busy and
    take the GIL from the window's worker threads, which no user's window does."""
    app = QApplication.instance()
    deadline = time.perf_counter() + timeout
    wake = QTimer()
    wake.start(5)
    try:
        while not condition():
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
            if time.perf_counter() > deadline:
                raise TimeoutError("the window did not finish in time")
    finally:
        wake.stop()


def open_window(project):
    from desktop_app.ui.app import configure_application
    from desktop_app.ui.main_window import MainWindow

    configure_application(QApplication.instance())
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    window.set_project(project)
    spin_until(lambda: not window.runner.tasks)
    return window


def between_clicks() -> None:
    """What a user's next click always comes after: the window has handled what the last one posted (and
    painted it). Without it, clicks in a row would add up to one stall no user sees."""
    QApplication.processEvents()


def import_in_window(window, path: str):
    """Ctrl+I → choose the file → Next → Import, as the user clicks it; returns the new version."""
    QFileDialog.getOpenFileName = staticmethod(lambda *a, **k: (str(path), ""))
    wizard = window.data_step.open_import_wizard()
    between_clicks()
    wizard.file_page.browse_button.click()
    between_clicks()
    wizard.button(QWizard.WizardButton.NextButton).click()
    spin_until(wizard.settings_page.isComplete)
    wizard.button(QWizard.WizardButton.NextButton).click()
    between_clicks()
    wizard.button(QWizard.WizardButton.NextButton).click()  # "Import"
    spin_until(wizard.run_page.isComplete)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    spin_until(lambda: not window.runner.tasks)
    name = Path(path).stem
    return window.project.datasets.get_version(name)


def show_version_in_window(window, version) -> float:
    """Seconds from selecting a version in the list to its table being painted with rows."""
    step = window.data_step
    step.tree.setCurrentItem(step.tree.topLevelItem(0))  # the dataset row: no version, no table
    spin_until(lambda: not window.runner.tasks)
    started = time.perf_counter()
    step.tree.select_version(version.id)
    spin_until(lambda: step.model is not None and step.model.rowCount() == version.rows
               and step.table_stack.currentWidget() is step.view)
    step.view.viewport().repaint()
    return time.perf_counter() - started


def launch_to_window_seconds(t0: float) -> float:
    """Wall time from `t0` (taken by the parent before starting this interpreter) to a painted window."""
    from desktop_app.ui.app import configure_application
    from desktop_app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    configure_application(app)
    window = MainWindow()
    window.show()
    spin_until(window.isVisible)
    window.repaint()
    return time.time() - t0
