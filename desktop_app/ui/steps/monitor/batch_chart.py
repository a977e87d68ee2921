"""The Monitor step's charts over time: one column per batch, named by the batch under it.

`fit_batch_axis` thins the names when they would overlap and leaves room for the outer ones;
`BatchChart` is a `LegendChartPanel` (the chart toolkit's) over the batches, oldest first, with its title in
a Qt label above the chart (a plot title is clipped without "…" in a narrow window) and a minimum height that
keeps its plot readable (the Monitor tab scrolls rather than squeezing it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from desktop_app.ui.charts.base import LegendChartPanel
from desktop_app.ui.widgets.elided_label import ElidedLabel

if TYPE_CHECKING:
    from desktop_app.core.monitor.entities import MonitoringBatch


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


class BatchChart(LegendChartPanel):
    """A chart over time: one column per batch (`batches`, oldest first), named by `labels` below."""

    def __init__(self, parent: QWidget | None = None, *, min_height: int = 0) -> None:
        super().__init__(parent)
        self.batches: list[MonitoringBatch] = []
        self.labels: list[str] = []
        self.title = ElidedLabel()
        self.title.setObjectName("chartTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.title.setVisible(False)
        self.layout_.insertWidget(0, self.title)
        self.setMinimumHeight(min_height)

    def set_title(self, text: str) -> None:
        self.title.setText(text)
        self.title.setVisible(True)

    def show_message(self, text: str) -> None:
        self.title.setVisible(False)
        super().show_message(text)

    def _fit_ticks(self) -> None:
        if self.chart is None or not self.batches:
            return
        fit_batch_axis(self.plot, self.labels, self.width() * 0.8)
