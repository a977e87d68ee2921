"""The right side of the Registry step: the selected model or version, in tabs.

Overview (description and tags, metrics, who and when, archive/restore), Aliases (move,
add, remove), KPI gate (rules and which versions pass), Lineage, History (the audit trail).
The step loads what needs the database (history, lineage) and hands it in. Above the tabs, a
model whose alias was moved on two workstations at once shows a warning line with Resolve….
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.steps.registry.aliases import AliasesTab
from desktop_app.ui.steps.registry.explain import ExplainTab, FairnessTab
from desktop_app.ui.steps.registry.gate import GateTab
from desktop_app.ui.steps.registry.history import HistoryTab
from desktop_app.ui.steps.registry.lineage import LineageTab
from desktop_app.ui.steps.registry.overview import OverviewTab
from desktop_app.ui.steps.registry.text import count_versions, gate_failures, gate_text, metrics_line
from desktop_app.ui.text.formatting import exact_time, relative_time
from desktop_app.ui.text.runs import algorithm_label
from desktop_app.ui.widgets.conflict_dialog import conflict_sentence

if TYPE_CHECKING:
    from desktop_app.core.registry.entities import ModelVersion, RegisteredModel
    from desktop_app.core.sync.service import Conflict

BANNER_STYLE = ("QFrame#conflictBanner { background: #fff4e0; border: 1px solid #f0c987; border-radius: 6px; }"
                "QLabel#conflictText { color: #7a4500; }")


class RegistryDetails(QWidget):
    resolve_requested = Signal(str)       # the alias whose conflict to settle

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registryDetails")
        self.model: RegisteredModel | None = None
        self.version: ModelVersion | None = None
        self.conflicts: list[Conflict] = []
        self.banner = QFrame()
        self.banner.setObjectName("conflictBanner")
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner_text = QLabel()
        self.banner_text.setObjectName("conflictText")
        self.banner_text.setTextFormat(Qt.TextFormat.PlainText)
        self.banner_text.setWordWrap(True)
        self.banner_button = QPushButton("Resolve…")
        self.banner_button.setObjectName("bannerResolveButton")
        self.banner_button.setToolTip("See both moves side by side and choose the one that counts")
        self.banner_button.clicked.connect(self._resolve_first)
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.setContentsMargins(10, 6, 8, 6)
        banner_layout.addWidget(self.banner_text, 1)
        banner_layout.addWidget(self.banner_button)
        self.banner.setVisible(False)
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
        self.explain = ExplainTab()
        self.fairness = FairnessTab()
        self.history = HistoryTab()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("registryTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.overview, "Overview")
        self.tabs.addTab(self.aliases, "Aliases")
        self.tabs.addTab(self.gate, "KPI gate")
        self.tabs.addTab(self.lineage, "Lineage")
        self.tabs.addTab(self.explain, "Explain")
        self.tabs.addTab(self.fairness, "Fairness")
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
        layout.addWidget(self.banner)
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

    def show_item(self, model: RegisteredModel, version: ModelVersion | None, history: list[Any] | None,
                  conflicts: list[Conflict] = ()) -> None:
        """Show `model` (and `version`, if one is selected); `history` None while it loads; the model's sync
        `conflicts` above the tabs."""
        self.model, self.version, self.conflicts = model, version, list(conflicts)
        self._show_banner()
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
        self.aliases.show_model(model, version, history, self.conflicts)
        self.gate.show_model(model)
        if history is None:
            self.history.show_loading(model, version)
        else:
            self.history.show_history(model, version, history)
        if version is None:
            self.lineage.show_message("Select a version to see where it comes from.")
            self.explain.show_message("Select a version to see what drives its answers.")
            self.fairness.show_message("Select a version to see how it works for each group.")

    def show_history(self, history: list[Any]) -> None:
        if self.model is None:
            return
        self.aliases.show_model(self.model, self.version, history, self.conflicts)
        self.history.show_history(self.model, self.version, history)

    def _show_banner(self) -> None:
        self.banner.setVisible(bool(self.conflicts))
        if not self.conflicts:
            return
        first = self.conflicts[0]
        more = f" (and {len(self.conflicts) - 1} more)" if len(self.conflicts) > 1 else ""
        self.banner_text.setText(f"⚠ {conflict_sentence(first)}{more}")
        self.banner_button.setVisible(first.alias is not None)

    def _resolve_first(self) -> None:
        if self.conflicts and self.conflicts[0].alias is not None:
            self.resolve_requested.emit(self.conflicts[0].alias)
