"""The import wizard: file → read settings and preview → column kinds → import.

Every read (detection, preview, import) runs on the task runner; the wizard only shows
results. Problems with the file appear inline in red, not as pop-ups.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, Signal
from PySide6.QtWidgets import QWidget, QWizard

from desktop_app.ui.work.tasks import TaskRunner

SUPPORTED_SUFFIXES = (".csv", ".tsv", ".txt", ".tab", ".xlsx", ".xlsm", ".parquet", ".pq")
FILE_FILTER = (
    "Data files (*.csv *.tsv *.txt *.tab *.xlsx *.xlsm *.parquet *.pq);;"
    "Delimited text (*.csv *.tsv *.txt *.tab);;Excel (*.xlsx *.xlsm);;Parquet (*.parquet *.pq);;All files (*)"
)
PREVIEW_ROWS = 200


def dropped_file(mime: QMimeData) -> str | None:
    """The one local file in a drag, if it looks like a table MLDesk can read."""
    if not mime.hasUrls():
        return None
    files = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
    if len(files) != 1 or Path(files[0]).suffix.lower() not in SUPPORTED_SUFFIXES:
        return None
    return files[0]


class ImportWizard(QWizard):
    """Import one file into `project`. `imported(ImportResult)` fires as soon as the import succeeds."""

    imported = Signal(object)
    FILE, SETTINGS, KINDS, RUN = range(4)

    def __init__(self, project: Any, runner: TaskRunner, path: str | Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from desktop_app.ui.import_file_page import FilePage
        from desktop_app.ui.import_kinds_page import KindsPage
        from desktop_app.ui.import_run_page import RunPage
        from desktop_app.ui.import_settings_page import SettingsPage

        self.setObjectName("importWizard")
        self.setWindowTitle("Import data")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.setOption(QWizard.WizardOption.DisabledBackButtonOnLastPage)
        self.setMinimumSize(880, 640)
        self.project = project
        self.runner = runner
        # What the pages share
        self.path: Path | None = None
        self.settings: Any = None          # ReadSettings
        self.preview: Any = None           # TableRead of the current settings
        self.inferred_kinds: dict[str, Any] = {}
        self.result: Any = None            # ImportResult

        self.file_page = FilePage()
        self.settings_page = SettingsPage()
        self.kinds_page = KindsPage()
        self.run_page = RunPage()
        self.setPage(self.FILE, self.file_page)
        self.setPage(self.SETTINGS, self.settings_page)
        self.setPage(self.KINDS, self.kinds_page)
        self.setPage(self.RUN, self.run_page)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Done")
        if path is not None:
            self.file_page.set_path(str(path))
            self.setStartId(self.SETTINGS)

    def dataset_name(self) -> str:
        return self.settings_page.name_edit.text().strip()

    def chosen_kinds(self) -> dict[str, Any] | None:
        """Only the kinds the user changed; the import settles the others on the whole file."""
        return self.kinds_page.changed_kinds() or None

    def reject(self) -> None:
        """Cancel (or Esc) while importing stops the import first; the dialog closes once it has."""
        if self.run_page.is_running():
            self.run_page.cancel(close_after=True)
            return
        self.settings_page.stop()
        super().reject()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        if self.run_page.is_running():
            self.run_page.cancel(close_after=True)
            event.ignore()
            return
        super().closeEvent(event)
