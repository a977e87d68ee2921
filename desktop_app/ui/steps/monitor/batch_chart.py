"""The canvas the Monitor step's charts share: a white pyqtgraph layout with the legend on its own
row above the plot (inside, it would hide the newest batches), people-friendly axes; the panel
that holds one, and the batch axis under the charts over time."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from desktop_app.ui.charts.columns import _people_axis
from desktop_app.ui.charts.base import ChartPanel, on_hover, style_plot_item, top_legend


def legend_chart(x_label: str, y_label: str) -> tuple[Any, Any, Any]:
    """(GraphicsLayoutWidget, its top legend, its PlotItem); fill the legend with ChartPanel.set_legend."""
    import pyqtgraph as pg

    layout = pg.GraphicsLayoutWidget()
    layout.setBackground("w")
    legend = top_legend(layout)
    plot = pg.PlotItem(axisItems={"left": _people_axis("left"), "bottom": _people_axis("bottom")})
    style_plot_item(plot, x_label, y_label)
    layout.addItem(plot, row=1, col=0)
    return layout, legend, plot


def fit_batch_axis(plot: Any, labels: list[str], fallback_width: float) -> None:
    """Batch names under their columns (x = 0 … n-1): every k-th one when they would overlap (the newest
    always), with room at the ends so the outer names are not dropped."""
    from PySide6.QtGui import QFontMetricsF

    from desktop_app.ui.steps.monitor import text as mt

    if not labels:
        return
    axis = plot.getAxis("bottom")
    metrics = QFontMetricsF(axis.style.get("tickFont") or axis.font())
    n = len(labels)
    width = plot.vb.width() or fallback_width
    widest = max(metrics.horizontalAdvance(t) for t in labels)
    ticks = mt.thin_ticks(labels, width / n, widest)
    axis.setTicks([ticks, []])
    # Extra room (in columns) so that the first and last names fit inside the plot (pyqtgraph drops a
    # name that sticks out); the room shrinks the columns, so settle it in a few rounds.
    first = metrics.horizontalAdvance(ticks[0][1]) if ticks[0][0] == 0 else 0.0
    last = metrics.horizontalAdvance(ticks[-1][1])
    left = right = 0.0
    for _ in range(4):
        per_column = max(1.0, width / (n + left + right))
        left = max(0.0, first / 2 + 6 - per_column / 2) / per_column
        right = max(0.0, last / 2 + 6 - per_column / 2) / per_column
    plot.setXRange(-0.5 - left, n - 0.5 + right, padding=0)


class LegendChartPanel(ChartPanel):
    """A ChartPanel drawing into one `legend_chart`, built on the first draw: hovering asks `_describe`
    (scene position → tooltip), a resize refits the ticks (`_fit_ticks`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot: Any = None
        self.legend: Any = None

    def _clear_plot(self, x_label: str, y_label: str, name: str) -> Any:
        """The plot, emptied for a new drawing (built with these axis labels, and `name` for its
        save menu, the first time)."""
        if self.chart is None:
            chart, self.legend, self.plot = legend_chart(x_label, y_label)
            self.set_chart(chart, name)
            on_hover(self.chart, self._describe)
            self.plot.vb.sigResized.connect(lambda _vb: self._fit_ticks())
        self.plot.clear()
        return self.plot

    def _describe(self, _widget: Any, _scene_pos: Any) -> str | None:
        return None

    def _fit_ticks(self) -> None:
        pass


class BatchChart(LegendChartPanel):
    """A chart over time: one column per batch (`batches`, oldest first), named by `labels` below."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.batches: list[Any] = []
        self.labels: list[str] = []

    def _fit_ticks(self) -> None:
        if self.chart is None or not self.batches:
            return
        fit_batch_axis(self.plot, self.labels, self.width() * 0.8)
