"""Confusion matrices side by side: small heat maps with counts, tinted in each run's colour.

As many matrices a row as fit the width (at least CELL_WIDTH pixels each), wrapping onto more
rows; the rows scroll, so every matrix can be reached at any window size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF
from PySide6.QtWidgets import QWidget

from desktop_app.ui.charts.base import ChartPanel, canvas, on_hover, set_title, style_plot_item
from desktop_app.ui.text.formatting import format_int, shorten
from desktop_app.ui.text.rich_text import escape
from desktop_app.ui.text.runs import run_title, status_key

if TYPE_CHECKING:
    import numpy as np

    from desktop_app.core.tracking.entities import RunInfo

MAX_PER_ROW = 3
CELL_WIDTH = 220      # pixels a matrix needs to stay readable (counts, shares, tick labels)
CELL_HEIGHT = 270
MAX_CLASSES = 12


class ConfusionMatrices(ChartPanel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("confusionMatrices")
        self.cells: list[tuple[Any, Any, list[str], np.ndarray]] = []   # (plot, run, labels, matrix)
        self.titles: dict[str, str] = {}
        self.per_row = 0      # matrices a row, as laid out now

    def set_runs(self, runs: Sequence[RunInfo], colors: dict[str, QColor], curves: dict[str, dict],
                 titles: dict[str, str] | None = None) -> None:
        import numpy as np  # here, as pyqtgraph: the window's start does not wait for them
        import pyqtgraph as pg

        self.titles = titles or {r.id: run_title(r) for r in runs}
        shown = [r for r in runs if "confusion_matrix" in curves.get(r.id, {})]
        if not shown:
            waiting = any(r.id not in curves and status_key(r.status) == "finished" for r in runs)
            self.show_message("Loading the confusion matrices…" if waiting else
                              "Confusion matrices are drawn for finished classification runs.")
            return
        if self.chart is None:
            layout = canvas()
            self.set_chart(layout, "confusion_matrices", scroll=True)
            on_hover(self.chart, self._describe)
        layout = self.chart
        layout.clear()
        self.cells = []
        for run in shown:
            confusion = curves[run.id]["confusion_matrix"]
            labels = [str(label) for label in confusion["labels"]][:MAX_CLASSES]
            matrix = np.asarray(confusion["matrix"], dtype=float)[:MAX_CLASSES, :MAX_CLASSES]
            n = len(labels)
            plot = pg.PlotItem()
            style_plot_item(plot, "Predicted", "Actual")
            plot.showGrid(x=False, y=False)
            color = colors.get(run.id, QColor("#4e79a7"))
            # Cut to a cell's width: a long title would widen its matrix past the panel's edge.
            title = QFontMetricsF(_title_font()).elidedText(self.titles[run.id], Qt.TextElideMode.ElideMiddle,
                                                            CELL_WIDTH - 80)
            set_title(plot, f"<span style='color:{color.name()}'>■</span> {escape(title)}", size="9pt")
            totals = matrix.sum(axis=1, keepdims=True)
            share = np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)
            image = np.zeros((n, n, 4), dtype=np.ubyte)
            for i in range(n):
                for j in range(n):
                    image[i, j] = _tint(color, share[i, j])
            item = pg.ImageItem(image, axisOrder="row-major")
            item.setRect(0, 0, n, n)
            plot.addItem(item)
            for i in range(n):
                for j in range(n):
                    dark = share[i, j] > 0.55
                    text = pg.TextItem(f"{format_int(int(matrix[i, j]))}\n{_pct(share[i, j])}",
                                       color="w" if dark else "#1d2733", anchor=(0.5, 0.5))
                    font = text.textItem.font()
                    font.setPointSizeF(9 if n <= 3 else 7.5)
                    text.setFont(font)
                    text.setPos(j + 0.5, i + 0.5)
                    plot.addItem(text)
            ticks = [(i + 0.5, shorten(label, 10)) for i, label in enumerate(labels)]
            plot.getAxis("bottom").setTicks([ticks])
            plot.getAxis("left").setTicks([ticks])
            plot.invertY(True)
            plot.setRange(xRange=(0, n), yRange=(0, n), padding=0.02)
            plot.setAspectLocked(True)
            self.cells.append((plot, run, labels, matrix))
        self.per_row = 0
        self._arrange()
        self.show_chart()

    def per_row_for(self, width: float) -> int:
        """How many matrices side by side fit in `width` pixels."""
        return max(1, min(MAX_PER_ROW, len(self.cells), int((width - 18) // (CELL_WIDTH + 6))))   # margins, spacing

    def _arrange(self) -> None:
        """Lay the matrices out in rows as wide as the panel allows; the rows scroll when they are taller."""
        if self.chart is None or not self.cells:
            return
        room = self.page.viewport().width() if self.page is not None else self.width()
        per_row = self.per_row_for(room or self.width())
        if per_row != self.per_row:
            self.per_row = per_row
            layout = self.chart.ci
            for plot, *_rest in self.cells:
                if plot in layout.items:
                    layout.removeItem(plot)
            for k, (plot, *_rest) in enumerate(self.cells):
                layout.addItem(plot, row=k // per_row, col=k % per_row)
        rows = -(-len(self.cells) // self.per_row)
        self.chart.setMinimumHeight(rows * CELL_HEIGHT)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self._arrange()

    def _describe(self, widget: Any, scene_pos: QPointF) -> str | None:
        for plot, run, labels, matrix in self.cells:
            if not plot.vb.sceneBoundingRect().contains(scene_pos):
                continue
            point = plot.vb.mapSceneToView(scene_pos)
            i, j = math.floor(point.y()), math.floor(point.x())
            if not (0 <= i < len(labels) and 0 <= j < len(labels)):
                return None
            row_total = matrix[i].sum()
            share = matrix[i, j] / row_total if row_total else 0.0
            verdict = "right" if i == j else "wrong"
            return (f"<b>{self.titles[run.id]}</b><br>Actual {labels[i]}, predicted {labels[j]} ({verdict}): "
                    f"<b>{format_int(int(matrix[i, j]))}</b> test rows<br>"
                    f"{_pct(share)} of the {format_int(int(row_total))} rows that are "
                    f"{labels[i]}")
        return None


def _title_font() -> QFont:
    font = QFont()
    font.setPointSizeF(9)
    return font


def _tint(color: QColor, share: float) -> tuple[int, int, int, int]:
    """White for 0, the run's colour for 1."""
    share = float(max(0.0, min(1.0, share))) * 0.9 + (0.04 if share > 0 else 0.0)
    return (round(255 + (color.red() - 255) * share), round(255 + (color.green() - 255) * share),
            round(255 + (color.blue() - 255) * share), 255)


def _pct(share: float) -> str:
    """Shares of a row: never round 99.6% up to 100% or 0.3% down to 0%."""
    pct = share * 100
    if pct in (0.0, 100.0):
        return f"{pct:.0f}%"
    if pct < 1 or pct > 99:
        return f"{pct:.1f}%"
    return f"{pct:.0f}%"
