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
workers are in `work.py` and never touch Qt; the tabs' actions in `bundle_actions.py` and
`scoring_actions.py`.

State (for the version in focus): ● the audit trail holds a verified export of it (this session
or earlier), ◐ its last verification in this session failed (or it was exported unverified),
○ nothing exported yet.

Window wiring:
    export = ExportStep(runner)
    export.go_to_step → navigator.select      # go_to_registry and go_to_monitor chain into it
    registry.go_to_export(version_id) → export.set_focus_version
    export.set_project(project) with the other steps; export.save_state() on close
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from desktop_app.ui.steps.base import StepPanel, StepState
from desktop_app.ui.steps.export.bundle import BundlePanel
from desktop_app.ui.steps.export.bundle_actions import BundleActions
from desktop_app.ui.steps.export.picker import VersionPicker
from desktop_app.ui.steps.export.scoring import ScoringPanel
from desktop_app.ui.steps.export.scoring_actions import ScoringActions
from desktop_app.ui.steps.export.text import PickerEntry, Verdict
from desktop_app.ui.text.formatting import relative_time
from desktop_app.ui.widgets.empty_state import EmptyState
from desktop_app.ui.widgets.errors import show_error
from desktop_app.ui.work.changes import Change

if TYPE_CHECKING:
    from desktop_app.core.audit_entities import AuditEvent
    from desktop_app.core.bundles.listing import LastExport
    from desktop_app.core.project import Project
    from desktop_app.core.registry.entities import RegisteredModel
    from desktop_app.ui.steps.export.dialog import ExportDialog
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


class ExportStep(BundleActions, ScoringActions, StepPanel):
    """The step; what its two tabs run is in bundle_actions.py and scoring_actions.py (mixins)."""

    key = "export"
    shows = frozenset({Change.REGISTRY, Change.BUNDLES})
    go_to_registry = Signal()          # go_to_step("registry") follows
    go_to_monitor = Signal()           # go_to_step("monitor") follows
    exported = Signal(object)          # the ExportResult of a successful export

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, "Export", PURPOSE, "Export bundle…", parent)
        self.setObjectName("exportStep")
        self.setStyleSheet(STYLE)
        self.go_to_registry.connect(lambda: self.go_to_step.emit("registry"))
        self.go_to_monitor.connect(lambda: self.go_to_step.emit("monitor"))
        self.exported.connect(lambda _result: self.announce(Change.BUNDLES))
        self.models: list[RegisteredModel] = []
        self.entry: PickerEntry | None = None
        self.dialog: ExportDialog | None = None
        self.last_export: LastExport | None = None       # of the version in focus
        self._session: dict[str, tuple[str, Verdict]] = {}   # version id → (ok|fail|skipped, verdict) this session
        self._pending_version: str | None = None
        self._refresh_pending = False

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
        self.bundle.cancel_requested.connect(lambda: self.work.cancel("export", "verify"))
        self.scoring = ScoringPanel()
        self.scoring.input_chosen.connect(self.validate_file)
        self.scoring.score_requested.connect(self.score)
        self.scoring.cancel_requested.connect(lambda: self.work.cancel("validate", "score"))
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
        self.remember_splitters(self.bundle.splitter, self.scoring.splitter)
        tab = QSettings().value("export/tab")
        if tab is not None:
            self.tabs.setCurrentIndex(int(tab))

    # -- project and models ---------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        self.work.drop()
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
        return self.load_registered_models(
            done=self._models_loaded,
            failed=lambda error: show_error(self, "Could not list the registered models", error))

    @property
    def loading(self) -> bool:
        """True while the models or the focused version's last export are being read."""
        return self.work.running("models", "last")

    @property
    def busy(self) -> bool:
        """True while an export, a verification, a check or a scoring runs."""
        return self.work.running("export", "verify", "validate", "score")

    def _models_loaded(self, models: list[RegisteredModel]) -> None:
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

    def _show_empty(self) -> None:
        self.pages.setCurrentWidget(self.empty)
        self.primary_button.setVisible(False)
        self.next_button.setVisible(False)
        self._set_state(StepState.NOT_STARTED, "no registered model yet")

    # -- the version in focus ---------------------------------------------------------------------------
    def set_focus_version(self, version_id: str) -> None:
        """Work on exactly this version (`name@N`); waits for the models if they are not loaded yet."""
        if not self.busy and not self.work.running("models") and self.picker.select_version(version_id) is not None:
            self._focus(self.picker.current())
            return
        self._pending_version = version_id
        self.refresh()

    select_version = set_focus_version   # the name the Registry step's wiring uses

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
        bundles, version_id = self.project.bundles, entry.version.id
        self.work.start("last", "Reading the last export", lambda _p: bundles.last_export(version_id),
                        visible=False, done=lambda last: self._last_loaded(version_id, last),
                        failed=lambda _error: self.bundle.show_nothing())

    def _last_loaded(self, version_id: str, last: LastExport | None) -> None:
        if self.entry is None or self.entry.version.id != version_id or self.work.running("export"):
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

    # -- actions and state ----------------------------------------------------------------------------
    def _update_actions(self) -> None:
        if self._refresh_pending and not self.busy:
            self._refresh_pending = False
            self.refresh()
        has = self.entry is not None and self.pages.currentWidget() is self.content
        exporting = self.work.running("export", "verify")
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
        if self.project is not None and not self.work.running("models"):
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
        return Path(str(value)) if value else self.default_export_folder()

    def _remember_folder(self, folder: Path, zipped: bool) -> None:
        settings = QSettings()
        settings.setValue(f"export/folder/{self._project_key()}", str(folder))
        settings.setValue("export/zip", zipped)

    def save_state(self) -> None:
        super().save_state()
        QSettings().setValue("export/tab", self.tabs.currentIndex())


def _recorded_verdict(event: AuditEvent) -> Verdict:
    """The banner for a bundle exported earlier, from its audit event."""
    when = relative_time(event.at)
    if (event.after or {}).get("verified") is True:
        return Verdict("ok", "Verified when it was exported",
                       f"predict.py, run in a separate process, gave the same predictions as MLDesk when this bundle "
                       f"was exported ({when}). Verify again to check the files as they are now.")
    return Verdict("skipped", "Not verified",
                   f"This bundle was exported {when} without a check. Verify it before you hand it over.")
