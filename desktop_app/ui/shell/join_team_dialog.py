"""Join a team: the team's shared folder, and the new local folder its project is copied into.

A colleague shared a project through a folder (the Team place, "Link to a shared folder…"); here
another analyst picks that folder and a new folder on their own computer. The window then clones
the project there in the background (`Project.clone`: a new workstation of the same
project, with everything the folder holds) and opens it. The project itself never lives in the
shared folder: each computer works on its own copy.
"""

from __future__ import annotations

from pathlib import Path

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

from desktop_app.ui.shell.new_project_dialog import default_location, folder_name


class JoinTeamDialog(QDialog):
    """`shared_folder()` and `project_path()` after `accepted`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("joinTeamDialog")
        self.setWindowTitle("Join a team from a shared folder")
        self.setMinimumWidth(560)
        intro = QLabel("A colleague shares a project through a folder you can both reach. MLDesk copies it into a "
                       "new folder on this computer, opens it, and keeps the two in step at every sync.")
        intro.setWordWrap(True)
        self.shared_edit = QLineEdit()
        self.shared_edit.setObjectName("sharedFolderEdit")
        self.shared_edit.setPlaceholderText("the team's shared folder, e.g. a folder on a network drive")
        shared_button = QPushButton("Choose…")
        shared_button.clicked.connect(self._choose_shared)
        shared_row = QHBoxLayout()
        shared_row.addWidget(self.shared_edit, 1)
        shared_row.addWidget(shared_button)
        self.location_edit = QLineEdit(default_location())
        location_button = QPushButton("Choose…")
        location_button.clicked.connect(self._choose_location)
        location_row = QHBoxLayout()
        location_row.addWidget(self.location_edit, 1)
        location_row.addWidget(location_button)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("joinNameEdit")
        self.name_edit.setPlaceholderText("the folder's name on this computer")
        form = QFormLayout()
        form.addRow("Team's shared folder:", shared_row)
        form.addRow("Copy it into:", location_row)
        form.addRow("Project folder name:", self.name_edit)
        self.path_label = QLabel()
        self.path_label.setObjectName("hint")
        self.path_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.join_button = self.buttons.addButton("Join the team", QDialogButtonBox.ButtonRole.AcceptRole)
        self.join_button.setDefault(True)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.path_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        for edit in (self.shared_edit, self.location_edit, self.name_edit):
            edit.textChanged.connect(self._update)
        self._update()

    def shared_folder(self) -> Path:
        return Path(self.shared_edit.text().strip()).expanduser()

    def project_path(self) -> Path:
        return Path(self.location_edit.text().strip()).expanduser() / folder_name(self.name_edit.text().strip())

    def set_shared_folder(self, folder: str) -> None:
        self.shared_edit.setText(folder)
        if not self.name_edit.text().strip():
            self.name_edit.setText(Path(folder).name)

    def _choose_shared(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "The team's shared folder", self.shared_edit.text())
        if folder:
            self.set_shared_folder(folder)

    def _choose_location(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Copy the project into…", self.location_edit.text())
        if folder:
            self.location_edit.setText(folder)

    def _update(self) -> None:
        shared, location, name = (e.text().strip() for e in (self.shared_edit, self.location_edit, self.name_edit))
        if not shared:
            self.path_label.setText("Choose the folder your colleague shares the project through.")
        elif not location or not name:
            self.path_label.setText("Choose where the project goes on this computer (a local disk, not the share).")
        else:
            self.path_label.setText(f"The project will be copied into {self.project_path()} and opened.")
        self.join_button.setEnabled(bool(shared and location and name))

    def _accept(self) -> None:
        if self.join_button.isEnabled():
            self.accept()
