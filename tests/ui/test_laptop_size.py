"""At 1024×700 (a laptop) the Data, Quality, Train and Monitor steps show whole texts (or shortened with
"…" and the whole text in the tooltip), the Data table shows several columns, and the charts read plainly:
whole-number histograms without a comb, no "(x0.001)" on an axis. Issue 14, items 7 and 8."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtWidgets import QLabel

from desktop_app.ui.widgets.elided_label import ElidedLabel
from tests.conftest import SAMPLE_CSV
from tests.ui.helpers import MODEL, TARGET, click, open_copy, wait_idle

LAPTOP = (1024, 700)


@pytest.fixture
def laptop(window):
    window.resize(*LAPTOP)
    return window


def shown(label: QLabel) -> str:
    """What the label paints (an ElidedLabel's text() is the whole text)."""
    return QLabel.text(label)


def assert_whole_or_elided(label: QLabel, whole: str) -> None:
    """The label shows `whole`, or a shortening ending in "…" with `whole` in its tooltip — never a cut."""
    painted = shown(label)
    if painted == whole:
        assert label.fontMetrics().horizontalAdvance(painted) <= label.contentsRect().width()
    else:
        assert painted.endswith("…") and whole.startswith(painted[:-1]) and whole in label.toolTip(), painted


def fully_visible_columns(view) -> int:
    width = view.viewport().width()
    return sum(0 <= view.columnViewportPosition(c) and view.columnViewportPosition(c) + view.columnWidth(c) <= width
               for c in range(view.model().columnCount()))


def open_on(qtbot, window, project, step: str):
    window.set_project(project)
    wait_idle(qtbot, window.runner, 30_000)
    window.navigator.select(step)
    wait_idle(qtbot, window.runner, 30_000)


# -- Data ---------------------------------------------------------------------------------------------

def test_data_table_shows_five_columns_and_whole_ages_get_whole_bins(qtbot, laptop, project):
    project.datasets.import_file(SAMPLE_CSV, name="heart")
    open_on(qtbot, laptop, project, "data")
    step = laptop.data_step
    qtbot.waitUntil(lambda: step.model is not None and step.table_stack.currentWidget() is step.view, timeout=30_000)
    assert fully_visible_columns(step.view) >= 5

    step.view.select_column(0)   # age, as a click on it would
    qtbot.waitUntil(lambda: step.summary.summary is not None and step.summary.summary.name == "age", timeout=20_000)
    edges, counts = step.summary.summary.histogram
    widths = np.diff(edges)
    assert np.all(widths == widths[0]) and widths[0] == round(widths[0])     # no comb of 1- and 2-age bars
    assert all(e % 1 == 0.5 for e in edges) and sum(counts) == project.datasets.list()[0].versions[0].rows


# -- Quality ------------------------------------------------------------------------------------------

def test_quality_preselects_the_sample_target_and_one_fix_can_be_applied(qtbot, laptop, project):
    project.datasets.import_file(SAMPLE_CSV, name="heart")
    open_on(qtbot, laptop, project, "quality")
    step = laptop.quality_step
    assert step.target() == TARGET
    assert_whole_or_elided(step.target_note, "guessed: the last yes/no column")

    click(qtbot, step.primary_button)
    qtbot.waitUntil(lambda: step.stored is not None and not step.is_checking(), timeout=60_000)
    assert step.stored.report.target == TARGET
    weight = next(f for f in step.stored.report.findings if f.column == "weight" and f.fix is not None)
    step.findings.select_finding(weight)
    assert step.findings.selected() == [weight]
    assert step.apply_selected_button.isEnabled() and step.apply_selected_button.text() == "Apply 1 selected fix…"


def test_quality_takes_the_target_the_last_run_used(qtbot, laptop, project):
    version = project.datasets.import_file(SAMPLE_CSV, name="heart").version
    project.runs.log(version.id, "diabetes", "logistic_regression")
    open_on(qtbot, laptop, project, "quality")
    assert laptop.quality_step.target() == "diabetes"
    assert_whole_or_elided(laptop.quality_step.target_note, "as in the last run")


# -- Train --------------------------------------------------------------------------------------------

def test_train_queue_titles_are_whole_or_elided_and_tell_the_variants_apart(qtbot, laptop, project):
    project.datasets.import_file(SAMPLE_CSV, name="heart")
    open_on(qtbot, laptop, project, "train")
    step = laptop.train_step
    qtbot.waitUntil(lambda: step.info is not None, timeout=30_000)
    step.models.add_balanced_variants()
    try:
        click(qtbot, step.primary_button)
        qtbot.waitUntil(lambda: len(step.queue_list.rows) == 2, timeout=30_000)
        qtbot.wait(50)  # one layout pass at the laptop size
        rows = list(step.queue_list.rows.values())
        for row in rows:
            assert isinstance(row.title, ElidedLabel)
            assert_whole_or_elided(row.title, row.title.text())
            assert_whole_or_elided(row.state, row.state.text())
        assert len({shown(r.title) for r in rows}) == 2, [shown(r.title) for r in rows]
    finally:
        click(qtbot, step.queue_list.cancel_all_button)
        qtbot.waitUntil(lambda: not step.run_queue.busy and all(
            r.status in ("cancelled", "finished", "failed") for r in step.queue_list.rows.values()), timeout=60_000)
        # Compare reloads a moment after runs end; let it, before the window (and its runner) closes.
        qtbot.waitUntil(lambda: not laptop.compare_step.loading, timeout=30_000)
        wait_idle(qtbot, laptop.runner, 30_000)


# -- Monitor ------------------------------------------------------------------------------------------

@pytest.fixture
def registered(registered_heart_dir, tmp_path):
    project = open_copy(registered_heart_dir, tmp_path / "proj")
    yield project
    project.close()


def test_monitor_threshold_text_wraps_and_axes_have_no_si_prefix(qtbot, laptop, registered, tmp_path):
    import pyqtgraph as pg

    batch = pd.read_csv(SAMPLE_CSV).sample(400, random_state=1)
    batch.to_csv(tmp_path / "batch.csv", index=False)
    open_on(qtbot, laptop, registered, "monitor")
    step = laptop.monitor_step
    qtbot.waitUntil(lambda: step.version is not None and not step.busy, timeout=30_000)
    step.add_batch_file(tmp_path / "batch.csv")
    qtbot.waitUntil(lambda: len(step.batches) == 1 and not step.busy, timeout=60_000)
    wait_idle(qtbot, laptop.runner, 30_000)
    assert step.picker.current_ref() == f"{MODEL}@production"

    label = step.picker.thresholds
    assert label.wordWrap() and label.height() >= label.heightForWidth(label.width())
    assert label.width() >= 120

    step.panel.select(step.batches[0].id, "age")
    step.panel.draw_all()
    qtbot.waitUntil(lambda: step.panel.distribution.showing_chart, timeout=20_000)
    plots = [item for view in step.findChildren(pg.GraphicsView) for item in view.scene().items()
             if isinstance(item, pg.PlotItem)]
    assert plots
    for plot in plots:
        for side in ("left", "bottom"):
            axis = plot.getAxis(side)
            assert not axis.autoSIPrefix
            axis.setRange(0, 0.0004)   # what once made the batch axis say "(x0.001)"
            assert "(x" not in axis.labelString()
    assert all(e % 1 == 0.5 for e in step.panel.distribution.data["edges"])   # whole ages: no comb here either


# -- The first-time analyst's second look (issue 14, item 7) -----------------------------------------

def inside(widget, parent) -> bool:
    """`widget`'s rect lies within `parent`'s (in `parent`'s coordinates)."""
    top_left = widget.mapTo(parent, widget.rect().topLeft())
    return parent.rect().contains(top_left) and parent.rect().contains(top_left + widget.rect().bottomRight())


def test_data_tree_shows_the_version_entry_whole(qtbot, laptop, project):
    project.datasets.import_file(SAMPLE_CSV, name="heart")
    open_on(qtbot, laptop, project, "data")
    tree = laptop.data_step.tree
    qtbot.waitUntil(lambda: tree.current_version() is not None, timeout=30_000)
    qtbot.wait(50)  # one layout pass at the laptop size
    item = tree.currentItem()
    rect = tree.visualItemRect(item)
    for line in item.text(0).split("\n"):
        assert rect.x() + tree.fontMetrics().horizontalAdvance(line) <= tree.viewport().width(), line
    assert fully_visible_columns(laptop.data_step.view) >= 5


def test_train_variant_settings_are_whole_and_options_scroll_into_view(qtbot, laptop, project):
    project.datasets.import_file(SAMPLE_CSV, name="heart")
    open_on(qtbot, laptop, project, "train")
    step = laptop.train_step
    qtbot.waitUntil(lambda: step.info is not None, timeout=30_000)
    (variant,) = step.models.add_balanced_variants()
    qtbot.wait(50)
    assert shown(variant.summary) == "balanced weights"
    assert_whole_or_elided(variant.summary, "balanced weights")
    viewport = step.setup_scroll.viewport()
    for card in step.models.cards:
        for button in (card.expand_button, card.variant_button, card.check):
            assert inside(button, card), (card.check.text(), button.text())
            assert button.fontMetrics().horizontalAdvance(button.text()) <= button.width()
        assert card.mapTo(viewport, card.rect().topRight()).x() <= viewport.width()
    step.setup_scroll.ensureWidgetVisible(step.options)
    qtbot.waitUntil(lambda: inside(step.options, viewport), timeout=5_000)


def test_monitor_drift_map_title_and_verdict_are_whole_or_elided(qtbot, laptop, registered, tmp_path):
    import pyqtgraph as pg

    batch = pd.read_csv(SAMPLE_CSV).sample(400, random_state=1)
    batch["age"] += 8
    batch.to_csv(tmp_path / "batch.csv", index=False)
    open_on(qtbot, laptop, registered, "monitor")
    step = laptop.monitor_step
    qtbot.waitUntil(lambda: step.version is not None and not step.busy, timeout=30_000)
    step.add_batch_file(tmp_path / "batch.csv")
    qtbot.waitUntil(lambda: len(step.batches) == 1 and not step.busy, timeout=60_000)
    wait_idle(qtbot, laptop.runner, 30_000)
    step.panel.select(step.batches[0].id, "age")
    step.panel.draw_all()
    dist = step.panel.distribution
    qtbot.waitUntil(lambda: dist.showing_chart, timeout=20_000)
    qtbot.wait(50)

    title = step.panel.heat_map.title
    assert title.isVisible() and title.text().startswith("Drift of each feature in 1 batch")
    assert_whole_or_elided(title, title.text())
    assert "Wasserstein" in dist.verdict.text()
    assert_whole_or_elided(dist.verdict, dist.verdict.text())
    assert inside(dist.verdict, dist)
    (plot,) = [item for view in dist.findChildren(pg.GraphicsView) for item in view.scene().items()
               if isinstance(item, pg.PlotItem)]
    assert plot.vb.height() >= 50    # a histogram, not a strip with crowded y labels
