"""Regression runs side by side: predicted against actual, and the residuals, one colour per run.

Each dot is a test row (the run stored a seeded sample of at most 2,000; with many runs each
is thinned further so the cloud stays readable). On the residual plot a line per run follows
its average residual along the predictions: flat at zero means the run is not biased there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QWidget

from desktop_app.ui.charts.base import (
    CHANCE_PEN,
    TEXT_PEN,
    ChartPanel,
    canvas,
    nearest_point,
    on_hover,
    set_title,
    style_plot_item,
    top_legend,
)
from desktop_app.ui.text.formatting import format_float, format_int, plural
from desktop_app.ui.text.rich_text import escape
from desktop_app.ui.text.runs import format_metric, run_title, status_key

if TYPE_CHECKING:
    import numpy as np

    from desktop_app.core.tracking.entities import RunInfo

MAX_POINTS = 6000          # dots on each plot, all runs together
MIN_POINTS_PER_RUN = 300   # … but never fewer than this per run
TREND_BINS = 8             # the residual trend: average residual in this many equal-count bins
MIN_PER_BIN = 12
POINT_ALPHA = 150


class ResidualsChart(ChartPanel):
    def __init__(self, parent: QWidget | None = None) -> None:

        super().__init__(parent)
        self.setObjectName("residualsChart")
        self.fit: Any = None          # predicted vs actual
        self.residual: Any = None     # predicted vs residual
        self.legend: Any = None
        self.drawn: list[str] = []    # run ids on screen
        self.points: dict[str, int] = {}                 # run id → dots drawn (per plot)
        self.stored: dict[str, int] = {}                 # run id → rows stored with the run
        self.series: dict[str, list[tuple[np.ndarray, np.ndarray, Any]]] = {"fit": [], "residual": []}
        self.titles: dict[str, str] = {}
        self.note = QLabel()
        self.note.setObjectName("hint")
        self.note.setWordWrap(True)
        self.layout_.addWidget(self.note)

    def set_runs(self, runs: Sequence[RunInfo], colors: dict[str, QColor], curves: dict[str, dict],
                 titles: dict[str, str] | None = None) -> None:
        import numpy as np  # here: the window opens without waiting for numpy
        import pyqtgraph as pg

        titles = titles or {r.id: run_title(r) for r in runs}
        shown = [r for r in runs if _usable(curves.get(r.id, {}).get("residuals"))]
        if not shown:
            waiting = any(r.id not in curves and status_key(r.status) == "finished" for r in runs)
            self.show_message("Loading the predictions…" if waiting else
                              "Residual plots are drawn for finished regression runs.")
            return
        if self.chart is None:
            layout = canvas()
            self.legend = top_legend(layout)
            self.fit = layout.addPlot(row=1, col=0)
            self.residual = layout.addPlot(row=1, col=1)
            style_plot_item(self.fit, None, None)
            style_plot_item(self.residual, None, None)
            set_title(self.fit, "Predicted vs actual")
            set_title(self.residual, "Residuals (actual − predicted)")
            self.set_chart(layout, "residuals")
            on_hover(self.chart, self._describe)
        self.titles = titles
        target = _target(shown)
        self.fit.setLabel("bottom", f"Actual {target}", color=TEXT_PEN)
        self.fit.setLabel("left", f"Predicted {target}", color=TEXT_PEN)
        self.residual.setLabel("bottom", f"Predicted {target}", color=TEXT_PEN)
        self.residual.setLabel("left", "Residual (actual − predicted)", color=TEXT_PEN)
        for plot in (self.fit, self.residual):
            plot.clear()
        n = len(shown)
        entries = []
        self.drawn = [r.id for r in shown]
        self.series = {"fit": [], "residual": []}
        self.points, self.stored = {}, {}
        per_run = max(MIN_POINTS_PER_RUN, MAX_POINTS // n)
        size = 6 if n <= 3 else 5
        lows, highs, spread = [], [], 0.0
        for run in shown:
            data = curves[run.id]["residuals"]
            actual, predicted, residual = (np.asarray([np.nan if v is None else v for v in data[k]], float)
                                           for k in ("actual", "predicted", "residual"))
            ok = np.isfinite(actual) & np.isfinite(predicted) & np.isfinite(residual)
            actual, predicted, residual = actual[ok], predicted[ok], residual[ok]
            self.stored[run.id] = len(actual)
            keep = _thin(len(actual), per_run)
            actual, predicted, residual = actual[keep], predicted[keep], residual[keep]
            self.points[run.id] = len(actual)
            color = colors.get(run.id, QColor("#4e79a7"))
            faint = QColor(color)
            faint.setAlpha(POINT_ALPHA)
            brush, pen = pg.mkBrush(faint), pg.mkPen(color.darker(115), width=0.5)
            self.fit.addItem(pg.ScatterPlotItem(actual, predicted, size=size, brush=brush, pen=pen))
            self.residual.addItem(pg.ScatterPlotItem(predicted, residual, size=size, brush=brush, pen=pen))
            self.series["fit"].append((actual, predicted, (run, residual)))
            self.series["residual"].append((predicted, residual, (run, actual)))
            trend = _trend(predicted, residual)
            trend_pen = pg.mkPen(color.darker(110), width=2.6)
            if trend is not None:
                line = pg.PlotDataItem(*trend, pen=trend_pen)
                line.setZValue(5)
                self.residual.addItem(line)
            metrics = run.metrics or {}
            sample = pg.PlotDataItem(pen=trend_pen, symbol="o", symbolSize=7, symbolBrush=pg.mkBrush(color),
                                     symbolPen=pg.mkPen(color.darker(115), width=0.5))
            entries.append((sample, f"{titles[run.id]} (R² {format_metric(metrics.get('r2'))}, "
                                    f"RMSE {format_metric(metrics.get('rmse'))})"))
            if len(actual):
                lows.append(min(actual.min(), predicted.min()))
                highs.append(max(actual.max(), predicted.max()))
                spread = max(spread, float(np.abs(residual).max()))
        lo, hi = (min(lows), max(highs)) if lows else (0.0, 1.0)
        if hi <= lo:
            hi = lo + 1.0
        dash = pg.mkPen(CHANCE_PEN, width=1.2, style=Qt.PenStyle.DashLine)
        self.fit.plot([lo, hi], [lo, hi], pen=dash)           # perfect predictions
        self.fit.setRange(xRange=(lo, hi), yRange=(lo, hi), padding=0.04)
        self.residual.addItem(pg.InfiniteLine(pos=0, angle=0, pen=dash))
        spread = spread or 1.0
        predicted_all = np.concatenate([s[0] for s in self.series["residual"]]) if self.series["residual"] else []
        x_lo, x_hi = (float(np.min(predicted_all)), float(np.max(predicted_all))) if len(predicted_all) else (lo, hi)
        self.residual.setRange(xRange=(x_lo, x_hi if x_hi > x_lo else x_lo + 1), yRange=(-spread, spread),
                               padding=0.05)
        self.set_legend(self.legend, entries if n > 1 else [])
        self.note.setText(self._note(shown))
        self.show_chart()

    def _note(self, runs: list[RunInfo]) -> str:
        drawn, stored = sum(self.points.values()), sum(self.stored.values())
        tests = [int((r.summary or {}).get("n_test") or 0) for r in runs]
        if drawn < stored:
            dots = f"Each dot is a test row: {format_int(drawn)} of the {format_int(stored)} stored for these runs."
        elif sum(tests) > stored:
            dots = f"Each dot is a test row (a sample of {format_int(stored)} of {format_int(sum(tests))})."
        else:
            dots = f"Each dot is a test row ({plural(stored, 'row')} in all)."
        return (dots + " Dashed: perfect predictions. Lines on the right: each run's average residual along its "
                "predictions — above zero it predicts too low there, below zero too high.")

    def show_message(self, text: str) -> None:
        super().show_message(text)
        self.note.setVisible(False)

    def show_chart(self) -> None:
        super().show_chart()
        self.note.setVisible(True)

    def _describe(self, widget: Any, scene_pos: QPointF) -> str | None:
        for plot, name in ((self.fit, "fit"), (self.residual, "residual")):
            if plot is None or not plot.vb.sceneBoundingRect().contains(scene_pos):
                continue
            hit = nearest_point(plot.vb, scene_pos, self.series[name])
            if hit is None:
                return None
            s, i = hit
            xs, ys, (run, other) = self.series[name][s]
            if name == "fit":
                actual, predicted, residual = xs[i], ys[i], other[i]
            else:
                predicted, residual, actual = xs[i], ys[i], other[i]
            return (f"<b>{escape(self.titles[run.id])}</b><br>actual {_number(actual)}, predicted {_number(predicted)}"
                    f"<br>residual <b>{_number(residual, signed=True)}</b>")
        return None


def _usable(residuals: Any) -> bool:
    return bool(residuals) and all(k in residuals for k in ("actual", "predicted", "residual"))


def _thin(n: int, limit: int) -> np.ndarray:
    """At most `limit` indices spread evenly over 0..n-1 (the stored rows are already a random sample)."""
    import numpy as np

    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(np.int64))


def _trend(predicted: np.ndarray, residual: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(mean prediction, mean residual) per bin of equally many rows, along the predictions."""
    import numpy as np

    bins = min(TREND_BINS, len(predicted) // MIN_PER_BIN)
    if bins < 3:
        return None
    order = np.argsort(predicted, kind="stable")
    groups = np.array_split(order, bins)
    return (np.array([predicted[g].mean() for g in groups]), np.array([residual[g].mean() for g in groups]))


def _target(runs: Sequence[RunInfo]) -> str:
    targets = {r.target for r in runs}
    return targets.pop() if len(targets) == 1 else "value"


def _number(value: float, signed: bool = False) -> str:
    text = format_float(float(value))
    if signed and value > 0:
        text = "+" + text
    return text.replace("-", "−")
