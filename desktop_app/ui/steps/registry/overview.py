"""The Overview tab of the Registry step: description and tags (editable), metrics, who and when."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.training.metric_names import METRIC_HELP
from desktop_app.ui.steps.registry.text import count_versions, gate_text, parse_tags, tags_text
from desktop_app.ui.text.formatting import exact_time, relative_time
from desktop_app.ui.text.runs import format_metric, metric_label, sort_metrics

if TYPE_CHECKING:
    from desktop_app.core.registry.entities import ModelVersion, RegisteredModel

PASS_COLOR, FAIL_COLOR = "#2e7d32", "#b3261e"


def _section(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("subTitle")
    return label


class OverviewTab(QWidget):
    """Shows a model (version None) or one version; `save_requested(number or None, description, tags)`."""

    save_requested = Signal(object, str, dict)
    archive_requested = Signal()
    restore_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registryOverview")
        self.model: RegisteredModel | None = None
        self.version: ModelVersion | None = None
        self._saved = ("", "")

        self.description = QPlainTextEdit()
        self.description.setObjectName("descriptionEdit")
        self.description.setPlaceholderText("What this is for, what it was trained on, known limits…")
        self.description.setFixedHeight(58)
        self.description.setTabChangesFocus(True)
        self.description.textChanged.connect(self._on_edit)
        self.tags = QLineEdit()
        self.tags.setObjectName("tagsEdit")
        self.tags.setPlaceholderText("team=cardio, owner=ana")
        self.tags.setToolTip("Tags as name=value, separated by commas")
        self.tags.textChanged.connect(self._on_edit)
        self.save_button = QPushButton("Save description and tags")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self._save)
        self.revert_button = QPushButton("Undo changes")
        self.revert_button.setEnabled(False)
        self.revert_button.clicked.connect(self._revert)
        self.edit_error = QLabel()
        self.edit_error.setObjectName("errorText")
        self.edit_error.setWordWrap(True)
        self.edit_error.setVisible(False)

        self.facts = QFormLayout()
        self.facts.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.facts.setHorizontalSpacing(14)
        self.facts.setVerticalSpacing(4)
        self.metrics_title = _section("Test metrics")
        self.metrics_grid = QGridLayout()
        self.metrics_grid.setHorizontalSpacing(16)
        self.metrics_grid.setVerticalSpacing(3)
        self.gate_note = QLabel()
        self.gate_note.setObjectName("hint")
        self.gate_note.setWordWrap(True)

        self.archive_button = QPushButton("Archive this version…")
        self.archive_button.setObjectName("archiveButton")
        self.archive_button.setToolTip("Keep it in the history, but stop `name` resolving to it and let it take no "
                                       "alias (Del); it can be restored")
        self.archive_button.clicked.connect(self.archive_requested)
        self.restore_button = QPushButton("Restore this version…")
        self.restore_button.setObjectName("restoreButton")
        self.restore_button.clicked.connect(self.restore_requested)
        self.status_note = QLabel()
        self.status_note.setObjectName("hint")
        self.status_note.setWordWrap(True)

        edit_buttons = QHBoxLayout()
        edit_buttons.addWidget(self.save_button)
        edit_buttons.addWidget(self.revert_button)
        edit_buttons.addStretch(1)
        status_row = QHBoxLayout()
        status_row.addWidget(self.archive_button)
        status_row.addWidget(self.restore_button)
        status_row.addWidget(self.status_note, 1)

        content = QWidget()
        content.setObjectName("registryOverviewContent")
        layout = QVBoxLayout(content)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(6)
        self.description_title = _section("Description")
        layout.addWidget(self.description_title)
        layout.addWidget(self.description)
        tags_row = QHBoxLayout()
        tags_row.addWidget(QLabel("Tags"))
        tags_row.addWidget(self.tags, 1)
        layout.addLayout(tags_row)
        layout.addLayout(edit_buttons)
        layout.addWidget(self.edit_error)
        layout.addSpacing(6)
        layout.addLayout(self.facts)
        layout.addSpacing(6)
        layout.addWidget(self.metrics_title)
        layout.addLayout(self.metrics_grid)
        layout.addWidget(self.gate_note)
        layout.addSpacing(8)
        layout.addLayout(status_row)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    # -- content -----------------------------------------------------------------------------
    def show_item(self, model: RegisteredModel, version: ModelVersion | None) -> None:
        self.model, self.version = model, version
        target = version if version is not None else model
        self.description_title.setText("Description of this version" if version is not None else
                                       "Description of the model")
        self._saved = (target.description or "", tags_text(target.tags or {}))
        self._revert()
        while self.facts.rowCount():
            self.facts.removeRow(0)
        self._clear_metrics()
        if version is None:
            self._show_model(model)
        else:
            self._show_version(model, version)

    def _fact(self, name: str, value: str, tooltip: str = "") -> QLabel:
        label = QLabel(value)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setWordWrap(True)
        label.setToolTip(tooltip)
        caption = QLabel(name)
        caption.setObjectName("hint")
        self.facts.addRow(caption, label)
        return label

    def _show_model(self, model: RegisteredModel) -> None:
        self._fact("Versions", count_versions(model))
        aliases = ", ".join(f"{a} → v{n}" for a, n in model.aliases.items()) or "none yet"
        self._fact("Aliases", aliases)
        self._fact("KPI gate", gate_text(model.kpi_gate))
        self._fact("Created", f"{relative_time(model.created_at)} by {model.created_by}", exact_time(model.created_at))
        self.metrics_title.setVisible(False)
        self.gate_note.setText("Select a version in the list to see its metrics, lineage and actions.")
        self.gate_note.setVisible(True)
        for widget in (self.archive_button, self.restore_button, self.status_note):
            widget.setVisible(False)

    def _show_version(self, model: RegisteredModel, version: ModelVersion) -> None:
        from desktop_app.ui.steps.registry.text import gate_failures
        from desktop_app.ui.text.runs import algorithm_label

        self._fact("Status", "archived — kept for the record; takes no alias" if version.archived else "active")
        self._fact("Aliases", ", ".join(version.aliases) or "none")
        self._fact("Model", algorithm_label(version.algorithm, version.task))
        self._fact("Trained on", f"{version.dataset_label}, predicting {version.target}")
        self._fact("Run", version.run_id, "The tracked run this version was registered from")
        self._fact("Registered", f"{relative_time(version.created_at)} by {version.created_by}@{version.host}",
                   exact_time(version.created_at))
        self.metrics_title.setVisible(True)
        rules = {r.metric: r for r in model.kpi_gate}
        failures = gate_failures(model.kpi_gate, version.metrics)
        for row, name in enumerate(sort_metrics(version.metrics)):
            label = QLabel(metric_label(name))
            label.setToolTip(METRIC_HELP.get(name, ""))
            value = QLabel(format_metric(version.metrics[name]))
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setToolTip(repr(version.metrics[name]))
            self.metrics_grid.addWidget(label, row, 0)
            self.metrics_grid.addWidget(value, row, 1)
            rule = rules.get(name)
            if rule is not None:
                ok = not any(f"(rule {rule})" in f for f in failures)
                mark = QLabel(f"{'✓' if ok else '✗'} gate {rule}")
                mark.setStyleSheet(f"color: {PASS_COLOR if ok else FAIL_COLOR};")
                self.metrics_grid.addWidget(mark, row, 2)
        self.metrics_grid.setColumnStretch(3, 1)
        if not model.kpi_gate:
            self.gate_note.setText("This model has no KPI gate; set one in the KPI gate tab.")
        elif failures:
            self.gate_note.setText("Fails the KPI gate — it keeps its aliases but cannot take a new one: "
                                   + "; ".join(failures) + ".")
        else:
            self.gate_note.setText(f"Passes the KPI gate ({gate_text(model.kpi_gate)}).")
        self.gate_note.setVisible(True)
        self.archive_button.setVisible(not version.archived)
        self.restore_button.setVisible(version.archived)
        self.status_note.setVisible(True)
        if version.archived:
            self.status_note.setText("Restoring makes it active again: `name` may resolve to it and it can take "
                                     "an alias.")
        elif version.aliases:
            self.status_note.setText(f"Holds {', '.join(version.aliases)}: move that alias to another version "
                                     "before archiving.")
        else:
            self.status_note.setText("")
        self.archive_button.setEnabled(not version.aliases)

    def _clear_metrics(self) -> None:
        while self.metrics_grid.count():
            item = self.metrics_grid.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()          # gone now, not only when the event loop deletes it
                widget.setParent(None)
                widget.deleteLater()

    # -- editing -------------------------------------------------------------------------------
    def _current(self) -> tuple[str, str]:
        return self.description.toPlainText(), self.tags.text()

    def _on_edit(self) -> None:
        changed = self._current() != self._saved
        self.save_button.setEnabled(changed)
        self.revert_button.setEnabled(changed)
        self.edit_error.setVisible(False)

    def _revert(self) -> None:
        for widget in (self.description, self.tags):
            widget.blockSignals(True)
        self.description.setPlainText(self._saved[0])
        self.tags.setText(self._saved[1])
        for widget in (self.description, self.tags):
            widget.blockSignals(False)
        self._on_edit()

    def _save(self) -> None:
        description, text = self._current()
        tags, problem = parse_tags(text)
        if problem:
            self.edit_error.setText(problem)
            self.edit_error.setVisible(True)
            return
        number = self.version.number if self.version is not None else None
        self.save_requested.emit(number, description.strip(), tags)

    def show_edit_error(self, message: str) -> None:
        self.edit_error.setText(message)
        self.edit_error.setVisible(True)
