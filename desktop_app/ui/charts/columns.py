"""One column's values as a small chart, for the detail panels of the Data and Quality steps:
a histogram of numbers, or horizontal bars of the most frequent values.

Built on the chart toolkit's base (white canvas, people-friendly axes, hover values, "Save as
PNG/SVG" on right-click); pyqtgraph is imported only when a chart is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from desktop_app.ui.charts.base import install_menu, on_hover, plot_widget
from desktop_app.ui.text.formatting import format_int, format_number, shorten

BAR_COLOR = QColor("#4c78a8")
CHART_HEIGHT = 210


def detail_plot(name: str, parent: QWidget | None = None) -> Any:
    """A small plot for a detail panel: the base's canvas without a grid, fixed height, `name` for saving."""
    widget = plot_widget(parent=parent, grid=False)
    widget.setFixedHeight(CHART_HEIGHT)
    install_menu(widget, name)
    return widget


def histogram_chart(edges: Sequence[float], counts: Sequence[int], x_label: str, parent: QWidget | None = None):
    """Bars between consecutive `edges`; hover shows the bin range and its count."""
    import pyqtgraph as pg

    widget = detail_plot(f"{x_label}-histogram", parent)
    edges, counts = [float(e) for e in edges], [int(c) for c in counts]
    lefts, widths = edges[:-1], [b - a for a, b in zip(edges[:-1], edges[1:])]
    bars = pg.BarGraphItem(
        x0=lefts, width=widths, height=counts, brush=BAR_COLOR, pen=pg.mkPen("w", width=0.5)
    )
    widget.addItem(bars)
    widget.setLabel("bottom", x_label)
    widget.setLabel("left", "Rows")
    if edges:
        widget.setXRange(edges[0], edges[-1], padding=0.02)
    widget.setYRange(0, max(counts or [1]) * 1.05, padding=0)

    def describe(_widget: Any, pos: QPointF) -> str | None:
        point = widget.getPlotItem().vb.mapSceneToView(pos)
        for left, right, count in zip(edges[:-1], edges[1:], counts):
            if left <= point.x() <= right and 0 <= point.y():
                return f"{format_number(left)} to {format_number(right)}: {format_int(count)} rows"
        return None

    on_hover(widget, describe)
    return widget


def bar_chart(labels: Sequence[str], counts: Sequence[int], parent: QWidget | None = None):
    """Horizontal bars for the most frequent values (first label on top)."""
    import pyqtgraph as pg

    widget = detail_plot("top-values", parent)
    labels = [str(label) for label in labels]
    counts = [int(c) for c in counts]
    n = len(labels)
    ys = list(range(n - 1, -1, -1))
    bars = pg.BarGraphItem(x0=0, y=ys, height=0.7, width=counts, brush=BAR_COLOR, pen=pg.mkPen(None))
    widget.addItem(bars)
    left = widget.getPlotItem().getAxis("left")
    left.setTicks([[(y, shorten(label, 14)) for y, label in zip(ys, labels)]])
    widget.setLabel("bottom", "Rows")
    widget.setXRange(0, max(counts or [1]) * 1.05, padding=0)
    widget.setYRange(-0.6, n - 0.4, padding=0)
    widget.setFixedHeight(max(150, 24 * n + 56))

    def describe(_widget: Any, pos: QPointF) -> str | None:
        point = widget.getPlotItem().vb.mapSceneToView(pos)
        index = n - 1 - round(point.y())
        if 0 <= index < n and 0 <= point.x() <= max(counts[index], 0) * 1.05 + 1e-9:
            return f"{labels[index]}: {format_int(counts[index])} rows"
        return None

    on_hover(widget, describe)
    return widget
