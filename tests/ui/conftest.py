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
    from desktop_app.ui.work.tasks import TaskRunner

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


@pytest.fixture
def plain_and_balanced_runs(project):
    """(plain, balanced): logistic regression on heart@1 of `project`, without and with balanced class
    weights (trained in this process: quick)."""
    from tests.ui.helpers import train_plain_and_balanced

    return train_plain_and_balanced(project)


@pytest.fixture
def compare_step(qtbot, runner):
    """The Compare step standalone (no main window) on the test's runner, shown at 1100×720."""
    from desktop_app.ui.steps.compare import CompareStep

    step = CompareStep(runner)
    qtbot.addWidget(step)
    step.resize(1100, 720)
    step.show()
    yield step
    step.run_queue.shutdown()


@pytest.fixture(scope="session")
def registered_heart_dir(tmp_path_factory):
    """A closed project folder holding heart-risk@1, alias production (logistic regression on the heart
    sample), built once per session: tests open a copy of it (`helpers.open_copy`), never the folder."""
    from desktop_app.core.project import Project
    from desktop_app.core.tracking.entities import RunSpec
    from tests.conftest import SAMPLE_CSV
    from tests.ui.helpers import MODEL, TARGET

    folder = tmp_path_factory.mktemp("registered-heart") / "proj"
    with Project.create(folder, "Heart study") as project:
        version = project.datasets.import_file(SAMPLE_CSV, name="heart").version
        run = project.runs.train(RunSpec(version.id, TARGET, "logistic_regression"))
        project.registry.register(run.id, MODEL, alias="production")
    return folder
