"""Ask for a new project's name, the folder it goes in, and where its records live.

"Local file": the records in the folder's own database file (the window creates it once the dialog is
accepted). "Team database": the records on the team's PostgreSQL server (`TeamDatabaseFields`); the
dialog then stays open while the window connects in the background (`team_requested`), shows a
failure as its one sentence (`show_failure`), and closes once the project is open (`succeeded`) —
a new project when the database was empty, this computer joined to the team's when it held one.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.shell.team_database_fields import TeamDatabaseFields

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
    """Name + location (+ a team database); `project_path()` is location/name."""

    team_requested = Signal()   # "Create" with "Team database" chosen: the window connects, the dialog waits

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("newProjectDialog")
        self.setWindowTitle("New project")
        self.setMinimumWidth(560)
        self.busy = False

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. Heart study")
        self.location_edit = QLineEdit(default_location())
        self.browse_button = QPushButton("Choose…")
        self.browse_button.clicked.connect(self._browse)
        location_row = QHBoxLayout()
        location_row.addWidget(self.location_edit, 1)
        location_row.addWidget(self.browse_button)

        self.local_choice = QRadioButton("Local file")
        self.local_choice.setObjectName("localChoice")
        self.local_choice.setToolTip("The project's records in a file in its folder, on this computer")
        self.team_choice = QRadioButton("Team database")
        self.team_choice.setObjectName("teamChoice")
        self.team_choice.setToolTip("The project's records on the team's PostgreSQL server, shared by every "
                                    "workstation as it is saved")
        self.local_choice.setChecked(True)
        self.choice = QButtonGroup(self)
        for button in (self.local_choice, self.team_choice):
            self.choice.addButton(button)
        choice_row = QHBoxLayout()
        choice_row.addWidget(self.local_choice)
        choice_row.addSpacing(16)
        choice_row.addWidget(self.team_choice)
        choice_row.addStretch(1)
        self.team_fields = TeamDatabaseFields()

        self.path_label = QLabel()
        self.path_label.setObjectName("hint")
        self.path_label.setWordWrap(True)
        self.status_label = QLabel()
        self.status_label.setObjectName("hint")
        self.status_label.hide()
        self.error_label = QLabel()
        self.error_label.setObjectName("errorText")
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()

        form = QFormLayout()
        form.addRow("Project name:", self.name_edit)
        form.addRow("Create in:", location_row)
        form.addRow("Records in:", choice_row)

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
        layout.addWidget(self.team_fields)
        layout.addWidget(self.path_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.name_edit.textChanged.connect(self._update)
        self.location_edit.textChanged.connect(self._update)
        self.team_fields.url_edit.textChanged.connect(self._update)
        self.choice.buttonToggled.connect(lambda _button, _on: (self._update(), self.adjustSize()))
        self._update()

    def project_name(self) -> str:
        return self.name_edit.text().strip()

    def project_path(self) -> Path:
        return Path(self.location_edit.text().strip()).expanduser() / folder_name(self.project_name())

    def in_team_database(self) -> bool:
        return self.team_choice.isChecked()

    def database_url(self) -> str:
        return self.team_fields.url()

    def objects_folder(self) -> str | None:
        return self.team_fields.objects()

    # -- while the window connects (team database) -------------------------------------------------
    def set_busy(self, busy: bool) -> None:
        """Connecting: nothing can be changed or cancelled (the server answers within seconds)."""
        self.busy = busy
        for widget in (self.name_edit, self.location_edit, self.browse_button, self.local_choice, self.team_choice,
                       self.buttons):
            widget.setEnabled(not busy)
        self.team_fields.set_enabled(not busy)
        self.status_label.setText("Connecting to the team database…")
        self.status_label.setVisible(busy)
        if busy:
            self.error_label.hide()
        self._update()

    def show_failure(self, sentence: str) -> None:
        """The window could not create or join: say why, and let the analyst correct and try again."""
        self.set_busy(False)
        self.error_label.setText(sentence)
        self.error_label.show()

    def succeeded(self) -> None:
        """The project is open: keep the URL and folder for the next time, and close."""
        self.set_busy(False)
        self.team_fields.remember()
        QSettings().setValue(LOCATION_KEY, self.location_edit.text().strip())
        self.accept()

    def reject(self) -> None:
        if not self.busy:
            super().reject()

    # -- editing ------------------------------------------------------------------------------------
    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Create the project in…", self.location_edit.text())
        if folder:
            self.location_edit.setText(folder)

    def _update(self) -> None:
        name, location, team = self.project_name(), self.location_edit.text().strip(), self.in_team_database()
        self.team_fields.setVisible(team)
        self.create_button.setText("Create or join" if team else "Create project")
        self.create_button.setToolTip("An empty database gets the new project; a database that holds the team's "
                                      "project is joined (its name is the team's)" if team else "")
        if not name:
            self.path_label.setText("Give the project a name.")
        elif not location:
            self.path_label.setText("Choose the folder to create the project in.")
        elif team and not self.database_url():
            self.path_label.setText("Type the team database's URL.")
        else:
            target = self.project_path()
            note = " This folder already exists and is not empty." if _non_empty(target) else ""
            where = (f"This computer keeps the project's settings in {target}; its records live in the team "
                     "database." if team else f"The project will be created in {target}.")
            self.path_label.setText(f"{where}{note}")
        self.create_button.setEnabled(bool(name and location and (self.database_url() or not team))
                                      and not self.busy)
        if not self.busy:
            self.error_label.hide()

    def _accept(self) -> None:
        if not self.create_button.isEnabled():
            return
        if self.in_team_database():
            self.set_busy(True)
            self.team_requested.emit()
            return
        QSettings().setValue(LOCATION_KEY, self.location_edit.text().strip())
        self.accept()


def _non_empty(path: Path) -> bool:
    try:
        return path.is_dir() and any(path.iterdir())
    except OSError:
        return False
