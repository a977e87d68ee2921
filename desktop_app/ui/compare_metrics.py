"""Metric bars: one group per metric, one bar per run in the run's colour, values on top."""

from __future__ import annotations

from typing import Any, Sequence

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from desktop_app.ui.compare_plot import TEXT_PEN, ChartPanel, legend_for, on_hover, plot_widget
from desktop_app.ui.runs_text import UNIT_METRICS, format_metric, metric_label, run_title, short_metric_label, sort_metrics

GROUP_WIDTH = 0.8
MAX_LABELLED_RUNS = 4   # values written above the bars up to this many runs (hover always works)
MIN_HIGHLIGHT = 0.1     # the metric that differs most is highlighted when it differs by at least this


class MetricBars(ChartPanel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("metricBars")
        self.metrics: list[str] = []
        self.runs: list[Any] = []
        self.values: dict[tuple[str, str], float] = {}   # (run id, metric) → value
        self.bars: dict[str, Any] = {}                   # run id → BarGraphItem
        self.legend: Any = None
        self._titles: dict[str, str] = {}
        self.highlight: str | None = None                # the metric highlighted as differing most

    def set_runs(self, runs: Sequence[Any], colors: dict[str, QColor], titles: dict[str, str] | None = None) -> None:
        import pyqtgraph as pg

        self.runs = list(runs)
        self._titles = titles or {r.id: run_title(r) for r in self.runs}
        present = {k for r in self.runs for k, v in (r.metrics or {}).items() if v is not None}
        self.metrics = [m for m in sort_metrics(present) if m in UNIT_METRICS]
        if not self.runs or not self.metrics:
            self.show_message("These runs have no metrics to compare yet (they have not finished).")
            return
        if self.chart is None:
            self.set_chart(plot_widget("", "Score (test rows)"), "metrics")
            on_hover(self.chart, self._describe)
        plot = self.chart.getPlotItem()
        plot.clear()
        self.legend = legend_for(plot, len(self.runs), offset=(10, 5), columns=min(len(self.runs), 3))
        n = len(self.runs)
        width = GROUP_WIDTH / n
        self.values = {}
        self.bars = {}
        lowest = 0.0
        for j, run in enumerate(self.runs):
            xs, heights = [], []
            for i, metric in enumerate(self.metrics):
                value = (run.metrics or {}).get(metric)
                if value is None:
                    continue
                self.values[(run.id, metric)] = float(value)
                xs.append(i + (j - (n - 1) / 2) * width)
                heights.append(float(value))
                lowest = min(lowest, float(value))
            color = colors.get(run.id, QColor("#4e79a7"))
            bars = pg.BarGraphItem(x=xs, height=heights, width=width * 0.92, brush=pg.mkBrush(color),
                                   pen=pg.mkPen(color.darker(130), width=0.6), name=self._titles[run.id])
            plot.addItem(bars)
            self.bars[run.id] = bars
            if n <= MAX_LABELLED_RUNS:
                for x, h in zip(xs, heights):
                    label = pg.TextItem(f"{h:.2f}", color=TEXT_PEN, anchor=(0.5, 1.0 if h >= 0 else 0.0))
                    font = label.textItem.font()
                    font.setPointSizeF(7.5 if n > 2 else 8.5)
                    label.setFont(font)
                    label.setPos(x, h)
                    plot.addItem(label)
        self.highlight = self._highlight(plot)
        bottom = plot.getAxis("bottom")
        bottom.setTicks([[(i, short_metric_label(m)) for i, m in enumerate(self.metrics)]])
        bottom.setStyle(tickTextOffset=4)
        plot.setXRange(-0.5, len(self.metrics) - 0.5, padding=0.01)
        # Room above the tallest bar for its value and, with several runs, the legend.
        top = 1.0 + (0.12 if n <= MAX_LABELLED_RUNS else 0.04) + (0.1 * ((n + 2) // 3) if n > 1 else 0)
        plot.setYRange(min(lowest * 1.1, 0.0), top, padding=0)
        plot.getAxis("left").setTicks([[(v / 5, f"{v / 5:.1f}") for v in range(0, 6)]])
        self.show_chart()

    def biggest_change(self) -> tuple[str, float, float] | None:
        """(metric, first run's value, last run's value) of the metric that differs most, if it is clear."""
        best = None
        for metric in self.metrics:
            values = [self.values.get((r.id, metric)) for r in self.runs]
            present = [v for v in values if v is not None]
            if len(present) < 2:
                continue
            spread = max(present) - min(present)
            if best is None or spread > best[0]:
                best = (spread, metric, values[0], values[-1])
        if best is None or best[0] < MIN_HIGHLIGHT:
            return None
        return best[1], best[2], best[3]

    def _highlight(self, plot: Any) -> str | None:
        """A pale band behind the metric that differs most, with the size of the change above it."""
        import pyqtgraph as pg

        change = self.biggest_change()
        if change is None:
            return None
        metric, first, last = change
        i = self.metrics.index(metric)
        band = pg.BarGraphItem(x=[i], height=[10.0], y0=[-5.0], width=GROUP_WIDTH + 0.16,
                               brush=pg.mkBrush("#fff1c7"), pen=pg.mkPen(None))
        band.setZValue(-10)
        plot.addItem(band)
        if len(self.runs) == 2 and first is not None and last is not None:
            text = f"{last - first:+.2f}"
        else:
            values = [v for v in (self.values.get((r.id, metric)) for r in self.runs) if v is not None]
            text = f"spread {max(values) - min(values):.2f}"
        label = pg.TextItem(text, color="#8a5a00", anchor=(0.5, 1.0))
        font = label.textItem.font()
        font.setBold(True)
        font.setPointSizeF(10)
        label.setFont(font)
        top = max(v for (rid, m), v in self.values.items() if m == metric)
        label.setPos(i, top + 0.09)
        plot.addItem(label)
        return metric

    def _describe(self, widget: Any, scene_pos: QPointF) -> str | None:
        plot = widget.getPlotItem()
        vb = plot.vb
        if not self.metrics or not vb.sceneBoundingRect().contains(scene_pos):
            return None
        point = vb.mapSceneToView(scene_pos)
        i = round(point.x())
        if not 0 <= i < len(self.metrics):
            return None
        n = len(self.runs)
        width = GROUP_WIDTH / n
        j = int((point.x() - i + GROUP_WIDTH / 2) // width)
        if not 0 <= j < n:
            return None
        run, metric = self.runs[j], self.metrics[i]
        value = self.values.get((run.id, metric))
        if value is None:
            return f"{self._titles[run.id]}: no {metric_label(metric)}"
        others = [f"{self._titles[r.id]}: {format_metric(self.values.get((r.id, metric)))}"
                  for r in self.runs if r is not run]
        return (f"<b>{metric_label(metric)}</b> — {self._titles[run.id]}: <b>{value:.4f}</b>"
                + ("<br>" + "<br>".join(others) if others else ""))
