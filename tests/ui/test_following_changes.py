"""Steps follow the project as it changes, without F5: what one step changed reaches the others
(`MainWindow._follow_change`), and what another process changed shows when the window regains focus
or a step is shown (`work.changes.AuditWatch`)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from desktop_app.ui.steps.base import StepState
from tests.ui.helpers import MODEL, TARGET, click, open_copy, wait_idle


@pytest.fixture
def sample(tmp_path):
    from desktop_app.core.sample import create_sample_project

    project = create_sample_project(tmp_path / "sample")
    yield project
    project.close()


def come_back(qtbot, window) -> None:
    """The analyst goes to another program (a terminal) and comes back to the window."""
    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(other.isActiveWindow, timeout=5_000)
    other.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)


def test_a_fix_checked_in_quality_reaches_the_train_step_with_its_imbalance_hint(qtbot, window, sample, tmp_path):
    window.set_project(sample)
    wait_idle(qtbot, window.runner)
    click(qtbot, window.data_step.next_button)
    quality = window.quality_step
    assert window.current_step() is quality
    quality.set_target(TARGET)
    click(qtbot, quality.primary_button)
    qtbot.waitUntil(lambda: quality.stored is not None and not quality.is_checking(), timeout=30_000)
    fixable = next(f for f in quality.stored.report.findings if f.check == "missing_values")
    quality.findings.select_finding(fixable)
    qtbot.waitUntil(lambda: quality.detail.evidence is not None, timeout=20_000)
    click(qtbot, quality.detail.fix_button)
    qtbot.waitUntil(quality.fix_dialog.is_ready, timeout=20_000)
    click(qtbot, quality.fix_dialog.apply_button)
    # heart@2 is made and checked for the same target in the Quality step …
    qtbot.waitUntil(lambda: quality.stored is not None and quality.stored.version.label == "heart@2"
                    and not quality.is_checking(), timeout=30_000)
    assert quality.stored.report.target == TARGET
    wait_idle(qtbot, window.runner)

    # … and the Train step, opened by "Next", shows that report's verdict and the balanced-variant link.
    click(qtbot, quality.next_button)
    train = window.train_step
    assert window.current_step() is train
    qtbot.waitUntil(lambda: train.info is not None and train.info.summary is not None, timeout=20_000)
    assert train.version.label == "heart@2" and train.target == TARGET
    assert "not checked yet" not in train.quality_label.text()
    assert "class imbalance" in train.quality_label.text()
    assert train.imbalance_hint.isVisible() and "Add a balanced variant" in train.imbalance_hint.text()
    for width, height in ((1440, 900), (1024, 700)):   # looked at as pictures while this was written
        window.resize(width, height)
        qtbot.waitUntil(lambda w=width: window.width() == w, timeout=2_000)
        window.grab().save(str(tmp_path / f"train_after_fix_{width}.png"))


# -- changes made by another process: seen when the window regains focus ---------------------------------

@pytest.fixture
def heart(registered_heart_dir, tmp_path):
    """A copy of the project holding heart-risk@1 (production), and a second handle on it: another process."""
    from desktop_app.core.project import Project

    project = open_copy(registered_heart_dir, tmp_path / "proj")
    other = Project.open(tmp_path / "proj")
    yield project, other
    other.close()
    project.close()


def test_a_run_finished_elsewhere_appears_in_compare_when_the_window_regains_focus(qtbot, window, heart):
    from desktop_app.core.tracking.entities import RunSpec

    project, other = heart
    window.set_project(project)
    window.navigator.select("compare")
    compare = window.compare_step
    qtbot.waitUntil(lambda: not compare.loading and compare.table.model.rowCount() == 1, timeout=20_000)
    wait_idle(qtbot, window.runner)

    run = other.runs.train(RunSpec("heart", TARGET, "logistic_regression", class_weight="balanced"))
    come_back(qtbot, window)
    qtbot.waitUntil(lambda: compare.table.model.row_of(run.id) is not None, timeout=20_000)
    assert compare.table.model.rowCount() == 2


def test_a_version_registered_elsewhere_appears_in_exports_picker(qtbot, window, heart):
    project, other = heart
    window.set_project(project)
    window.navigator.select("export")
    export = window.export_step
    qtbot.waitUntil(lambda: not export.loading and export.entry is not None, timeout=20_000)
    wait_idle(qtbot, window.runner)
    combo = export.picker.combo

    def listed() -> list[str]:
        return [combo.itemText(i) for i in range(combo.count())]

    assert not any("version 2" in text for text in listed())
    from desktop_app.core.tracking.entities import RunSpec

    run = other.runs.train(RunSpec("heart", TARGET, "logistic_regression", class_weight="balanced"))
    other.registry.register(run.id, MODEL, alias="candidate")
    come_back(qtbot, window)
    qtbot.waitUntil(lambda: any("version 2" in text for text in listed()), timeout=20_000)
    assert combo.currentText() == "heart-risk@production  (version 1)"   # the user's choice stays


def test_a_batch_added_elsewhere_appears_in_monitor_when_the_window_regains_focus(qtbot, window, heart, tmp_path):
    import pandas as pd

    from tests.conftest import SAMPLE_CSV

    project, other = heart
    window.set_project(project)
    window.navigator.select("monitor")
    monitor = window.monitor_step
    qtbot.waitUntil(lambda: monitor.version is not None and not monitor.work.running(), timeout=20_000)
    assert monitor.batches == []
    path = tmp_path / "may.csv"
    pd.read_csv(SAMPLE_CSV).sample(300, random_state=4).to_csv(path, index=False)
    other.monitor.add_batch(f"{MODEL}@production", path)
    come_back(qtbot, window)
    qtbot.waitUntil(lambda: len(monitor.batches) == 1, timeout=20_000)
    assert monitor.state in (StepState.DONE, StepState.ATTENTION)


def test_a_batch_made_in_monitor_is_counted_as_waiting_to_be_sent(qtbot, window, heart, tmp_path, monkeypatch):
    """The top bar's sync badge ("1 to send") reads the sync status again after a batch is added."""
    import pandas as pd
    from PySide6.QtWidgets import QFileDialog

    from tests.conftest import SAMPLE_CSV

    project, _other = heart
    window.set_project(project)
    window.navigator.select("monitor")
    monitor = window.monitor_step
    qtbot.waitUntil(lambda: monitor.version is not None and not monitor.work.running(), timeout=20_000)
    wait_idle(qtbot, window.runner)
    path = tmp_path / "may.csv"
    pd.read_csv(SAMPLE_CSV).sample(300, random_state=4).to_csv(path, index=False)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    reads = []
    monkeypatch.setattr(window.team_sync, "status_soon", lambda: reads.append("status"))
    click(qtbot, monitor.primary_button)
    qtbot.waitUntil(lambda: len(monitor.batches) == 1 and not monitor.work.running(), timeout=30_000)
    assert reads   # read again shortly (several changes in a row make one read)


def test_the_train_step_follows_the_target_checked_in_quality_until_one_is_picked_there(qtbot, window, sample):
    """The Train step's own guess is the last column it can predict; a target picked in Quality wins over it."""
    window.set_project(sample)
    wait_idle(qtbot, window.runner)
    quality, train = window.quality_step, window.train_step
    qtbot.waitUntil(lambda: train.version is not None and quality.version is not None, timeout=20_000)
    quality.set_target("cholesterol")
    assert train.target == "cholesterol" and train.target_combo.currentData() == "cholesterol"
    qtbot.waitUntil(lambda: train.info is not None and train.info.target == "cholesterol", timeout=20_000)
    # Picked in the Train step: that pick stays until Quality picks again.
    train.target_combo.setCurrentIndex(train.target_combo.findData("age"))
    assert train.target == "age" and train._followed_target is None
    quality.set_target(TARGET)
    assert train.target == TARGET and train.target_combo.currentData() == TARGET
