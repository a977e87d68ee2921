"""Importing through the wizard: the sample file end to end, cancel, a broken file, drag and drop."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWizard

from desktop_app.ui.steps.base import StepState
from tests.conftest import SAMPLE_CSV as SAMPLE  # noqa: E402
from tests.ui.helpers import click, wait_idle

HEART_COLUMNS = SAMPLE.read_text().splitlines()[0].split(",")


@pytest.fixture
def project_window(window, tmp_path):
    from desktop_app.core.project import Project

    window.set_project(Project.create(tmp_path / "proj", "Test project"))
    return window


def start_wizard(qtbot, window, monkeypatch, path: Path):
    """Ctrl+I, then Browse… (file dialog patched) and Next."""
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    wizard = window.data_step.wizard
    assert wizard is not None and wizard.isVisible()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    click(qtbot, wizard.file_page.browse_button)
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    assert wizard.currentPage() is wizard.settings_page
    return wizard


def import_sample(qtbot, window, monkeypatch):
    wizard = start_wizard(qtbot, window, monkeypatch, SAMPLE)
    page = wizard.settings_page
    qtbot.waitUntil(page.isComplete, timeout=20_000)
    assert page.name_edit.text() == "heart"
    assert page.format_combo.currentData() == "csv"
    assert page.delimiter_combo.currentData() == ","
    assert page.preview_view.model().rowCount() == 200
    assert "first 200 rows" in page.status.text()
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))

    assert wizard.currentPage() is wizard.kinds_page
    table = wizard.kinds_page.table
    assert table.rowCount() == len(HEART_COLUMNS)
    samples = {table.item(row, 0).text(): table.item(row, 2).text() for row in range(table.rowCount())}
    assert samples["age"].startswith("59, 69, 51, 53") and samples["gender"] == "Female, Male"
    assert wizard.button(QWizard.WizardButton.NextButton).text() == "Import"
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))

    run = wizard.run_page
    assert wizard.currentPage() is run
    qtbot.waitUntil(run.isComplete, timeout=30_000)
    return wizard


def test_import_the_sample_through_the_wizard(qtbot, project_window, monkeypatch):
    window = project_window
    wizard = import_sample(qtbot, window, monkeypatch)
    assert wizard.run_page.headline.text() == "Imported heart@1"
    assert "5,000 rows · 12 columns" in wizard.run_page.details.text()
    click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    qtbot.waitUntil(lambda: not wizard.isVisible())

    step = window.data_step
    assert step.pages.currentWidget() is step.splitter
    dataset = step.tree.topLevelItem(0)
    assert dataset.text(0) == "heart"
    assert dataset.child(0).text(0).startswith("v1 · 5,000 rows\n12 columns · ")
    assert step.tree.current_version().label == "heart@1"  # the new version is selected
    assert "Imported" in dataset.child(0).toolTip(0)        # exact time on hover
    assert window.navigator.state("data") is StepState.DONE
    assert "heart@1" in window.top_bar.focus_label.text()

    qtbot.waitUntil(lambda: step.model is not None, timeout=20_000)
    model = step.model
    assert model.rowCount() == 5000
    assert [model.column_name(c) for c in range(model.columnCount())] == HEART_COLUMNS
    assert step.table_stack.currentWidget() is step.view

    # Click a cell of the "age" column: its summary appears on the right.
    age = HEART_COLUMNS.index("age")
    rect = step.view.visualRect(model.index(0, age))
    qtbot.mouseClick(step.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: step.summary.summary is not None and step.summary.summary.name == "age",
                    timeout=20_000)
    assert step.summary.title.text() == "age"
    labels = [step.summary.form.itemAt(i).widget().text() for i in range(step.summary.form.count())]
    assert "Mean:" in labels and "Missing:" in labels
    # age's histogram: Qt shows a widget added to a visible layout on the next turn of the event loop
    qtbot.waitUntil(lambda: step.summary.chart is not None and step.summary.chart.isVisibleTo(step.summary),
                    timeout=20_000)

    # A categorical column shows its most frequent values.
    gender = HEART_COLUMNS.index("gender")
    step.view.select_column(gender)
    qtbot.waitUntil(lambda: step.summary.summary is not None and step.summary.summary.name == "gender",
                    timeout=20_000)
    assert "Female" in step.summary.top_values.text() or step.summary.chart is not None
    wait_idle(qtbot, window.runner)


def test_importing_the_same_file_again_says_so(qtbot, project_window, monkeypatch):
    project_window.project.datasets.import_file(SAMPLE, name="heart")
    project_window.data_step.refresh()
    wizard = import_sample(qtbot, project_window, monkeypatch)
    assert wizard.run_page.headline.text() == "Already imported as heart@1"
    assert len(project_window.project.datasets.list()[0].versions) == 1
    click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    wait_idle(qtbot, project_window.runner)


def test_cancel_an_import_adds_nothing(qtbot, project_window, monkeypatch):
    window = project_window
    datasets = window.project.datasets
    original = datasets.import_file
    paused, resume = threading.Event(), threading.Event()

    def paused_import(path, name=None, settings=None, kinds=None, progress=None):
        def gate(fraction, message):
            if fraction > 0 and not paused.is_set():  # hold the import mid-way until the user cancels
                paused.set()
                resume.wait(10)
            progress(fraction, message)

        return original(path, name=name, settings=settings, kinds=kinds, progress=gate)

    monkeypatch.setattr(datasets, "import_file", paused_import)
    wizard = start_wizard(qtbot, window, monkeypatch, SAMPLE)
    qtbot.waitUntil(wizard.settings_page.isComplete, timeout=20_000)
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))  # Import
    run = wizard.run_page
    qtbot.waitUntil(paused.is_set, timeout=20_000)
    assert run.is_running()
    assert window.task_bar.cancel_button.isVisible()  # the task shows in the bottom bar too

    click(qtbot, run.cancel_button)
    resume.set()
    qtbot.waitUntil(lambda: not run.is_running(), timeout=20_000)
    assert "cancelled" in run.headline.text().lower()
    assert "nothing was added" in run.headline.text()
    assert not run.isComplete()
    assert datasets.list() == []
    assert not any(p.is_file() for p in (window.project.path / "objects").rglob("*"))
    assert window.data_step.pages.currentWidget() is window.data_step.empty
    wizard.reject()
    qtbot.waitUntil(lambda: not wizard.isVisible())
    wait_idle(qtbot, window.runner)


def test_an_empty_file_shows_the_problem_inline(qtbot, project_window, monkeypatch, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    wizard = start_wizard(qtbot, project_window, monkeypatch, empty)
    page = wizard.settings_page
    qtbot.waitUntil(page.error.isVisible, timeout=20_000)
    assert "empty" in page.error.text()
    assert "Traceback" not in page.error.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    assert project_window.findChild(QMessageBox) is None  # inline, not a pop-up
    wizard.reject()
    wait_idle(qtbot, project_window.runner)


def test_changing_a_setting_refreshes_the_preview(qtbot, project_window, monkeypatch):
    wizard = start_wizard(qtbot, project_window, monkeypatch, SAMPLE)
    page = wizard.settings_page
    qtbot.waitUntil(page.isComplete, timeout=20_000)
    assert page.preview_view.model().columnCount() == len(HEART_COLUMNS)
    page.delimiter_combo.setCurrentIndex(page.delimiter_combo.findData(";"))
    assert not page.isComplete()  # waiting for the new preview
    qtbot.waitUntil(page.isComplete, timeout=20_000)
    assert page.preview_view.model().columnCount() == 1  # one wide column: clearly wrong, as expected
    # A choice that cannot work is said inline, in one sentence.
    page.thousands_combo.setCurrentIndex(page.thousands_combo.findData(page.decimal_combo.currentData()))
    qtbot.waitUntil(page.error.isVisible, timeout=20_000)
    assert page.error.text().startswith("The thousands separator and the decimal mark are both")
    assert not page.isComplete()
    wizard.reject()
    wait_idle(qtbot, project_window.runner)


def test_dropping_a_file_on_the_data_step_opens_the_wizard(qtbot, project_window):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(SAMPLE))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    project_window.data_step.dropEvent(event)
    wizard = project_window.data_step.wizard
    assert wizard.currentPage() is wizard.settings_page
    qtbot.waitUntil(wizard.settings_page.isComplete, timeout=20_000)
    assert wizard.settings_page.name_edit.text() == "heart"
    wizard.reject()
    wait_idle(qtbot, project_window.runner)


def test_f5_refreshes_and_ctrl_enter_runs_the_primary_action(qtbot, project_window):
    window, step = project_window, project_window.data_step
    window.project.datasets.import_file(SAMPLE, name="heart")  # e.g. by the CLI, behind the window's back
    assert step.pages.currentWidget() is step.empty
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert step.pages.currentWidget() is step.splitter
    assert window.navigator.state("data") is StepState.DONE
    qtbot.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert step.wizard is not None and step.wizard.isVisible()
    step.wizard.reject()
    wait_idle(qtbot, window.runner)


def test_ctrl_enter_imports_from_the_empty_state_too(qtbot, project_window):
    step = project_window.data_step
    assert step.pages.currentWidget() is step.empty
    qtbot.keyClick(project_window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert step.wizard is not None and step.wizard.isVisible()
    step.wizard.reject()


def test_an_excel_workbook_offers_its_sheets(qtbot, project_window, monkeypatch, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    first.title = "Notes"
    first.append(["note"])
    first.append(["read me"])
    data = book.create_sheet("Patients")
    data.append(["age", "weight"])
    for i in range(30):
        data.append([40 + i, 70.5 + i])
    path = tmp_path / "clinic.xlsx"
    book.save(path)

    wizard = start_wizard(qtbot, project_window, monkeypatch, path)
    page = wizard.settings_page
    qtbot.waitUntil(page.isComplete, timeout=20_000)
    assert page.format_combo.currentData() == "excel"
    assert [page.sheet_combo.itemText(i) for i in range(page.sheet_combo.count())] == ["Notes", "Patients"]
    assert page.sheet_combo.isVisibleTo(page) and not page.delimiter_combo.isVisibleTo(page)
    page.sheet_combo.setCurrentText("Patients")
    qtbot.waitUntil(lambda: page.isComplete() and page.preview_view.model().columnCount() == 2, timeout=20_000)
    assert page.preview_view.model().rowCount() == 30
    wizard.reject()
    wait_idle(qtbot, project_window.runner)


def test_start_at_row_shows_the_detected_table_start_and_changes_the_preview(qtbot, project_window, monkeypatch,
                                                                             tmp_path):
    from tests.core import real_shapes

    shape = real_shapes.bls_series(tmp_path)
    wizard = start_wizard(qtbot, project_window, monkeypatch, shape.path)
    page = wizard.settings_page
    qtbot.waitUntil(page.isComplete, timeout=20_000)
    assert page.start_spin.value() == shape.skip_rows + 1 and page.start_spin.isVisibleTo(page)
    model = page.preview_view.model()
    assert [model.column_name(c) for c in range(model.columnCount())] == shape.columns
    assert model.rowCount() == shape.rows
    title = shape.path.read_text().splitlines()[0]
    assert page.start_note.text().startswith(f"Rows 1–{shape.skip_rows} are not read: “{title}”")
    assert "Seasonally Adjusted" in page.start_note.toolTip()  # every skipped line on hover

    page.start_spin.setValue(shape.skip_rows + 2)  # one row further: the first year becomes the header
    assert not page.isComplete()
    qtbot.waitUntil(lambda: page.isComplete() and page.preview_view.model().rowCount() == shape.rows - 1,
                    timeout=20_000)
    assert page.preview_view.model().column_name(0) == str(shape.values["Year"][0])
    assert wizard.settings_page.current_settings().skip_rows == shape.skip_rows + 1
    wizard.reject()
    wait_idle(qtbot, project_window.runner)


def test_r_row_names_are_offered_only_for_that_layout(qtbot, project_window, monkeypatch, tmp_path):
    from tests.core import real_shapes

    shape = real_shapes.r_write_table(tmp_path)
    wizard = start_wizard(qtbot, project_window, monkeypatch, shape.path)
    page = wizard.settings_page
    qtbot.waitUntil(page.isComplete, timeout=20_000)
    assert page.row_names_check.isChecked() and page.row_names_check.isVisibleTo(page)
    model = page.preview_view.model()
    assert [model.column_name(c) for c in range(model.columnCount())] == ["weight", "feed"]
    page.row_names_check.setChecked(False)  # read as a plain file: refused, and the box stays to tick again
    qtbot.waitUntil(page.error.isVisible, timeout=20_000)
    assert "Line 2 has 3 fields but the header has 2" in page.error.text()
    assert page.row_names_check.isVisibleTo(page)
    wizard.reject()
    wait_idle(qtbot, project_window.runner)

    qtbot.waitUntil(lambda: not wizard.isVisible())
    plain = project_window.data_step.open_import_wizard(SAMPLE)
    qtbot.waitUntil(plain.settings_page.isComplete, timeout=20_000)
    assert not plain.settings_page.row_names_check.isVisibleTo(plain.settings_page)
    assert plain.settings_page.start_spin.value() == 1 and plain.settings_page.start_note.text() == ""
    plain.reject()
    wait_idle(qtbot, project_window.runner)
