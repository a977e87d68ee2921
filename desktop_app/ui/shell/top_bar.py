"""The top bar: the current project (with its menu), the dataset and model in focus, and the sync state."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QToolButton, QWidget


class TopBar(QWidget):
    def __init__(self, project_menu: QMenu, sync_badge: QWidget | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("topBar")
        self.project_button = QToolButton()
        self.project_button.setObjectName("projectButton")
        self.project_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.project_button.setMenu(project_menu)
        self.project_button.setToolTip("Switch, create or close a project")
        self.focus_label = QLabel()
        self.focus_label.setObjectName("focusLabel")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 16, 6)
        layout.addWidget(self.project_button)
        layout.addStretch(1)
        layout.addWidget(self.focus_label)
        self.model_label = QLabel()
        self.model_label.setObjectName("focusLabel")
        layout.addSpacing(14)
        layout.addWidget(self.model_label)
        self.sync_badge = sync_badge      # shell.sync_badge.SyncBadge: "⟳ Synced 2 min ago", a click opens Team
        if sync_badge is not None:
            layout.addSpacing(14)
            layout.addWidget(sync_badge)
        self.set_project(None)

    def set_project(self, name: str | None, path: str | None = None) -> None:
        self.project_button.setText(f"{name}  ▾" if name else "No project  ▾")
        self.project_button.setToolTip(f"{path}\nClick to switch, create or close a project" if path else "")
        self.set_dataset(None)
        self.set_model(None)

    def set_dataset(self, label: str | None) -> None:
        if label:
            self.focus_label.setText(f"dataset: <b>{label}</b>")
            self.focus_label.setToolTip("The dataset version shown in the Data step")
        else:
            self.focus_label.setText("dataset: none yet")
            self.focus_label.setToolTip("Import data in the Data step to get started")

    def set_model(self, label: str | None) -> None:
        """The model in focus, e.g. 'heart-risk@production' or 'heart-risk@2' (from the Registry step)."""
        if label:
            self.model_label.setText(f"model: <b>{label}</b>")
            self.model_label.setToolTip("The model version selected in the Registry step")
        else:
            self.model_label.setText("model: none yet")
            self.model_label.setToolTip("Register a finished run in the Registry step")
