"""Help → About: MLDesk's version, Python's and every library's (what a support request needs), with Copy."""

from __future__ import annotations

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from desktop_app import __version__
from desktop_app.core.crash_log import log_dir
from desktop_app.core.installation import versions_text


def about_text() -> str:
    """The versions as `mldesk --version` lists them, plus the Qt library the window actually runs on."""
    extra = {"Qt (running)": f"{qVersion()} (PySide6 {pyside_version})", "Log files": str(log_dir())}
    return versions_text() + "".join(f"\n{name:<20}{value}" for name, value in extra.items())


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About MLDesk")
        title = QLabel(f"<b style='font-size:15pt'>MLDesk {__version__}</b>")
        blurb = QLabel("Take tabular models from data to deployment on this computer: import, check, train, "
                       "compare, register, export and watch drift, with every step recorded.<br>"
                       "Asking for help? Copy the versions below into your message.")
        blurb.setWordWrap(True)
        self.versions = QPlainTextEdit(about_text())
        self.versions.setObjectName("aboutVersions")
        self.versions.setReadOnly(True)
        self.versions.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.versions.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.versions.setMinimumSize(660, 335)   # the whole list without scrolling
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy versions")
        self.copy_button.setToolTip("Copy the list above to the clipboard, for a support request")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self._copy)
        layout = QVBoxLayout(self)
        for widget in (title, blurb, self.versions, buttons):
            layout.addWidget(widget)

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.versions.toPlainText())
        self.copy_button.setText("Copied")
