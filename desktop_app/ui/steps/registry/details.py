"""The right side of the Registry step: the selected model or version, in tabs.

Overview (description and tags, metrics, who and when, archive/restore), Aliases (move,
add, remove), KPI gate (rules and which versions pass), Lineage, History (the audit trail).
The step loads what needs the database (history, lineage) and hands it in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from desktop_app.ui.steps.registry.aliases import AliasesTab
from desktop_app.ui.steps.registry.gate import GateTab
from desktop_app.ui.steps.registry.history import HistoryTab
from desktop_app.ui.steps.registry.lineage import LineageTab
from desktop_app.ui.steps.registry.overview import OverviewTab
from desktop_app.ui.steps.registry.text import count_versions, gate_failures, gate_text, metrics_line
from desktop_app.ui.text.formatting import exact_time, relative_time
from desktop_app.ui.text.runs import algorithm_label

if TYPE_CHECKING:
    from desktop_app.core.registry.entities import ModelVersion, RegisteredModel


class RegistryDetails(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registryDetails")
        self.model: RegisteredModel | None = None
        self.version: ModelVersion | None = None
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel()
        self.subtitle.setObjectName("hint")
        self.subtitle.setWordWrap(True)
        self.overview = OverviewTab()
        self.aliases = AliasesTab()
        self.gate = GateTab()
        self.lineage = LineageTab()
        self.history = HistoryTab()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("registryTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.overview, "Overview")
        self.tabs.addTab(self.aliases, "Aliases")
        self.tabs.addTab(self.gate, "KPI gate")
        self.tabs.addTab(self.lineage, "Lineage")
        self.tabs.addTab(self.history, "History")
        self.message = QLabel("Select a model or a version on the left.")
        self.message.setObjectName("hint")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addSpacing(4)
        layout.addWidget(self.tabs, 1)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.message)
        self.pages.addWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)

    def show_nothing(self) -> None:
        self.model = self.version = None
        self.pages.setCurrentWidget(self.message)

    def show_item(self, model: RegisteredModel, version: ModelVersion | None, history: list[Any] | None) -> None:
        """Show `model` (and `version`, if one is selected); `history` None while it loads."""
        self.model, self.version = model, version
        self.pages.setCurrentWidget(self.pages.widget(1))
        if version is None:
            self.title.setText(model.name)
            parts = [count_versions(model), f"KPI gate: {gate_text(model.kpi_gate)}",
                     f"created {relative_time(model.created_at)} by {model.created_by}"]
            self.subtitle.setText(" · ".join(parts))
            self.subtitle.setToolTip(exact_time(model.created_at))
        else:
            state = " (archived)" if version.archived else ""
            aliases = "  ·  " + ", ".join(f"@{a}" for a in version.aliases) if version.aliases else ""
            self.title.setText(f"{version.model_name} v{version.number}{state}{aliases}")
            parts = [algorithm_label(version.algorithm, version.task), f"{version.dataset_label} → {version.target}",
                     metrics_line(version.metrics),
                     f"registered {relative_time(version.created_at)} by {version.created_by}@{version.host}"]
            failures = [] if version.archived else gate_failures(model.kpi_gate, version.metrics)
            if failures:
                parts.append("fails the KPI gate")
            self.subtitle.setText(" · ".join(parts))
            self.subtitle.setToolTip(exact_time(version.created_at))
        self.overview.show_item(model, version)
        self.aliases.show_model(model, version, history)
        self.gate.show_model(model)
        if history is None:
            self.history.show_loading(model, version)
        else:
            self.history.show_history(model, version, history)
        if version is None:
            self.lineage.show_message("Select a version to see where it comes from.")

    def show_history(self, history: list[Any]) -> None:
        if self.model is None:
            return
        self.aliases.show_model(self.model, self.version, history)
        self.history.show_history(self.model, self.version, history)
