"""At 1024×700 (a laptop): Quality's findings table fits its pane — the message stretches and ends in "…" with the
whole message in the tooltip, no sideways scroll; Export's Bundle tab keeps the bundle folder's own name (elided in
the middle), wraps the run commands whole in selectable boxes and lists every file; batch scoring shows its issues
without a scroll bar beside the panel's own, and opens on "1. File to score". Issue 14, item 7."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog, QHeaderView, QLabel

from tests.conftest import SAMPLE_CSV
from tests.ui.helpers import TARGET, click, open_copy, wait_idle

LAPTOP = (1024, 700)
DESKTOP = (1440, 900)
SIZES = pytest.mark.parametrize("size", [LAPTOP, DESKTOP], ids=lambda s: f"{s[0]}x{s[1]}")
SHOTS = os.environ.get("MLDESK_SHOTS")   # a folder: save what the tests saw, to look at


def shoot(widget, name: str) -> None:
    if SHOTS:
        widget.grab().save(os.path.join(SHOTS, f"{name}.png"))


def open_on(qtbot, window, project, step: str, size) -> None:
    window.resize(*size)
    window.set_project(project)
    wait_idle(qtbot, window.runner, 30_000)
    window.navigator.select(step)
    wait_idle(qtbot, window.runner, 30_000)


def inside(widget, parent) -> bool:
    """The widget lies wholly inside the parent (any ancestor)."""
    top_left = widget.mapTo(parent, QPoint(0, 0))
    return (top_left.x() >= 0 and top_left.y() >= 0 and top_left.x() + widget.width() <= parent.width()
            and top_left.y() + widget.height() <= parent.height())


@pytest.fixture
def registered(registered_heart_dir, tmp_path):
    project = open_copy(registered_heart_dir, tmp_path / "proj")
    yield project
    project.close()


# -- Quality ------------------------------------------------------------------------------------------

@SIZES
def test_quality_messages_stretch_and_elide_without_sideways_scroll(qtbot, window, project, size):
    from desktop_app.ui.steps.quality.findings_list import MESSAGE_COL

    project.datasets.import_file(SAMPLE_CSV, name="heart")
    open_on(qtbot, window, project, "quality", size)
    step = window.quality_step
    assert step.target() == TARGET
    click(qtbot, step.primary_button)
    qtbot.waitUntil(lambda: step.stored is not None and not step.is_checking(), timeout=60_000)
    view = step.findings.table
    qtbot.waitUntil(lambda: view.isVisible() and view.model().rowCount() > 0)
    qtbot.wait(50)   # a layout pass
    shoot(window, f"quality_{size[0]}")
    header = view.horizontalHeader()
    assert header.sectionResizeMode(MESSAGE_COL) == QHeaderView.ResizeMode.Stretch
    assert view.horizontalScrollBar().maximum() == 0            # no sideways scroll
    width = view.viewport().width()
    assert view.columnViewportPosition(MESSAGE_COL) + view.columnWidth(MESSAGE_COL) <= width
    assert view.columnWidth(MESSAGE_COL) >= 120, view.columnWidth(MESSAGE_COL)   # a few words, not "The t…"
    metrics = view.fontMetrics()
    for row in range(view.model().rowCount()):
        index = view.model().index(row, MESSAGE_COL)
        message = index.data()
        assert message in index.data(Qt.ItemDataRole.ToolTipRole)
        for column in range(view.model().columnCount()):
            if column != MESSAGE_COL:   # the others as wide as their text (icon and padding besides)
                text = view.model().index(row, column).data()
                assert metrics.horizontalAdvance(text) <= view.columnWidth(column), text
    assert view.textElideMode() == Qt.TextElideMode.ElideRight


# -- Export: the bundle -------------------------------------------------------------------------------

@SIZES
def test_bundle_path_keeps_its_folder_name_commands_wrap_whole_and_every_file_shows(qtbot, window, registered,
                                                                                     tmp_path, monkeypatch, size):
    open_on(qtbot, window, registered, "export", size)
    step = window.export_step
    qtbot.waitUntil(lambda: not step.loading and step.entry is not None, timeout=20_000)
    out = tmp_path / "Heart study" / "exports for the deployment team"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(out)))
    step.trigger_primary()
    qtbot.mouseClick(step.dialog.browse_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(step.dialog.ok_button, Qt.MouseButton.LeftButton)
    bundle = step.bundle
    qtbot.waitUntil(lambda: not step.busy and bundle.pages.currentWidget() is bundle.result_page, timeout=180_000)
    wait_idle(qtbot, window.runner, 60_000)
    qtbot.wait(50)   # a layout pass
    shoot(window, f"export_bundle_{size[0]}")

    whole = str(out / "heart-risk-v1")
    label = bundle.path_label
    painted = QLabel.text(label)
    assert label.text() == whole and whole in label.toolTip()
    assert painted.endswith("heart-risk-v1"), painted                   # the folder's own name, always
    assert painted == whole or "…" in painted, painted
    assert label.fontMetrics().horizontalAdvance(painted) <= label.contentsRect().width()
    assert inside(label, bundle)

    commands = bundle.commands
    assert commands.commands()[1] == "pip install -r requirements.txt"
    for box in commands.boxes:
        assert box.isReadOnly() and box.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
        document = box.document()
        assert document.idealWidth() <= box.viewport().width() + 1, box.toPlainText()   # wraps: nothing cut
        assert box.viewport().height() >= document.size().height() - 1, box.toPlainText()  # every line shown
        assert box.verticalScrollBar().maximum() == 0 and box.horizontalScrollBar().maximum() == 0
        assert inside(box, bundle.left_scroll.widget())

    files = bundle.files
    assert files.verticalScrollBar().maximum() == 0                     # every file listed, no inner scroll bar
    for row in range(files.topLevelItemCount()):
        rect = files.visualItemRect(files.topLevelItem(row))
        assert 0 <= rect.top() and rect.bottom() <= files.viewport().height(), files.topLevelItem(row).text(0)
    assert files.topLevelItemCount() >= 10


# -- Export: batch scoring ----------------------------------------------------------------------------

@SIZES
def test_batch_scoring_opens_on_the_file_row_and_its_issues_need_no_scroll_bar_of_their_own(
        qtbot, window, registered, tmp_path, monkeypatch, size):
    import pandas as pd

    frame = pd.read_csv(SAMPLE_CSV)
    frame.insert(0, "patient_id", range(1001, 1001 + len(frame)))
    frame["clinic"] = "north"
    frame["sys_bp"] = frame["sys_bp"].astype(object)
    frame.loc[5, "sys_bp"] = "n/a"
    frame.loc[9, "gender"] = "Other"
    frame.loc[frame.index % 2 == 1, "age"] += 8
    frame.loc[3, "cholesterol"] = "very high"
    frame.to_csv(tmp_path / "patients.csv", index=False)

    open_on(qtbot, window, registered, "export", size)
    step = window.export_step
    qtbot.waitUntil(lambda: not step.loading and step.entry is not None, timeout=20_000)
    step.tabs.setCurrentWidget(step.scoring)
    panel = step.scoring
    qtbot.waitUntil(lambda: panel.input_edit.isVisible())
    assert panel.scroll.verticalScrollBar().value() == 0
    assert inside(panel.input_edit, panel.scroll.viewport()) or panel.input_edit.visibleRegion().boundingRect() \
        == panel.input_edit.rect()
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(tmp_path / "patients.csv"), "")))
    qtbot.mouseClick(panel.choose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not step.busy and panel.report is not None, timeout=30_000)
    qtbot.waitUntil(lambda: panel.issues.isVisible() and panel.issues_model.rowCount() > 4)
    qtbot.wait(50)   # a layout pass
    shoot(window, f"export_checked_{size[0]}")
    view = panel.issues
    assert view.verticalScrollBar().maximum() == 0 or not view.verticalScrollBar().isVisible()
    assert not view.verticalScrollBar().isVisible()                     # no second bar beside the panel's
    last = view.model().rowCount() - 1
    assert view.rowViewportPosition(last) + view.rowHeight(last) <= view.viewport().height()
    # the file row is still where the user left it
    assert panel.input_edit.visibleRegion().boundingRect() == panel.input_edit.rect()
