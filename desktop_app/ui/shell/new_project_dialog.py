"""Ask for a new project's name and the folder it goes in."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

LOCATION_KEY = "newProject/location"


def default_location() -> str:
    saved = QSettings().value(LOCATION_KEY, "")
    if saved and Path(str(saved)).is_dir():
        return str(saved)
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return str(Path(docs or Path.home()) / "MLDesk")


def folder_name(name: str) -> str:
    """A folder name for a project name: characters that file systems reject become '-'."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "-", name).strip().strip(".")
    return cleaned or "Project"


class NewProjectDialog(QDialog):
    """Name + location; `project_path()` is location/name."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New project")
        self.setMinimumWidth(520)

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. Heart study")
        self.location_edit = QLineEdit(default_location())
        self.browse_button = QPushButton("Choose…")
        self.browse_button.clicked.connect(self._browse)
        location_row = QHBoxLayout()
        location_row.addWidget(self.location_edit, 1)
        location_row.addWidget(self.browse_button)

        self.path_label = QLabel()
        self.path_label.setObjectName("hint")
        self.path_label.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Project name:", self.name_edit)
        form.addRow("Create in:", location_row)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton("Create project", QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setDefault(True)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        intro = QLabel("A project is a folder that holds your datasets, models and their history.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.path_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.name_edit.textChanged.connect(self._update)
        self.location_edit.textChanged.connect(self._update)
        self._update()

    def project_name(self) -> str:
        return self.name_edit.text().strip()

    def project_path(self) -> Path:
        return Path(self.location_edit.text().strip()).expanduser() / folder_name(self.project_name())

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Create the project in…", self.location_edit.text())
        if folder:
            self.location_edit.setText(folder)

    def _update(self) -> None:
        name, location = self.project_name(), self.location_edit.text().strip()
        if not name:
            self.path_label.setText("Give the project a name.")
        elif not location:
            self.path_label.setText("Choose the folder to create the project in.")
        else:
            target = self.project_path()
            note = " This folder already exists and is not empty." if _non_empty(target) else ""
            self.path_label.setText(f"The project will be created in {target}.{note}")
        self.create_button.setEnabled(bool(name and location))

    def _accept(self) -> None:
        if not self.create_button.isEnabled():
            return
        QSettings().setValue(LOCATION_KEY, self.location_edit.text().strip())
        self.accept()


def _non_empty(path: Path) -> bool:
    try:
        return path.is_dir() and any(path.iterdir())
    except OSError:
        return False
