"""Small helpers shared by the UI tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import Qt

from tests.conftest import SAMPLE_CSV

TARGET = "heart_disease"
MODEL = "heart-risk"


def click(qtbot, widget) -> None:
    """A left click, as the user makes it."""
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def wait_idle(qtbot, runner, timeout: int = 20_000) -> None:
    """Wait until the runner has no task left (all their signals delivered)."""
    qtbot.waitUntil(lambda: not runner.tasks, timeout=timeout)


def train_plain_and_balanced(project):
    """(plain, balanced): logistic regression on the heart sample (imported as heart@1), without and
    with balanced class weights (recall ≈ 0.08 and ≈ 0.73), trained in this process: quick."""
    from desktop_app.core.tracking.entities import RunSpec

    version = project.datasets.import_file(SAMPLE_CSV, name="heart").version
    plain = project.runs.train(RunSpec(version.id, TARGET, "logistic_regression"))
    balanced = project.runs.train(RunSpec(version.id, TARGET, "logistic_regression", class_weight="balanced"))
    return plain, balanced


def open_copy(folder: Path, destination: Path):
    """Copy the project folder `folder` to `destination` and open the copy (close it when done)."""
    from desktop_app.core.project import Project

    shutil.copytree(folder, destination)
    return Project.open(destination)


def recall_on_held_out_rows(project, run) -> float:
    """The run's test recall recomputed with scikit-learn from its stored model and its held-out rows."""
    from sklearn.metrics import recall_score

    from desktop_app.core.training.model_io import load_model

    prep = project.runs.prepared(run)
    predicted = load_model(project.objects.read_bytes(run.model_sha256)).predict(prep.X.iloc[prep.test])
    return recall_score(prep.y[prep.test] == prep.positive_label, predicted == prep.positive_label)


def in_child_processes(monkeypatch) -> list[str]:
    """Send every piece of large work the window would send to a child process there, whatever its size (the
    thresholds at 0); the list returned fills with the name of each method sent (`ui.work.separate_process`)."""
    import desktop_app.core.project_process as project_process
    from desktop_app.ui.steps.quality import panel as quality_panel
    from desktop_app.ui.work import separate_process

    calls: list[str] = []
    real = project_process.call_in_process

    def spied(project, method, *args, **kwargs):
        calls.append(method)
        return real(project, method, *args, **kwargs)

    monkeypatch.setattr(project_process, "call_in_process", spied)
    monkeypatch.setattr(separate_process, "PROCESS_BYTES", 0)
    monkeypatch.setattr(quality_panel, "CHECK_PROCESS_BYTES", 0)
    return calls
