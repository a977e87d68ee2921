"""Small pyqtgraph charts for the detail panels (imported only when a chart is drawn).

White background, labelled axes, exact values on hover; pyqtgraph's right-click menu
offers "Export…" (PNG/SVG).
"""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QToolTip, QWidget

from desktop_app.ui.text.formatting import format_int, format_number, shorten

BAR_COLOR = QColor("#4c78a8")


def _people_axis(orientation: str):
    """An axis whose tick labels use thousands separators and at most 4 significant digits."""
    import pyqtgraph as pg

    class PeopleAxis(pg.AxisItem):
        def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph name
            labels = []
            for value in values:
                value *= scale
                if spacing * scale >= 1 and abs(value - round(value)) < 1e-9:
                    labels.append(format_int(round(value)))
                else:
                    labels.append(format_number(float(value)))
            return labels

    axis = PeopleAxis(orientation)
    axis.enableAutoSIPrefix(False)
    return axis


def _plot_widget(parent: QWidget | None):
    import pyqtgraph as pg

    widget = pg.PlotWidget(
        parent=parent, background="w",
        axisItems={"left": _people_axis("left"), "bottom": _people_axis("bottom")},
    )
    widget.setMenuEnabled(True)
    widget.setMouseEnabled(x=False, y=False)
    widget.hideButtons()
    plot = widget.getPlotItem()
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen("#555"))
        axis.setTextPen(pg.mkPen("#333"))
    widget.setFixedHeight(210)
    return widget


def histogram_chart(edges: Sequence[float], counts: Sequence[int], x_label: str, parent: QWidget | None = None):
    """Bars between consecutive `edges`; hover shows the bin range and its count."""
    import pyqtgraph as pg

    widget = _plot_widget(parent)
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

    def hover(pos: QPointF) -> None:
        point = widget.getPlotItem().vb.mapSceneToView(pos)
        for left, right, count in zip(edges[:-1], edges[1:], counts):
            if left <= point.x() <= right and 0 <= point.y():
                QToolTip.showText(
                    widget.mapToGlobal(widget.mapFromScene(pos).toPoint()),
                    f"{format_number(left)} to {format_number(right)}: {format_int(count)} rows",
                    widget,
                )
                return
        QToolTip.hideText()

    widget.scene().sigMouseMoved.connect(hover)
    return widget


def bar_chart(labels: Sequence[str], counts: Sequence[int], parent: QWidget | None = None):
    """Horizontal bars for the most frequent values (first label on top)."""
    import pyqtgraph as pg

    widget = _plot_widget(parent)
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

    def hover(pos: QPointF) -> None:
        point = widget.getPlotItem().vb.mapSceneToView(pos)
        index = n - 1 - round(point.y())
        if 0 <= index < n and 0 <= point.x() <= max(counts[index], 0) * 1.05 + 1e-9:
            QToolTip.showText(
                widget.mapToGlobal(widget.mapFromScene(pos).toPoint()),
                f"{labels[index]}: {format_int(counts[index])} rows",
                widget,
            )
        else:
            QToolTip.hideText()

    widget.scene().sigMouseMoved.connect(hover)
    return widget
