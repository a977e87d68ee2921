"""The Export step: hand a registered model version to whoever deploys it, or score a file with it here.

Top: the model version in focus (`name@alias` is the version the alias points to now, `name@N` one
version; archived versions are marked). `set_focus_version(version_id)` (alias `select_version`)
picks `name@N` of a version — the Registry step's "Next: Export a bundle →" uses it. Two tabs:

- **Bundle** (`BundlePanel`): "Export bundle…" (Ctrl+Enter) opens a short dialog (folder, default
  the project's exports/; zip; replacing an existing bundle must be ticked), then
  `project.bundles.export` runs on a worker with progress and Cancel. The result: a big ✓ or ✗
  for the verification (predict.py in a separate process against the app), the bundle's path
  (Open folder), its files with sizes, copyable commands to run it, and its MODEL_CARD.md
  rendered. "Verify again" runs `project.bundles.verify` on the bundle as it is on disk. Coming
  back to a version shows its newest export from the audit trail, if the bundle is still there.
- **Batch scoring** (`ScoringPanel`): a chosen (or dropped) file is checked with
  `project.scoring.validate_file` on a worker; the issues table and a verdict say what can be
  scored; "Score" runs `project.scoring.score_file` (valid rows only, when some have problems)
  into a CSV/Parquet/Excel file, then shows a summary and the first 200 scored rows.

Every core call runs on the TaskRunner (progress and Cancel in the step and in the task bar); the
workers are in `export_work` and never touch Qt.

State (for the version in focus): ● the audit trail holds a verified export of it (this session
or earlier), ◐ its last verification in this session failed (or it was exported unverified),
○ nothing exported yet.

Window wiring:
    export = ExportStep(runner)
    export.go_to_registry → navigator.select("registry"); export.go_to_monitor → navigator.select("monitor")
    registry.go_to_export(version_id) → export.set_focus_version
    export.set_project(project) with the other steps; export.save_state() on close
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from desktop_app.ui.widgets.empty_state import EmptyState
from desktop_app.ui.widgets.errors import show_error, technical_details, user_message
from desktop_app.ui.steps.export.bundle import BundlePanel
from desktop_app.ui.steps.export.dialog import ExportDialog
from desktop_app.ui.steps.export.picker import VersionPicker
from desktop_app.ui.steps.export.scoring import ScoringPanel
from desktop_app.ui.steps.export.text import PickerEntry, Verdict, exact_ref, verification_verdict
from desktop_app.ui.text.formatting import relative_time
from desktop_app.ui.steps.base import StepPanel, StepState, load_registered_models
from desktop_app.ui.work.tasks import Task, TaskRunner

PURPOSE = ("Hand a model version to whoever deploys it — a bundle that runs without MLDesk, checked before it is "
           "kept — or score a file of new rows with it here.")
STYLE = """
QWidget#exportStep, QWidget#bundlePanel, QWidget#scoringPanel { background: #ffffff; }
QTabWidget#exportTabs::pane { border: none; border-top: 1px solid #dde3e9; }
QTreeWidget#bundleFiles, QTableView#issuesTable, QTableView#scoredPreview, QTextBrowser#modelCard {
    border: 1px solid #dde3e9; }
QLabel#bundlePath { font-weight: 600; color: #1d2733; }
QLabel#scoringSummary { color: #1f7a35; font-weight: 600; }
"""
NOT_KEPT = "The bundle was not kept"   # how the core starts a failed verification's BundleError


class ExportStep(StepPanel):
    key = "export"
    go_to_registry = Signal()
    go_to_monitor = Signal()
    exported = Signal(object)          # the ExportResult of a successful export

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__("Export", PURPOSE, "Export bundle…", parent)
        self.setObjectName("exportStep")
        self.setStyleSheet(STYLE)
        self.runner = runner
        self.project: Any = None
        self.models: list[Any] = []
        self.entry: PickerEntry | None = None
        self.dialog: ExportDialog | None = None
        self.last_export: Any = None                      # export_work.LastExport of the version in focus
        self._session: dict[str, tuple[str, Verdict]] = {}   # version id → (ok|fail|skipped, verdict) this session
        self._pending_version: str | None = None
        self._refresh_pending = False
        self._models_task: Task | None = None
        self._last_task: Task | None = None
        self._export_task: Task | None = None
        self._verify_task: Task | None = None
        self._validate_task: Task | None = None
        self._score_task: Task | None = None

        self.primary_button.setToolTip("Write a bundle of this version that runs without MLDesk (Ctrl+Enter)")
        self.primary_button.clicked.connect(self.open_export_dialog)

        self.empty = EmptyState(
            "No registered model yet — register a run in the Registry step",
            "Go to the Registry step",
            "Only a registered model version can be exported or used to score files: its name, version and "
            "aliases travel with it.",
        )
        self.empty.button.clicked.connect(self.go_to_registry)
        self.picker = VersionPicker()
        self.picker.changed.connect(self._picked)
        self.bundle = BundlePanel()
        self.bundle.export_requested.connect(self.open_export_dialog)
        self.bundle.verify_requested.connect(self.verify_again)
        self.bundle.cancel_requested.connect(lambda: self._cancel(self._export_task, self._verify_task))
        self.scoring = ScoringPanel()
        self.scoring.input_chosen.connect(self.validate_file)
        self.scoring.score_requested.connect(self.score)
        self.scoring.cancel_requested.connect(lambda: self._cancel(self._validate_task, self._score_task))
        self.tabs = QTabWidget()
        self.tabs.setObjectName("exportTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.bundle, "Bundle")
        self.tabs.addTab(self.scoring, "Batch scoring")
        self.tabs.setTabToolTip(0, "Export a folder (or zip) that runs the model without MLDesk")
        self.tabs.setTabToolTip(1, "Score a CSV, Excel or Parquet file with the model, here")
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.setSpacing(8)
        content_layout.addWidget(self.picker)
        content_layout.addWidget(self.tabs, 1)
        self.content = content
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(content)
        self.body.addWidget(self.pages)
        self.set_next("Next: Monitor drift →", enabled=True,
                      tooltip="Check new production rows against the data this model was trained on")
        self.next_button.clicked.connect(self.go_to_monitor)
        self._show_empty()
        self.restore_state()

    # -- project and models ---------------------------------------------------------------------------
    def set_project(self, project: Any) -> None:
        for task in self._tasks():
            task.cancel()
        self._models_task = self._last_task = self._export_task = self._verify_task = None
        self._validate_task = self._score_task = None
        self.project = project
        self.models, self.entry, self.last_export = [], None, None
        self._session.clear()
        self._pending_version = None
        self._refresh_pending = False
        self.picker.set_models([])
        self.bundle.set_running(False)
        self.bundle.show_nothing()
        self.scoring.set_busy(False)
        self.scoring.reset()
        self._show_empty()
        self.refresh()

    def refresh(self) -> Task | None:
        """Reload the registered models (worker thread); the version in focus stays (F5)."""
        if self.project is None:
            return None
        if self.busy:   # an alias may have moved: change the version in focus only once the work is done
            self._refresh_pending = True
            return None
        if self._models_task is not None:
            self._models_task.cancel()
        task = load_registered_models(self.runner, self.project)
        self._models_task = task
        task.finished.connect(lambda models, t=task: self._models_loaded(t, models))
        task.failed.connect(lambda error, t=task: self._models_failed(t, error))
        return task

    @property
    def loading(self) -> bool:
        """True while the models or the focused version's last export are being read."""
        return self._models_task is not None or self._last_task is not None

    @property
    def busy(self) -> bool:
        """True while an export, a verification, a check or a scoring runs."""
        return any(t is not None for t in (self._export_task, self._verify_task, self._validate_task,
                                            self._score_task))

    def _models_loaded(self, task: Task, models: list[Any]) -> None:
        if task is not self._models_task:
            return
        self._models_task = None
        self.models = list(models)
        chosen = self.picker.set_models(self.models, prefer=self._remembered_ref())
        if self._pending_version is not None:
            chosen = self.picker.select_version(self._pending_version) or chosen
            self._pending_version = None
        if chosen is None:
            self._show_empty()
            return
        self.pages.setCurrentWidget(self.content)
        self._focus(self.picker.current())
        self._update_actions()

    def _models_failed(self, task: Task, error: BaseException) -> None:
        if task is self._models_task:
            self._models_task = None
            show_error(self, "Could not list the registered models", error)

    def _show_empty(self) -> None:
        self.pages.setCurrentWidget(self.empty)
        self.primary_button.setVisible(False)
        self.next_button.setVisible(False)
        self._set_state(StepState.NOT_STARTED, "no registered model yet")

    # -- the version in focus ---------------------------------------------------------------------------
    def set_focus_version(self, version_id: str) -> None:
        """Work on exactly this version (`name@N`); waits for the models if they are not loaded yet."""
        if not self.busy and self._models_task is None and self.picker.select_version(version_id) is not None:
            self._focus(self.picker.current())
            return
        self._pending_version = version_id
        self.refresh()

    select_version = set_focus_version   # the name the Registry step's wiring uses

    def current_entry(self) -> PickerEntry | None:
        return self.entry

    def _picked(self, entry: PickerEntry | None) -> None:
        self._focus(entry)

    def _focus(self, entry: PickerEntry | None) -> None:
        previous = self.entry.version.id if self.entry is not None else None
        self.entry = entry
        if entry is None:
            return
        self._remember_ref(entry.ref)
        if entry.version.id == previous:
            self._update_state()
            return
        self.last_export = None
        self.bundle.show_nothing()
        self._load_last_export(entry)
        self.scoring.reset(keep_input=True)
        if self.scoring.input_path is not None:
            self.validate_file(self.scoring.input_path)
        self._update_state()

    def _load_last_export(self, entry: PickerEntry) -> None:
        from desktop_app.ui.steps.export.work import last_export

        if self._last_task is not None:
            self._last_task.cancel()
        project, version_id = self.project, entry.version.id
        task = self.runner.submit("Reading the last export", lambda _p: last_export(project, version_id),
                                  visible=False)
        self._last_task = task
        task.finished.connect(lambda last, t=task, v=version_id: self._last_loaded(t, v, last))
        task.failed.connect(lambda error, t=task: self._last_failed(t, error))

    def _last_loaded(self, task: Task, version_id: str, last: Any) -> None:
        if task is not self._last_task:
            return
        self._last_task = None
        if self.entry is None or self.entry.version.id != version_id or self._export_task is not None:
            return
        self.last_export = last
        session = self._session.get(version_id)
        if last is None:
            self.bundle.show_nothing()
            if session is not None:
                self.bundle.set_verdict(session[1])
        elif last.listing is None:
            path = Path((last.event.after or {}).get("path", ""))
            self.bundle.show_nothing(f"Last exported {relative_time(last.event.at)} by {last.event.user}@"
                                     f"{last.event.host} to {path} — it is no longer there. Export it again.")
            if session is not None:
                self.bundle.set_verdict(session[1])
        else:
            verdict = session[1] if session is not None else _recorded_verdict(last.event)
            self.bundle.show_bundle(last.listing, verdict, exported_at=last.event.at)
        self._update_state()

    def _last_failed(self, task: Task, error: BaseException) -> None:
        if task is self._last_task:
            self._last_task = None
            self.bundle.show_nothing()

    # -- export ---------------------------------------------------------------------------------------
    def open_export_dialog(self) -> ExportDialog | None:
        """The short dialog before an export (non-blocking; the export starts when it is accepted)."""
        if self.project is None or self.entry is None or self._export_task is not None \
                or self._verify_task is not None:
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

    def start_export(self, folder: Path, *, zipped: bool = False, overwrite: bool = False) -> Task | None:
        from desktop_app.ui.steps.export.work import export_bundle

        if self.project is None or self.entry is None or self._export_task is not None:
            return None
        folder = Path(folder)
        self._remember_folder(folder, zipped)
        project, version = self.project, self.entry.version
        ref = exact_ref(version)
        task = self.runner.submit(
            f"Exporting {version.label}",
            lambda progress: export_bundle(project, ref, folder, zipped=zipped, overwrite=overwrite,
                                           progress=progress))
        self._export_task = task
        self.bundle.set_verdict(None)
        self.bundle.set_running(True, f"Exporting {version.label} to {folder}…")
        self.tabs.setCurrentWidget(self.bundle)
        task.progress.connect(self.bundle.set_progress)
        task.finished.connect(lambda outcome, t=task, v=version: self._exported(t, v, outcome))
        task.failed.connect(lambda error, t=task, v=version: self._export_failed(t, v, error))
        task.cancelled.connect(lambda t=task: self._export_cancelled(t))
        self._update_actions()
        return task

    def _exported(self, task: Task, version: Any, outcome: Any) -> None:
        if task is not self._export_task:
            return
        self._export_task = None
        self.bundle.set_running(False)
        result = outcome.result
        verdict = verification_verdict(result.verification)
        self._session[version.id] = ("ok" if verdict.state == "ok" else "skipped", verdict)
        self.bundle.show_bundle(outcome.listing, verdict, exported_at=datetime.now(timezone.utc))
        self._update_actions()
        self._update_state()
        self.exported.emit(result)

    def _export_failed(self, task: Task, version: Any, error: BaseException) -> None:
        if task is not self._export_task:
            return
        self._export_task = None
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
        self._update_actions()
        self._update_state()

    def _export_cancelled(self, task: Task) -> None:
        if task is not self._export_task:
            return
        self._export_task = None
        self.bundle.set_running(False)
        self.bundle.set_verdict(Verdict("neutral", "Export cancelled", "Nothing was written."))
        self._update_actions()

    # -- verify again ---------------------------------------------------------------------------------
    def verify_again(self) -> Task | None:
        from desktop_app.ui.steps.export.work import verify_bundle

        listing = self.bundle.listing
        if self.project is None or self.entry is None or listing is None or self._verify_task is not None \
                or self._export_task is not None:
            return None
        project, version, path = self.project, self.entry.version, Path(listing.path)
        ref = exact_ref(version)
        task = self.runner.submit(f"Verifying {path.name}",
                                  lambda progress: verify_bundle(project, path, ref, progress))
        self._verify_task = task
        self.bundle.set_running(True, f"Checking {path.name}…")
        task.progress.connect(self.bundle.set_progress)
        task.finished.connect(lambda result, t=task, v=version: self._verified(t, v, result))
        task.failed.connect(lambda error, t=task, v=version: self._verify_failed(t, v, error))
        task.cancelled.connect(lambda t=task: self._verify_cancelled(t))
        self._update_actions()
        return task

    def _verified(self, task: Task, version: Any, result: Any) -> None:
        if task is not self._verify_task:
            return
        self._verify_task = None
        self.bundle.set_running(False)
        verdict = verification_verdict(result)
        state = "ok" if verdict.state == "ok" else "skipped" if verdict.state == "skipped" else "fail"
        self._session[version.id] = (state, verdict)
        self.bundle.set_verdict(verdict)
        self._update_actions()
        self._update_state()

    def _verify_failed(self, task: Task, version: Any, error: BaseException) -> None:
        if task is not self._verify_task:
            return
        self._verify_task = None
        self.bundle.set_running(False)
        verdict = Verdict("fail", "Could not verify the bundle", user_message(error), technical_details(error))
        self._session[version.id] = ("fail", verdict)
        self.bundle.set_verdict(verdict)
        self._update_actions()
        self._update_state()

    def _verify_cancelled(self, task: Task) -> None:
        if task is not self._verify_task:
            return
        self._verify_task = None
        self.bundle.set_running(False)
        self.bundle.set_verdict(Verdict("neutral", "Verification cancelled", "The bundle was not changed."))
        self._update_actions()

    # -- batch scoring --------------------------------------------------------------------------------
    def validate_file(self, path: Path) -> Task | None:
        """Check a file's rows against the version in focus (worker thread)."""
        from desktop_app.ui.steps.export.work import validate_file

        if self.project is None or self.entry is None or self._score_task is not None:
            return None
        if self._validate_task is not None:
            self._validate_task.cancel()
        path = Path(path)
        self.scoring.set_input(path)
        self.scoring.reset(keep_input=True)
        project, version = self.project, self.entry.version
        ref = exact_ref(version)
        task = self.runner.submit(f"Checking {path.name}",
                                  lambda progress: validate_file(project, ref, path, progress))
        self._validate_task = task
        self.scoring.set_busy(True, f"Reading {path.name}…")
        task.progress.connect(self.scoring.set_progress)
        task.finished.connect(lambda report, t=task: self._validated(t, report))
        task.failed.connect(lambda error, t=task, p=path: self._validate_failed(t, p, error))
        task.cancelled.connect(lambda t=task: self._validate_cancelled(t))
        self._update_actions()
        return task

    def _validated(self, task: Task, report: Any) -> None:
        if task is not self._validate_task:
            return
        self._validate_task = None
        self.scoring.set_busy(False)
        self.scoring.show_report(report)
        self._update_actions()

    def _validate_failed(self, task: Task, path: Path, error: BaseException) -> None:
        if task is not self._validate_task:
            return
        self._validate_task = None
        self.scoring.set_busy(False)
        self.scoring.show_problem(Verdict("fail", f"Could not check {path.name}", user_message(error),
                                          technical_details(error)))
        self._update_actions()

    def _validate_cancelled(self, task: Task) -> None:
        if task is not self._validate_task:
            return
        self._validate_task = None
        self.scoring.set_busy(False)
        self.scoring.show_problem(Verdict("neutral", "Check cancelled", "Choose the file again to check it."))
        self._update_actions()

    def score(self, out: Path, only_valid: bool) -> Task | None:
        from desktop_app.ui.steps.export.work import score_file

        path = self.scoring.input_path
        if self.project is None or self.entry is None or path is None or self.busy:
            return None
        project, version, out = self.project, self.entry.version, Path(out)
        ref = exact_ref(version)
        task = self.runner.submit(f"Scoring {path.name}",
                                  lambda progress: score_file(project, ref, path, out, only_valid=only_valid,
                                                              progress=progress))
        self._score_task = task
        self.scoring.clear_result()
        self.scoring.set_busy(True, f"Scoring {path.name}…")
        task.progress.connect(self.scoring.set_progress)
        task.finished.connect(lambda outcome, t=task: self._scored(t, outcome))
        task.failed.connect(lambda error, t=task, p=path: self._score_failed(t, p, error))
        task.cancelled.connect(lambda t=task: self._score_cancelled(t))
        self._update_actions()
        return task

    def _scored(self, task: Task, outcome: Any) -> None:
        if task is not self._score_task:
            return
        self._score_task = None
        self.scoring.set_busy(False)
        self.scoring.show_result(outcome)
        self._update_actions()

    def _score_failed(self, task: Task, path: Path, error: BaseException) -> None:
        if task is not self._score_task:
            return
        self._score_task = None
        self.scoring.set_busy(False)
        self._update_actions()
        self.error_box = show_error(self, f"Could not score {path.name}", error)

    def _score_cancelled(self, task: Task) -> None:
        if task is not self._score_task:
            return
        self._score_task = None
        self.scoring.set_busy(False)
        self.scoring.summary.setText("Scoring cancelled — no file was written.")
        self.scoring.summary.setVisible(True)
        self._update_actions()

    # -- actions and state ----------------------------------------------------------------------------
    def _tasks(self) -> list[Task]:
        return [t for t in (self._models_task, self._last_task, self._export_task, self._verify_task,
                            self._validate_task, self._score_task) if t is not None]

    @staticmethod
    def _cancel(*tasks: Task | None) -> None:
        for task in tasks:
            if task is not None:
                task.cancel()

    def _update_actions(self) -> None:
        if self._refresh_pending and not self.busy:
            self._refresh_pending = False
            self.refresh()
        has = self.entry is not None and self.pages.currentWidget() is self.content
        exporting = self._export_task is not None or self._verify_task is not None
        self.primary_button.setVisible(has)
        self.primary_button.setEnabled(has and not exporting)
        self.next_button.setVisible(has)
        self.picker.combo.setEnabled(not self.busy)
        self.picker.combo.setToolTip(
            "Wait for the export or scoring to finish (or cancel it) to pick another version." if self.busy else
            "The registered model version to export or score with. name@alias is the version the alias points to "
            "now; name@N is one version.")

    def _update_state(self) -> None:
        if self.entry is None:
            return
        version = self.entry.version
        session = self._session.get(version.id)
        event = self.last_export.event if self.last_export is not None else None
        recorded_ok = event is not None and (event.after or {}).get("verified") is True
        if session is not None and session[0] == "fail":
            self._set_state(StepState.ATTENTION, f"the last verification of {version.label} failed")
        elif (session is not None and session[0] == "ok") or recorded_ok:
            self._set_state(StepState.DONE, f"{version.label} exported and verified")
        elif session is not None or event is not None:
            self._set_state(StepState.ATTENTION, f"{version.label} was exported without verification")
        else:
            self._set_state(StepState.NOT_STARTED, f"{version.label} not exported yet")

    def trigger_primary(self) -> None:
        """Ctrl+Enter: Export bundle… — or, in the empty state, go where a model gets registered."""
        if self.pages.currentWidget() is self.empty:
            self.empty.button.click()
        else:
            super().trigger_primary()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        # Models may have been registered, archived or re-aliased elsewhere: a quick, invisible reload.
        if self.project is not None and self._models_task is None:
            self.refresh()

    # -- remembered choices -----------------------------------------------------------------------------
    def _project_key(self) -> str:
        path = str(getattr(self.project, "path", "") or "")
        return hashlib.sha1(path.encode("utf-8")).hexdigest()[:12]

    def _remembered_ref(self) -> str | None:
        value = QSettings().value(f"export/ref/{self._project_key()}")
        return str(value) if value else None

    def _remember_ref(self, ref: str) -> None:
        if self.project is not None:
            QSettings().setValue(f"export/ref/{self._project_key()}", ref)

    def _remembered_folder(self) -> Path:
        value = QSettings().value(f"export/folder/{self._project_key()}")
        return Path(str(value)) if value else Path(self.project.bundles.default_folder)

    def _remember_folder(self, folder: Path, zipped: bool) -> None:
        settings = QSettings()
        settings.setValue(f"export/folder/{self._project_key()}", str(folder))
        settings.setValue("export/zip", zipped)

    def restore_state(self) -> None:
        settings = QSettings()
        for splitter in (self.bundle.splitter, self.scoring.splitter):
            state = settings.value(f"splitters/{splitter.objectName()}")
            if state is not None:
                splitter.restoreState(state)
        tab = settings.value("export/tab")
        if tab is not None:
            self.tabs.setCurrentIndex(int(tab))

    def save_state(self) -> None:
        settings = QSettings()
        for splitter in (self.bundle.splitter, self.scoring.splitter):
            settings.setValue(f"splitters/{splitter.objectName()}", splitter.saveState())
        settings.setValue("export/tab", self.tabs.currentIndex())


def _recorded_verdict(event: Any) -> Verdict:
    """The banner for a bundle exported earlier, from its audit event."""
    when = relative_time(event.at)
    if (event.after or {}).get("verified") is True:
        return Verdict("ok", "Verified when it was exported",
                       f"predict.py, run in a separate process, gave the same predictions as MLDesk when this bundle "
                       f"was exported ({when}). Verify again to check the files as they are now.")
    return Verdict("skipped", "Not verified",
                   f"This bundle was exported {when} without a check. Verify it before you hand it over.")
