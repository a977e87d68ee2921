"""At 1024×700 (a laptop): the Monitor step's charts keep a usable plot height (its tabs scroll as a whole rather
than squeezing them), every row of the drift map has its name, and the chart titles are whole or end in "…"
with the whole title in the tooltip; the welcome page's card texts wrap whole; the user guide has no horizontal
scroll bar. Issue 14, item 7."""

from __future__ import annotations

import pandas as pd
import pytest
from PySide6.QtWidgets import QLabel, QScrollArea

from tests.conftest import SAMPLE_CSV
from tests.ui.helpers import open_copy, wait_idle

LAPTOP = (1024, 700)
MIN_PLOT = 100   # px: a plot one can read a line in


@pytest.fixture
def laptop(window):
    window.resize(*LAPTOP)
    return window


def whole_or_elided(label: QLabel, whole: str) -> bool:
    painted = QLabel.text(label)
    if painted == whole:
        return label.fontMetrics().horizontalAdvance(painted) <= label.contentsRect().width()
    return painted.endswith("…") and whole.startswith(painted[:-1]) and whole in label.toolTip()


def plot_of(chart):
    import pyqtgraph as pg

    (plot,) = [item for item in chart.chart.scene().items() if isinstance(item, pg.PlotItem)]
    return plot


@pytest.fixture
def monitored(qtbot, laptop, registered_heart_dir, tmp_path):
    """The Monitor step at 1024×700 with two batches (with labels), the second drifted."""
    project = open_copy(registered_heart_dir, tmp_path / "proj")
    frame = pd.read_csv(SAMPLE_CSV)
    first, second = frame.sample(400, random_state=1), frame.sample(400, random_state=2)
    second["age"] += 15
    second["sys_bp"] += 18
    first.to_csv(tmp_path / "january.csv", index=False)
    second.to_csv(tmp_path / "april.csv", index=False)
    laptop.set_project(project)
    wait_idle(qtbot, laptop.runner, 30_000)
    laptop.navigator.select("monitor")
    step = laptop.monitor_step
    qtbot.waitUntil(lambda: step.version is not None and not step.busy, timeout=30_000)
    for name in ("january.csv", "april.csv"):
        step.add_batch_file(tmp_path / name)
        qtbot.waitUntil(lambda: not step.busy, timeout=60_000)
    qtbot.waitUntil(lambda: len(step.batches) == 2 and not step.busy, timeout=60_000)
    wait_idle(qtbot, laptop.runner, 30_000)
    step.panel.draw_all()
    yield step
    project.close()


def test_over_time_charts_keep_their_plot_height_and_whole_or_elided_titles(qtbot, monitored):
    panel = monitored.panel
    panel.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: panel.share.showing_chart and panel.quality.showing_chart, timeout=20_000)
    qtbot.waitUntil(lambda: plot_of(panel.quality).vb.height() >= MIN_PLOT, timeout=5_000)
    assert plot_of(panel.share).vb.height() >= MIN_PLOT
    for chart in (panel.share, panel.quality):
        title = chart.title
        assert title.isVisible() and title.text()
        assert whole_or_elided(title, title.text()), QLabel.text(title)
        axis = plot_of(chart).getAxis("left")
        assert axis.height() >= axis.label.boundingRect().width(), axis.labelString()   # the whole axis title
    assert panel.share.title.text().startswith("Share of features drifted per batch — ")
    assert isinstance(panel.tabs.currentWidget(), QScrollArea)          # the tab scrolls as a whole


def test_drift_map_names_every_feature_row(qtbot, monitored):
    panel = monitored.panel
    heat = panel.heat_map
    qtbot.waitUntil(lambda: heat.showing_chart and panel.distribution.showing_chart, timeout=20_000)
    qtbot.wait(50)   # a layout pass
    ticks = heat.plot.getAxis("left")._tickLevels[0]
    assert len(heat.features) >= 10
    assert len(ticks) == len(heat.features), [t[1] for t in ticks]
    assert plot_of(panel.distribution).vb.height() >= MIN_PLOT
    assert isinstance(panel.tabs.currentWidget(), QScrollArea)


def test_welcome_cards_wrap_their_texts_whole(qtbot, laptop):
    qtbot.wait(50)
    cards = [label for label in laptop.welcome.findChildren(QLabel) if label.parent().objectName() == "card"]
    assert len(cards) >= 2
    for label in cards:
        if label.isVisible():
            assert label.height() >= label.heightForWidth(label.width()), label.text()


def test_the_guide_has_no_horizontal_scroll_bar(qtbot, laptop):
    laptop.guide_action.trigger()
    qtbot.waitUntil(lambda: laptop.guide_window is not None and laptop.guide_window.isVisible())
    guide = laptop.guide_window
    guide.resize(*LAPTOP)
    bar = guide.browser.horizontalScrollBar()
    qtbot.waitUntil(lambda: guide.browser.viewport().width() < 900, timeout=5_000)
    qtbot.wait(150)   # the images are fitted after a resize settles
    assert bar.maximum() == 0, bar.maximum()
