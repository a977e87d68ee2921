"""The "Move alias" dialog: which version the alias should point at, why, and how it compares.

Before moving, "Compare with current holder on held-out data" scores the candidate and the
alias's current holder on the candidate's held-out rows (`registry.compare_on_holdout`, on a
worker thread, or in a separate process for a large table: `ui.work.separate_process`) and
shows their metrics side by side, the better one marked. Moving an alias that points at
another version needs a reason: the dialog refuses an empty one. What the core refuses
(archived version, KPI gate) is said in the dialog before and after asking.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.training.metric_names import METRIC_HELP, lower_is_better
from desktop_app.ui.steps.registry.text import ALIAS_SUGGESTIONS, gate_failures, metrics_line
from desktop_app.ui.text.formatting import format_int
from desktop_app.ui.text.runs import algorithm_label, format_metric, metric_label
from desktop_app.ui.widgets.errors import user_message
from desktop_app.ui.widgets.read_only_table import read_only_table
from desktop_app.ui.work import separate_process
from desktop_app.ui.work.background import BackgroundWork

if TYPE_CHECKING:
    from desktop_app.core.project import Project
    from desktop_app.core.registry.entities import ModelVersion, RegisteredModel
    from desktop_app.core.registry.holdout import HoldoutComparison
    from desktop_app.ui.work.tasks import Task, TaskRunner

NUMBER_ROLE = Qt.ItemDataRole.UserRole
BETTER_BG, BETTER_FG, BAD_COLOR, OK_COLOR, WARN_COLOR = "#e3f1e5", "#1f6b33", "#b3261e", "#2e7d32", "#8a5a00"


class MoveAliasDialog(QDialog):
    """`moved(version)` once the core has pointed the alias at the chosen version."""

    moved = Signal(object)

    def __init__(self, runner: TaskRunner, project: Project, model: RegisteredModel, alias: str = "",
                 target: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("moveAliasDialog")
        self.setWindowTitle(f"Move an alias of {model.name}" if alias else f"Give a version of {model.name} an alias")
        self.resize(640, 580)
        self.runner, self.project, self.registry, self.model = runner, project, project.registry, model
        self.comparison: HoldoutComparison | None = None
        self.work = BackgroundWork(runner)

        self.alias = QComboBox()
        self.alias.setObjectName("moveAliasCombo")
        self.alias.setEditable(True)
        for name in list(model.aliases) + [a for a in ALIAS_SUGGESTIONS if a not in model.aliases]:
            self.alias.addItem(name)
        self.alias.setCurrentText(alias or ("production" if "production" not in model.aliases else ""))
        self.alias.lineEdit().setPlaceholderText("e.g. production")
        self.alias.lineEdit().textChanged.connect(lambda _t: self._changed())
        self.holder_note = QLabel()
        self.holder_note.setObjectName("hint")
        self.holder_note.setWordWrap(True)
        self.version = QComboBox()
        self.version.setObjectName("targetVersionCombo")
        for v in reversed(model.versions):
            state = " — archived" if v.archived else ""
            text = f"v{v.number} · {algorithm_label(v.algorithm, v.task)} · {metrics_line(v.metrics, 2)}{state}"
            self.version.addItem(text, v.number)
        self.version.currentIndexChanged.connect(lambda _i: self._changed())
        self.verdict = QLabel()
        self.verdict.setObjectName("moveVerdict")
        self.verdict.setWordWrap(True)

        self.compare_button = QPushButton("Compare with current holder on held-out data")
        self.compare_button.setObjectName("holdoutButton")
        self.compare_button.setToolTip("Score both versions on the same rows the candidate was tested on (the "
                                       "training's held-out part), before you decide")
        self.compare_button.clicked.connect(self.compare)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(6)
        self.progress.setVisible(False)
        self.compare_note = QLabel()
        self.compare_note.setObjectName("hint")
        self.compare_note.setWordWrap(True)
        fit, stretch = QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch
        self.table = read_only_table("holdoutTable", 3, (stretch, fit, fit))   # headers: once compared
        self.table.setVisible(False)

        self.reason = QLineEdit()
        self.reason.setObjectName("moveReason")
        self.reason.setPlaceholderText("e.g. better recall on the same held-out rows")
        self.reason.textChanged.connect(lambda _t: self.error.setVisible(False))
        self.reason_caption = QLabel("Reason")
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("moveOk")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        self.heading = QLabel()
        self.heading.setObjectName("sectionTitle")
        self.explain = QLabel()
        self.explain.setObjectName("hint")
        self.explain.setWordWrap(True)
        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.addRow("Alias", self.alias)
        form.addRow("", self.holder_note)
        form.addRow("Point it at", self.version)
        form.addRow("", self.verdict)
        compare_row = QHBoxLayout()
        compare_row.addWidget(self.compare_button)
        compare_row.addStretch(1)
        reason_form = QFormLayout()
        reason_form.setHorizontalSpacing(12)
        reason_form.addRow(self.reason_caption, self.reason)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.explain)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addSpacing(4)
        layout.addLayout(compare_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.compare_note)
        layout.addWidget(self.table)
        layout.addStretch(1)
        layout.addLayout(reason_form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        if target is None:
            target = self._default_target()
        self.set_target(target)
        self._changed()

    # -- choices ---------------------------------------------------------------------------------
    def alias_name(self) -> str:
        return self.alias.currentText().strip().lower()

    def holder(self) -> Any:
        number = self.model.aliases.get(self.alias_name())
        return next((v for v in self.model.versions if v.number == number), None) if number is not None else None

    def target(self) -> Any:
        number = self.version.currentData(NUMBER_ROLE)
        return next((v for v in self.model.versions if v.number == number), None)

    def set_target(self, number: int | None) -> None:
        if number is None:
            return
        index = self.version.findData(number, NUMBER_ROLE)
        if index >= 0:
            self.version.setCurrentIndex(index)

    def _default_target(self) -> int | None:
        holder = self.holder()
        active = [v for v in reversed(self.model.versions) if not v.archived]
        for v in active:
            if holder is None or v.number != holder.number:
                return v.number
        return active[0].number if active else None

    def needs_reason(self) -> bool:
        holder, target = self.holder(), self.target()
        return holder is not None and target is not None and holder.number != target.number

    def _problem(self) -> str | None:
        """Why the move cannot be made as chosen (None when it can)."""
        from desktop_app.core.errors import MLDeskError
        from desktop_app.core.registry.names import clean_alias

        try:
            alias = clean_alias(self.alias_name())
        except MLDeskError as error:
            return str(error)
        target = self.target()
        if target is None:
            return "Pick the version the alias should point at."
        if target.archived:
            return (f"{self.model.name} v{target.number} is archived, so it cannot take the alias '{alias}'; restore "
                    "it first or choose an active version.")
        failures = gate_failures(self.model.kpi_gate, target.metrics)
        if failures:
            return (f"{self.model.name} v{target.number} does not pass the KPI gate: {'; '.join(failures)}; train a "
                    "better model or change the gate.")
        holder = self.holder()
        if holder is not None and holder.number == target.number:
            return f"'{alias}' already points at v{target.number}; pick another version to move it."
        return None

    def worse_warning(self) -> str | None:
        """The sentence `mldesk models --alias` warns with when the version is clearly worse than the holder's
        (on the gate's metrics, else the headline ones): allowed, but said before the user confirms."""
        from desktop_app.core.registry.alias_check import worse_metrics

        holder, target = self.holder(), self.target()
        if holder is None or target is None or holder.number == target.number:
            return None
        worse = worse_metrics(self.model.kpi_gate, holder.metrics, target.metrics)
        if not worse:
            return None
        return (f"{self.model.name} v{target.number} is worse than v{holder.number}, which holds "
                f"'{self.alias_name()}', on {', '.join(worse)}. You can still move it; say why below "
                "(the audit trail keeps both versions' figures).")

    def _changed(self) -> None:
        holder, target, alias = self.holder(), self.target(), self.alias_name() or "the alias"
        if holder is not None:
            what = f"{algorithm_label(holder.algorithm, holder.task)} · {metrics_line(holder.metrics, 2)}"
            self.holder_note.setText(f"'{alias}' points at v{holder.number} now ({what}).")
        else:
            self.holder_note.setText(f"No version holds '{alias}' yet; this gives it its first version.")
        name = self.model.name
        if holder is not None:
            self.heading.setText(f"Move {name}@{alias}")
            self.explain.setText(f"Scripts, bundles and monitoring that use {name}@{alias} will get the version "
                                 "you pick. Compare it with the current one on held-out data first, then say why.")
        else:
            self.heading.setText(f"Give a version of {name} an alias")
            self.explain.setText(f"Scripts, bundles and monitoring can then name that version {name}@{alias}.")
        problem = self._problem()
        warning = None if problem else self.worse_warning()
        self.verdict.setText(f"✗ {problem}" if problem else f"⚠ {warning}" if warning
                             else "✓ This version can take the alias.")
        self.verdict.setStyleSheet(f"color: {BAD_COLOR if problem else WARN_COLOR if warning else OK_COLOR};")
        self.ok_button.setEnabled(problem is None and not self.work.running("move"))
        self.ok_button.setToolTip(problem or "")
        if target is not None:
            verb = "Move" if holder is not None else "Give"
            self.ok_button.setText(f"{verb} {alias} to v{target.number}" if holder is not None else
                                   f"{verb} v{target.number} the alias {alias}")
        required = self.needs_reason()
        self.reason_caption.setText("Reason (required)" if required else "Reason (optional)")
        self.compare_button.setEnabled(target is not None and not self.work.running("compare")
                                        and bool(self.alias_name()))
        self.compare_button.setText("Compare with current holder on held-out data" if holder is not None else
                                    "Score this version on its held-out data")
        if self.comparison is not None and (self.comparison.alias != self.alias_name() or target is None
                                            or not self.comparison.candidate.endswith(f"@{target.number}")):
            self.comparison = None
            self.table.setVisible(False)
            self.compare_note.setText("")
        self.error.setVisible(False)

    # -- comparison on held-out data ---------------------------------------------------------------
    def compare(self) -> Task | None:
        target, alias = self.target(), self.alias_name()
        if target is None or not alias or self.work.running("compare"):
            return None
        project, name, number = self.project, self.model.name, target.number
        holder = self.holder()
        title = f"Comparing v{number} with {alias} (v{holder.number})" if holder is not None else \
            f"Scoring v{number} on held-out data"
        task = self.work.start(
            "compare", title,
            lambda progress: separate_process.call(project, "registry.compare_on_holdout", name, number, alias,
                                                   needs=project.runs.prepared_bytes(target.run_id), progress=progress),
            progress=lambda fraction, message: (self.progress.setValue(int(fraction * 100)),
                                                self.compare_note.setText(message)),
            done=self._compared, failed=self._compare_failed, cancelled=self._compare_ended)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.compare_note.setText("Re-creating the held-out rows and scoring them…")
        self.compare_button.setEnabled(False)
        return task

    def _compare_ended(self) -> None:
        self.progress.setVisible(False)
        self._changed()

    def _compare_failed(self, error: BaseException) -> None:
        self._compare_ended()
        self.compare_note.setText(f"Could not compare: {user_message(error)}")

    def _compared(self, comparison: HoldoutComparison) -> None:
        self._compare_ended()
        self.show_comparison(comparison)

    def show_comparison(self, comparison: HoldoutComparison) -> None:
        self.comparison = comparison
        cand = comparison.candidate.split("@")[-1]
        holder = comparison.holder.split("@")[-1] if comparison.holder else None
        columns = ["Metric", f"v{cand} (candidate)"]
        if holder is not None:
            columns.append(f"v{holder} (now {comparison.alias})")
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels(columns)
        self.table.setRowCount(0)
        wins = {"candidate": 0, "holder": 0}
        for name in comparison.metric_names:
            row = self.table.rowCount()
            self.table.insertRow(row)
            label = QTableWidgetItem(metric_label(name) + (" (lower is better)" if lower_is_better(name) else ""))
            label.setToolTip(METRIC_HELP.get(name, ""))
            self.table.setItem(row, 0, label)
            better = comparison.better(name)
            if better in wins:
                wins[better] += 1
            values = [(comparison.candidate_metrics.get(name), better == "candidate")]
            if holder is not None:
                values.append((comparison.holder_metrics.get(name), better == "holder"))
            for col, (value, best) in enumerate(values, 1):
                item = QTableWidgetItem(("✓ " if best else "") + format_metric(value))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setToolTip(repr(value) if value is not None else "Not scored")
                item.setData(NUMBER_ROLE, best)
                if best:
                    item.setBackground(QBrush(QColor(BETTER_BG)))
                    item.setForeground(QBrush(QColor(BETTER_FG)))
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, col, item)
        self.table.resizeRowsToContents()
        height = self.table.horizontalHeader().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        self.table.setFixedHeight(height)
        self.table.setVisible(True)
        rows = f"{format_int(comparison.rows)} held-out rows of {comparison.dataset_label}"
        if holder is not None and comparison.holder_scored:
            lead = (f"v{cand} is better on {wins['candidate']} of {len(comparison.metric_names)} metrics"
                    f", v{holder} on {wins['holder']}")
            text = f"On the same {rows}: {lead} (✓ marks the better one)."
        else:
            text = f"On {rows}."
        notes = " ".join(comparison.notes)
        self.compare_note.setText(text + (f"\n{notes}" if notes else ""))
        if holder is not None and not self.reason.text().strip() and wins["candidate"] > wins["holder"]:
            self.reason.setPlaceholderText(f"e.g. v{cand} better on {wins['candidate']} of "
                                           f"{len(comparison.metric_names)} metrics on the same held-out rows")

    def comparison_cells(self) -> dict[str, tuple[str, ...]]:
        """Metric label → the texts of its row (for tests)."""
        return {self.table.item(r, 0).text(): tuple(self.table.item(r, c).text()
                                                    for c in range(1, self.table.columnCount()))
                for r in range(self.table.rowCount())}

    # -- moving ------------------------------------------------------------------------------------------
    def accept(self) -> None:
        if self.work.running("move"):
            return
        problem = self._problem()
        if problem is not None:
            self._show_error(problem)
            return
        reason = self.reason.text().strip()
        if self.needs_reason() and not reason:
            self._show_error(f"Say why '{self.alias_name()}' moves from v{self.holder().number} to "
                             f"v{self.target().number}: the reason is kept in the history so that others know.")
            self.reason.setFocus()
            return
        registry, name, alias, number = self.registry, self.model.name, self.alias_name(), self.target().number
        self.work.start("move", f"Pointing {name}@{alias} at v{number}",
                        lambda _p: registry.set_alias(name, alias, number, reason=reason),
                        done=self._moved, failed=self._refused)
        self.ok_button.setEnabled(False)

    def _moved(self, version: ModelVersion) -> None:
        self.work.drop("compare")   # the comparison is moot once the alias moved
        self.moved.emit(version)
        super().accept()

    def _refused(self, error: BaseException) -> None:
        self._changed()
        self._show_error(f"Not moved: {user_message(error)}")

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)

    def reject(self) -> None:
        self.work.drop("compare")
        super().reject()
