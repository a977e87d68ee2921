"""The Export step's Bundle tab at work: the export dialog, the export itself, and "Verify again".

A mixin of `ExportStep` (panel.py), which holds the layout, the version in focus and the step's state;
this module holds what the Bundle tab's two long actions run and how their outcomes are shown. Both
run in the step's `work` slots "export" and "verify" (progress and Cancel in the tab and the task bar).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from desktop_app.ui.steps.export.dialog import ExportDialog
from desktop_app.ui.steps.export.text import Verdict, exact_ref, verification_verdict
from desktop_app.ui.widgets.errors import technical_details, user_message

if TYPE_CHECKING:
    from desktop_app.core.bundles.entities import VerificationResult
    from desktop_app.core.registry.entities import ModelVersion
    from desktop_app.ui.steps.export.panel import ExportStep
    from desktop_app.ui.steps.export.work import ExportOutcome
    from desktop_app.ui.work.tasks import Task

NOT_KEPT = "The bundle was not kept"   # how the core starts a failed verification's BundleError


class BundleActions:
    """Export a bundle of the version in focus, or check one already on disk."""

    def open_export_dialog(self: ExportStep) -> ExportDialog | None:
        """The short dialog before an export (non-blocking; the export starts when it is accepted)."""
        if self.project is None or self.entry is None or self.work.running("export", "verify"):
            return None
        if self.dialog is not None:
            self.dialog.deleteLater()
        entry = self.entry
        self.dialog = ExportDialog(entry.version, entry.ref, self._remembered_folder(),
                                   zipped=bool(QSettings().value("export/zip", False, type=bool)),
                                   parent=self.window())
        self.dialog.accepted.connect(lambda d=self.dialog: self.start_export(d.folder(), zipped=d.zipped(),
                                                                             overwrite=d.overwrite()))
        self.dialog.open()
        return self.dialog

    def start_export(self: ExportStep, folder: Path, *, zipped: bool = False, overwrite: bool = False) -> Task | None:
        from desktop_app.ui.steps.export.work import export_bundle

        if self.project is None or self.entry is None or self.work.running("export"):
            return None
        folder = Path(folder)
        self._remember_folder(folder, zipped)
        project, version = self.project, self.entry.version
        ref = exact_ref(version)
        task = self.work.start(
            "export", f"Exporting {version.label}",
            lambda progress: export_bundle(project, ref, folder, zipped=zipped, overwrite=overwrite, progress=progress),
            progress=self.bundle.set_progress, done=lambda outcome: self._exported(version, outcome),
            failed=lambda error: self._export_failed(version, error), cancelled=self._export_cancelled,
            ended=self._update_actions)
        self.bundle.set_verdict(None)
        self.bundle.set_running(True, f"Exporting {version.label} to {folder}…")
        self.tabs.setCurrentWidget(self.bundle)
        self._update_actions()
        return task

    def _exported(self: ExportStep, version: ModelVersion, outcome: ExportOutcome) -> None:
        self.bundle.set_running(False)
        result = outcome.result
        verdict = verification_verdict(result.verification)
        self._session[version.id] = ("ok" if verdict.state == "ok" else "skipped", verdict)
        self.bundle.show_bundle(outcome.listing, verdict, exported_at=datetime.now(UTC))
        self._update_state()
        self.exported.emit(result)

    def _export_failed(self: ExportStep, version: ModelVersion, error: BaseException) -> None:
        self.bundle.set_running(False)
        message = user_message(error)
        if message.startswith(NOT_KEPT):
            reason = message.split(":", 1)[1].strip() if ":" in message else message
            verdict = Verdict("fail", "Verification failed — the bundle was not kept", reason,
                              technical_details(error))
            self._session[version.id] = ("fail", verdict)
        else:
            verdict = Verdict("fail", "Export failed — nothing was written", message, technical_details(error))
        self.bundle.set_verdict(verdict)
        self._update_state()

    def _export_cancelled(self: ExportStep) -> None:
        self.bundle.set_running(False)
        self.bundle.set_verdict(Verdict("neutral", "Export cancelled", "Nothing was written."))

    # -- verify again -----------------------------------------------------------------------------------
    def verify_again(self: ExportStep) -> Task | None:
        from desktop_app.ui.steps.export.work import verify_bundle

        listing = self.bundle.listing
        if self.project is None or self.entry is None or listing is None or self.work.running("export", "verify"):
            return None
        project, version, path = self.project, self.entry.version, Path(listing.path)
        ref = exact_ref(version)
        task = self.work.start(
            "verify", f"Verifying {path.name}", lambda progress: verify_bundle(project, path, ref, progress),
            progress=self.bundle.set_progress, done=lambda result: self._verified(version, result),
            failed=lambda error: self._verify_failed(version, error), cancelled=self._verify_cancelled,
            ended=self._update_actions)
        self.bundle.set_running(True, f"Checking {path.name}…")
        self._update_actions()
        return task

    def _verified(self: ExportStep, version: ModelVersion, result: VerificationResult) -> None:
        self.bundle.set_running(False)
        verdict = verification_verdict(result)
        state = "ok" if verdict.state == "ok" else "skipped" if verdict.state == "skipped" else "fail"
        self._session[version.id] = (state, verdict)
        self.bundle.set_verdict(verdict)
        self._update_state()

    def _verify_failed(self: ExportStep, version: ModelVersion, error: BaseException) -> None:
        self.bundle.set_running(False)
        verdict = Verdict("fail", "Could not verify the bundle", user_message(error), technical_details(error))
        self._session[version.id] = ("fail", verdict)
        self.bundle.set_verdict(verdict)
        self._update_state()

    def _verify_cancelled(self: ExportStep) -> None:
        self.bundle.set_running(False)
        self.bundle.set_verdict(Verdict("neutral", "Verification cancelled", "The bundle was not changed."))
