"""The KPI gate tab: the model's rules as editable text, and which versions pass or fail them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.steps.registry.text import gate_failures, parse_rules
from desktop_app.ui.text.runs import format_metric, metric_label
from desktop_app.ui.widgets.read_only_table import read_only_table

if TYPE_CHECKING:
    from desktop_app.core.registry.entities import RegisteredModel

PASS_COLOR, FAIL_COLOR, MUTED = "#2e7d32", "#b3261e", "#9aa1a9"


class GateTab(QWidget):
    save_requested = Signal(list, str)    # rule texts, reason

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registryGate")
        self.model: RegisteredModel | None = None
        self._saved_text = ""
        self.intro = QLabel()
        self.intro.setObjectName("hint")
        self.intro.setWordWrap(True)
        self.rules = QPlainTextEdit()
        self.rules.setObjectName("gateEdit")
        self.rules.setPlaceholderText("recall>=0.7\nroc_auc>=0.8")
        self.rules.setFixedHeight(64)
        self.rules.setTabChangesFocus(True)
        self.rules.textChanged.connect(self._on_edit)
        self.reason = QLineEdit()
        self.reason.setObjectName("gateReason")
        self.reason.setPlaceholderText("Why these rules (kept in the history), e.g. clinical minimum for recall")
        self.problem = QLabel()
        self.problem.setObjectName("errorText")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        self.save_button = QPushButton("Save the gate")
        self.save_button.setObjectName("saveGateButton")
        self.save_button.clicked.connect(self._save)
        self.revert_button = QPushButton("Undo changes")
        self.revert_button.clicked.connect(self._revert)
        self.table_title = QLabel()
        self.table_title.setObjectName("subTitle")
        fit, stretch = QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch
        self.table = read_only_table("gateTable", ["Version", "Metrics the rules use", "Verdict"],
                                     (fit, fit, stretch))

        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addStretch(1)
        reason_row = QHBoxLayout()
        reason_row.addWidget(QLabel("Reason"))
        reason_row.addWidget(self.reason, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(self.intro)
        layout.addWidget(self.rules)
        layout.addLayout(reason_row)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        layout.addSpacing(4)
        layout.addWidget(self.table_title)
        layout.addWidget(self.table, 1)

    def show_model(self, model: RegisteredModel) -> None:
        same = self.model is not None and self.model.name == model.name
        edited = same and self.rules.toPlainText() != self._saved_text
        self.model = model
        self._saved_text = "\n".join(str(r) for r in model.kpi_gate)
        names = sorted({m for v in model.versions for m in v.metrics})
        self.intro.setText(
            f"Rules every version of {model.name} must meet to be registered or to take an alias — one per line, "
            "as METRIC>=VALUE (also >, <=, <). Versions that already hold an alias keep it when the gate changes. "
            f"Metrics: {', '.join(names) or 'none yet'}.")
        if not edited:
            self._revert()
        else:
            self._on_edit()

    def allowed_metrics(self) -> list[str]:
        return sorted({m for v in self.model.versions for m in v.metrics}) if self.model is not None else []

    def _revert(self) -> None:
        self.rules.blockSignals(True)
        self.rules.setPlainText(self._saved_text)
        self.rules.blockSignals(False)
        self.reason.clear()
        self._on_edit()

    def edited(self) -> bool:
        return self._normal(self.rules.toPlainText()) != self._normal(self._saved_text)

    @staticmethod
    def _normal(text: str) -> str:
        return "\n".join(line.strip() for line in text.splitlines() if line.strip())

    def _on_edit(self) -> None:
        if self.model is None:
            return
        rules, problem = parse_rules(self.rules.toPlainText(), self.allowed_metrics() or None)
        self.problem.setText(problem or "")
        self.problem.setVisible(bool(problem))
        edited = self.edited()
        self.save_button.setEnabled(edited and problem is None)
        self.revert_button.setEnabled(edited)
        if problem is not None:
            rules = list(self.model.kpi_gate)
            edited = False
        self.table_title.setText("With these rules (not saved yet)" if edited else
                                 ("With the saved gate" if rules else "No gate: every version passes"))
        self._fill(rules)

    def _fill(self, rules: list[Any]) -> None:
        self.table.setRowCount(0)
        metrics_used = list(dict.fromkeys(r.metric for r in rules))
        for version in reversed(self.model.versions):
            row = self.table.rowCount()
            self.table.insertRow(row)
            label = f"v{version.number}" + (" (archived)" if version.archived else "")
            if version.aliases:
                label += " · " + ", ".join(version.aliases)
            values = " · ".join(f"{metric_label(m)} {format_metric(version.metrics.get(m))}" for m in metrics_used)
            failures = gate_failures(rules, version.metrics)
            verdict = QTableWidgetItem(("✗ fails: " + "; ".join(failures)) if failures else "✓ passes")
            verdict.setForeground(QBrush(QColor(FAIL_COLOR if failures else PASS_COLOR)))
            verdict.setToolTip("; ".join(failures) if failures else "Meets every rule")
            verdict.setData(Qt.ItemDataRole.UserRole, not failures)
            first = QTableWidgetItem(label)
            second = QTableWidgetItem(values or "—")
            if version.archived:
                for item in (first, second):
                    item.setForeground(QBrush(QColor(MUTED)))
            self.table.setItem(row, 0, first)
            self.table.setItem(row, 1, second)
            self.table.setItem(row, 2, verdict)

    def verdicts(self) -> dict[int, bool]:
        """Version number → passes, as the table shows it."""
        out = {}
        for row in range(self.table.rowCount()):
            number = int(self.table.item(row, 0).text().split()[0][1:])
            out[number] = bool(self.table.item(row, 2).data(Qt.ItemDataRole.UserRole))
        return out

    def _save(self) -> None:
        rules, problem = parse_rules(self.rules.toPlainText(), self.allowed_metrics() or None)
        if problem is not None:
            self.problem.setText(problem)
            self.problem.setVisible(True)
            return
        self.save_requested.emit([str(r) for r in rules], self.reason.text().strip())

    def show_error(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.setVisible(True)
