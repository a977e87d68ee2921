"""Qt fixtures: offscreen platform, isolated QSettings, a main window with its own task runner."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, qapp):
    """Every test starts with empty settings in its own folder (no recent projects, no geometry)."""
    from desktop_app.ui.app import configure_application

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    configure_application(qapp)
    QSettings().clear()
    yield
    QSettings().clear()


@pytest.fixture
def window(qtbot):
    from desktop_app.ui.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()  # cancels and waits for its tasks, closes the project



@pytest.fixture
def runner():
    """A task runner of the test's own, shut down (waiting for its workers) at the end."""
    from desktop_app.ui.tasks import TaskRunner

    runner = TaskRunner()
    yield runner
    runner.shutdown(wait=True)


@pytest.fixture
def project(tmp_path):
    """An empty project "Heart study" (closing it again after a window did is harmless)."""
    from desktop_app.core.project import Project

    project = Project.create(tmp_path / "proj", "Heart study")
    yield project
    project.close()
