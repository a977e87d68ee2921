"""At 1024×700 (a laptop) and 1440×900: Compare's ROC / PR charts of multi-class runs fit beside each other (or
stack) inside the window and the runs filter shows its words; the Train step's "This batch" ranking tells plain
from balanced and shows every metric column (whole, or scrolling visibly); the models list names a variant as
the queue and the ranking do. Issue 14, items 3 and 7."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRect

from tests.conftest import SAMPLE_CSV
from tests.ui.helpers import click, wait_idle

LAPTOP = (1024, 700)
SIZES = [LAPTOP, (1440, 900)]
SHOTS = os.environ.get("MLDESK_SHOTS")   # a folder: save what the tests saw, to look at


def shoot(widget, name: str) -> None:
    if SHOTS:
        widget.grab().save(os.path.join(SHOTS, f"{name}.png"))


def rect_in(widget, ancestor) -> QRect:
    return QRect(widget.mapTo(ancestor, QPoint(0, 0)), widget.size())


# -- Compare: multi-class curves ------------------------------------------------------------------------

@pytest.fixture
def iris_runs(project, tmp_path):
    """Two logistic regressions on iris (three classes), a strong one and a weak one."""
    from sklearn.datasets import load_iris

    from desktop_app.core.tracking.entities import RunSpec

    bunch = load_iris(as_frame=True)
    frame = bunch.frame.drop(columns="target").assign(species=np.asarray(bunch.target_names)[bunch.target])
    frame.to_csv(tmp_path / "iris.csv", index=False)
    version = project.datasets.import_file(tmp_path / "iris.csv", name="iris").version
    strong = project.runs.train(RunSpec(version.id, "species", "logistic_regression"))
    weak = project.runs.train(RunSpec(version.id, "species", "logistic_regression", params={"C": 0.01}))
    return strong, weak


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_multiclass_curves_fit_the_window_and_the_filter_reads(qtbot, window, project, iris_runs, size):
    window.resize(*size)
    window.set_project(project)
    step = window.compare_step
    window.navigator.select("compare")
    qtbot.waitUntil(lambda: window.current_step() is step and not step.loading
                    and step.table.model.rowCount() == 2, timeout=20_000)
    ids = [r.id for r in iris_runs]
    step.select_runs(ids)
    qtbot.waitUntil(lambda: all(i in step.curves for i in ids), timeout=20_000)
    panel = step.panel
    chart = panel.curves_chart
    panel.tabs.setCurrentWidget(chart)
    panel.draw_all()
    qtbot.waitUntil(lambda: chart.isVisible() and chart.mode == "multiclass" and chart.pr is not None)
    qtbot.wait(1)   # one layout pass at the tab's size
    shoot(window, f"compare_curves_{size[0]}")

    # Both plots, their titles and their axes lie inside the chart's view, and the view inside the window.
    view = chart.chart
    visible = rect_in(view, window).intersected(window.rect())
    assert visible == rect_in(view, window), "the chart runs off the window"
    scene_view = view.mapToScene(view.viewport().rect()).boundingRect()
    for plot in (chart.roc, chart.pr):
        box = plot.sceneBoundingRect()
        assert scene_view.contains(box), f"{plot.titleLabel.text!r} runs off the chart: {box} not in {scene_view}"
        title = plot.titleLabel
        assert title.item.boundingRect().width() <= title.boundingRect().width() + 1, title.text
        bottom = plot.getAxis("bottom")
        assert bottom.label.boundingRect().width() <= bottom.width() + 1, bottom.labelText
    # Side by side or stacked, the two plots do not overlap.
    assert not chart.roc.sceneBoundingRect().intersects(chart.pr.sceneBoundingRect())

    # The runs filter shows its placeholder whole.
    edit = step.table.filter_edit
    text_room = edit.width() - 2 * 8 - 20   # frame, margins, clear button
    assert edit.fontMetrics().horizontalAdvance(edit.placeholderText()) <= text_room, edit.width()
    # Beside it the status and experiment pickers: whole, or shortened with "…" (never "All experimer").
    for combo in (step.table.status_combo, step.table.experiment_combo):
        shown = combo.shown_text()
        assert shown == combo.currentText() or (shown.endswith("…")
                                                and combo.currentText().startswith(shown[:-1])), shown
        assert combo.view().minimumWidth() >= combo.view().sizeHintForColumn(0), "its list cuts entries"
    # The comparison keeps its tabs in view (the filter takes its room from the pickers, not the charts).
    tabs = panel.tabs.tabBar()
    assert tabs.tabRect(tabs.count() - 1).right() <= tabs.width(), "the tabs scroll"


# -- Train: the batch ranking -------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_batch_ranking_tells_variants_apart_and_shows_every_metric(qtbot, window, project, size):
    project.datasets.import_file(SAMPLE_CSV, name="heart")
    window.resize(*size)
    window.set_project(project)
    wait_idle(qtbot, window.runner, 30_000)
    window.navigator.select("train")
    step = window.train_step
    qtbot.waitUntil(lambda: step.info is not None, timeout=30_000)
    for card in step.models.checked_cards():
        if card.algorithm.name != "logistic_regression":
            card.set_checked(False)
    step.models.card("logistic_regression").set_checked(True)
    (variant,) = step.models.add_balanced_variants()

    # The models list names the variant as the queue and the ranking will.
    assert variant.check.text() == "Logistic regression · balanced"
    second = step.models.add_variant(step.models.card("logistic_regression"))
    assert second.check.text() == "Logistic regression · variant 3"   # nothing sets it apart yet
    step.models.remove(second)

    click(qtbot, step.primary_button)
    board = step.leaderboard
    qtbot.waitUntil(lambda: board.isVisible() and len(board.runs) == 2 and board.table.rowCount() == 2,
                    timeout=120_000)
    qtbot.wait(1)
    table = board.table
    shoot(window, f"train_ranking_{size[0]}")

    # The Model column tells the two apart, whole or shortened in the middle with the whole name on hover.
    names = [table.item(r, 0).text() for r in range(2)]
    assert {n.removeprefix("★ ") for n in names} == {"Logistic regression", "Logistic regression · balanced"}
    metrics = table.fontMetrics()
    width = table.columnWidth(0)
    shown = [metrics.elidedText(n, table.textElideMode(), width - 12) for n in names]
    assert len(set(shown)) == 2, shown
    for name, text in zip(names, shown):
        assert text == name or ("…" in text and text.endswith("balanced") == name.endswith("balanced")), text
        assert name.removeprefix("★ ") in table.item(names.index(name), 0).toolTip()

    # Every metric column is wholly in view, or the table scrolls sideways with a visible bar.
    viewport = table.viewport().width()
    right = table.columnViewportPosition(table.columnCount() - 1) + table.columnWidth(table.columnCount() - 1)
    scroll = table.horizontalScrollBar()
    assert right <= viewport or (scroll.isVisible() and scroll.maximum() >= right - viewport), (right, viewport)
    for column in range(1, table.columnCount()):
        header = table.horizontalHeaderItem(column).text()
        assert table.columnWidth(column) >= metrics.horizontalAdvance(header), header
    # The table lies inside the window.
    assert window.rect().contains(rect_in(table, window)), rect_in(table, window)
    wait_idle(qtbot, window.runner, 30_000)
    qtbot.waitUntil(lambda: not window.compare_step.loading, timeout=30_000)
