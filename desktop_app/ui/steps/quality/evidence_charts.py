"""Charts for a finding's evidence: the column's histogram or bar chart, outlier limits, a pair's scatter.

Built on the chart toolkit (`ui.charts`: white background, labelled axes, hover values, right-click
export);
pyqtgraph is imported only when a chart is drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QWidget

from desktop_app.ui.charts.base import on_hover
from desktop_app.ui.charts.columns import bar_chart, detail_plot, histogram_chart
from desktop_app.ui.text.formatting import format_number, shorten

if TYPE_CHECKING:
    from desktop_app.core.data.summary import ColumnSummary

FENCE_COLOR = "#c62828"
MAX_BARS = 10
LABEL_CHARS = 30


def column_chart(summary: ColumnSummary | None,
                 fences: tuple[float | None, float | None] | None = None) -> QWidget | None:
    """A histogram for numbers (with outlier limits marked), else a bar chart of the most common values."""
    if summary is None:
        return None
    histogram = summary.histogram
    if histogram is not None and len(histogram[1]):
        edges, counts = histogram
        widget = histogram_chart(list(edges), list(counts), str(summary.name))
        if fences:
            _mark_fences(widget, fences, float(edges[0]), float(edges[-1]))
        return widget
    top = list(summary.top_values or [])[:MAX_BARS]
    if top:
        labels = [str(v) for v, _ in top]
        widget = bar_chart(labels, [c for _, c in top])
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

    widget = detail_plot(f"{x_name}-{y_name}")
    scatter = pg.ScatterPlotItem(
        x=xs, y=ys, size=4, pen=pg.mkPen(None), brush=pg.mkBrush(76, 120, 168, 90), hoverable=True,
        tip=None,
    )
    widget.addItem(scatter)
    widget.setLabel("bottom", x_name)
    widget.setLabel("left", y_name)
    widget.setFixedHeight(240)

    def describe(_widget: Any, pos: QPointF) -> str | None:
        points = scatter.pointsAt(scatter.mapFromScene(pos))
        if not len(points):
            return None
        point = points[0].pos()
        return f"{x_name}: {format_number(point.x())}\n{y_name}: {format_number(point.y())}"

    on_hover(widget, describe)
    return widget
