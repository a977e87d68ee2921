"""Charts for a finding's evidence: the column's histogram or bar chart, outlier limits, a pair's scatter.

Built on `charts.py` (white background, labelled axes, hover values, right-click export);
pyqtgraph is imported only when a chart is drawn.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QToolTip, QWidget

from desktop_app.ui.charts import columns as charts
from desktop_app.ui.text.formatting import format_number, shorten

FENCE_COLOR = "#c62828"
MAX_BARS = 10
LABEL_CHARS = 30


def column_chart(summary: Any, fences: tuple[float | None, float | None] | None = None) -> QWidget | None:
    """A histogram for numbers (with outlier limits marked), else a bar chart of the most common values."""
    if summary is None:
        return None
    histogram = summary.histogram
    if histogram is not None and len(histogram[1]):
        edges, counts = histogram
        widget = charts.histogram_chart(list(edges), list(counts), str(summary.name))
        if fences:
            _mark_fences(widget, fences, float(edges[0]), float(edges[-1]))
        return widget
    top = list(summary.top_values or [])[:MAX_BARS]
    if top:
        labels = [str(v) for v, _ in top]
        widget = charts.bar_chart(labels, [c for _, c in top])
        # Category names are often phrases: show more of each than the Data step's narrow panel can.
        ys = range(len(labels) - 1, -1, -1)
        widget.getPlotItem().getAxis("left").setTicks(
            [[(y, shorten(label, LABEL_CHARS))
              for y, label in zip(ys, labels)]]
        )
        return widget
    return None


def _mark_fences(widget: Any, fences: tuple[float | None, float | None], low: float, high: float) -> None:
    import pyqtgraph as pg

    pen = pg.mkPen(FENCE_COLOR, width=1.5, style=Qt.PenStyle.DashLine)
    for name, value in zip(("lower limit", "upper limit"), fences):
        if value is None or not (low <= float(value) <= high):
            continue  # a limit outside the data's range has nothing to its far side
        line = pg.InfiniteLine(pos=float(value), angle=90, pen=pen, movable=False,
                               label=f"{name} {format_number(float(value))}",
                               labelOpts={"position": 0.92, "color": FENCE_COLOR})
        line.setToolTip(f"Values beyond the {name} ({format_number(float(value))}) are outliers")
        widget.addItem(line)


def scatter_chart(x_name: str, y_name: str, xs: list[float], ys: list[float]) -> QWidget:
    """Points of two columns (a sample of the rows); hover shows a point's values."""
    import pyqtgraph as pg

    widget = charts._plot_widget(None)  # the shared look: white, labelled, exportable
    scatter = pg.ScatterPlotItem(
        x=xs, y=ys, size=4, pen=pg.mkPen(None), brush=pg.mkBrush(76, 120, 168, 90), hoverable=True,
        tip=None,
    )
    widget.addItem(scatter)
    widget.setLabel("bottom", x_name)
    widget.setLabel("left", y_name)
    widget.setFixedHeight(240)

    def hover(pos: QPointF) -> None:
        points = scatter.pointsAt(scatter.mapFromScene(pos))
        if len(points):
            point = points[0].pos()
            QToolTip.showText(
                widget.mapToGlobal(widget.mapFromScene(pos).toPoint()),
                f"{x_name}: {format_number(point.x())}\n{y_name}: {format_number(point.y())}", widget,
            )
        else:
            QToolTip.hideText()

    widget.scene().sigMouseMoved.connect(hover)
    return widget
