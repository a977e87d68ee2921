"""The Compare step's Explain tab: what drives one of the compared runs — its permutation importance with the
spread over repeats, and the partial dependence (ICE in grey) of its three most important columns.

The run is picked above the charts (the compared runs, in their colours); the step reads the curves on a
worker (`explain_requested`) and hands them in. Per-row explanations need a registered version (Registry →
Explain), where new rows can be checked against the model's signature first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop_app.core.dossier.charts import explanation_charts
from desktop_app.ui.widgets.svg_chart import svg_widget

if TYPE_CHECKING:
    from desktop_app.core.tracking.entities import RunInfo


class RunExplanation(QWidget):
    explain_requested = Signal(str)     # the run whose curves to read

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareExplain")
        self.runs: dict[str, RunInfo] = {}
        self.curves: dict[str, dict[str, Any]] = {}
        self.asked: set[str] = set()      # runs whose curves were asked for (once each: a run never changes)
        self.problems: dict[str, str] = {}
        self.picker = QComboBox()
        self.picker.setObjectName("explainRunPicker")
        self.picker.currentIndexChanged.connect(lambda _i: self._show())
        self.message = QLabel()
        self.message.setObjectName("hint")
        self.message.setWordWrap(True)
        self.charts = QGridLayout()
        self.charts.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        head = QHBoxLayout()
        head.addWidget(QLabel("Run:"))
        head.addWidget(self.picker, 1)
        content = QWidget()
        body = QVBoxLayout(content)
        body.addWidget(self.message)
        body.addLayout(self.charts)
        body.addStretch(1)
        scroller = QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QScrollArea.Shape.NoFrame)
        scroller.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 6, 4, 4)
        layout.addLayout(head)
        layout.addWidget(scroller, 1)

    def set_runs(self, runs: list[RunInfo], titles: dict[str, str]) -> None:
        current = self.picker.currentData()
        self.runs = {r.id: r for r in runs}
        self.picker.blockSignals(True)
        self.picker.clear()
        for run in runs:
            self.picker.addItem(titles.get(run.id, run.short_id), run.id)
        self.picker.setCurrentIndex(max(0, self.picker.findData(current)))
        self.picker.blockSignals(False)
        self._show()

    def set_curves(self, run_id: str, curves: dict[str, dict[str, Any]] | None, problem: str = "") -> None:
        """The run's curves (None and why: they could not be read; its importance stays shown)."""
        self.curves[run_id] = curves or {}
        self.problems[run_id] = problem
        if self.picker.currentData() == run_id:
            self._show()

    def _show(self) -> None:
        while self.charts.count():
            item = self.charts.takeAt(0)
            item.widget().hide()
            item.widget().deleteLater()
        run = self.runs.get(self.picker.currentData())
        if run is None:
            self.message.setText("Select runs to compare.")
            return
        importance = run.summary.get("feature_importance") or []
        if not importance:
            self.message.setText(f"Run {run.short_id} has no importance recorded (it did not finish).")
            return
        curves = self.curves.get(run.id)
        if curves is None and run.id not in self.asked:
            self.asked.add(run.id)
            self.explain_requested.emit(run.id)
        self.message.setText("How much each column matters (shuffling it on the held-out rows lowers the score by "
                             "this much), and how the run's answer moves with its most important columns"
                             + (" (reading its curves…)." if curves is None else " (grey: single rows).")
                             + (f" Its curves could not be drawn: {self.problems[run.id]}" if self.problems.get(run.id)
                                else ""))
        for i, svg in enumerate(explanation_charts(importance, run.summary.get("importance_metric"), curves or {})):
            self.charts.addWidget(svg_widget(svg), i, 0)
