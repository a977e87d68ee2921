"""The detail side of the Monitor step: the charts, in tabs (the selected batch's card, `summary`,
is made here too but placed by the step under its batch list).

  Drift map     the heat map (feature × batch) above the selected feature's distributions
  Over time     the share of drifted features per batch, and the model's quality on labelled batches
  Results table the selected batch's per-feature results, sortable

The charts keep the height they need to be read (a row per feature in the heat map, a plot under each
legend); in a small window the Drift map and Over time tabs scroll as a whole rather than squeezing them.

The panel owns the selection (a batch and a feature): a click in the heat map or the table, or
a pick in the column list, changes it; `selection_changed` tells the step (which keeps the
batch list in step), `distribution_wanted` asks it to load a distribution it has not cached.

Charts need pyqtgraph, which the step prepares in slices (`ui.work.chart_warmup`); until it is ready the
charts say "Preparing the charts…" and draw themselves when it is. The batch's card and table are shown at
once, and each chart on a later turn of the event loop, the heat map first: drawn with the page they held the
window 60–150 ms after a batch was added. The charts' pyqtgraph plots (20–40 ms each to build) are built while the
version has no batch yet, when the charts are ready by then.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.steps.monitor import text as mt
from desktop_app.ui.steps.monitor.distribution import DistributionChart
from desktop_app.ui.steps.monitor.heatmap import DriftHeatMap
from desktop_app.ui.steps.monitor.quality_chart import QualityChart
from desktop_app.ui.steps.monitor.share import DriftShareChart
from desktop_app.ui.steps.monitor.summary import BatchSummary
from desktop_app.ui.steps.monitor.table import DriftTable
from desktop_app.ui.work.chart_warmup import charts_ready, warm_up_charts

if TYPE_CHECKING:
    from desktop_app.core.monitor.entities import MonitoringBatch

READY_POLL_MS = 25
PREPARING = "Preparing the charts…"
DISTRIBUTION_MIN_HEIGHT = 265


class MonitorPanel(QWidget):
    selection_changed = Signal(str, str)        # batch id, feature
    distribution_wanted = Signal(str, str)      # batch id, column

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("monitorPanel")
        self.batches: list[MonitoringBatch] = []
        self.target: str | None = None
        self.batch_id: str | None = None
        self.feature: str | None = None
        self.distributions: dict[tuple[str, str], dict[str, Any]] = {}
        self._charts_dirty = False

        self.summary = BatchSummary()
        self.heat_map = DriftHeatMap()
        self.heat_map.cell_clicked.connect(lambda feature, batch_id: self.select(batch_id, feature))
        self.distribution = DistributionChart()
        self.distribution.feature_chosen.connect(lambda column: self.select(self.batch_id, column))
        self.share = DriftShareChart()
        self.quality = QualityChart()
        self.table = DriftTable()
        self.table.feature_selected.connect(lambda column: self.select(self.batch_id, column))

        self.map_splitter = _splitter("monitorMapSplitter", self.heat_map, self.distribution, [320, 260])
        # Room for a readable histogram (it was a strip with crowded y labels) under a heat map with a named
        # row per feature: in a small window the tab scrolls.
        self.distribution.setMinimumHeight(DISTRIBUTION_MIN_HEIGHT)
        self.time_splitter = _splitter("monitorTimeSplitter", self.share, self.quality, [300, 300])
        self.tabs = QTabWidget()
        self.tabs.setObjectName("monitorTabs")
        self.tabs.setDocumentMode(True)
        for widget, title, tip in (
            (_scrolling(self.map_splitter), "Drift map",
             "Which features drifted in which batch; click a cell to see how"),
            (_scrolling(self.time_splitter), "Over time",
             "Share of drifted features per batch, and the model's quality where batches had labels"),
            (self.table, "Results table", "Every feature's test, statistic, p-value, threshold, PSI and missing "
                                          "values in the selected batch"),
        ):
            self.tabs.setTabToolTip(self.tabs.addTab(widget, title), tip)

        content = self.tabs
        self.message = QLabel()
        self.message.setObjectName("emptyMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.message)
        self.pages.addWidget(content)
        self.content = content
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)
        self._ready_timer = QTimer(self)
        self._ready_timer.setInterval(READY_POLL_MS)
        self._ready_timer.timeout.connect(self._charts_maybe_ready)
        self._later_charts: list[Callable[[], None]] = []   # drawn one per turn of the event loop
        self._later_timer = QTimer(self)
        self._later_timer.setSingleShot(True)
        self._later_timer.setInterval(0)
        self._later_timer.timeout.connect(self._draw_next_later)

    # -- data -------------------------------------------------------------------------------------
    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.pages.setCurrentWidget(self.message)

    def set_batches(self, batches: list[MonitoringBatch], target: str | None = None,
                    batch_id: str | None = None) -> None:
        """Show `batches` (oldest first); select `batch_id` (default: the one selected, else the newest)."""
        self.batches, self.target = list(batches), target
        if not self.batches:
            self.batch_id = None
            self.show_message("No batches yet.")
            return
        ids = [b.id for b in self.batches]
        if batch_id not in ids:
            batch_id = self.batch_id if self.batch_id in ids else ids[-1]
        self.batch_id = batch_id
        self.feature = self._feature_for(self.batch, self.feature)
        self.pages.setCurrentWidget(self.content)
        self._charts_dirty = True
        self._draw_charts()
        self._show_selection()

    def prepare_charts(self) -> None:
        """While the version has no batch: build the charts' pyqtgraph plots, one per idle turn (20–40 ms each, which
        the first batch's result then need not wait for), if the charts are ready."""
        unbuilt = [c.prepare for c in (self.heat_map, self.share, self.distribution, self.quality) if c.chart is None]
        if charts_ready() and unbuilt:
            self._later_charts = unbuilt
            self._later_timer.start()

    @property
    def batch(self) -> Any:
        return next((b for b in self.batches if b.id == self.batch_id), None)

    def select(self, batch_id: str | None, feature: str | None = None) -> None:
        """Select a batch (and a feature; default: keep it, or the batch's most drifted one)."""
        if batch_id not in [b.id for b in self.batches]:
            return
        feature = self._feature_for(next(b for b in self.batches if b.id == batch_id), feature or self.feature)
        if (batch_id, feature) == (self.batch_id, self.feature):
            return
        self.batch_id, self.feature = batch_id, feature
        self._show_selection()
        self.selection_changed.emit(batch_id, feature or "")

    def add_distribution(self, batch_id: str, column: str, data: dict[str, Any]) -> None:
        """A distribution loaded by the step; drawn when it is the one selected."""
        self.distributions[(batch_id, column)] = data
        if (batch_id, column) == (self.batch_id, self.feature):
            self._draw_distribution()

    def clear_cache(self) -> None:
        self.distributions.clear()

    @staticmethod
    def _feature_for(batch: MonitoringBatch | None, wanted: str | None) -> str | None:
        if batch is None:
            return None
        r = batch.result
        names = [c.column for c in r.columns] + [c.column for c in r.prediction.columns]
        if r.target:
            names.append(r.target.column)
        if wanted in names:
            return wanted
        drifted = sorted((c for c in r.columns if c.drifted), key=lambda c: -(mt.severity(c) or 0))
        return drifted[0].column if drifted else (names[0] if names else None)

    # -- drawing ------------------------------------------------------------------------------------
    def _show_selection(self) -> None:
        batch = self.batch
        self.summary.set_batch(batch, self.target)
        self.table.set_batch(batch, self.feature)
        if batch is not None:
            self.distribution.set_choices(batch, self.feature)
        if charts_ready() and not self._charts_dirty:
            self.heat_map.set_selection(self.batch_id, self.feature)
            self.share.set_selection(self.batch_id)
        self._draw_distribution()

    def _draw_charts(self) -> None:
        if not charts_ready():
            warm_up_charts(self)
            for chart in (self.heat_map, self.share, self.quality):
                chart.show_message(PREPARING)
            self._ready_timer.start()
            return
        # Each draws what the panel holds when its turn comes; a redraw before then replaces the list.
        self._later_charts = [self._draw_heat_map,
                              lambda: self.share.set_batches(self.batches, self.batch_id),
                              lambda: self.quality.set_batches(self.batches, self.target)]
        self._later_timer.start()

    def _draw_heat_map(self) -> None:
        # Until it is drawn, a selection is not marked on the charts: this draws the one made meanwhile.
        self._charts_dirty = False
        self.heat_map.set_batches(self.batches, self.batch_id, self.feature)

    def _draw_next_later(self) -> None:
        if self._later_charts:
            self._later_charts.pop(0)()
        if self._later_charts:
            self._later_timer.start()

    def _draw_distribution(self) -> None:
        batch, column = self.batch, self.feature
        if batch is None or column is None:
            self.distribution.show_message("Select a feature to see its distributions.")
            return
        data = self.distributions.get((batch.id, column))
        if data is None:
            self.distribution.show_loading(column)
            self.distribution_wanted.emit(batch.id, column)
            return
        if not charts_ready():
            self.distribution.show_message(PREPARING)
            self._ready_timer.start()
            return
        self.distribution.show_distribution(data, batch.result.result_of(column), batch)

    def _charts_maybe_ready(self) -> None:
        if charts_ready():
            self._ready_timer.stop()
            self.draw_all()

    def draw_all(self) -> None:
        """Draw every chart now (tests, screenshots), importing pyqtgraph at once if it is not ready."""
        importlib.import_module("pyqtgraph")   # ready now if it was not

        self._ready_timer.stop()
        if self.batches:
            self._draw_charts()
            while self._later_charts:
                self._draw_next_later()
            self._show_selection()


def _scrolling(widget: QWidget) -> QScrollArea:
    """`widget` in a vertical scroll area: it fills the tab, and scrolls when the tab is shorter than its minimum."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    return area


def _splitter(name: str, top: QWidget, bottom: QWidget, sizes: list[int]) -> QSplitter:
    splitter = QSplitter(Qt.Orientation.Vertical)
    splitter.setObjectName(name)
    splitter.addWidget(top)
    splitter.addWidget(bottom)
    splitter.setSizes(sizes)
    splitter.setChildrenCollapsible(False)
    return splitter
