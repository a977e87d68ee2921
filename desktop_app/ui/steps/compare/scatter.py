"""A scatter of any two numeric columns of the runs table, one point per run in its colour."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from desktop_app.ui.charts.base import ChartPanel, legend_for, nearest_point, on_hover, plot_widget
from desktop_app.ui.steps.compare.runs_model import columns_for
from desktop_app.ui.text.runs import run_title

if TYPE_CHECKING:
    import numpy as np

    from desktop_app.core.tracking.entities import RunInfo

MAX_LEGEND = 12
DEFAULT_X = ("metric.precision", "metric.precision_macro", "duration")
DEFAULT_Y = ("metric.recall", "metric.recall_macro", "metric.r2")


class RunScatter(ChartPanel):
    def __init__(self, parent: QWidget | None = None) -> None:

        super().__init__(parent)
        self.setObjectName("runScatter")
        self.x_combo = QComboBox()
        self.x_combo.setObjectName("scatterX")
        self.y_combo = QComboBox()
        self.y_combo.setObjectName("scatterY")
        for combo, axis in ((self.x_combo, "across"), (self.y_combo, "up")):
            combo.setToolTip(f"The column plotted {axis}")
            combo.setMinimumContentsLength(12)
            combo.currentIndexChanged.connect(lambda _i: self._redraw())
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Across:"))
        controls.addWidget(self.x_combo)
        controls.addSpacing(8)
        controls.addWidget(QLabel("Up:"))
        controls.addWidget(self.y_combo)
        controls.addStretch(1)
        self.layout_.insertLayout(0, controls)
        self.runs: list[RunInfo] = []
        self.colors: dict[str, QColor] = {}
        self.columns: dict[str, Any] = {}
        self.titles: dict[str, str] = {}
        self.points: list[tuple[np.ndarray, np.ndarray, list[Any]]] = []

    def set_runs(self, runs: Sequence[RunInfo], colors: dict[str, QColor],
                 titles: dict[str, str] | None = None) -> None:
        self.runs = list(runs)
        self.colors = colors
        self.titles = titles or {r.id: run_title(r) for r in self.runs}
        self.columns = {c.key: c for c in columns_for(self.runs) if c.numeric}
        for combo, defaults in ((self.x_combo, DEFAULT_X), (self.y_combo, DEFAULT_Y)):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for key, column in self.columns.items():
                group = {"Metrics": "", "Cross-validation": " (CV)", "Parameters": " (parameter)"}.get(column.group, "")
                combo.addItem(column.title + group, key)
            pick = current if current in self.columns else next((d for d in defaults if d in self.columns), None)
            index = combo.findData(pick)
            combo.setCurrentIndex(index if index >= 0 else 0)
            combo.blockSignals(False)
        self._redraw()

    def set_axes(self, x_key: str, y_key: str) -> None:
        self.x_combo.setCurrentIndex(self.x_combo.findData(x_key))
        self.y_combo.setCurrentIndex(self.y_combo.findData(y_key))

    def _redraw(self) -> None:
        import numpy as np  # here: the window opens without waiting for numpy
        import pyqtgraph as pg

        x_key, y_key = self.x_combo.currentData(), self.y_combo.currentData()
        if not self.runs or x_key is None or y_key is None:
            self.show_message("Select runs in the table to plot them.")
            return
        x_col, y_col = self.columns[x_key], self.columns[y_key]
        xs = np.array([_number(x_col.value(r)) for r in self.runs])
        ys = np.array([_number(y_col.value(r)) for r in self.runs])
        ok = np.isfinite(xs) & np.isfinite(ys)
        if not ok.any():
            self.show_message(f"No selected run has both {x_col.title} and {y_col.title}.")
            return
        if self.chart is None:
            self.set_chart(plot_widget("", ""), "scatter")
            on_hover(self.chart, self._describe)
        plot = self.chart.getPlotItem()
        plot.clear()
        plot.setLabel("bottom", x_col.title, color="#333333")
        plot.setLabel("left", y_col.title, color="#333333")
        shown = [r for r, good in zip(self.runs, ok) if good]
        with_legend = 1 < len(shown) <= MAX_LEGEND
        legend_for(plot, len(shown) if with_legend else 1, offset=(-10, 10))
        brushes = [pg.mkBrush(self.colors.get(r.id, QColor("#4e79a7"))) for r in shown]
        size = 12 if len(shown) <= 50 else 7
        if with_legend:
            for run, x, y, brush in zip(shown, xs[ok], ys[ok], brushes):
                plot.addItem(pg.ScatterPlotItem([x], [y], size=size, brush=brush, pen=pg.mkPen("w", width=1.2),
                                                name=self.titles[run.id]))
        else:
            plot.addItem(pg.ScatterPlotItem(xs[ok], ys[ok], size=size, brush=brushes, pen=pg.mkPen("w", width=0.8)))
        self.points = [(xs[ok], ys[ok], shown)]
        plot.enableAutoRange()
        self.show_chart()

    def _describe(self, widget: Any, scene_pos: QPointF) -> str | None:
        if not self.points:
            return None
        vb = widget.getPlotItem().vb
        hit = nearest_point(vb, scene_pos, self.points)
        if hit is None:
            return None
        _s, i = hit
        xs, ys, runs = self.points[0]
        x_col, y_col = self.columns[self.x_combo.currentData()], self.columns[self.y_combo.currentData()]
        run = runs[i]
        return (f"<b>{self.titles[run.id]}</b><br>{x_col.title}: {x_col.text(x_col.value(run))}"
                f"<br>{y_col.title}: {y_col.text(y_col.value(run))}")


def _number(value: Any) -> float:
    if value is None or isinstance(value, bool):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan
