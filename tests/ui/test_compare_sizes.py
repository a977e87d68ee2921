"""The Compare step in the real window at the two tested sizes (1024×700, a laptop, and 1440×900) with
four runs: every confusion matrix reachable, values and axis titles that do not overlap, run headers
that tell plain from balanced; one run selected shows its own figures; one rule for metric numbers."""

from __future__ import annotations

import itertools

import pytest

from desktop_app.ui.text.formatting import format_exact_score
from desktop_app.ui.text.runs import format_metric

SIZES = [(1024, 700), (1440, 900)]


@pytest.fixture
def four_runs(project, plain_and_balanced_runs):
    """Logistic regression and a random forest, each without and with balanced class weights."""
    from desktop_app.core.tracking.entities import RunSpec

    plain, balanced = plain_and_balanced_runs
    spec = dict(dataset=plain.dataset_version_id, target=plain.target, algorithm="random_forest",
                params={"n_estimators": 20})
    forest = project.runs.train(RunSpec(**spec))
    forest_balanced = project.runs.train(RunSpec(**spec, class_weight="balanced"))
    return [plain, balanced, forest, forest_balanced]


def comparing(qtbot, window, project, runs, size):
    window.resize(*size)
    window.set_project(project)
    step = window.compare_step
    window.navigator.select("compare")
    qtbot.waitUntil(lambda: window.current_step() is step and not step.loading
                    and step.table.model.rowCount() == len(project.runs.list()), timeout=20_000)
    ids = [r.id for r in runs]
    step.select_runs(ids)
    qtbot.waitUntil(lambda: sorted(step.table.selected_ids()) == sorted(ids), timeout=5_000)
    qtbot.waitUntil(lambda: all(r.id in step.curves for r in runs), timeout=20_000)
    return step.panel


def show_tab(qtbot, panel, widget):
    panel.tabs.setCurrentWidget(widget)
    panel.draw_all()
    qtbot.wait(1)   # let the layouts settle to the new tab's size
    qtbot.waitUntil(lambda: widget.isVisible())


def scene_rect(item):
    return item.sceneBoundingRect()


def assert_apart(rects, what):
    for (a_name, a), (b_name, b) in itertools.combinations(rects, 2):
        assert not a.intersects(b), f"{what}: {a_name} overlaps {b_name}"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_four_runs_fit_at_both_sizes(qtbot, window, project, four_runs, size):
    panel = comparing(qtbot, window, project, four_runs, size)

    # Metrics: each run's column header says what sets it apart, on a line of its own.
    show_tab(qtbot, panel, panel.metrics)
    table = panel.metrics.table
    headers = [table.horizontalHeaderItem(k).text() for k in range(1, 5)]
    assert len(set(headers)) == 4, headers
    for text in headers:
        lines = text.split("\n")
        assert {"balanced", "no weights"} & set(lines), f"{text!r} hides its class weights"
        assert "…" not in lines[1]

    # Summary: the values above the bars never run into each other, and stay inside the chart.
    show_tab(qtbot, panel, panel.summary_splitter)
    bars = panel.bars
    qtbot.waitUntil(lambda: bars.showing_chart)
    labels = bars.value_labels[bars.plot]
    view = bars.chart.sceneRect()
    rects = [(label.textItem.toPlainText() + f"@{label.bar[0]:.2f}", scene_rect(label)) for label in labels.labels
             if label.isVisible()]
    assert len(rects) in (0, 4 * len(bars.metrics))    # all written, or none (too narrow: hover tells)
    assert_apart(rects, "bar values")
    for name, rect in rects:
        assert view.contains(rect), f"{name} is cut at the chart's edge"

    # ROC / PR: axis titles as long as their axes at most, apart from each other and the ticks.
    curves = panel.curves_chart
    show_tab(qtbot, panel, curves)
    qtbot.waitUntil(lambda: curves.showing_chart)
    titles = []
    for plot in (curves.roc, curves.pr):
        for side in ("left", "bottom"):
            axis = plot.getAxis(side)
            length = plot.vb.width() if side == "bottom" else plot.vb.height()
            assert axis.label.boundingRect().width() <= length, f"{axis.labelText!r} is longer than its axis"
            titles.append((axis.labelText, scene_rect(axis.label)))
            assert curves.chart.sceneRect().contains(scene_rect(axis.label)), f"{axis.labelText!r} is cut"
    assert_apart(titles, "axis titles")

    # Confusion: every matrix on screen or a scroll away, none cut at the right edge.
    confusion = panel.confusion
    show_tab(qtbot, panel, confusion)
    qtbot.waitUntil(lambda: confusion.showing_chart)
    width = confusion.chart.viewport().width()

    def cells_now():
        return [(run.short_id, scene_rect(plot)) for plot, run, _labels, _matrix in confusion.cells]

    # The grid settles once the tab is laid out at its size.
    qtbot.waitUntil(lambda: all(rect.right() <= width + 1 for _name, rect in cells_now()), timeout=3_000)
    cells = cells_now()
    assert len(cells) == 4
    assert_apart(cells, "confusion matrices")
    for name, rect in cells:
        assert rect.left() >= 0 and rect.right() <= width + 1, f"the matrix of {name} is cut"
        assert rect.width() >= 180, f"the matrix of {name} is too narrow to read"
    scroll = confusion.page
    bottom = max(rect.bottom() for _name, rect in cells)
    if bottom > scroll.viewport().height():
        assert scroll.verticalScrollBar().maximum() > 0, "the lower matrices cannot be scrolled to"
    window.grab().save(str(project.path / f"compare_{size[0]}.png"))


def test_one_run_shows_its_own_figures(qtbot, window, project, plain_and_balanced_runs):
    plain, _balanced = plain_and_balanced_runs
    panel = comparing(qtbot, window, project, [plain], (1024, 700))
    assert panel.pages.currentWidget() is panel.content
    assert plain.short_id in panel.heading.text()
    assert "second run" in panel.note.text()
    show_tab(qtbot, panel, panel.metrics)
    table = panel.metrics.table
    assert table.columnCount() == 2
    recall_row = next(r for r in range(table.rowCount()) if table.item(r, 0).data(256) == "recall")
    assert table.item(recall_row, 1).text() == format_metric(plain.metrics["recall"])
    show_tab(qtbot, panel, panel.confusion)
    qtbot.waitUntil(lambda: panel.confusion.showing_chart)
    assert [run.id for _plot, run, _l, _m in panel.confusion.cells] == [plain.id]
    show_tab(qtbot, panel, panel.curves_chart)
    assert panel.curves_chart.drawn == [plain.id]
    show_tab(qtbot, panel, panel.summary_splitter)
    assert panel.settings.visible_settings()[:1] == ["dataset"] or len(panel.settings.visible_settings()) > 5


def test_a_metric_reads_the_same_everywhere(qtbot, window, project, plain_and_balanced_runs):
    plain, balanced = plain_and_balanced_runs
    recall = plain.metrics["recall"]
    assert format_metric(0.0784313725) == "0.078" and format_metric(0.82) == "0.820"
    assert format_exact_score(0.0784313725) == "0.0784"
    panel = comparing(qtbot, window, project, [plain, balanced], (1440, 900))

    show_tab(qtbot, panel, panel.summary_splitter)
    bar_texts = [label.textItem.toPlainText() for label in panel.bars.value_labels[panel.bars.plot].labels]
    assert format_metric(recall) in bar_texts
    assert all(len(text.split(".")[1]) == 3 for text in bar_texts), bar_texts

    show_tab(qtbot, panel, panel.metrics)
    table = panel.metrics.table
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).data(256) == "recall")
    assert table.item(row, 1).text() == format_metric(recall)
    assert format_exact_score(recall) in table.item(row, 1).toolTip()
    change = table.item(row, 3).text()
    assert change == "+" + format_metric(balanced.metrics["recall"] - recall)

    runs_model = window.compare_step.table.model
    column = next(c for c in range(runs_model.columnCount()) if runs_model.columns[c].key == "metric.recall")
    index = runs_model.index(runs_model.row_of(plain.id), column)
    assert runs_model.data(index) == format_metric(recall)
    assert format_exact_score(recall) in runs_model.data(index, 3)   # the tooltip
