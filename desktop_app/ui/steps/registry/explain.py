"""The Registry's Explain and Fairness tabs of a version: why it predicts what it does, and for whom it works worse.

Explain: the permutation importance with its spread over repeats and the partial dependence (ICE in grey) of
the most important columns, drawn by the dossier's SVG charts (one look in the window and in the document);
"Explain rows of a file…" lists the first rows of a file with their three strongest reasons, and the row
picked is drawn as a waterfall from the base value to its output ("why is patient 1234 high risk?").
Fairness: the run's per-group metrics on its held-out rows and the gaps, or how to get them.
The step loads what needs the project (ui never computes) and hands it in.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.dossier.charts import explanation_charts, waterfall
from desktop_app.ui.widgets.read_only_table import read_only_table
from desktop_app.ui.widgets.svg_chart import svg_widget

SPACES = {"log_odds": "log-odds", "probability": "probability", "raw_score": "raw score", "value": "prediction"}
GROUP_METRICS = ("count", "selection_rate", "recall", "fpr", "precision", "roc_auc")


def _number(value: Any) -> str:
    return "—" if value is None else f"{value:.4g}" if isinstance(value, float) else str(value)


class ExplainTab(QWidget):
    rows_requested = Signal()     # "Explain rows of a file…": the step asks for the file and explains it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registryExplain")
        self.result: Any = None
        self.message = QLabel()
        self.message.setObjectName("hint")
        self.message.setWordWrap(True)
        self.charts = QGridLayout()
        self.charts.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.rows_button = QPushButton("Explain rows of a file…")
        self.rows_button.setToolTip("Why did the model answer what it did for these rows? Each row's answer split "
                                    "into what each column added (linear and tree models)")
        self.rows_button.clicked.connect(self.rows_requested)
        self.rows_note = QLabel("Pick a file of rows (patients, customers…) to see, row by row, which columns "
                                "pushed the model's answer up or down.")
        self.rows_note.setObjectName("hint")
        self.rows_note.setWordWrap(True)
        fit, stretch = QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch
        self.rows = read_only_table("explainedRows", ["Row", "Output of class", "Output", "Strongest reasons"],
                                    [fit, fit, fit, stretch], select_rows=True)
        self.rows.setMinimumHeight(140)
        self.rows.itemSelectionChanged.connect(self._row_picked)
        self.rows.setVisible(False)
        self.waterfall = QVBoxLayout()
        row_head = QHBoxLayout()
        row_head.addWidget(self.rows_note, 1)
        row_head.addWidget(self.rows_button)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(self.message)
        layout.addLayout(self.charts)
        layout.addSpacing(8)
        layout.addLayout(row_head)
        layout.addWidget(self.rows)
        layout.addLayout(self.waterfall)
        layout.addStretch(1)
        scroller = QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QScrollArea.Shape.NoFrame)
        scroller.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroller)
        self.show_message("Select a version to see what drives its answers.")

    def _clear(self, layout) -> None:
        while layout.count():
            item = layout.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()   # gone from the screen now; deleted when the event loop gets to it
                item.widget().deleteLater()

    def show_message(self, text: str) -> None:
        self._clear(self.charts)
        self._clear(self.waterfall)
        self.rows.setRowCount(0)
        self.rows.setVisible(False)
        self.message.setText(text)

    def show_global(self, importance: list, metric: str | None, dependence: dict[str, dict[str, Any]]) -> None:
        """The importance (name, mean, spread) and the partial dependence curves."""
        self.show_message("How much each column matters (shuffling it on the held-out rows lowers the score by this "
                          "much; the whisker is its spread over repeats), and how the model's answer moves with the "
                          "most important columns (average of sample rows; grey: single rows).")
        charts = explanation_charts(importance, metric, dependence)
        for i, svg in enumerate(charts):
            self.charts.addWidget(svg_widget(svg), i, 0)   # one a row: the details pane is narrow

    def show_rows(self, result: Any) -> None:
        """The explained rows (an `ExplainResult`), the first one's waterfall drawn."""
        self.result = result
        e = result.explanation
        self.rows.setRowCount(len(e.outputs))
        for i in range(len(e.outputs)):
            reasons = ", ".join(f"{name} {value:+.3g}" for name, value in e.top(i, 3))
            cells = [str(i + 1), str(e.classes[i]) if e.classes else "—", f"{e.outputs[i]:.4g}", reasons]
            for column, text in enumerate(cells):
                self.rows.setItem(i, column, QTableWidgetItem(text))
        self.rows.setVisible(True)
        left = f" ({result.rows_left_out:,} rows the model cannot read left out)" if result.rows_left_out else ""
        self.rows_note.setText(f"{len(e.outputs):,} rows explained, in {SPACES[e.output_space]}{left}. Pick a row to "
                               "see how each column moved its answer.")
        if len(e.outputs):
            self.rows.selectRow(0)

    def _row_picked(self) -> None:
        picked = self.rows.selectionModel().selectedRows()
        if not picked or self.result is None:
            return
        i = picked[0].row()
        e = self.result.explanation
        top = e.top(i, 8)
        rest = float(e.contributions[i].sum()) - sum(v for _, v in top)
        items = top + ([("other columns", rest)] if len(e.features) > len(top) else [])
        label = f" ({e.classes[i]})" if e.classes else ""
        svg = waterfall(f"Row {i + 1}: why the model answered {e.outputs[i]:.3g}{label}", float(e.base_values[i]),
                        items, float(e.outputs[i]), SPACES[e.output_space])
        self._clear(self.waterfall)
        self.waterfall.addWidget(svg_widget(svg))


class FairnessTab(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registryFairness")
        self.message = QLabel()
        self.message.setObjectName("hint")
        self.message.setWordWrap(True)
        fit = QHeaderView.ResizeMode.ResizeToContents
        self.table = read_only_table("fairnessGroups", ["Group", "Rows", "Selection rate", "Recall",
                                                        "False-positive rate", "Precision", "ROC AUC"], [fit] * 7)
        self.gaps = QLabel()
        self.gaps.setWordWrap(True)
        self.gaps.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(self.message)
        layout.addWidget(self.table)
        layout.addWidget(self.gaps)
        layout.addStretch(1)
        self.show_message("Select a version to see how it works for each group.")

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.table.setVisible(False)
        self.gaps.setVisible(False)

    def show_groups(self, column: str, groups: dict[str, dict[str, Any]], gaps: dict[str, float],
                    used: bool) -> None:
        learned = "the model learned from it" if used else "left out of the model's features"
        self.message.setText(f"The model on its held-out rows, for each group of {column} ({learned}). A KPI gate "
                             "can hold the gaps, e.g. recall_gap<=0.1 or selection_rate_ratio>=0.8.")
        self.table.setRowCount(len(groups))
        for row, (group, metrics) in enumerate(groups.items()):
            cells = [group, *[_number(metrics.get(name)) for name in GROUP_METRICS]]
            for column_index, text in enumerate(cells):
                self.table.setItem(row, column_index, QTableWidgetItem(text))
        self.table.setVisible(True)
        shown = ("recall_gap", "fpr_gap", "precision_gap", "selection_rate_ratio", "demographic_parity_difference",
                 "equalized_odds_difference")
        self.gaps.setText("Gaps between the groups: " + ", ".join(
            f"{name.replace('_', ' ')} {gaps[name]:.3g}" for name in shown if name in gaps) + ".")
        self.gaps.setVisible(True)
