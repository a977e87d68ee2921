""""Export a bundle": where to (default: the project's exports/ folder), folder or zip, and — only when
a bundle of that name is already there — a box to tick before it is replaced."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.steps.export.text import bundle_name, version_line

if TYPE_CHECKING:
    from desktop_app.core.registry.entities import ModelVersion


class ExportDialog(QDialog):
    """Read `folder()`, `zipped()` and `overwrite()` after `accepted`."""

    def __init__(self, version: ModelVersion, ref: str, folder: Path, *, zipped: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export a bundle")
        self.setMinimumWidth(560)
        self.version = version
        heading = QLabel(f"<b>Export {ref}</b>" + (f" (version {version.number})" if not ref.endswith(
            f"@{version.number}") else ""))
        heading.setTextFormat(Qt.TextFormat.RichText)
        about = QLabel(version_line(version) + ". The bundle runs without MLDesk: the model, predict.py, serve.py, "
                       "a Dockerfile and a model card. It is checked before it is kept.")
        about.setObjectName("hint")
        about.setWordWrap(True)

        caption = QLabel("Destination folder")
        caption.setObjectName("subTitle")
        self.folder_edit = QLineEdit(str(folder))
        self.folder_edit.setObjectName("exportFolder")
        self.folder_edit.textChanged.connect(lambda _t: self._update())
        caption.setBuddy(self.folder_edit)
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self.browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse_button)
        self.zip_box = QCheckBox("Zip it into one file (easier to send or attach)")
        self.zip_box.setChecked(zipped)
        self.zip_box.toggled.connect(lambda _c: self._update())
        self.target = QLabel()
        self.target.setObjectName("hint")
        self.target.setWordWrap(True)
        self.target.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.exists_label = QLabel()
        self.exists_label.setObjectName("warningText")
        self.exists_label.setWordWrap(True)
        self.overwrite_box = QCheckBox("Replace the existing bundle")
        self.overwrite_box.setObjectName("overwriteBox")
        self.overwrite_box.toggled.connect(lambda _c: self._update())
        self.problem = QLabel()
        self.problem.setObjectName("errorText")
        self.problem.setWordWrap(True)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(about)
        layout.addSpacing(8)
        layout.addWidget(caption)
        layout.addLayout(folder_row)
        layout.addWidget(self.zip_box)
        layout.addWidget(self.target)
        layout.addWidget(self.exists_label)
        layout.addWidget(self.overwrite_box)
        layout.addWidget(self.problem)
        layout.addSpacing(4)
        layout.addWidget(self.buttons)
        self._update()

    # -- answers ----------------------------------------------------------------------------------
    def folder(self) -> Path:
        return Path(self.folder_edit.text().strip()).expanduser()

    def zipped(self) -> bool:
        return self.zip_box.isChecked()

    def target_path(self) -> Path:
        return self.folder() / bundle_name(self.version, self.zipped())

    def overwrite(self) -> bool:
        return self.target_exists() and self.overwrite_box.isChecked()

    def target_exists(self) -> bool:
        target = self.target_path()
        return target.exists() or target.is_symlink()

    # -- behaviour --------------------------------------------------------------------------------
    def browse(self) -> None:
        start = self.folder_edit.text().strip()
        chosen = QFileDialog.getExistingDirectory(self, "Export the bundle into this folder", start)
        if chosen:
            self.folder_edit.setText(chosen)

    def _update(self) -> None:
        text = self.folder_edit.text().strip()
        problem = ""
        if not text:
            problem = "Choose a folder to export into."
        elif self.folder().exists() and not self.folder().is_dir():
            problem = f"{self.folder()} is a file; choose a folder."
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        exists = bool(text) and not problem and self.target_exists()
        kind = "file" if self.zipped() else "folder"
        self.target.setText(f"It will be written as the {kind} {self.target_path()}" if text and not problem else "")
        self.target.setVisible(bool(text) and not problem)
        self.exists_label.setText(
            f"{self.target_path().name} is already there (an earlier export?). Exporting again deletes it and writes "
            "the bundle anew; the export is recorded in the audit trail." if exists else "")
        self.exists_label.setVisible(exists)
        self.overwrite_box.setVisible(exists)
        if not exists:
            self.overwrite_box.setChecked(False)
        self.ok_button.setEnabled(not problem and (not exists or self.overwrite_box.isChecked()))
        self.ok_button.setText("Replace and export" if exists else "Export")
