"""The drift heat map: one row per feature, one column per batch (oldest on the left).

A cell's colour is the feature's test statistic relative to its threshold in that batch (see
text.severity: four bands, grey when untested); drifted cells are outlined dark red so
the verdict never depends on telling colours apart. Features that drifted in more batches come
first. Hover shows the feature, the batch, the test, the statistic, the p-value and the threshold;
a click selects the batch and the feature (`cell_clicked`). The selected batch's column is framed
in blue, the selected feature's row marked ▶.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QWidget

from desktop_app.ui.charts.base import (
    LEGEND_POINTS,
    LEGEND_SAMPLE_PX,
    ChartPanel,
    canvas,
    on_hover,
    style_plot_item,
    top_legend,
)
from desktop_app.ui.steps.monitor import text as mt
from desktop_app.ui.steps.monitor.batch_chart import fit_batch_axis
from desktop_app.ui.text.formatting import format_int, shorten
from desktop_app.ui.text.rich_text import escape
from desktop_app.ui.widgets.elided_label import ElidedLabel

if TYPE_CHECKING:
    from desktop_app.core.monitor.entities import ColumnDriftResult, MonitoringBatch

CELL_WIDTH = 0.92
CELL_HEIGHT = 0.86
SELECTED_PEN = "#1f6feb"
MAX_LABEL = 18
ROW_PX = 18          # each feature row tall enough for its name (the map asks for it; the tab scrolls)
FRAME_PX = 150       # the title, the colour key and the batch axis around the rows


class DriftHeatMap(ChartPanel):
    cell_clicked = Signal(str, str)   # feature, batch id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("driftHeatMap")
        self.batches: list[MonitoringBatch] = []
        self.features: list[str] = []
        self.cells: dict[tuple[int, int], ColumnDriftResult] = {}   # (feature row, batch column) → column result
        self.bands: dict[tuple[int, int], int] = {}
        self.labels: list[str] = []
        self.selected_batch: str | None = None
        self.selected_feature: str | None = None
        self.plot: Any = None
        self.legend: Any = None
        self._grid: Any = None
        self._frames: list[Any] = []
        # The title is a Qt label above the chart: a plot title is clipped without "…" in a narrow window.
        self.title = ElidedLabel()
        self.title.setObjectName("heatMapTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.title.setVisible(False)
        self.layout_.insertWidget(0, self.title)

    # -- data -------------------------------------------------------------------------------------
    def set_batches(self, batches: Sequence[MonitoringBatch], selected_batch: str | None = None,
                    selected_feature: str | None = None) -> None:
        """Draw `batches` (oldest first)."""
        self.batches = list(batches)
        self.selected_batch, self.selected_feature = selected_batch, selected_feature
        if not self.batches:
            self.show_message("No batches yet: add one to see which features drift.")
            return
        order: dict[str, int] = {}
        drift_count: dict[str, int] = {}
        for batch in reversed(self.batches):          # the newest batch's column order first
            for column in batch.result.columns:
                order.setdefault(column.column, len(order))
                drift_count[column.column] = drift_count.get(column.column, 0) + bool(column.drifted)
        self.features = sorted(order, key=lambda f: (-drift_count[f], order[f]))
        row_of = {f: i for i, f in enumerate(self.features)}
        self.cells, self.bands = {}, {}
        for j, batch in enumerate(self.batches):
            for column in batch.result.columns:
                i = row_of[column.column]
                self.cells[(i, j)] = column
                self.bands[(i, j)] = mt.band(column)
        self.labels = mt.batch_labels(self.batches)
        self.setMinimumHeight(FRAME_PX + ROW_PX * len(self.features))
        self._ensure_chart()
        self._draw()
        self.show_chart()

    def show_message(self, text: str) -> None:
        self.title.setVisible(False)
        super().show_message(text)

    def set_selection(self, batch_id: str | None, feature: str | None) -> None:
        self.selected_batch, self.selected_feature = batch_id, feature
        if self.plot is not None and self.batches:
            self._draw_selection()
            self._fit_ticks()

    @property
    def columns(self) -> int:
        """How many batch columns the map shows."""
        return len(self.batches)

    def drifted_cells(self) -> list[tuple[str, str]]:
        """(feature, batch id) of every cell marked drifted."""
        return [(self.features[i], self.batches[j].id) for (i, j), c in self.cells.items() if c.drifted]

    def prepare(self) -> None:
        """Build the chart now, while the version has no batch yet, so that drawing the first one only draws."""
        self._ensure_chart()

    # -- drawing ------------------------------------------------------------------------------------
    def _ensure_chart(self) -> None:
        if self.chart is not None:
            return
        import pyqtgraph as pg

        layout = canvas()
        self.legend = top_legend(layout)
        self.plot = pg.PlotItem()
        layout.addItem(self.plot, row=1, col=0)
        style_plot_item(self.plot, "Batch (oldest → newest)", None)
        self.plot.showGrid(x=False, y=False)
        self.plot.invertY(True)
        self.plot.vb.sigResized.connect(lambda _vb: self._fit_ticks())
        self.set_chart(layout, "drift-heat-map")
        on_hover(self.chart, self._describe)
        layout.scene().sigMouseClicked.connect(self._clicked)
        samples = []
        for i, (label, color) in enumerate(mt.BANDS):
            pen = pg.mkPen(mt.DRIFT_OUTLINE, width=2) if i >= 2 else pg.mkPen("#c9d1d9", width=0.5)
            samples.append((pg.ScatterPlotItem(symbol="s", size=12, brush=pg.mkBrush(color), pen=pen), label))
        samples.append((pg.ScatterPlotItem(symbol="s", size=12, brush=pg.mkBrush(mt.UNTESTED_COLOR),
                                           pen=pg.mkPen("#c9d1d9", width=0.5)), "not tested"))
        self._legend_entries = samples

    def _draw(self) -> None:
        import pyqtgraph as pg

        plot = self.plot
        plot.clear()
        self._frames = []
        xs, ys, brushes, pens = [], [], [], []
        outline = pg.mkPen(mt.DRIFT_OUTLINE, width=2)
        outline.setCosmetic(True)
        none = pg.mkPen(None)
        for (i, j), value in sorted(self.bands.items()):
            xs.append(j)
            ys.append(i)
            brushes.append(pg.mkBrush(mt.band_color(value)))
            pens.append(outline if self.cells[(i, j)].drifted else none)
        self._grid = pg.BarGraphItem(x=xs, y=ys, width=CELL_WIDTH, height=CELL_HEIGHT, brushes=brushes, pens=pens)
        plot.addItem(self._grid)
        n, m = len(self.features), len(self.batches)
        plot.setYRange(-0.5, n - 0.5, padding=0.01)
        alerts = sum(b.dataset_drift for b in self.batches)
        self.title.setText(f"Drift of each feature in {format_int(m)} batch{'es' if m != 1 else ''}"
                           + (f" — {alerts} with dataset drift (⚠)" if alerts else "")
                           + "; most often drifted first")
        self.title.setVisible(True)
        self._fit_legend()
        self._draw_selection()
        self._fit_ticks()

    def _draw_selection(self) -> None:
        import pyqtgraph as pg
        from PySide6.QtWidgets import QGraphicsRectItem

        for item in self._frames:
            self.plot.removeItem(item)
        self._frames = []
        ids = [b.id for b in self.batches]
        if self.selected_batch in ids:
            j = ids.index(self.selected_batch)
            frame = QGraphicsRectItem(QRectF(j - 0.5, -0.5, 1.0, len(self.features)))
            pen = pg.mkPen(SELECTED_PEN, width=2.5)
            pen.setCosmetic(True)
            frame.setPen(pen)
            frame.setZValue(5)
            self.plot.addItem(frame)
            self._frames.append(frame)
        if self.selected_feature in self.features:
            i = self.features.index(self.selected_feature)
            frame = QGraphicsRectItem(QRectF(-0.5, i - 0.5, len(self.batches), 1.0))
            pen = pg.mkPen(SELECTED_PEN, width=1.5, style=Qt.PenStyle.DashLine)
            pen.setCosmetic(True)
            frame.setPen(pen)
            frame.setZValue(4)
            self.plot.addItem(frame)
            self._frames.append(frame)

    def _fit_ticks(self) -> None:
        if self.plot is None or not self.batches:
            return
        left = self.plot.getAxis("left")
        metrics = QFontMetricsF(left.style.get("tickFont") or left.font())
        marks = ["⚠ " if b.dataset_drift else "" for b in self.batches]
        fit_batch_axis(self.plot, [f"{mark}{label}" for mark, label in zip(marks, self.labels)], self.width() * 0.8)
        names = [("▶ " if f == self.selected_feature else "") + shorten(f, MAX_LABEL)
                 for f in self.features]
        height = self.plot.vb.height() or self.height() * 0.7
        left.setTicks([mt.thin_ticks(names, height / len(names), metrics.ascent() - 10), []])

    def _fit_legend(self) -> None:
        """The colour key on one row when it fits (pyqtgraph's legend gives every column the widest
        entry's width), else on as few rows as needed."""
        if self.legend is None:
            return
        font = QFont()
        font.setPointSizeF(LEGEND_POINTS)
        metrics = QFontMetricsF(font)
        widths = [metrics.horizontalAdvance(text) + LEGEND_SAMPLE_PX + 6 for _item, text in self._legend_entries]
        room = max(200.0, self.width() - 24.0)
        columns = len(widths)
        while columns > 1 and sum(sorted(widths)[-columns:]) > room:
            columns -= 1
        self.legend.clear()
        self.legend.setColumnCount(columns)
        for item, text in self._legend_entries:
            self.legend.addItem(item, text)
        self._legend_width = self.width()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        if self.chart is not None and abs(self.width() - self._legend_width) >= 8:
            self._fit_legend()

    # -- mouse ------------------------------------------------------------------------------------------
    def cell_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        if self.plot is None or not self.plot.vb.sceneBoundingRect().contains(scene_pos):
            return None
        point = self.plot.vb.mapSceneToView(scene_pos)
        i, j = round(point.y()), round(point.x())
        return (i, j) if (i, j) in self.cells else None

    def _clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        cell = self.cell_at(event.scenePos())
        if cell is not None:
            i, j = cell
            self.cell_clicked.emit(self.features[i], self.batches[j].id)

    def describe_cell(self, i: int, j: int) -> str:
        column, batch = self.cells[(i, j)], self.batches[j]
        when, exact = mt.batch_when(batch)
        lines = [f"<b>{escape(self.features[i])}</b> in batch <b>{escape(batch.name)}</b> ({exact or when})",
                 f"Test: {mt.test_name(column.test)}",
                 f"Statistic: {mt.format_stat(column.statistic) if column.test else '—'}",
                 f"p-value: {mt.format_p(column.p_value)}",
                 f"Threshold: {mt.format_stat(column.threshold) if column.test else '—'}"
                 + (" (p below it = drift)" if column.p_value is not None else
                    " (at or above it = drift)" if column.test else ""),
                 f"PSI: {mt.psi_text(column)}",
                 f"Missing: {mt.missing_text(column)}"]
        new = mt.new_categories_text(column)
        if new:
            lines.append(f"New categories: {escape(new)}")
        verdict = "<b style='color:#c62828'>drifted</b>" if column.drifted else "no drift"
        lines.append(f"Verdict: {verdict} — click to see its distributions")
        return "<br>".join(lines)

    def _describe(self, _widget: Any, scene_pos: QPointF) -> str | None:
        cell = self.cell_at(scene_pos)
        return None if cell is None else self.describe_cell(*cell)

