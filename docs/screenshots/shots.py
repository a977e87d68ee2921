"""What the screenshot scripts (make_*.py) share: an offscreen Qt application with settings of its
own, the main window at 1280×800, the sample project (heart.csv) with its models trained in this
process, and grabbing a widget into a PNG.

Import it before anything from PySide6: it sets QT_QPA_PLATFORM=offscreen and puts the repository
on sys.path.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
SAMPLE = REPO / "resources" / "sample_data" / "heart.csv"
TARGET = "heart_disease"
MODEL = "heart-risk"
SIZE = (1280, 800)


def start(prefix: str):
    """(app, work): the QApplication, configured as the app does, and a new temp folder `prefix…` that
    holds its settings (cleared, so your own recent projects are untouched) and the projects."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    work = Path(tempfile.mkdtemp(prefix=prefix))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "settings"))
    app = QApplication.instance() or QApplication([])
    from desktop_app.ui.app import configure_application

    configure_application(app)
    QSettings().clear()
    return app, work


def open_window(app, project=None):
    """The main window at SIZE, shown; with `project` set in it and its loading done."""
    from desktop_app.ui.main_window import MainWindow

    window = MainWindow()
    window.resize(*SIZE)
    window.show()
    wait_until(app, window.isVisible)
    if project is not None:
        window.set_project(project)
        wait_until(app, lambda: not window.runner.tasks)
    return window


def wait_until(app, condition, timeout: float = 60.0) -> None:
    """Process events until `condition()` holds (TimeoutError after `timeout` s), then a few more."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not reach the expected state")
        app.processEvents()
        time.sleep(0.01)
    for _ in range(5):
        app.processEvents()


def hide_caret(app, window) -> None:
    """Give the focus to `window`'s focused field again and wait into the hidden half of its text
    cursor's blink: a grab then shows no caret (grabbed at any moment, it shows one half the time)."""
    from PySide6.QtWidgets import QApplication

    field = window.focusWidget()
    if field is None:
        return
    field.clearFocus()
    field.setFocus()
    shown_for = QApplication.cursorFlashTime() / 2000   # seconds; then hidden as long
    until = time.monotonic() + shown_for * 1.2
    wait_until(app, lambda: time.monotonic() >= until)


def save(widget, name: str, folder: Path = HERE) -> Path:
    """Grab `widget` into `folder`/`name` (docs/screenshots/ by default) and say so."""
    path = folder / name
    widget.grab().save(str(path))
    print(f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    return path


def heart_project(folder: Path):
    """(project, version): a new project "Heart study" in `folder` with the sample imported as heart@1."""
    from desktop_app.core.project import Project

    project = Project.create(folder, "Heart study")
    return project, project.datasets.import_file(SAMPLE, name="heart").version


def train_heart(project, version, algorithm: str = "logistic_regression", **options):
    """A run of `algorithm` predicting heart_disease from `version`, trained in this process."""
    from desktop_app.core.tracking.entities import RunSpec

    return project.runs.train(RunSpec(version.id, TARGET, algorithm, **options))


def plain_and_balanced(project, version):
    """(plain, balanced): logistic regression without and with balanced class weights — the sample's
    story (recall ≈ 0.08 → ≈ 0.74)."""
    return train_heart(project, version), train_heart(project, version, class_weight="balanced")
