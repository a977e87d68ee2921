"""The detail side of the Compare step: the selected runs as tables and charts, in tabs.

Only the tab on screen is drawn; the others are drawn when opened. Per-run views (tables,
bars, curves, matrices, residuals) show the first MAX_COMPARED selected runs; the parameter
and scatter charts take every selected run.

The tabs fit the runs' task: ROC / PR and Confusion for classification runs, Residuals for
regression runs (a mixed selection shows both, each chart with the runs it applies to).

Charts need pyqtgraph, which the step prepares in slices (`ui.work.chart_warmup`) so that importing
it never freezes the window: a chart tab opened before it is ready says "Preparing the
charts…" for a moment and draws itself when it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QSplitter, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from desktop_app.core.training.metric_names import UNIT_METRICS
from desktop_app.ui.steps.compare.confusion import ConfusionMatrices
from desktop_app.ui.steps.compare.curves import CurvesChart
from desktop_app.ui.steps.compare.explain import RunExplanation
from desktop_app.ui.steps.compare.fairness import FairnessTable
from desktop_app.ui.steps.compare.metrics import MetricBars
from desktop_app.ui.steps.compare.parallel import ParallelCoordinates
from desktop_app.ui.steps.compare.residuals import ResidualsChart
from desktop_app.ui.steps.compare.scatter import RunScatter
from desktop_app.ui.steps.compare.tables import MetricsTable, SettingsDiff
from desktop_app.ui.text.runs import (
    common_description,
    distinguishing,
    format_metric,
    metric_label,
    run_title,
    setting_word,
)
from desktop_app.ui.work.chart_warmup import charts_ready, warm_up_charts

if TYPE_CHECKING:
    from desktop_app.core.compare import Comparison
    from desktop_app.core.tracking.entities import RunInfo

MAX_COMPARED = 12
# The tabs, in order.
SUMMARY, METRICS, CURVES, CONFUSION, RESIDUALS, PARAMETERS, SCATTER, FAIRNESS, EXPLAIN = range(9)
CURVE_TABS = frozenset({CURVES, CONFUSION, RESIDUALS})      # drawn from the runs' stored curves
TABLE_TABS = frozenset({METRICS, FAIRNESS, EXPLAIN})        # no pyqtgraph chart: drawn at once
READY_POLL_MS = 25
PREPARING = "Preparing the charts…"


class ComparePanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("comparePanel")
        self.runs: list[RunInfo] = []
        self.colors: dict[str, QColor] = {}
        self.curves: dict[str, dict] = {}
        self.comparison: Comparison | None = None
        self.titles: dict[str, str] = {}
        self._dirty: set[int] = set()

        self.message = QLabel()
        self.message.setObjectName("emptyMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.heading = QLabel()
        self.heading.setObjectName("sectionTitle")
        self.heading.setWordWrap(True)
        self.note = QLabel()
        self.note.setObjectName("hint")
        self.note.setWordWrap(True)

        self.settings = SettingsDiff()
        self.bars = MetricBars()
        summary = QSplitter(Qt.Orientation.Vertical)
        summary.setObjectName("compareSummarySplitter")
        summary.addWidget(self.settings)
        summary.addWidget(self.bars)
        summary.setStretchFactor(1, 1)
        summary.setSizes([96, 440])
        summary.setChildrenCollapsible(False)
        self.summary_splitter = summary
        self.metrics = MetricsTable()
        self.curves_chart = CurvesChart()
        self.confusion = ConfusionMatrices()
        self.residuals = ResidualsChart()
        self.parallel = ParallelCoordinates()
        self.scatter = RunScatter()
        self.fairness = FairnessTable()
        self.explain = RunExplanation()
        self.tasks: set[str] = set()      # "classification" and/or "regression": the compared runs' tasks
        self._ready_timer = QTimer(self)  # redraws the tab on screen once pyqtgraph is ready
        self._ready_timer.setInterval(READY_POLL_MS)
        self._ready_timer.timeout.connect(self._charts_maybe_ready)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("compareTabs")
        self.tabs.setDocumentMode(True)
        # On a narrow pane (a laptop) the nine tabs shorten their titles ("Parame…", the whole in the tooltip)
        # rather than hiding some behind scroll arrows.
        self.tabs.setElideMode(Qt.TextElideMode.ElideRight)
        self.tabs.setUsesScrollButtons(False)
        self._drawers: list[Callable[[], None]] = []
        for widget, title, tip, draw in (
            (summary, "Summary", "What differs between the runs, and their scores", self._draw_summary),
            (self.metrics, "Metrics", "Every metric, with the best of each row", self._draw_metrics),
            (self.curves_chart, "ROC / PR", "ROC and precision–recall curves (one-vs-rest per class when there "
             "are more than two classes)", self._draw_curves),
            (self.confusion, "Confusion", "Right and wrong predictions per class", self._draw_confusion),
            (self.residuals, "Residuals", "Predicted against actual values, and the errors (regression runs)",
             self._draw_residuals),
            (self.parallel, "Parameters", "Parallel coordinates: parameters against a metric", self._draw_parallel),
            (self.scatter, "Scatter", "Any two columns of the runs table against each other", self._draw_scatter),
            (self.fairness, "Fairness", "Each run's metrics per group of the column it was audited on, and the gaps",
             self._draw_fairness),
            (self.explain, "Explain", "What drives a run: its columns' importance and how its answer moves with them",
             self._draw_explain),
        ):
            index = self.tabs.addTab(widget, title)
            self.tabs.setTabToolTip(index, f"{title}: {tip}")   # the whole title, when a narrow pane shortens it
            self._drawers.append(draw)
        self.tabs.currentChanged.connect(self._draw_current)

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.setSpacing(2)
        content_layout.addWidget(self.heading)
        content_layout.addWidget(self.note)
        content_layout.addWidget(self.tabs, 1)
        self.content = content
        self.pages = QStackedWidget()
        self.pages.addWidget(self.message)
        self.pages.addWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self.show_message("Select two or more runs in the table to compare them (Ctrl+click or Shift+click).")

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.pages.setCurrentWidget(self.message)

    def show_runs(self, runs: list[RunInfo], colors: dict[str, QColor], curves: dict[str, dict]) -> None:
        """Compare `runs` (in table order; one run shows its own figures) with these colours and the curves
        loaded so far."""
        from desktop_app.core.compare import compare_runs

        # Oldest first: "before → after" reads naturally, and the Change column is after minus before.
        self.runs = sorted(runs, key=lambda r: (r.created_at is None, r.created_at))
        self.colors, self.curves = colors, curves
        compared = self.runs[:MAX_COMPARED]
        self.titles = compare_titles(compared) if len(compared) > 1 else {r.id: run_title(r) for r in compared}
        for run in self.runs[MAX_COMPARED:]:
            self.titles[run.id] = run_title(run)
        self.comparison = compare_runs(compared)
        self._show_tabs_for(compared)
        differing = _telling_settings(self.comparison, compared)
        common = common_description(compared)
        if len(self.runs) == 1:
            self._show_one(compared[0])
            return
        self.heading.setText(f"Comparing {len(self.runs)} runs" + (f" of {common}" if common else ""))
        note = ("They differ in: " + ", ".join(_setting_word(n) for n in differing[:6])
                + ("…" if len(differing) > 6 else "") + ".") if differing else "Their settings are identical."
        if len(self.runs) > MAX_COMPARED:
            note += (f" Tables, bars, curves and matrices show the first {MAX_COMPARED}; "
                     "the Parameters and Scatter tabs show all of them.")
        if len(self.tasks) > 1:
            note += " They mix classification and regression runs: each chart shows the runs it applies to."
        change = _biggest_change(compared)
        if change is not None:
            metric, first, last = change
            note += (f" Biggest change: {metric_label(metric).lower()} {format_metric(first)} → {format_metric(last)}."
                     if len(compared) == 2 else f" They differ most in {metric_label(metric).lower()}.")
        self.note.setText(note)
        self._show_drawn()

    def _show_one(self, run: RunInfo) -> None:
        """One run selected: its own settings, metrics, curves and matrix; a second run adds the comparison."""
        self.heading.setText(f"Run {run.short_id} · {run_title(run, with_id=False)}")
        self.note.setText(f"{run.dataset_label} → {run.target}. Select a second run (Ctrl+click) to compare them: "
                          "what differs, which scores better, and where.")
        self._show_drawn()

    def _show_drawn(self) -> None:
        self.pages.setCurrentWidget(self.content)
        self._dirty = set(range(self.tabs.count()))
        self._draw_current(self.tabs.currentIndex())

    def update_curves(self, curves: dict[str, dict]) -> None:
        """More curves arrived: redraw the tabs that use them."""
        self.curves = curves
        self._dirty |= CURVE_TABS
        self._draw_current(self.tabs.currentIndex())

    def draw_all(self) -> None:
        """Draw every tab now (screenshots, tests), importing pyqtgraph at once if it is not ready."""
        self._ready_timer.stop()
        for index in sorted(self._dirty):
            self._drawers[index]()
        self._dirty.clear()

    def _draw_current(self, index: int) -> None:
        if index not in self._dirty or not self.runs:
            return
        if index not in TABLE_TABS and not charts_ready():
            # Importing pyqtgraph in one go would freeze the window: prepare it in slices, say so, draw later.
            warm_up_charts(self)
            self._preparing(index)
            self._ready_timer.start()
            return
        self._dirty.discard(index)
        self._drawers[index]()

    def _preparing(self, index: int) -> None:
        if index == SUMMARY:
            self.settings.set_comparison(self.comparison, self.colors, self.titles)
            self.bars.show_message(PREPARING)
        else:
            self.tabs.widget(index).show_message(PREPARING)

    def _charts_maybe_ready(self) -> None:
        if charts_ready():
            self._ready_timer.stop()
            self._draw_current(self.tabs.currentIndex())

    def _show_tabs_for(self, runs: list[RunInfo]) -> None:
        """Classification tabs for classification runs, Residuals for regression runs."""
        self.tasks = {t for t in (run_task(r) for r in runs) if t}
        classification = "classification" in self.tasks or not self.tasks
        regression = "regression" in self.tasks
        current = self.tabs.currentIndex()
        visible = {CURVES: classification, CONFUSION: classification, RESIDUALS: regression,
                   FAIRNESS: classification}
        # The tab on screen goes away: show its counterpart for the other task (the model's errors).
        if not visible.get(current, True):
            self.tabs.setCurrentIndex(RESIDUALS if current in (CURVES, CONFUSION) else CURVES)
        for index, shown in visible.items():
            self.tabs.setTabVisible(index, shown)

    # -- tabs ---------------------------------------------------------------------------------
    def _compared(self) -> list[Any]:
        return self.runs[:MAX_COMPARED]

    def _draw_summary(self) -> None:
        self.settings.set_comparison(self.comparison, self.colors, self.titles)
        self.bars.set_runs(self._compared(), self.colors, self.titles)

    def _draw_metrics(self) -> None:
        self.metrics.set_comparison(self.comparison, self.colors, self.titles)

    def _draw_fairness(self) -> None:
        self.fairness.set_runs(self._compared(), self.colors, self.titles)

    def _draw_explain(self) -> None:
        self.explain.set_runs(self._compared(), self.titles)

    def _draw_curves(self) -> None:
        self.curves_chart.set_runs(self._compared(), self.colors, self.curves, self.titles)

    def _draw_confusion(self) -> None:
        self.confusion.set_runs(self._compared(), self.colors, self.curves, self.titles)

    def _draw_residuals(self) -> None:
        self.residuals.set_runs(self._compared(), self.colors, self.curves, self.titles)

    def _draw_parallel(self) -> None:
        self.parallel.set_runs(self.runs, self.titles)

    def _draw_scatter(self) -> None:
        self.scatter.set_runs(self.runs, self.colors, self.titles)


def run_task(run: RunInfo) -> str | None:
    """'classification' or 'regression' (from the run, or from its metrics); None when unknown."""
    task = getattr(run, "task", None)
    if task in ("classification", "regression"):
        return task
    metrics = run.metrics or {}
    if "r2" in metrics or "rmse" in metrics:
        return "regression"
    return "classification" if metrics else None


def _biggest_change(runs: list[RunInfo]) -> tuple[str, Any, Any] | None:
    """The 0–1 metric whose values spread most (≥ 0.1) across `runs`: (name, first value, last value)."""
    best = None
    for metric in UNIT_METRICS:
        values = [(r.metrics or {}).get(metric) for r in runs]
        present = [v for v in values if v is not None]
        if len(present) >= 2 and (best is None or max(present) - min(present) > best[0]):
            best = (max(present) - min(present), metric, values[0], values[-1])
    return None if best is None or best[0] < 0.1 else best[1:]


def compare_titles(runs: list[RunInfo], limit: int = 3) -> dict[str, str]:
    """Short names for compared runs: what sets each apart, and its id ('balanced · 831a5e87').

    A parameter names a run only when runs of the same model differ in it ('C=0.01'): between
    different models the model's name says it ('Ridge regression · 9c2e…', not 'alpha=none').
    """
    from desktop_app.core.compare import compare_runs

    words: dict[str, list[str]] = {r.id: [] for r in runs}
    if len(runs) >= 2:
        for row in compare_runs(list(runs)).differing_settings():
            if not row.name.startswith("param."):
                for run, value in zip(runs, row.values):
                    words[run.id].append(setting_word(row.name, value))
        for run_id, params in distinguishing(runs).items():
            words[run_id].extend(params)
    return {r.id: " · ".join([*words[r.id][:limit], *(["…"] if len(words[r.id]) > limit else []), r.id[:8]])
            for r in runs}


def _telling_settings(comparison: Comparison, runs: list[RunInfo]) -> list[str]:
    """The differing settings worth naming: parameters only where runs of the same model differ in them."""
    differing = [row.name for row in comparison.differing_settings()]
    if "algorithm" not in differing:
        return differing
    within = {word.split("=", 1)[0] for params in distinguishing(runs).values() for word in params}
    return [name for name in differing if not name.startswith("param.") or name[6:] in within]


def _setting_word(name: str) -> str:
    from desktop_app.ui.text.runs import setting_label

    return setting_label(name).lower() if not name.startswith("param.") else name[6:]
