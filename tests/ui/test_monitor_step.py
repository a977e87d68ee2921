"""The Monitor step: batches added through the step (file picker, drop, Ctrl+Enter), the heat map and
the distributions, refusals in plain words, drift settings, the HTML report and chart export.

The sample model is built once per session (heart.csv, logistic regression trained in this
process, registered as heart-risk@production: `registered_heart_dir`) and each test works on its
own copy of that project folder, so tests do not see each other's batches.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QImage
from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop_app.core.monitor.entities import BatchResults, ColumnDriftResult
from desktop_app.ui.steps.base import StepState
from tests.conftest import SAMPLE_CSV as SAMPLE  # noqa: E402
from tests.ui.helpers import MODEL, in_child_processes, open_copy


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory):
    """A folder of batch files cut from the sample: same.csv, shifted.csv and no_sys_bp.csv."""
    folder = tmp_path_factory.mktemp("monitor-ui")
    frame = pd.read_csv(SAMPLE)
    same = frame.sample(600, random_state=1)
    same.to_csv(folder / "same.csv", index=False)
    shifted = frame.sample(600, random_state=2).reset_index(drop=True)
    shifted["age"] = shifted["age"] + 15                                   # planted shift
    shifted.loc[np.arange(len(shifted)) % 8 == 0, "cholesterol"] = "extreme"   # a category never seen
    shifted.to_csv(folder / "shifted.csv", index=False)
    frame.sample(200, random_state=3).drop(columns=["sys_bp"]).to_csv(folder / "no_sys_bp.csv", index=False)
    return folder


@pytest.fixture
def project(registered_heart_dir, tmp_path):
    """The test's own copy of the project holding heart-risk@production."""
    project = open_copy(registered_heart_dir, tmp_path / "proj")
    yield project
    project.close()


@pytest.fixture
def step(qtbot, runner):
    from desktop_app.ui.steps.monitor import MonitorStep

    step = MonitorStep(runner)
    qtbot.addWidget(step)
    step.resize(1180, 760)
    step.show()
    return step


def open_project(qtbot, step, project) -> None:
    step.set_project(project)
    qtbot.waitUntil(lambda: step.version is not None and not step.busy, timeout=15_000)


def pick_file(monkeypatch, path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))


def add_through_button(qtbot, monkeypatch, step, path, count: int) -> None:
    """Choose `path` in the (patched) file picker by clicking "Add a batch…"; wait for the batch to show."""
    pick_file(monkeypatch, path)
    qtbot.mouseClick(step.primary_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(step.batches) == count and not step.busy, timeout=30_000)


def stored_batches(project) -> int:
    from sqlalchemy import func, select

    from desktop_app.core.store.models import MonitoringBatchRow

    with project.db.session() as session:
        return session.scalar(select(func.count()).select_from(MonitoringBatchRow))


# -- empty states ---------------------------------------------------------------------------------------

def test_without_a_registered_model_the_step_teaches_and_goes_to_the_registry(qtbot, step, tmp_path):
    from desktop_app.core.project import Project

    with Project.create(tmp_path / "empty", "Empty") as empty:
        step.set_project(empty)
        qtbot.waitUntil(lambda: not step.busy, timeout=10_000)
        assert step.pages.currentWidget() is step.no_model
        assert step.no_model.message.text() == "No registered model — register one in the Registry step"
        assert not step.primary_button.isEnabled() and step.state is StepState.NOT_STARTED
        with qtbot.waitSignal(step.go_to_registry, timeout=1000):
            qtbot.mouseClick(step.no_model.button, Qt.MouseButton.LeftButton)
        step.set_project(None)


# -- the main path -------------------------------------------------------------------------------------------

def test_two_batches_added_through_the_step_fill_the_heat_map_and_show_the_shift(
        qtbot, monkeypatch, step, project, batch_dir):
    import pyqtgraph  # noqa: F401 - the charts ready, as a second after the project opens

    from desktop_app.ui.steps.monitor.table import HEADERS

    open_project(qtbot, step, project)
    assert step.picker.current_ref() == f"{MODEL}@production"
    assert step.pages.currentWidget() is step.no_batches and step.state is StepState.NOT_STARTED
    # The charts' plots are built before the first batch, and not shown until there is one.
    charts = [step.panel.heat_map, step.panel.share, step.panel.distribution, step.panel.quality]
    qtbot.waitUntil(lambda: all(chart.chart is not None for chart in charts), timeout=5_000)
    assert not any(chart.showing_chart for chart in charts)
    assert "p < 0.05" in step.picker.thresholds.text() and "50%" in step.picker.thresholds.text()

    add_through_button(qtbot, monkeypatch, step, batch_dir / "same.csv", 1)
    add_through_button(qtbot, monkeypatch, step, batch_dir / "shifted.csv", 2)
    assert stored_batches(project) == 2
    assert step.pages.currentWidget() is step.splitter
    same, shifted = step.batches
    assert same.drifted_columns == [] and {"age", "cholesterol"} <= set(shifted.drifted_columns)

    # The list: newest first and selected; the step's state follows the newest batch.
    assert step.batch_list.ids() == [shifted.id, same.id] and step.batch_list.selected_id() == shifted.id
    assert step.state is (StepState.ATTENTION if shifted.dataset_drift else StepState.DONE)

    # The heat map grows to two batch columns, with the shifted features marked in the second only.
    panel = step.panel
    panel.draw_all()
    heat = panel.heat_map
    qtbot.waitUntil(lambda: heat.showing_chart and heat.columns == 2, timeout=10_000)
    marked = heat.drifted_cells()
    assert ("age", shifted.id) in marked and ("cholesterol", shifted.id) in marked
    assert not any(batch_id == same.id for _f, batch_id in marked)
    assert set(heat.features[:len(shifted.drifted_columns)]) == set(shifted.drifted_columns)  # drifted first
    i, j = heat.features.index("age"), 1
    tip = heat.describe_cell(i, j)
    assert "age" in tip and "Wasserstein" in tip and "Threshold: 0.1" in tip and "drifted" in tip

    # A click on the 'age' cell of the first batch selects that batch and the feature...
    cell = heat.plot.vb.mapViewToScene(QPointF(0, i))
    qtbot.mouseClick(heat.chart.viewport(), Qt.MouseButton.LeftButton, pos=heat.chart.mapFromScene(cell))
    qtbot.waitUntil(lambda: panel.batch_id == same.id and panel.feature == "age", timeout=5000)
    assert step.batch_list.selected_id() == same.id
    # ... and picking the shifted batch in the list shows its two distributions of age.
    step.batch_list.select(shifted.id)
    dist = panel.distribution
    qtbot.waitUntil(lambda: dist.showing_chart and dist.data is not None
                    and dist.batch.id == shifted.id and dist.column == "age", timeout=10_000)
    assert dist.data["kind"] == "numeric" and dist.current_column() == "age"
    edges = np.asarray(dist.data["edges"])
    centres = (edges[:-1] + edges[1:]) / 2
    assert np.dot(centres, dist.data["batch"]) > np.dot(centres, dist.data["reference"]) + 10
    ref_x, ref_y = dist.reference_item.getData()
    new_x, new_y = dist.batch_item.getData()
    assert len(ref_y) == len(new_y) == len(edges) - 1 and list(ref_x) == list(new_x)   # the same bins
    assert "Wasserstein" in dist.verdict.text()

    # The new category shows in the categorical chart, the table and the summary.
    dist.select("cholesterol")
    dist.combo.activated.emit(dist.combo.currentIndex())
    qtbot.waitUntil(lambda: dist.column == "cholesterol" and dist.showing_chart, timeout=10_000)
    assert "extreme" in dist.data["new"]
    table = panel.table
    assert table.view.selectionModel().selectedRows()[0].data(Qt.ItemDataRole.UserRole + 2) == "cholesterol"
    row = table.row_of("cholesterol")
    assert "extreme" in table.proxy.index(row, HEADERS.index("New values")).data()
    assert set(table.columns()[: len(shifted.drifted_columns)]) == set(shifted.drifted_columns)  # drifted first
    assert "Drifted:" in panel.summary.details.text() and "age" in panel.summary.details.text()
    # The model's output and the target are in the same list.
    for column in ("proba_Yes", "heart_disease"):
        dist.select(column)
        dist.combo.activated.emit(dist.combo.currentIndex())
        qtbot.waitUntil(lambda c=column: dist.column == c and dist.showing_chart, timeout=10_000)

    # Over time: the share of drifted features per batch with the threshold; labels give a quality chart.
    panel.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: panel.share.showing_chart and panel.quality.showing_chart, timeout=5000)
    assert panel.share.shares == pytest.approx([100 * same.share_drifted, 100 * shifted.share_drifted])
    assert panel.share.thresholds == [50.0, 50.0]
    assert panel.quality.metric == "roc_auc" and len(panel.quality.points) == 2
    point = panel.share.plot.vb.mapViewToScene(QPointF(1, panel.share.shares[1]))
    assert "shifted.csv" in panel.share._describe(panel.share.chart, point)
    point = panel.quality.plot.vb.mapViewToScene(QPointF(*panel.quality.points[0]))
    assert "ROC AUC" in panel.quality._describe(panel.quality.chart, point)
    # Without labels the quality chart gives way to a sentence saying how to get them.
    unlabelled = SimpleNamespace(id="x", name="x.csv", result=BatchResults.from_dict({"metrics": None}))
    panel.quality.set_batches([unlabelled], "heart_disease")
    assert not panel.quality.showing_chart and "'heart_disease'" in panel.quality.message.text()


# -- refusals, cancel, drop ---------------------------------------------------------------------------------

def test_a_batch_the_model_cannot_take_is_refused_in_plain_words_and_nothing_is_stored(
        qtbot, monkeypatch, step, project, batch_dir):
    open_project(qtbot, step, project)
    pick_file(monkeypatch, batch_dir / "no_sys_bp.csv")
    qtbot.mouseClick(step.primary_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: step.findChild(QMessageBox, "errorBox") is not None, timeout=30_000)
    box = step.findChild(QMessageBox, "errorBox")
    assert "no_sys_bp.csv was not added" in box.text()
    assert "sys_bp" in box.informativeText() and "nothing was stored" in box.informativeText()
    assert "Traceback" in box.detailedText()                          # details one click away
    box.close()
    qtbot.waitUntil(lambda: not step.busy, timeout=5000)
    assert stored_batches(project) == 0 and step.pages.currentWidget() is step.no_batches

    # Cancel while it runs: nothing kept either.
    task = step.add_batch_file(batch_dir / "same.csv")
    task.cancel()
    qtbot.waitUntil(lambda: not task.is_running, timeout=30_000)
    assert task.state == "cancelled" and stored_batches(project) == 0

    # A file dropped on the step is checked like a picked one.
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(batch_dir / "shifted.csv"))])
    drop = QDropEvent(QPointF(40, 40), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    step.dropEvent(drop)
    qtbot.waitUntil(lambda: len(step.batches) == 1 and not step.busy, timeout=30_000)
    assert step.batches[0].name == "shifted.csv" and stored_batches(project) == 1


def test_a_large_batch_is_checked_in_a_separate_process_with_the_same_result(
        qtbot, monkeypatch, step, project, batch_dir):
    """Past PROCESS_BYTES the check runs in a child process (lowered here to take every batch): the same
    drift as on a thread, a refusal in the same words with the child's traceback, a cancel that keeps nothing."""
    from desktop_app.ui.work import separate_process

    calls = in_child_processes(monkeypatch)
    open_project(qtbot, step, project)
    add_through_button(qtbot, monkeypatch, step, batch_dir / "shifted.csv", 1)
    assert calls == ["monitor.add_batch"] and stored_batches(project) == 1
    in_process = step.batches[0]

    pick_file(monkeypatch, batch_dir / "no_sys_bp.csv")
    qtbot.mouseClick(step.primary_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: step.findChild(QMessageBox, "errorBox") is not None, timeout=30_000)
    box = step.findChild(QMessageBox, "errorBox")
    assert "sys_bp" in box.informativeText() and "nothing was stored" in box.informativeText()
    assert "In the child process" in box.detailedText() and "add_batch" in box.detailedText()
    box.close()
    qtbot.waitUntil(lambda: not step.busy, timeout=5000)

    task = step.add_batch_file(batch_dir / "same.csv")
    qtbot.waitUntil(lambda: len(calls) == 3, timeout=10_000)   # the child is starting or working
    task.cancel()
    qtbot.waitUntil(lambda: not task.is_running, timeout=30_000)
    assert task.state == "cancelled" and stored_batches(project) == 1

    # The same file on the window's thread: the same verdicts and statistics.
    monkeypatch.setattr(separate_process, "PROCESS_BYTES", 2**62)
    add_through_button(qtbot, monkeypatch, step, batch_dir / "shifted.csv", 2)
    assert len(calls) == 3
    on_thread = next(b for b in step.batches if b.id != in_process.id)
    assert on_thread.drifted_columns == in_process.drifted_columns
    assert on_thread.results["columns"] == in_process.results["columns"]


# -- settings, report, export ------------------------------------------------------------------------------------

def test_drift_settings_report_and_chart_export(qtbot, monkeypatch, step, project, batch_dir, tmp_path):
    open_project(qtbot, step, project)
    dialog = step.open_settings()
    assert dialog.table.item(0, 0).text() == "p-value threshold"
    sources = {dialog.table.item(r, 0).data(Qt.ItemDataRole.UserRole): dialog.table.item(r, 3).text()
               for r in range(dialog.table.rowCount())}
    assert sources["drift_share"].startswith("Evidently") and sources["missing_change"] == "MLDesk"
    dialog.set_value("drift_share", "abc")
    dialog.accept()
    assert dialog.isVisible() and "number" in dialog.error.text()       # refused inline, dialog stays
    dialog.set_value("drift_share", 0.15)
    dialog.reason_edit.setText("strict for the test")
    dialog.accept()
    qtbot.waitUntil(lambda: step.settings is not None and step.settings.drift_share == 0.15, timeout=10_000)
    assert project.monitor.settings(MODEL).drift_share == 0.15
    assert "15%" in step.picker.thresholds.text()

    add_through_button(qtbot, monkeypatch, step, batch_dir / "shifted.csv", 1)
    batch = step.batches[0]
    assert batch.dataset_drift and step.state is StepState.ATTENTION           # ◐ the newest batch drifted
    assert step.batch_list.topLevelItem(0).text(0) == "⚠"
    assert step.next_button.isVisible() and "Train" in step.next_button.text()
    assert "Dataset drift" in step.panel.summary.headline.text()

    report = tmp_path / "report.html"
    task = step.save_report(report)
    qtbot.waitUntil(lambda: not task.is_running, timeout=15_000)
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert str(report) in step.panel.summary.report_note.text()

    panel = step.panel
    panel.draw_all()
    qtbot.waitUntil(lambda: panel.distribution.showing_chart, timeout=10_000)
    for name, chart in (("heat", panel.heat_map), ("share", panel.share), ("quality", panel.quality),
                        ("distribution", panel.distribution)):
        assert [a.text() for a in chart.chart.export_menu.actions()] == ["Save as PNG…", "Save as SVG…",
                                                                          "Copy image"]
        png = chart.export(tmp_path / f"{name}.png")
        assert not QImage(str(png)).isNull()
        svg = chart.export(tmp_path / f"{name}.svg")
        assert "<svg" in svg.read_text()


def test_monitor_is_the_last_step_of_the_window_and_ctrl_enter_adds_a_batch(qtbot, monkeypatch, window, project,
                                                                            batch_dir):
    from PySide6.QtTest import QTest

    # The last of the seven workflow steps; the Automate and Team places (not workflow steps) come after it.
    assert list(window.steps)[-3:] == ["monitor", "automate", "team"] and window.monitor_step is window.steps["monitor"]
    window.set_project(project)
    qtbot.waitUntil(lambda: not window.runner.tasks, timeout=15_000)
    window.navigator.select("monitor")
    step = window.monitor_step
    qtbot.waitUntil(lambda: step.version is not None and not step.busy, timeout=15_000)
    pick_file(monkeypatch, batch_dir / "same.csv")
    QTest.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(step.batches) == 1 and not step.busy, timeout=30_000)
    assert window.navigator.state("monitor") is StepState.DONE


# -- words and numbers --------------------------------------------------------------------------------------------

def test_severity_bands_labels_and_model_refs():
    from types import SimpleNamespace as NS

    from desktop_app.ui.steps.monitor import text as mt
    from desktop_app.ui.steps.monitor.picker import default_ref, model_refs

    def column(**stored) -> ColumnDriftResult:
        return ColumnDriftResult.from_dict({"column": "x", **stored})

    distance = column(test="wasserstein", statistic=0.25, p_value=None, threshold=0.1, drifted=True)
    p_value = column(test="ks", statistic=0.2, p_value=0.05 ** 1.5, threshold=0.05, drifted=True)
    calm = column(test="chi_squared", statistic=1.0, p_value=0.6, threshold=0.05, drifted=False)
    missing_only = column(test="ks", statistic=0.01, p_value=0.9, threshold=0.05, drifted=True,
                          missing_drifted=True, missing_ref=0.0, missing_batch=0.2)
    assert mt.severity(distance) == pytest.approx(2.5) and mt.band(distance) == 3
    assert mt.severity(p_value) == pytest.approx(1.5) and mt.band(p_value) == 2
    assert mt.band(calm) == 0 and mt.band(column(test=None, drifted=False)) == mt.UNTESTED
    assert mt.band(missing_only) == 2 and "missing values 0% → 20%" in mt.verdict(missing_only)
    assert mt.verdict(distance) == "Wasserstein (÷ std) 0.25 ≥ 0.1"
    region = column(test="chi_squared", statistic=30.0, p_value=0.0002, threshold=0.05, drifted=True, psi=0.31,
                    psi_band="significant", new_categories=["north", "south", "east", "west"], new_category_share=0.25,
                    missing_ref=0.0, missing_batch=0.05)
    assert mt.verdict(region) == "chi-squared p = 0.0002 < 0.05" and mt.psi_text(region) == "0.31 (significant)"
    assert mt.new_categories_text(region) == "north, south, east +1 (25% of rows)"
    assert mt.missing_text(region) == "0% → 5.0%" and mt.new_categories_text(calm) == ""
    names = [NS(name=f"week {i:02d} of production data.csv") for i in (1, 2)]
    assert mt.batch_labels(names) == ["week 01", "week 02"]
    assert mt.batch_labels([NS(name="may.csv"), NS(name="may.csv")]) == ["may (1)", "may (2)"]
    assert [i for i, _l in mt.thin_ticks([str(i) for i in range(10)], 10, 25)] == [1, 5, 9]   # the newest always

    versions = (NS(number=1, label="risk@1", archived=True, dataset_label="d@1"),
                NS(number=2, label="risk@2", archived=False, dataset_label="d@2"))
    model = NS(name="risk", aliases={"staging": 2, "production": 1}, versions=versions, latest_version=2)
    refs = [r for r, _text, _tip in model_refs([model])]
    assert refs == ["risk@production", "risk@staging", "risk@2", "risk@1"]
    assert default_ref(refs, None) == "risk@production" and default_ref(refs, "risk@2") == "risk@2"
