"""At 1024×700 (a laptop) the Export step's batch scoring, Compare and the Registry's dialogs give their tables
the room they need and speak the analyst's words: ids are expected, not problems; algorithms by display name;
a move of an alias to a clearly worse version warns before it is confirmed. Issue 14, item 7."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog

from tests.conftest import SAMPLE_CSV
from tests.ui.helpers import open_copy, wait_idle

LAPTOP = (1024, 700)
DESKTOP = (1440, 900)
SHOTS = os.environ.get("MLDESK_SHOTS")   # a folder: save what the tests saw, to look at


def shoot(widget, name: str) -> None:
    if SHOTS:
        widget.grab().save(os.path.join(SHOTS, f"{name}.png"))


def open_on(qtbot, window, project, step: str, size=LAPTOP):
    window.resize(*size)
    window.set_project(project)
    wait_idle(qtbot, window.runner, 30_000)
    window.navigator.select(step)
    wait_idle(qtbot, window.runner, 30_000)


def fully_visible_rows(view, scroll=None) -> int:
    """Rows wholly inside the view's viewport and, when the view sits in a scroll area, inside its viewport."""
    height = view.viewport().height()
    top, bottom = 0, height
    if scroll is not None:
        origin = view.viewport().mapTo(scroll.viewport(), QPoint(0, 0)).y()
        top, bottom = max(0, -origin), min(height, scroll.viewport().height() - origin)
    return sum(top <= view.rowViewportPosition(r) and view.rowViewportPosition(r) + view.rowHeight(r) <= bottom
               for r in range(view.model().rowCount()))


@pytest.fixture
def registered(registered_heart_dir, tmp_path):
    project = open_copy(registered_heart_dir, tmp_path / "proj")
    yield project
    project.close()


# -- Export: batch scoring ----------------------------------------------------------------------------

@pytest.fixture
def with_ids(tmp_path):
    """The heart sample with a patient_id in front and the target kept (a column the model does not use)."""
    frame = pd.read_csv(SAMPLE_CSV)
    frame.insert(0, "patient_id", range(1001, 1001 + len(frame)))
    frame.loc[frame.index % 2 == 1, "age"] += 8     # some leave training's range: a warning row too
    frame.to_csv(tmp_path / "patients.csv", index=False)
    return tmp_path / "patients.csv"


@pytest.mark.parametrize("size", [LAPTOP, DESKTOP], ids=lambda s: f"{s[0]}x{s[1]}")
def test_batch_scoring_gives_its_tables_room_and_calls_ids_expected(qtbot, window, registered, with_ids, tmp_path,
                                                                    monkeypatch, size):
    open_on(qtbot, window, registered, "export", size)
    step = window.export_step
    qtbot.waitUntil(lambda: not step.loading and step.entry is not None, timeout=20_000)
    step.tabs.setCurrentWidget(step.scoring)
    panel = step.scoring
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(with_ids), "")))
    qtbot.mouseClick(panel.choose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not step.busy and panel.report is not None, timeout=30_000)

    qtbot.waitUntil(lambda: fully_visible_rows(panel.issues, panel.scroll) == panel.issues_model.rowCount(),
                    timeout=3_000)   # the whole check on screen before scoring
    shoot(window, f"export_checked_{size[0]}")
    panel.output_edit.setText(str(tmp_path / "scored.csv"))
    qtbot.mouseClick(panel.score_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not step.busy and panel.preview_model.rowCount() > 0, timeout=60_000)
    qtbot.waitUntil(lambda: panel.preview.isVisible())
    panel.preview.scrollTo(panel.preview_model.index(0, 0))
    shoot(window, f"export_scoring_{size[0]}")
    issues = panel.issues_model
    texts = [[issues.text(r, c) for c in range(issues.columnCount())] for r in range(issues.rowCount())]
    ids = next(row for row in texts if row[1] == "patient_id")
    assert ids[0] == "ℹ" and "kept" in ids[2].lower() and "join" in ids[5]
    assert "heart_disease" in next(row for row in texts if row[2] == "Not used by the model")[1]

    # Every issue row, its "What it means" whole: on screen or a scroll away, never cut mid-sentence.
    qtbot.waitUntil(lambda: panel.issues.isVisible())
    view = panel.issues
    for row in range(issues.rowCount()):
        needed = view.sizeHintForRow(row)
        assert view.rowHeight(row) >= needed, f"issue row {row} is cut ({view.rowHeight(row)} < {needed})"
    assert fully_visible_rows(view) == issues.rowCount() <= 4

    # The scored rows come into view: five or more on screen, numbered as in the input.
    qtbot.waitUntil(lambda: fully_visible_rows(panel.preview, panel.scroll) >= 5, timeout=3_000)
    assert panel.summary.visibleRegion().boundingRect().height() == panel.summary.height()


# -- Compare ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [LAPTOP, DESKTOP], ids=lambda s: f"{s[0]}x{s[1]}")
def test_compare_settings_name_the_algorithms_as_the_window_does(qtbot, window, project, size):
    from desktop_app.core.tracking.entities import RunSpec
    from desktop_app.ui.text.runs import algorithm_label
    from tests.ui.helpers import train_plain_and_balanced

    plain, _balanced = train_plain_and_balanced(project)
    forest = project.runs.train(RunSpec(plain.dataset_version_id, plain.target, "random_forest",
                                        params={"n_estimators": 20}))
    open_on(qtbot, window, project, "compare", size)
    step = window.compare_step
    qtbot.waitUntil(lambda: not step.loading and step.table.model.rowCount() == 3, timeout=20_000)
    step.select_runs([plain.id, forest.id])
    qtbot.waitUntil(lambda: all(r in step.curves for r in (plain.id, forest.id)), timeout=20_000)
    panel = step.panel
    panel.tabs.setCurrentWidget(panel.summary_splitter)
    qtbot.waitUntil(lambda: panel.settings.table.isVisible())

    table = panel.settings.table
    row = panel.settings.visible_settings().index("algorithm")
    shown = [table.item(row, k).text() for k in range(1, table.columnCount())]
    assert shown == [algorithm_label("logistic_regression"), algorithm_label("random_forest")]
    assert "_" not in "".join(shown)
    shoot(window, f"compare_summary_{size[0]}")
