"""Parallel coordinates: each run is a line across its numeric parameters to a chosen metric,
coloured by that metric, to see which settings go with good scores."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from desktop_app.ui.charts.base import TEXT_PEN, ChartPanel, canvas, on_hover, style_plot_item
from desktop_app.ui.text.runs import (
    format_metric,
    format_value,
    metric_label,
    run_title,
    short_metric_label,
    sort_metrics,
)

if TYPE_CHECKING:
    import numpy as np

    from desktop_app.core.tracking.entities import RunInfo

COLOR_BINS = 24
MAX_RUNS = 2000
MISSING_COLOR = "#c4c9cf"


class ParallelCoordinates(ChartPanel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("parallelCoordinates")
        self.metric_combo = QComboBox()
        self.metric_combo.setObjectName("parallelMetric")
        self.metric_combo.setToolTip("The metric on the last axis; it also colours the lines")
        self.metric_combo.currentIndexChanged.connect(lambda _i: self._redraw())
        self.note = QLabel()
        self.note.setObjectName("hint")
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Colour by:"))
        controls.addWidget(self.metric_combo)
        controls.addWidget(self.note, 1)
        self.layout_.insertLayout(0, controls)
        self.runs: list[RunInfo] = []
        self.axes: list[str] = []          # parameter names, then the metric
        self.values: np.ndarray | None = None   # runs × axes, raw (NaN where missing); made by _redraw
        self.scaled: np.ndarray | None = None   # runs × axes in 0..1
        self.plot: Any = None
        self.titles: dict[str, str] = {}

    def set_runs(self, runs: Sequence[RunInfo], titles: dict[str, str] | None = None) -> None:
        self.runs = [r for r in runs if r.metrics][:MAX_RUNS]
        self.titles = titles or {r.id: run_title(r) for r in self.runs}
        metrics = sort_metrics(k for r in self.runs for k in r.metrics)
        current = self.metric_combo.currentData()
        self.metric_combo.blockSignals(True)
        self.metric_combo.clear()
        for metric in metrics:
            self.metric_combo.addItem(metric_label(metric), metric)
        index = self.metric_combo.findData(current)
        self.metric_combo.setCurrentIndex(index if index >= 0 else 0)
        self.metric_combo.blockSignals(False)
        hidden = len([r for r in runs if r.metrics]) - len(self.runs)
        self.note.setText(f"The first {MAX_RUNS:,} of the selected runs are drawn." if hidden > 0 else
                          "One line per run; hover a line where it meets an axis to read its values.")
        self._redraw()

    def set_metric(self, metric: str) -> None:
        self.metric_combo.setCurrentIndex(self.metric_combo.findData(metric))

    def _redraw(self) -> None:
        import numpy as np  # here: the window opens without waiting for numpy
        import pyqtgraph as pg

        metric = self.metric_combo.currentData()
        if not self.runs or metric is None:
            self.show_message("Parallel coordinates need finished runs (select them in the table).")
            return
        params = _numeric_params(self.runs)
        if not params:
            self.show_message("These runs have no numeric parameters to draw.")
            return
        self.axes = params + [metric]
        self.values = np.array([[_number((r.params or {}).get(p)) for p in params] + [_number(r.metrics.get(metric))]
                                for r in self.runs], dtype=float)
        logs = [_is_log(self.runs, p) for p in params] + [False]
        self.scaled = np.column_stack([_scale(self.values[:, k], logs[k]) for k in range(len(self.axes))])
        if self.chart is None:
            layout = canvas()
            self.plot = layout.addPlot(row=0, col=0)
            style_plot_item(self.plot, None, None)
            self.plot.showGrid(x=False, y=False)
            self.plot.hideAxis("left")
            self.set_chart(layout, "parallel_coordinates")
            on_hover(self.chart, self._describe)
        plot = self.plot
        plot.clear()
        cmap = pg.colormap.get("viridis")
        colour_values = self.values[:, -1]
        finite = colour_values[np.isfinite(colour_values)]
        lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        if hi == lo:
            hi = lo + 1e-9
        bins = np.full(len(self.runs), -1)
        ok = np.isfinite(colour_values)
        bins[ok] = np.minimum(((colour_values[ok] - lo) / (hi - lo) * COLOR_BINS).astype(int), COLOR_BINS - 1)
        xs = np.arange(len(self.axes), dtype=float)
        width = 2.4 if len(self.runs) <= 20 else 1.2 if len(self.runs) <= 300 else 0.6
        for b in [-1, *range(COLOR_BINS)]:  # grey (no metric) first, best colours drawn last, on top
            rows = np.flatnonzero(bins == b)
            if not len(rows):
                continue
            x = np.concatenate([np.append(xs, np.nan) for _ in rows])
            y = np.concatenate([np.append(self.scaled[r], np.nan) for r in rows])
            color = MISSING_COLOR if b < 0 else cmap.map((b + 0.5) / COLOR_BINS, mode="qcolor")
            plot.addItem(pg.PlotCurveItem(x, y, pen=pg.mkPen(color, width=width), connect="finite",
                                          antialias=True))
        for k in range(len(self.axes)):
            plot.addItem(pg.InfiniteLine(pos=k, angle=90, pen=pg.mkPen("#9aa3ad", width=1)))
            column = self.values[:, k]
            present = column[np.isfinite(column)]
            if len(present):
                ends = [(present.max(), 1.03, (0.5, 1.0))]
                if present.min() != present.max():
                    ends.append((present.min(), -0.03, (0.5, 0.0)))
                for value, y, anchor in ends:
                    label = pg.TextItem(format_value(float(value)), color=TEXT_PEN, anchor=anchor)
                    label.setPos(k, y)
                    plot.addItem(label)
        ticks = [(k, name if k < len(self.axes) - 1 else short_metric_label(name)) for k, name in enumerate(self.axes)]
        plot.getAxis("bottom").setTicks([ticks])
        plot.setRange(xRange=(-0.35, len(self.axes) - 0.55), yRange=(-0.14, 1.14), padding=0)
        # The metric's axis is painted with the colour scale: it is the legend of the line colours.
        k = len(self.axes) - 1
        gradient = cmap.getLookupTable(0.0, 1.0, 256, alpha=True).reshape(256, 1, 4)
        scale = pg.ImageItem(gradient, axisOrder="row-major")
        scale.setRect(k - 0.035, 0.0, 0.07, 1.0)
        scale.setZValue(-1)
        plot.addItem(scale)
        self.show_chart()

    def _describe(self, widget: Any, scene_pos: QPointF) -> str | None:
        import numpy as np

        if self.plot is None or not self.axes or not self.plot.vb.sceneBoundingRect().contains(scene_pos):
            return None
        vb = self.plot.vb
        point = vb.mapSceneToView(scene_pos)
        k = round(point.x())
        if not 0 <= k < len(self.axes):
            return None
        column = self.scaled[:, k]
        if not np.isfinite(column).any():
            return None
        pixels = abs(vb.mapViewToScene(QPointF(k, 0)).y() - vb.mapViewToScene(QPointF(k, 1)).y())
        distance = np.abs(np.where(np.isfinite(column), column, np.inf) - point.y()) * pixels
        r = int(np.argmin(distance))
        if distance[r] > 10 or abs(point.x() - k) > 0.25:
            return None
        run = self.runs[r]
        lines = [f"<b>{self.titles[run.id]}</b>"]
        for j, name in enumerate(self.axes):
            value = self.values[r, j]
            shown = "—" if not math.isfinite(value) else (
                format_metric(float(value)) if j == len(self.axes) - 1 else format_value(float(value)))
            label = metric_label(name) if j == len(self.axes) - 1 else name
            lines.append(f"{label}: {'<b>' + shown + '</b>' if j == k else shown}")
        return "<br>".join(lines)


def _number(value: Any) -> float:
    if isinstance(value, bool) or value is None:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _numeric_params(runs: Sequence[RunInfo]) -> list[str]:
    names = set()
    for run in runs:
        for key, value in (run.params or {}).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                names.add(key)
    return sorted(names, key=str.lower)


def _is_log(runs: Sequence[RunInfo], name: str) -> bool:
    from desktop_app.core.training.catalogue import ALGORITHMS

    algorithms = {r.algorithm for r in runs}
    return any(p.name == name and p.log for a in ALGORITHMS if a.name in algorithms for p in a.params)


def _scale(column: np.ndarray, log: bool) -> np.ndarray:
    import numpy as np

    values = column.copy()
    if log:
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.where(values > 0, np.log10(values), np.nan)
    finite = values[np.isfinite(values)]
    if not len(finite):
        return values
    lo, hi = finite.min(), finite.max()
    if hi == lo:
        return np.where(np.isfinite(values), 0.5, np.nan)
    return (values - lo) / (hi - lo)
