"""The New-project dialog's fields for a team database: its URL and the team's objects folder.

A project in a team database keeps its records on a PostgreSQL server and its stored files (data
snapshots, models) in a folder every workstation reaches; this computer's project folder then holds
only a small settings file. The URL is written without a password — PostgreSQL's password file or
PGPASSWORD holds that, and MLDesk never stores it. The objects folder is needed when the team starts;
a workstation joining leaves it empty and gets the one the team recorded.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

URL_KEY = "newProject/teamDatabase"
OBJECTS_KEY = "newProject/teamObjects"
URL_PLACEHOLDER = "postgresql+psycopg://USER@HOST:5432/DATABASE"
PASSWORD_HINT = ("The password comes from your PostgreSQL password file (~/.pgpass) or PGPASSWORD; "
                 "MLDesk never stores it.")
OBJECTS_HINT = "Where every workstation reaches the team's files; leave empty when joining: the team's is used."


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("hint")
    label.setWordWrap(True)
    return label


class TeamDatabaseFields(QWidget):
    """`url()` and `objects()` (None when left empty); `remember()` keeps both for next time."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("teamDatabaseFields")
        settings = QSettings()
        self.url_edit = QLineEdit(str(settings.value(URL_KEY, "") or ""))
        self.url_edit.setObjectName("teamDatabaseUrl")
        self.url_edit.setPlaceholderText(URL_PLACEHOLDER)
        self.url_edit.setToolTip("The PostgreSQL database the team shares, without a password")
        self.objects_edit = QLineEdit(str(settings.value(OBJECTS_KEY, "") or ""))
        self.objects_edit.setObjectName("teamObjectsFolder")
        self.objects_edit.setPlaceholderText("e.g. a folder on the team's network drive")
        self.objects_button = QPushButton("Choose…")
        self.objects_button.clicked.connect(self._browse)
        objects_row = QHBoxLayout()
        objects_row.addWidget(self.objects_edit, 1)
        objects_row.addWidget(self.objects_button)
        url_column = QVBoxLayout()
        url_column.setSpacing(2)
        url_column.addWidget(self.url_edit)
        url_column.addWidget(_hint(PASSWORD_HINT))
        objects_column = QVBoxLayout()
        objects_column.setSpacing(2)
        objects_column.addLayout(objects_row)
        objects_column.addWidget(_hint(OBJECTS_HINT))
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Database URL:", url_column)
        form.addRow("Team's objects folder:", objects_column)

    def url(self) -> str:
        return self.url_edit.text().strip()

    def objects(self) -> str | None:
        return self.objects_edit.text().strip() or None

    def remember(self) -> None:
        """Keep the URL (it holds no password: the core refuses one) and the folder for the next project."""
        QSettings().setValue(URL_KEY, self.url())
        QSettings().setValue(OBJECTS_KEY, self.objects() or "")

    def set_enabled(self, enabled: bool) -> None:
        for widget in (self.url_edit, self.objects_edit, self.objects_button):
            widget.setEnabled(enabled)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "The team's objects folder", self.objects_edit.text())
        if folder:
            self.objects_edit.setText(folder)
