"""The import wizard: file → read settings and preview → column kinds → import.

Every read (detection, preview, import) runs on the task runner; the wizard only shows
results. Problems with the file appear inline in red, not as pop-ups. The pages share an
`ImportDraft` (what each one settled); they never import the wizard, so it imports them here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QWidget, QWizard

from desktop_app.ui.steps.data.import_wizard.draft import ImportDraft
from desktop_app.ui.steps.data.import_wizard.file_page import FilePage
from desktop_app.ui.steps.data.import_wizard.kinds_page import KindsPage
from desktop_app.ui.steps.data.import_wizard.run_page import RunPage
from desktop_app.ui.steps.data.import_wizard.settings_page import SettingsPage

if TYPE_CHECKING:
    from desktop_app.core.project import Project
    from desktop_app.ui.work.tasks import TaskRunner


class ImportWizard(QWizard):
    """Import one file into `project`. `imported(ImportResult)` fires as soon as the import succeeds."""

    imported = Signal(object)
    FILE, SETTINGS, KINDS, RUN = range(4)

    def __init__(self, project: Project, runner: TaskRunner, path: str | Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importWizard")
        self.setWindowTitle("Import data")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.setOption(QWizard.WizardOption.DisabledBackButtonOnLastPage)
        self.setMinimumSize(880, 640)
        self.draft = ImportDraft(project, runner)

        self.file_page = FilePage(self.draft)
        self.settings_page = SettingsPage(self.draft)
        self.kinds_page = KindsPage(self.draft)
        self.run_page = RunPage(self.draft)
        self.run_page.imported.connect(self.imported)
        self.setPage(self.FILE, self.file_page)
        self.setPage(self.SETTINGS, self.settings_page)
        self.setPage(self.KINDS, self.kinds_page)
        self.setPage(self.RUN, self.run_page)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Done")
        if path is not None:
            self.file_page.set_path(str(path))
            self.draft.path = self.file_page.path()
            self.setStartId(self.SETTINGS)

    def reject(self) -> None:
        """Cancel (or Esc) while importing stops the import first; the dialog closes once it has."""
        if self.run_page.is_running():
            self.run_page.cancel(close_after=True)
            return
        self.settings_page.stop()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt name
        if self.run_page.is_running():
            self.run_page.cancel(close_after=True)
            event.ignore()
            return
        super().closeEvent(event)
