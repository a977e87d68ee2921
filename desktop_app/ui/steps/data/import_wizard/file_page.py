"""Import wizard, page 1: choose a file (Browse… or drag and drop)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from desktop_app.ui.steps.data.import_wizard.draft import ImportDraft
from desktop_app.ui.steps.data.import_wizard.files import FILE_FILTER, SUPPORTED_SUFFIXES, dropped_file


class FilePage(QWizardPage):
    def __init__(self, draft: ImportDraft) -> None:
        super().__init__()
        self.draft = draft
        self.setTitle("Step 1 of 4 · Choose a file")
        self.setSubTitle("MLDesk reads delimited text (CSV, TSV), Excel workbooks and Parquet files.")
        self.setAcceptDrops(True)

        self.drop_zone = QLabel("Drop a CSV, Excel or Parquet file here\nor")
        self.drop_zone.setObjectName("dropZone")
        self.drop_zone.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_zone.setMinimumHeight(160)
        self.browse_button = QPushButton("Browse…")
        self.browse_button.setObjectName("primaryButton")
        self.browse_button.clicked.connect(self._browse)
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("Path of the file to import")
        self.path_edit.textChanged.connect(self._changed)
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)

        row = QHBoxLayout()
        row.addWidget(QLabel("File:"))
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.drop_zone)
        layout.addSpacing(8)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addStretch(1)

    def set_path(self, path: str) -> None:
        self.path_edit.setText(path)

    def path(self) -> Path | None:
        text = self.path_edit.text().strip()
        return Path(text).expanduser() if text else None

    def isComplete(self) -> bool:  # noqa: N802 - Qt name
        path = self.path()
        return path is not None and path.is_file()

    def validatePage(self) -> bool:  # noqa: N802 - Qt name
        self.draft.path = self.path()
        return True

    def _browse(self) -> None:
        start = str(self.path().parent) if self.path() else ""
        path, _ = QFileDialog.getOpenFileName(self, "Choose a file to import", start, FILE_FILTER)
        if path:
            self.path_edit.setText(path)

    def _changed(self) -> None:
        path = self.path()
        if path is None:
            self.status.setText("")
        elif not path.exists():
            self.status.setText("There is no such file.")
        elif not path.is_file():
            self.status.setText("That is a folder; choose a file.")
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
            self.status.setText(f"'{path.suffix}' files are not a known table format; "
                                "MLDesk will try to read it as text.")
        else:
            self.status.setText("")
        self.completeChanged.emit()

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt name
        if dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt name
        path = dropped_file(event.mimeData())
        if path:
            event.acceptProposedAction()
            self.path_edit.setText(path)
