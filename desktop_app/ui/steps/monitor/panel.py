"""The Monitor step: new production rows checked for drift against a registered model version.

Top: the model version in focus (`name@alias` follows the alias, `name@N` is one version)
with its drift thresholds and "Drift settings…". Left: its batches, newest first. Right
(`MonitorPanel`): the selected batch in a card, the heat map of drift per feature × batch above
the selected feature's distributions, the share of drifted features and the model's quality
over time, and the per-feature results table.

"Add a batch…" (Ctrl+Enter) or a file dropped on the step runs `project.monitor.add_batch` on a
worker thread with progress and Cancel in the task bar (in a separate process when the check is
large: `ui.work.separate_process`); a batch the model cannot take is refused in the core's words,
with the details one click away, and nothing is stored. Every other core
call (models, batches, distributions, settings, the HTML report) runs on a worker too.

State: ○ no batches, ● the newest batch has no dataset drift, ◐ it has (needs attention).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QFrame, QScrollArea, QSplitter, QStackedWidget, QWidget

from desktop_app.ui.steps.base import StepPanel, StepState
from desktop_app.ui.steps.monitor.batches import BatchList
from desktop_app.ui.steps.monitor.detail import MonitorPanel
from desktop_app.ui.steps.monitor.picker import ModelPicker
from desktop_app.ui.text.formatting import plural
from desktop_app.ui.widgets.empty_state import EmptyState
from desktop_app.ui.widgets.errors import show_error, user_message
from desktop_app.ui.work import separate_process
from desktop_app.ui.work.changes import Change
from desktop_app.ui.work.chart_warmup import warm_up_charts

if TYPE_CHECKING:
    from PySide6.QtCore import QMimeData

    from desktop_app.core.monitor.entities import MonitoringBatch
    from desktop_app.core.monitor.settings import DriftSettings
    from desktop_app.core.progress import ProgressCallback
    from desktop_app.core.project import Project
    from desktop_app.core.registry.entities import ModelVersion, RegisteredModel
    from desktop_app.ui.steps.monitor.settings_dialog import DriftSettingsDialog
    from desktop_app.ui.work.tasks import Task, TaskRunner

PURPOSE = ("Check each new batch of production rows against the data the model was trained on: which features "
           "drifted, did the model's answers change, is it time to retrain?")
FILE_FILTER = "Data files (*.csv *.tsv *.txt *.xlsx *.xls *.parquet);;All files (*)"
SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".parquet")
STYLE = """
QWidget#monitorStep, QWidget#monitorPanel { background: #ffffff; }
QTabWidget#monitorTabs::pane { border: none; border-top: 1px solid #dde3e9; }
QTreeWidget#batchList, QTableView#driftTable { border: 1px solid #dde3e9; }
"""
LAST_MODEL_KEY = "monitor/lastModel"


class MonitorStep(StepPanel):
    key = "monitor"
    shows = frozenset({Change.REGISTRY, Change.MONITOR})
    go_to_registry = Signal()           # go_to_step("registry") follows
    batch_added = Signal(object)        # the new MonitoringBatch
    focus_changed = Signal(object)      # the model ref the user picked here, for the top bar

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, "Monitor", PURPOSE, "Add a batch…", parent)
        self.setObjectName("monitorStep")
        self.setStyleSheet(STYLE)
        self.setAcceptDrops(True)
        self.go_to_registry.connect(lambda: self.go_to_step.emit("registry"))
        self.version: ModelVersion | None = None     # the version in focus
        self.settings: DriftSettings | None = None   # its drift settings
        self.batches: list[MonitoringBatch] = []     # oldest first
        self.settings_dialog: DriftSettingsDialog | None = None
        self._pending: list[Path] = []       # files waiting for the batch being checked
        self._loading_distributions: set[tuple[str, str]] = set()
        self._select_after_load: str | None = None
        self.primary_button.setToolTip("Check a file of new rows (CSV, Excel or Parquet) for drift (Ctrl+Enter). "
                                       "You can also drop files on this step.")
        self.primary_button.clicked.connect(lambda: self.choose_batch_file())
        self.primary_button.setEnabled(False)

        self.picker = ModelPicker()
        self.picker.model_changed.connect(self._model_changed)
        self.picker.settings_requested.connect(self.open_settings)
        self.no_model = EmptyState(
            "No registered model — register one in the Registry step",
            "Go to the Registry step",
            "Drift is measured against the data a registered model version was trained on.")
        self.no_model.button.clicked.connect(self._go_registry)
        self.no_batches = EmptyState(
            "No batches yet — add a file of new rows to check it for drift",
            "Add a batch…",
            "A CSV, Excel or Parquet file with the model's columns (or drop it here). Include the target column "
            "once the true outcomes are known to also follow the model's quality.")
        self.no_batches.button.clicked.connect(lambda: self.choose_batch_file())
        self.batch_list = BatchList()
        self.batch_list.batch_selected.connect(lambda batch_id: self.panel.select(batch_id))
        self.panel = MonitorPanel()
        self.panel.selection_changed.connect(self._selection_changed)
        self.panel.distribution_wanted.connect(self._load_distribution)
        self.panel.summary.save_report_requested.connect(lambda: self.save_report())
        summary = QScrollArea()
        summary.setWidget(self.panel.summary)
        summary.setWidgetResizable(True)
        summary.setFrameShape(QFrame.Shape.NoFrame)
        summary.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.left_splitter = QSplitter(Qt.Orientation.Vertical)
        self.left_splitter.setObjectName("monitorLeftSplitter")
        self.left_splitter.addWidget(self.batch_list)
        self.left_splitter.addWidget(summary)
        self.left_splitter.setStretchFactor(1, 1)
        self.left_splitter.setSizes([170, 400])
        self.left_splitter.setChildrenCollapsible(False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("monitorSplitter")
        self.splitter.addWidget(self.left_splitter)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([360, 730])
        self.splitter.setChildrenCollapsible(False)
        self.pages = QStackedWidget()
        for page in (self.no_model, self.no_batches, self.splitter):
            self.pages.addWidget(page)
        self.picker.setVisible(False)
        self.body.addWidget(self.picker)
        self.body.addSpacing(4)
        self.body.addWidget(self.pages, 1)
        self.next_button.clicked.connect(lambda: self.go_to_step.emit("train"))
        self.batch_added.connect(lambda _batch: self.announce(Change.MONITOR))
        self.remember_splitters(self.splitter, self.left_splitter, self.panel.map_splitter, self.panel.time_splitter)

    # -- project, models and batches ---------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        self.work.drop()
        self._pending.clear()
        self.project = project
        self.version = self.settings = None
        self.batches = []
        self.panel.clear_cache()
        self._loading_distributions.clear()
        self.picker.set_models([])
        self.refresh()

    def refresh(self) -> Task | None:
        """Reload the registered models, then the batches of the one in focus (F5)."""
        if self.project is None:
            self._show_no_model()
            return None
        return self.load_registered_models(
            done=self._models_loaded,
            failed=lambda error: show_error(self, "Could not list the registered models", error))

    def _models_loaded(self, models: list[RegisteredModel]) -> None:
        ref = self.picker.set_models(models, QSettings().value(LAST_MODEL_KEY))
        if ref is None:
            self._show_no_model()
            return
        self.picker.setVisible(True)
        self.load_batches(ref)

    def _show_no_model(self) -> None:
        self.version = None
        self.batches = []
        self.picker.setVisible(False)
        self.pages.setCurrentWidget(self.no_model)
        self.primary_button.setEnabled(False)
        self.primary_button.setToolTip("Register a model first (Registry step): batches are checked against it.")
        self.next_button.setVisible(False)
        self._set_state(StepState.NOT_STARTED, "no registered model")

    def _model_changed(self, ref: str) -> None:
        if ref:
            QSettings().setValue(LAST_MODEL_KEY, ref)
            self.focus_changed.emit(ref)
            self.load_batches(ref)

    def load_batches(self, ref: str, select: str | None = None) -> Task | None:
        """Load the batches of the version `ref` names (worker thread); select `select` after."""
        if self.project is None:
            return None
        registry, monitor = self.project.registry, self.project.monitor
        self._select_after_load = select

        def work(_progress):
            version = registry.resolve(ref)
            return version, monitor.batches(version), monitor.settings(version.model_name)

        return self.work.start("batches", f"Loading the batches of {ref}", work, visible=False,
                               done=lambda result: self._batches_loaded(*result),
                               failed=lambda error: show_error(self, f"Could not load the batches of {ref}", error))

    def _batches_loaded(self, version: ModelVersion, batches: list[MonitoringBatch], settings: DriftSettings) -> None:
        select, self._select_after_load = self._select_after_load, None
        same = (self.version is not None and version.id == self.version.id
                and [b.id for b in batches] == [b.id for b in self.batches] and settings == self.settings)
        self.version, self.settings = version, settings
        self.picker.set_thresholds(settings)
        self.primary_button.setEnabled(True)
        self.primary_button.setToolTip(f"Check a file of new rows against {version.label} for drift (Ctrl+Enter). "
                                       "You can also drop files on this step.")
        if same and select is None:
            return   # nothing changed: keep what is on screen (selection, scroll, charts)
        self.show_batches(batches, select)

    def show_batches(self, batches: list[MonitoringBatch], select: str | None = None) -> None:
        """Show `batches` (oldest first) of the version in focus; select `select` (default: the newest)."""
        self.batches = list(batches)
        if not self.batches:
            self.no_batches.message.setText(f"No batches yet for {self.picker.current_ref() or self.version.label} — "
                                             "add a file of new rows to check it for drift")
            self.pages.setCurrentWidget(self.no_batches)
            self.next_button.setVisible(False)
            self._set_state(StepState.NOT_STARTED, "no batches yet")
            self.panel.prepare_charts()
            return
        selected = select or self.panel.batch_id
        if selected not in [b.id for b in self.batches]:
            selected = self.batches[-1].id
        self.pages.setCurrentWidget(self.splitter)
        self.batch_list.set_batches(self.batches, selected)
        self.panel.set_batches(self.batches, self.version.target if self.version else None, selected)
        self._update_state()

    def _update_state(self) -> None:
        newest = self.batches[-1]
        label = self.version.label if self.version else ""
        if newest.dataset_drift:
            self._set_state(StepState.ATTENTION, f"the newest batch of {label}, {newest.name}, has dataset drift")
            self.set_next("Retrain: go to the Train step →", enabled=True,
                          tooltip="Train a new model on recent data, then compare and register it")
        else:
            self._set_state(StepState.DONE, f"{plural(len(self.batches), 'batch', 'batches')} of {label}; "
                                            "the newest has no dataset drift")
            self.next_button.setVisible(False)

    def _selection_changed(self, batch_id: str, _feature: str) -> None:
        if self.batch_list.selected_id() != batch_id:
            self.batch_list.select(batch_id)

    def _load_distribution(self, batch_id: str, column: str) -> None:
        key = (batch_id, column)
        if self.project is None or key in self._loading_distributions:
            return
        self._loading_distributions.add(key)
        monitor = self.project.monitor

        def done(data: dict[str, Any]) -> None:
            self._loading_distributions.discard(key)
            self.panel.add_distribution(batch_id, column, data)

        def failed(error: BaseException) -> None:
            self._loading_distributions.discard(key)
            if (self.panel.batch_id, self.panel.feature) == key:
                self.panel.distribution.show_message(f"The distributions of '{column}' cannot be shown: "
                                                     f"{user_message(error)}")

        self.work.run(f"Reading the distributions of {column}", lambda _p: monitor.distributions(batch_id, column),
                      visible=False, done=done, failed=failed,
                      cancelled=lambda: self._loading_distributions.discard(key))

    # -- adding batches ------------------------------------------------------------------------------
    def choose_batch_file(self) -> Task | None:
        if self.version is None:
            return None
        start = str(QSettings().value("monitor/lastFolder", "") or "")
        path, _ = QFileDialog.getOpenFileName(self, f"Choose a file of new rows to check against {self.version.label}",
                                              start, FILE_FILTER)
        if not path:
            return None
        QSettings().setValue("monitor/lastFolder", str(Path(path).parent))
        return self.add_batch_file(path)

    def add_batch_file(self, path: str | Path) -> Task | None:
        """Check `path` against the version in focus (worker thread); a file given while another is being
        checked waits for it."""
        if self.project is None or self.version is None:
            return None
        path = Path(path)
        if self.work.running("add"):
            self._pending.append(path)
            return None
        project, version = self.project, self.version

        def check(progress: ProgressCallback) -> MonitoringBatch:
            return separate_process.call(project, "monitor.add_batch", version, path,
                                         needs=project.monitor.memory_needed(version, path), progress=progress)

        return self.work.start("add", f"Checking {path.name} against {version.label} for drift", check,
                               done=self._batch_added,
                               failed=lambda error: show_error(self, f"{path.name} was not added", error),
                               ended=self._add_next)

    def _batch_added(self, batch: MonitoringBatch) -> None:
        self.batch_added.emit(batch)
        if self.version is not None and batch.model_version_id == self.version.id:
            self.load_batches(self.picker.current_ref() or self.version.label, select=batch.id)

    def _add_next(self) -> None:
        """A file dropped while another was being checked is checked now."""
        if self._pending:
            self.add_batch_file(self._pending.pop(0))

    @property
    def busy(self) -> bool:
        """True while a batch is being checked or models / batches are loading."""
        return self.work.running("add", "models", "batches")

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt name
        if self.version is not None and _dropped_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt name
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt name
        files = _dropped_files(event.mimeData())
        if self.version is None or not files:
            event.ignore()
            return
        event.acceptProposedAction()
        for path in files:
            self.add_batch_file(path)

    # -- settings and report -------------------------------------------------------------------------
    def open_settings(self) -> DriftSettingsDialog | None:
        """The drift settings dialog of the model in focus (saved on a worker when accepted)."""
        if self.version is None or self.settings is None:
            return None
        from desktop_app.ui.steps.monitor.settings_dialog import DriftSettingsDialog

        dialog = DriftSettingsDialog(self.settings, self.version.model_name, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda d=dialog: self.save_settings(d.settings(), d.reason()))
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def save_settings(self, settings: DriftSettings, reason: str = "") -> Task | None:
        if self.project is None or self.version is None:
            return None
        monitor, name = self.project.monitor, self.version.model_name

        def saved(stored: DriftSettings) -> None:
            self.settings = stored
            self.picker.set_thresholds(stored)
            self.announce(Change.REGISTRY)   # the Registry's history records the change

        return self.work.run(f"Saving the drift settings of {name}",
                             lambda _p: monitor.set_settings(name, settings, reason=reason), done=saved,
                             failed=lambda error: show_error(self, "The drift settings were not saved", error))

    def save_report(self, path: str | Path | None = None) -> Task | None:
        """Save the selected batch's HTML report (asks where when `path` is not given)."""
        batch = self.panel.batch
        if batch is None or self.project is None:
            return None
        if path is None:
            start = Path(str(QSettings().value("monitor/lastFolder", "") or "")) / f"drift-{_stem(batch.name)}.html"
            path, _ = QFileDialog.getSaveFileName(self, "Save the drift report", str(start), "Web page (*.html)")
            if not path:
                return None
        path = Path(path)
        monitor = self.project.monitor

        def work(_progress):
            html = monitor.report_html(batch.id)
            path.write_text(html, encoding="utf-8")
            return path

        return self.work.run(f"Writing the drift report of {batch.name}", work,
                             done=lambda p: self.panel.summary.set_report_note(f"Report saved to {p}"),
                             failed=lambda error: show_error(self, "The report was not saved", error))

    # -- housekeeping ------------------------------------------------------------------------------
    def _go_registry(self) -> None:
        self.go_to_registry.emit()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        warm_up_charts(self)   # the step draws charts: prepare pyqtgraph in slices (once per process)
        if self.project is not None and not self.work.running("models", "batches"):
            self.refresh()      # a model may have been registered, or an alias moved, meanwhile


def _dropped_files(mime: QMimeData) -> list[Path]:
    if not mime.hasUrls():
        return []
    paths = [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
    return [p for p in paths if p.suffix.lower() in SUFFIXES]


def _stem(name: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9._-]+", "-", Path(name).stem).strip("-.")[:60] or "batch"
