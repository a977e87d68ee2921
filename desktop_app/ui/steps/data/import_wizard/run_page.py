"""Import wizard, page 4: the import itself, with progress and Cancel, then its result."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from desktop_app.ui.steps.data.import_wizard.draft import ImportDraft
from desktop_app.ui.text.formatting import plural
from desktop_app.ui.widgets.errors import technical_details, user_message
from desktop_app.ui.work.background import BackgroundWork
from desktop_app.ui.work.chart_warmup import wait_for_charts

if TYPE_CHECKING:
    from desktop_app.core.data.entities import ImportResult


class RunPage(QWizardPage):
    imported = Signal(object)   # the ImportResult, as soon as the import succeeded

    def __init__(self, draft: ImportDraft) -> None:
        super().__init__()
        self.draft = draft
        self.work = BackgroundWork(draft.runner)
        self.setTitle("Step 4 of 4 · Importing")
        self.setSubTitle("MLDesk reads the whole file, checks every column and keeps a snapshot as a new version.")
        self._close_after = False
        self._done = False

        self.headline = QLabel()
        self.headline.setObjectName("sectionTitle")
        self.headline.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.setFormat("%p%")
        self.message = QLabel()
        self.message.setObjectName("hint")
        self.cancel_button = QPushButton("Cancel import")
        self.cancel_button.setToolTip("Stop the import; nothing is added to the project")
        self.cancel_button.clicked.connect(lambda: self.cancel())
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)

        self.details = QLabel()
        self.details.setWordWrap(True)
        self.warnings_title = QLabel("Warnings")
        self.warnings_title.setObjectName("subTitle")
        self.warnings = QListWidget()
        self.warnings.setObjectName("importWarnings")
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.details_button = QPushButton("Show details…")
        self.details_button.setCheckable(True)
        self.technical = QPlainTextEdit()
        self.technical.setReadOnly(True)
        self.details_button.toggled.connect(self.technical.setVisible)

        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addSpacing(6)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addSpacing(6)
        layout.addWidget(self.details)
        layout.addWidget(self.error)
        layout.addWidget(self.details_button)
        layout.addWidget(self.technical, 1)
        layout.addWidget(self.warnings_title)
        layout.addWidget(self.warnings, 1)
        layout.addStretch(0)

    # -- page life ---------------------------------------------------------------------
    def initializePage(self) -> None:  # noqa: N802 - Qt name
        draft = self.draft
        self._done, self._close_after = False, False
        self._reset_result()
        path, name, settings, kinds = draft.path, draft.name, draft.settings, draft.kinds
        self.headline.setText(f"Importing {path.name} as '{name}'…")
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.cancel_button.setEnabled(True)
        self.message.setText("Starting…")
        datasets = draft.project.datasets

        def run(progress):
            wait_for_charts()
            return datasets.import_file(path, name=name, settings=settings, kinds=kinds, progress=progress)

        self.work.start("import", f"Importing {path.name}", run, progress=self._on_progress,
                        done=self._on_finished, failed=self._on_failed, cancelled=self._on_cancelled)
        self._update_buttons()

    def cleanupPage(self) -> None:  # noqa: N802 - Qt name
        self.cancel()

    def isComplete(self) -> bool:  # noqa: N802 - Qt name
        return self._done

    def is_running(self) -> bool:
        return self.work.running("import")

    def cancel(self, close_after: bool = False) -> None:
        if not self.is_running():
            return
        self._close_after = self._close_after or close_after
        self.work.cancel("import")
        self.cancel_button.setEnabled(False)
        self.message.setText("Cancelling…")

    # -- task signals -------------------------------------------------------------------
    def _on_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        if message and message != "Starting…":
            self.message.setText(message)

    def _on_finished(self, result: ImportResult) -> None:
        self.draft.result = result
        version = result.version
        self._finish_running()
        self.progress.setValue(1000)
        if result.created:
            self.setTitle("Step 4 of 4 · Imported")
            self.setSubTitle("The data is now part of the project.")
            self.headline.setText(f"Imported {version.label}")
            self.details.setText(
                f"{plural(version.rows, 'row')} · {plural(version.n_columns, 'column')} "
                f"({kinds_breakdown(version.kinds)}).\nIt is selected in the Data step. Press Done to look at it."
            )
        else:
            self.setTitle("Step 4 of 4 · Already imported")
            self.setSubTitle("Nothing new was stored.")
            self.headline.setText(f"Already imported as {version.label}")
            self.details.setText(
                "This file's content is identical to that version, so no new version was made. "
                "Press Done to look at it."
            )
        self.details.setVisible(True)
        warnings = list(result.warnings or [])
        if warnings:
            self.warnings.addItems(warnings)
        self.warnings_title.setText(f"{plural(len(warnings), 'warning')}" if warnings else "")
        self.warnings_title.setVisible(bool(warnings))
        self.warnings.setVisible(bool(warnings))
        self._done = True
        self.wizard().setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.completeChanged.emit()
        self._update_buttons()
        self.imported.emit(result)

    def _on_failed(self, error: BaseException) -> None:
        self._finish_running()
        self.setTitle("Step 4 of 4 · Import failed")
        self.setSubTitle("Press Back to change how the file is read, or Cancel to close.")
        self.headline.setText("The file was not imported; nothing was added to the project.")
        self.error.setText(user_message(error))
        self.error.setVisible(True)
        self.technical.setPlainText(technical_details(error))
        self.details_button.setVisible(True)
        self._after_stop()

    def _on_cancelled(self) -> None:
        self._finish_running()
        self.setTitle("Step 4 of 4 · Import cancelled")
        self.setSubTitle("Nothing was stored.")
        self.headline.setText("Import cancelled — nothing was added to the project.")
        self.details.setText("Press Back to change the settings and try again, or Cancel to close.")
        self.details.setVisible(True)
        self._after_stop()

    # -- helpers -------------------------------------------------------------------------
    def _finish_running(self) -> None:
        self.cancel_button.setVisible(False)
        self.message.setText("")

    def _after_stop(self) -> None:
        self.progress.setVisible(False)
        self.completeChanged.emit()
        self._update_buttons()
        if self._close_after:
            self.wizard().reject()

    def _reset_result(self) -> None:
        self.setTitle("Step 4 of 4 · Importing")
        self.setSubTitle("MLDesk reads the whole file, checks every column and keeps a snapshot as a new version.")
        self.details.setVisible(False)
        self.error.setVisible(False)
        self.details_button.setVisible(False)
        self.details_button.setChecked(False)
        self.technical.setVisible(False)
        self.warnings.clear()
        self.warnings.setVisible(False)
        self.warnings_title.setVisible(False)
        self.wizard().setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, False)

    def _update_buttons(self) -> None:
        back = self.wizard().button(QWizard.WizardButton.BackButton)
        back.setEnabled(not self.is_running() and not self._done)


def kinds_breakdown(kinds: dict) -> str:
    """{'a': numeric, 'b': numeric, 'c': boolean} -> '2 numeric, 1 boolean'."""
    counts: dict[str, int] = {}
    for kind in kinds.values():
        counts[str(kind)] = counts.get(str(kind), 0) + 1
    return ", ".join(f"{n} {k}" for k, n in sorted(counts.items(), key=lambda kv: -kv[1]))
