"""The welcome page: create, open and reopen projects; readable errors."""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop_app.ui.shell import recent
from desktop_app.ui.steps.base import StepState
from tests.conftest import SAMPLE_CSV


def create_through_welcome(qtbot, window, monkeypatch, folder, name="Heart study"):
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    qtbot.mouseClick(window.welcome.new_button, Qt.MouseButton.LeftButton)
    dialog = window.new_dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.name_edit.setText(name)
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    assert dialog.location_edit.text() == str(folder)
    assert str(folder / name) in dialog.path_label.text()
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.project is not None, timeout=20_000)
    return window.project


def test_create_a_project_from_the_welcome_page(qtbot, window, monkeypatch, tmp_path):
    assert window.pages.currentWidget() is window.welcome
    assert not window.import_action.isEnabled()

    project = create_through_welcome(qtbot, window, monkeypatch, tmp_path)

    assert project.name == "Heart study"
    assert (tmp_path / "Heart study" / "mldesk.db").exists()
    assert window.pages.currentWidget() is window.project_page
    assert "Heart study" in window.top_bar.project_button.text()
    assert "Heart study" in window.windowTitle()
    # Only steps that work are listed; Data is not started and teaches what to do.
    keys = [window.navigator.item(i).data(Qt.ItemDataRole.UserRole) for i in range(window.navigator.count())]
    assert keys[:5] == ["data", "quality", "train", "compare", "registry"]  # in workflow order
    assert window.navigator.state("data") is StepState.NOT_STARTED
    assert window.navigator.state("quality") is StepState.NOT_STARTED
    step = window.data_step
    assert step.pages.currentWidget() is step.empty
    assert "No data yet" in step.empty.message.text()
    assert window.import_action.isEnabled()
    # Remembered for next time
    assert [r.name for r in recent.load_recent()] == ["Heart study"]


def test_recent_projects_open_and_missing_ones_are_marked(qtbot, window, tmp_path):
    from desktop_app.core.project import Project

    Project.create(tmp_path / "kept", "Kept").close()
    recent.remember(tmp_path / "kept", "Kept")
    recent.remember(tmp_path / "gone", "Gone")
    window.welcome.refresh()
    items = window.welcome.recent_list
    assert items.count() == 2
    assert items.item(0).data(Qt.ItemDataRole.UserRole + 2) is True  # "Gone" is missing
    assert items.currentRow() == 1                                     # the existing one is preselected
    assert window.welcome.remove_missing_button.isVisibleTo(window.welcome)

    qtbot.mouseClick(window.welcome.remove_missing_button, Qt.MouseButton.LeftButton)
    assert [r.name for r in recent.load_recent()] == ["Kept"]

    items.itemActivated.emit(items.item(0))
    qtbot.waitUntil(lambda: window.project is not None, timeout=20_000)
    assert window.project.name == "Kept"


def test_opening_a_folder_that_is_not_a_project_says_why(qtbot, window, monkeypatch, tmp_path):
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path))
    qtbot.keyClick(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "errorBox") is not None, timeout=20_000)
    box = window.findChild(QMessageBox, "errorBox")
    assert "not an MLDesk project" in box.informativeText()
    assert "Traceback" not in box.informativeText()
    assert "Traceback" in box.detailedText()
    box.close()
    assert window.project is None
    assert window.pages.currentWidget() is window.welcome


def test_window_remembers_its_geometry(qtbot, window):
    from desktop_app.ui.main_window import MainWindow

    window.resize(700, 500)  # within the offscreen 800×600 screen (and at least the minimum size)
    wanted = window.size()
    window.data_step.splitter.setSizes([320, 700])
    window.save_settings()
    again = MainWindow()
    qtbot.addWidget(again)
    assert again.size() == wanted
    assert again.data_step.splitter.sizes()[0] == window.data_step.splitter.sizes()[0]
    again.close()


def test_open_the_sample_project(qtbot, window, monkeypatch, tmp_path):
    import desktop_app.core.sample as sample

    monkeypatch.setattr(sample, "default_sample_location", lambda: tmp_path / "Sample project")
    qtbot.mouseClick(window.welcome.sample_button, Qt.MouseButton.LeftButton)
    assert not window.welcome.sample_button.isEnabled()  # busy while it is prepared in the background
    qtbot.waitUntil(lambda: window.project is not None, timeout=60_000)
    assert window.project.path == tmp_path / "Sample project"
    assert window.navigator.state("data") is StepState.DONE
    qtbot.waitUntil(lambda: window.data_step.model is not None, timeout=20_000)
    assert window.data_step.model.rowCount() == len(pd.read_csv(SAMPLE_CSV))
