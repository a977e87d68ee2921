"""The detail side of the Compare step: the selected runs as tables and charts, in tabs.

Only the tab on screen is drawn; the others are drawn when opened. Per-run views (tables,
bars, curves, matrices) show the first MAX_COMPARED selected runs; the parameter and
scatter charts take every selected run.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QSplitter, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from desktop_app.ui.compare_confusion import ConfusionMatrices
from desktop_app.ui.compare_curves import CurvesChart
from desktop_app.ui.compare_metrics import MetricBars
from desktop_app.ui.compare_parallel import ParallelCoordinates
from desktop_app.ui.compare_scatter import RunScatter
from desktop_app.ui.compare_tables import MetricsTable, SettingsDiff
from desktop_app.ui.runs_text import (
    UNIT_METRICS,
    common_description,
    difference_words,
    format_metric,
    metric_label,
    run_title,
)

MAX_COMPARED = 12


class ComparePanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("comparePanel")
        self.runs: list[Any] = []
        self.colors: dict[str, QColor] = {}
        self.curves: dict[str, dict] = {}
        self.comparison: Any = None
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
        self.parallel = ParallelCoordinates()
        self.scatter = RunScatter()

        self.tabs = QTabWidget()
        self.tabs.setObjectName("compareTabs")
        self.tabs.setDocumentMode(True)
        self._drawers: list[Callable[[], None]] = []
        for widget, title, tip, draw in (
            (summary, "Summary", "What differs between the runs, and their scores", self._draw_summary),
            (self.metrics, "Metrics", "Every metric, with the best of each row", self._draw_metrics),
            (self.curves_chart, "ROC / PR", "ROC and precision–recall curves (two-class targets)", self._draw_curves),
            (self.confusion, "Confusion", "Right and wrong predictions per class", self._draw_confusion),
            (self.parallel, "Parameters", "Parallel coordinates: parameters against a metric", self._draw_parallel),
            (self.scatter, "Scatter", "Any two columns of the runs table against each other", self._draw_scatter),
        ):
            index = self.tabs.addTab(widget, title)
            self.tabs.setTabToolTip(index, tip)
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

    def show_runs(self, runs: list[Any], colors: dict[str, QColor], curves: dict[str, dict]) -> None:
        """Compare `runs` (2 or more, in table order) with these colours and the curves loaded so far."""
        from desktop_app.core.compare import compare_runs

        # Oldest first: "before → after" reads naturally, and the Change column is after minus before.
        self.runs = sorted(runs, key=lambda r: (r.created_at is None, r.created_at))
        self.colors, self.curves = colors, curves
        compared = self.runs[:MAX_COMPARED]
        self.titles = compare_titles(compared)
        for run in self.runs[MAX_COMPARED:]:
            self.titles[run.id] = run_title(run)
        self.comparison = compare_runs(compared)
        differing = [row.name for row in self.comparison.differing_settings()]
        common = common_description(compared)
        self.heading.setText(f"Comparing {len(self.runs)} runs" + (f" of {common}" if common else ""))
        note = ("They differ in: " + ", ".join(_setting_word(n) for n in differing[:6])
                + ("…" if len(differing) > 6 else "") + ".") if differing else "Their settings are identical."
        if len(self.runs) > MAX_COMPARED:
            note += (f" Tables, bars, curves and matrices show the first {MAX_COMPARED}; "
                     "the Parameters and Scatter tabs show all of them.")
        change = _biggest_change(compared)
        if change is not None:
            metric, first, last = change
            note += (f" Biggest change: {metric_label(metric).lower()} {format_metric(first)} → {format_metric(last)}."
                     if len(compared) == 2 else f" They differ most in {metric_label(metric).lower()}.")
        self.note.setText(note)
        self.pages.setCurrentWidget(self.content)
        self._dirty = set(range(self.tabs.count()))
        self._draw_current(self.tabs.currentIndex())

    def update_curves(self, curves: dict[str, dict]) -> None:
        """More curves arrived: redraw the tabs that use them."""
        self.curves = curves
        self._dirty |= {2, 3}
        self._draw_current(self.tabs.currentIndex())

    def draw_all(self) -> None:
        """Draw every tab now (screenshots, tests)."""
        for index in sorted(self._dirty):
            self._drawers[index]()
        self._dirty.clear()

    def _draw_current(self, index: int) -> None:
        if index in self._dirty and self.runs:
            self._dirty.discard(index)
            self._drawers[index]()

    # -- tabs ---------------------------------------------------------------------------------
    def _compared(self) -> list[Any]:
        return self.runs[:MAX_COMPARED]

    def _draw_summary(self) -> None:
        self.settings.set_comparison(self.comparison, self.colors, self.titles)
        self.bars.set_runs(self._compared(), self.colors, self.titles)

    def _draw_metrics(self) -> None:
        self.metrics.set_comparison(self.comparison, self.colors, self.titles)

    def _draw_curves(self) -> None:
        self.curves_chart.set_runs(self._compared(), self.colors, self.curves, self.titles)

    def _draw_confusion(self) -> None:
        self.confusion.set_runs(self._compared(), self.colors, self.curves, self.titles)

    def _draw_parallel(self) -> None:
        self.parallel.set_runs(self.runs, self.titles)

    def _draw_scatter(self) -> None:
        self.scatter.set_runs(self.runs, self.colors, self.titles)


def _biggest_change(runs: list[Any]) -> tuple[str, Any, Any] | None:
    """The 0–1 metric whose values spread most (≥ 0.1) across `runs`: (name, first value, last value)."""
    best = None
    for metric in UNIT_METRICS:
        values = [(r.metrics or {}).get(metric) for r in runs]
        present = [v for v in values if v is not None]
        if len(present) >= 2 and (best is None or max(present) - min(present) > best[0]):
            best = (max(present) - min(present), metric, values[0], values[-1])
    return None if best is None or best[0] < 0.1 else best[1:]


def compare_titles(runs: list[Any]) -> dict[str, str]:
    """Short names for compared runs: what sets each apart, and its id ('balanced · 831a5e87')."""
    words = difference_words(runs)
    return {r.id: " · ".join([*words[r.id], r.id[:8]]) for r in runs}


def _setting_word(name: str) -> str:
    from desktop_app.ui.runs_text import setting_label

    return setting_label(name).lower() if not name.startswith("param.") else name[6:]
