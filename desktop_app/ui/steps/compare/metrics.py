"""Metric bars: one group per metric, one bar per run in the run's colour, values on top.

Scores between 0 and 1 (accuracy, recall, R², …) share one plot. Errors in the target's own
units (RMSE, MAE: regression) get a second plot beside it, with its own scale: lower is better.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QFontMetricsF
from PySide6.QtWidgets import QWidget

from desktop_app.core.training.metric_names import UNIT_METRICS
from desktop_app.ui.charts.base import TEXT_PEN, ChartPanel, canvas, on_hover, set_title, style_plot_item, top_legend
from desktop_app.ui.steps.compare.bar_labels import BarLabels
from desktop_app.ui.text.formatting import format_exact_score, format_score_change
from desktop_app.ui.text.runs import format_metric, metric_label, run_title, short_metric_label, sort_metrics

if TYPE_CHECKING:
    from desktop_app.core.tracking.entities import RunInfo

GROUP_WIDTH = 0.8
MAX_LABELLED_RUNS = 4   # values written above the bars up to this many runs (hover always works)
MIN_HIGHLIGHT = 0.1     # the metric that differs most is highlighted when it differs by at least this
ERROR_METRICS = ("rmse", "mae")   # in the target's units, lower is better


class MetricBars(ChartPanel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("metricBars")
        self.metrics: list[str] = []                     # 0–1 scores, on `plot`
        self.error_metrics: list[str] = []               # errors in the target's units, on `error_plot`
        self.runs: list[RunInfo] = []
        self.values: dict[tuple[str, str], float] = {}   # (run id, metric) → value
        self.bars: dict[str, Any] = {}                   # run id → BarGraphItem of the scores
        self.error_bars: dict[str, Any] = {}             # run id → BarGraphItem of the errors
        self.plot: Any = None
        self.error_plot: Any = None
        self.legend: Any = None
        self._titles: dict[str, str] = {}
        self.highlight: str | None = None                # the metric highlighted as differing most
        self.value_labels: dict[Any, BarLabels] = {}     # plot → the values written above its bars

    def set_runs(self, runs: Sequence[RunInfo], colors: dict[str, QColor],
                 titles: dict[str, str] | None = None) -> None:
        import pyqtgraph as pg

        self.runs = list(runs)
        self._titles = titles or {r.id: run_title(r) for r in self.runs}
        present = {k for r in self.runs for k, v in (r.metrics or {}).items() if v is not None}
        self.metrics = [m for m in sort_metrics(present) if m in UNIT_METRICS]
        self.error_metrics = [m for m in ERROR_METRICS if m in present]
        if not self.runs or not (self.metrics or self.error_metrics):
            self.show_message("These runs have no metrics to compare yet (they have not finished).")
            return
        if self.chart is None:
            layout = canvas()
            self.legend = top_legend(layout)
            self.plot = pg.PlotItem()
            self.error_plot = pg.PlotItem()
            style_plot_item(self.plot, None, "Score (test rows)")
            style_plot_item(self.error_plot, None, None)
            for plot in (self.plot, self.error_plot):
                plot.showGrid(x=False, y=True, alpha=0.12)
                plot.getAxis("bottom").setStyle(tickTextOffset=4)
                plot.vb.sigResized.connect(lambda _vb: self._fit())
            self.set_chart(layout, "metrics")
            on_hover(self.chart, self._describe)
        n = len(self.runs)
        self.values, self.bars, self.error_bars, self.value_labels = {}, {}, {}, {}
        self._place([p for p, metrics in ((self.plot, self.metrics), (self.error_plot, self.error_metrics))
                     if metrics])
        both = bool(self.metrics and self.error_metrics)
        if self.metrics:
            self.bars = self._draw(self.plot, self.metrics, colors, labels=format_metric)
            lowest = min([0.0, *(v for (_r, m), v in self.values.items() if m in self.metrics)])
            self.value_labels[self.plot].bottom = min(lowest * 1.1, 0.0)
            self.highlight = self._highlight(self.plot)
            self.plot.getAxis("left").setTicks([[(v / 5, f"{v / 5:.1f}") for v in range(0, 6)]])
            set_title(self.plot, "Scores — higher is better" if both else None, size="9pt")
        else:
            self.highlight = None
        if self.error_metrics:
            self.error_bars = self._draw(self.error_plot, self.error_metrics, colors, labels=format_metric)
            highest = max([v for (_r, m), v in self.values.items() if m in self.error_metrics] or [1.0])
            self.error_plot.getAxis("left").setTicks(None)
            self.value_labels[self.error_plot].floor = highest
            units = _target_words(self.runs)
            self.error_plot.setLabel("left", f"Error, in {units}", color=TEXT_PEN)
            set_title(self.error_plot, "Errors — lower is better", size="9pt")
        bars = self.bars or self.error_bars
        self.set_legend(self.legend, [(bars[r.id], self._titles[r.id]) for r in self.runs] if n > 1 else [])
        self.show_chart()
        self._fit()

    def _fit(self) -> None:
        """After a resize: the metric names under the groups, the values above the bars."""
        self._fit_ticks()
        for labels in self.value_labels.values():
            labels.fit()

    def _place(self, plots: list[Any]) -> None:
        """Put exactly `plots` side by side under the legend, each as wide as its metric groups need."""
        layout = self.chart.ci
        placed = {p: layout.items[p][0][1] for p in (self.plot, self.error_plot) if p in layout.items}
        wanted = {p: col for col, p in enumerate(plots)}
        if placed != wanted:
            for plot in placed:
                layout.removeItem(plot)
            for plot, col in wanted.items():
                layout.addItem(plot, row=1, col=col)
        grid = layout.layout
        groups = [len(self.metrics if plot is self.plot else self.error_metrics) for plot in plots]
        for col in range(2):
            # The axis takes a fixed width: a plot of one group gets a little more than its share.
            grid.setColumnStretchFactor(col, 3 * groups[col] + 1 if col < len(groups) else 0)

    def _draw(self, plot: Any, metrics: list[str], colors: dict[str, QColor], labels) -> dict[str, Any]:
        import pyqtgraph as pg

        plot.clear()
        n = len(self.runs)
        width = GROUP_WIDTH / n
        values = self.value_labels[plot] = BarLabels(plot, slot=width, floor=1.0)
        bars_by_run = {}
        for j, run in enumerate(self.runs):
            xs, heights = [], []
            for i, metric in enumerate(metrics):
                value = (run.metrics or {}).get(metric)
                if value is None:
                    continue
                self.values[(run.id, metric)] = float(value)
                xs.append(i + (j - (n - 1) / 2) * width)
                heights.append(float(value))
            color = colors.get(run.id, QColor("#4e79a7"))
            bars = pg.BarGraphItem(x=xs, height=heights, width=width * 0.92, brush=pg.mkBrush(color),
                                   pen=pg.mkPen(color.darker(130), width=0.6))
            plot.addItem(bars)
            bars_by_run[run.id] = bars
            if n <= MAX_LABELLED_RUNS:
                for x, h in zip(xs, heights):
                    label = pg.TextItem(labels(h), color=TEXT_PEN, anchor=(0.5, 1.0 if h >= 0 else 0.0))
                    font = label.textItem.font()
                    font.setPointSizeF(7.5 if n > 2 else 8.5)
                    label.setFont(font)
                    values.add(label, x, h)
        self._fit_ticks(plot, metrics)
        return bars_by_run

    def _fit_ticks(self, plot: Any = None, metrics: list[str] | None = None) -> None:
        """The metric names under the groups; every other one a line lower when they would overlap."""
        if plot is None:
            for plot, metrics in ((self.plot, self.metrics), (self.error_plot, self.error_metrics)):
                if metrics and plot is not None and plot.scene() is not None:
                    self._fit_ticks(plot, metrics)
            return
        axis = plot.getAxis("bottom")
        labels = [short_metric_label(m) for m in metrics]
        font = axis.style.get("tickFont") or axis.font()
        measure = QFontMetricsF(font)
        widths = [measure.horizontalAdvance(label) for label in labels]
        per_group = max(1.0, (plot.vb.width() or self.width() * 0.8) / len(labels))
        stagger = len(labels) > 1 and max(widths) + 8 > per_group
        axis.setTicks([[(i, ("\n" if stagger and i % 2 else "") + label) for i, label in enumerate(labels)]])
        axis.setHeight(int(2 * measure.height() + 4) if stagger else None)
        # Room at the ends for a name wider than its group (pyqtgraph drops a label that sticks out).
        left = max(0.0, widths[0] / 2 + 3 - per_group / 2) / per_group
        right = max(0.0, widths[-1] / 2 + 3 - per_group / 2) / per_group
        plot.setXRange(-0.5 - left, len(labels) - 0.5 + right, padding=0.01)

    def biggest_change(self) -> tuple[str, float, float] | None:
        """(metric, first run's value, last run's value) of the 0–1 score that differs most, if it is clear."""
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
            text = format_score_change(last - first)
        else:
            values = [v for v in (self.values.get((r.id, metric)) for r in self.runs) if v is not None]
            text = f"spread {format_metric(max(values) - min(values))}"
        label = pg.TextItem(text, color="#8a5a00", anchor=(0.5, 1.0))
        font = label.textItem.font()
        font.setBold(True)
        font.setPointSizeF(10)
        label.setFont(font)
        top = max(v for (_run_id, m), v in self.values.items() if m == metric)
        label.setPos(i, top)
        label.bar = (i, top)
        plot.addItem(label)
        self.value_labels[plot].highlight = label
        return metric

    def _describe(self, widget: Any, scene_pos: QPointF) -> str | None:
        for plot, metrics in ((self.plot, self.metrics), (self.error_plot, self.error_metrics)):
            if metrics and plot.scene() is not None and plot.vb.sceneBoundingRect().contains(scene_pos):
                return self._describe_bar(plot, metrics, scene_pos)
        return None

    def _describe_bar(self, plot: Any, metrics: list[str], scene_pos: QPointF) -> str | None:
        point = plot.vb.mapSceneToView(scene_pos)
        i = round(point.x())
        if not 0 <= i < len(metrics):
            return None
        n = len(self.runs)
        width = GROUP_WIDTH / n
        j = int((point.x() - i + GROUP_WIDTH / 2) // width)
        if not 0 <= j < n:
            return None
        run, metric = self.runs[j], metrics[i]
        value = self.values.get((run.id, metric))
        if value is None:
            return f"{self._titles[run.id]}: no {metric_label(metric)}"
        others = [f"{self._titles[r.id]}: {format_metric(self.values.get((r.id, metric)))}"
                  for r in self.runs if r is not run]
        exact = format_exact_score(value)
        return (f"<b>{metric_label(metric)}</b> — {self._titles[run.id]}: <b>{exact}</b>"
                + ("<br>" + "<br>".join(others) if others else ""))


def _target_words(runs: Sequence[RunInfo]) -> str:
    """'units of price' when the runs share their target, else 'the target's units'."""
    targets = {r.target for r in runs}
    return f"units of {targets.pop()}" if len(targets) == 1 else "the target's units"
