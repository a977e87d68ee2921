"""The Compare step's Fairness tab: each compared run's metrics per group of the column it was audited on.

One row per run and group (the run's title on its first row, in its colour), the metrics a fairness audit
records (`training.fairness`), and each run's gaps under the table. Runs trained without a fairness
column are named, with how to audit them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidgetItem, QVBoxLayout, QWidget

from desktop_app.ui.widgets.read_only_table import read_only_table

if TYPE_CHECKING:
    from desktop_app.core.tracking.entities import RunInfo

METRICS = (("count", "Rows"), ("selection_rate", "Selection rate"), ("recall", "Recall"),
           ("fpr", "False-positive rate"), ("precision", "Precision"), ("roc_auc", "ROC AUC"))
GAPS = ("recall_gap", "fpr_gap", "selection_rate_ratio", "equalized_odds_difference")


def _number(value: Any) -> str:
    return "—" if value is None else f"{value:.4g}" if isinstance(value, float) else str(value)


class FairnessTable(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareFairness")
        fit = QHeaderView.ResizeMode.ResizeToContents
        self.table = read_only_table("fairnessByRun", ["Run", "Group", *[label for _, label in METRICS]],
                                     [fit] * (2 + len(METRICS)))
        self.note = QLabel()
        self.note.setObjectName("hint")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 6, 4, 4)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)

    def set_runs(self, runs: list[RunInfo], colors: dict[str, QColor], titles: dict[str, str]) -> None:
        rows: list[tuple[RunInfo, str, dict[str, Any], bool]] = []
        lines, unaudited = [], []
        for run in runs:
            groups = run.summary.get("groups") or {}
            if not groups:
                unaudited.append(titles.get(run.id, run.short_id))
                continue
            column, per_group = next(iter(groups.items()))
            for i, (group, metrics) in enumerate(per_group.items()):
                rows.append((run, f"{column} = {group}", metrics, i == 0))
            gaps = ", ".join(f"{name.replace('_', ' ')} {run.metrics[name]:.3g}" for name in GAPS
                             if run.metrics.get(name) is not None)
            lines.append(f"{titles.get(run.id, run.short_id)}: {gaps}.")
        self.table.setRowCount(len(rows))
        for r, (run, group, metrics, first) in enumerate(rows):
            title = QTableWidgetItem(titles.get(run.id, run.short_id) if first else "")
            if run.id in colors:
                title.setForeground(colors[run.id])
            self.table.setItem(r, 0, title)
            self.table.setItem(r, 1, QTableWidgetItem(group))
            for c, (name, _) in enumerate(METRICS, start=2):
                self.table.setItem(r, c, QTableWidgetItem(_number(metrics.get(name))))
        self.table.setVisible(bool(rows))
        if unaudited:
            lines.append(("Not audited: " if rows else "None of these runs was audited for fairness: ")
                         + ", ".join(unaudited) + ". Choose a column under Train → Fairness (or `mldesk train … "
                         "--sensitive COLUMN`) to compare the model's metrics across its groups.")
        self.note.setText(" ".join(lines))
