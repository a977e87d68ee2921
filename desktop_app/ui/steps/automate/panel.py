"""The Automate place: saved pipelines, their steps as a chain with each one's state, the definition as a form,
the run history, "Run now", and the command line for the computer's scheduler.

Not a step of the workflow (it replays the workflow), so it sits after Monitor in the navigator with Team.
Left: the project's pipelines and "New pipeline…" (from a registered version's lineage, or a template) and
"Import…" (a reviewed TOML file). Right: the selected pipeline — its chain of steps showing the selected run
(the newest by default; a click on a step says what it did), then three tabs: Definition (the form, "Save
changes" makes a new version), Runs (the history with outcomes and durations) and Schedule (the command, a
cron line and a Task Scheduler line, each with Copy).

"Run now" (Ctrl+Enter) begins a run here and executes it in a worker process (`core.pipelines.worker`):
progress and Cancel in the task bar (and on the button), each step's state read from the run's record as it
goes. Every core call runs on a worker thread.

State: ○ no pipeline has run, ● the newest run ended done, ◐ it stopped, failed or was cancelled.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import Cancelled, MLDeskError
from desktop_app.ui.steps.automate.chain import StepChain
from desktop_app.ui.steps.automate.form import DefinitionForm
from desktop_app.ui.steps.automate.text import (
    NO_PIPELINES,
    NO_PIPELINES_HINT,
    PURPOSE,
    SCHEDULE_HELP,
    STATUS_TEXT,
    run_summary,
    took,
)
from desktop_app.ui.steps.base import StepPanel, StepState
from desktop_app.ui.text.formatting import exact_time, relative_time
from desktop_app.ui.widgets.empty_state import EmptyState
from desktop_app.ui.widgets.errors import show_error, user_message
from desktop_app.ui.widgets.read_only_table import read_only_table
from desktop_app.ui.work.changes import EVERYTHING, Change

if TYPE_CHECKING:
    from desktop_app.core.pipelines.entities import PipelineRun, SavedPipeline
    from desktop_app.core.project import Project
    from desktop_app.ui.steps.automate.new_dialog import NewPipelineDialog
    from desktop_app.ui.work.tasks import Task, TaskRunner

STYLE = """
QWidget#automateStep { background: #ffffff; }
QTabWidget#automateTabs::pane { border: none; border-top: 1px solid #dde3e9; }
QListWidget#pipelineList::item { padding: 5px 4px; }
QLabel#pipelineTitle { font-size: 15px; font-weight: 600; }
"""
POLL_S = 0.25       # how often a running pipeline's record is read (on the task's thread)
TOML_FILTER = "Pipeline definitions (*.toml);;All files (*)"


class AutomateStep(StepPanel):
    key = "automate"
    shows = frozenset({Change.REGISTRY, Change.PIPELINES})

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, "Automate", PURPOSE, "Run now", parent)
        self.setObjectName("automateStep")
        self.setStyleSheet(STYLE)
        self.primary_button.clicked.connect(self._run_or_cancel)
        self.saved: dict[str, SavedPipeline] = {}
        self.latest: dict[str, PipelineRun | None] = {}
        self.runs: list[PipelineRun] = []
        self.shown_run: PipelineRun | None = None
        self.live: PipelineRun | None = None        # the running run as last read (written on the task's thread)
        self.run_task: Task | None = None
        self.dialog: NewPipelineDialog | None = None

        self.empty = EmptyState(NO_PIPELINES, "New pipeline…", NO_PIPELINES_HINT)
        self.empty.button.clicked.connect(self.new_pipeline)

        self.pipeline_list = QListWidget()
        self.pipeline_list.setObjectName("pipelineList")
        self.pipeline_list.currentItemChanged.connect(lambda item, _old: self._select(item))
        self.new_button = QPushButton("New pipeline…")
        self.new_button.clicked.connect(self.new_pipeline)
        self.import_button = QPushButton("Import…")
        self.import_button.setToolTip("Save a pipeline from a TOML file (one a colleague reviewed, say)")
        self.import_button.clicked.connect(self.import_toml)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        heading = QLabel("Pipelines")
        heading.setObjectName("sectionTitle")
        left_layout.addWidget(heading)
        left_layout.addWidget(self.pipeline_list, 1)
        left_layout.addWidget(self.new_button)
        left_layout.addWidget(self.import_button)

        self.title = QLabel()
        self.title.setObjectName("pipelineTitle")
        self.saved_note = QLabel()
        self.saved_note.setObjectName("hint")
        self.saved_note.setWordWrap(True)
        self.run_file_button = QPushButton("Run on a file…")
        self.run_file_button.setToolTip("Run the pipeline on a file you choose instead of its source")
        self.run_file_button.clicked.connect(self.run_on_file)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title)
        title_row.addStretch(1)
        title_row.addWidget(self.run_file_button)
        self.chain = StepChain()
        self.chain.step_clicked.connect(self._show_step_detail)
        self.run_line = QLabel()
        self.run_line.setObjectName("runLine")
        self.run_line.setWordWrap(True)
        self.run_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.step_detail = QLabel()
        self.step_detail.setObjectName("hint")
        self.step_detail.setWordWrap(True)
        self.step_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("automateTabs")
        self.tabs.addTab(self._definition_tab(), "Definition")
        self.tabs.addTab(self._runs_tab(), "Runs")
        self.tabs.addTab(self._schedule_tab(), "Schedule")

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 0, 0, 0)
        right_layout.addLayout(title_row)
        right_layout.addWidget(self.saved_note)
        right_layout.addSpacing(4)
        right_layout.addWidget(self.chain)
        right_layout.addWidget(self.run_line)
        right_layout.addWidget(self.step_detail)
        right_layout.addWidget(self.tabs, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("automateSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([190, 800])
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.splitter)
        self.body.addWidget(self.pages, 1)
        self.remember_splitters(self.splitter)
        self._update_buttons()

    # -- tabs ------------------------------------------------------------------------------------

    def _definition_tab(self) -> QWidget:
        self.form = DefinitionForm()
        self.form.changed.connect(self._form_changed)
        scroller = QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QScrollArea.Shape.NoFrame)
        scroller.setWidget(self.form)
        self.form_error = QLabel()
        self.form_error.setObjectName("errorText")
        self.form_error.setWordWrap(True)
        self.form_error.hide()
        self.save_button = QPushButton("Save changes")
        self.save_button.setToolTip("Save the form as the pipeline's next version (kept in the audit trail)")
        self.save_button.clicked.connect(self.save_changes)
        self.revert_button = QPushButton("Revert")
        self.revert_button.clicked.connect(lambda: self._show_definition())
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Write the definition as a TOML file a team can review")
        self.export_button.clicked.connect(self.export_toml)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(scroller, 1)
        layout.addWidget(self.form_error)
        layout.addLayout(buttons)
        return page

    def _runs_tab(self) -> QWidget:
        stretch, fit = QHeaderView.ResizeMode.Stretch, QHeaderView.ResizeMode.ResizeToContents
        self.runs_table = read_only_table("pipelineRuns", ["Started", "Status", "Took", "Input", "Outcome"],
                                          [fit, fit, fit, fit, stretch], select_rows=True)
        self.runs_table.itemSelectionChanged.connect(self._run_selected)
        self.no_runs = QLabel("No runs yet: press Run now, or schedule it (the Schedule tab).")
        self.no_runs.setObjectName("hint")
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.no_runs)
        layout.addWidget(self.runs_table, 1)
        return page

    def _schedule_tab(self) -> QWidget:
        help_text = QLabel(SCHEDULE_HELP)
        help_text.setWordWrap(True)
        help_text.setObjectName("hint")
        form = QFormLayout()
        self.schedule_fields: dict[str, QLineEdit] = {}
        scheduler = ("windows", "Windows Task Scheduler") if os.name == "nt" else ("cron", "cron (Linux, macOS)")
        for key, label in (("command", "Command"), scheduler):
            field = QLineEdit()
            field.setReadOnly(True)
            field.setObjectName(f"schedule_{key}")
            copy = QPushButton("Copy")
            copy.setAccessibleName(f"Copy the {label} line")
            copy.clicked.connect(lambda _c=False, f=field: QGuiApplication.clipboard().setText(f.text()))
            row = QHBoxLayout()
            row.addWidget(field, 1)
            row.addWidget(copy)
            form.addRow(label, row)
            self.schedule_fields[key] = field
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(help_text)
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    # -- the project -----------------------------------------------------------------------------

    def set_project(self, project: Project | None) -> None:
        self.work.drop()
        self.project = project
        self.saved, self.latest, self.runs, self.shown_run = {}, {}, [], None
        self.pipeline_list.clear()
        if project is not None:
            self.refresh()
        else:
            self._show_pages()

    def refresh(self) -> Task | None:
        if self.project is None:
            return None
        pipelines = self.project.pipelines

        def load(_progress) -> tuple[dict[str, SavedPipeline], dict[str, PipelineRun | None]]:
            names = pipelines.names()
            return ({name: pipelines.get(name) for name in names},
                    {name: next(iter(pipelines.runs(name, limit=1)), None) for name in names})

        return self.work.start("load", "Loading pipelines", load, done=self._loaded,
                               failed=lambda e: show_error(self, "Could not load the pipelines", e), visible=False)

    def _loaded(self, found: tuple[dict[str, SavedPipeline], dict[str, PipelineRun | None]]) -> None:
        self.saved, self.latest = found
        current = self.current_name()
        self.pipeline_list.blockSignals(True)
        self.pipeline_list.clear()
        for name in self.saved:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            run = self.latest.get(name)
            item.setToolTip(f"Last run {relative_time(run.started_at)}: {run.outcome}" if run else "Never run")
            self.pipeline_list.addItem(item)
        self.pipeline_list.blockSignals(False)
        names = list(self.saved)
        if names:
            self.pipeline_list.setCurrentRow(names.index(current) if current in names else 0)
            self._select(self.pipeline_list.currentItem())
        self._show_pages()
        self._update_state()

    def _show_pages(self) -> None:
        self.pages.setCurrentWidget(self.splitter if self.saved else self.empty)
        self._update_buttons()

    def current_name(self) -> str | None:
        item = self.pipeline_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _select(self, item: QListWidgetItem | None) -> None:
        name = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if name is None or name not in self.saved:
            return
        saved = self.saved[name]
        self.title.setText(name)
        conflict = (" Saved on two workstations without seeing each other: this is the newest; save it to settle it."
                    if saved.conflict else "")
        when = f"saved {relative_time(saved.saved_at)} by {saved.saved_by}" if saved.saved_at else "saved"
        self.saved_note.setText(f"Version {saved.version}, {when}. {saved.definition.description}{conflict}".strip())
        self._show_definition()
        self._show_schedule(name)
        self._load_runs(name)

    def _show_definition(self) -> None:
        name = self.current_name()
        if name in self.saved:
            self.form.show_definition(self.saved[name].definition)
        self.form_error.hide()
        self._update_buttons()

    def _show_schedule(self, name: str) -> None:
        from desktop_app.core.pipelines.schedule import command_line, cron_line, task_scheduler_line

        path = self.project.path
        lines = {"command": command_line(path, name), "cron": cron_line(path, name),
                 "windows": task_scheduler_line(path, name)}
        for key, field in self.schedule_fields.items():
            field.setText(lines[key])
            field.setToolTip(lines[key])
        for field in self.schedule_fields.values():
            field.setCursorPosition(0)

    def _load_runs(self, name: str) -> Task:
        pipelines = self.project.pipelines
        return self.work.start("runs", f"Loading the runs of {name}", lambda _p: pipelines.runs(name, limit=200),
                               done=self._show_runs, visible=False,
                               failed=lambda e: show_error(self, "Could not load the runs", e))

    def _show_runs(self, runs: list[PipelineRun]) -> None:
        self.runs = runs
        self.runs_table.blockSignals(True)
        self.runs_table.setRowCount(len(runs))
        for row, run in enumerate(runs):
            cells = [relative_time(run.started_at), STATUS_TEXT[run.status.value], took(run.seconds),
                     Path(run.input_path).name or "—", run.outcome]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 0:
                    item.setToolTip(exact_time(run.started_at))
                if column == 3:
                    item.setToolTip(run.input_path)
                if column == 4:
                    item.setToolTip(run.outcome)
                self.runs_table.setItem(row, column, item)
        self.runs_table.blockSignals(False)
        self.runs_table.setVisible(bool(runs))
        self.no_runs.setVisible(not runs)
        if runs:
            self.runs_table.selectRow(0)
        self._show_run(runs[0] if runs else None)

    def _run_selected(self) -> None:
        rows = self.runs_table.selectionModel().selectedRows()
        if rows and rows[0].row() < len(self.runs):
            self._show_run(self.runs[rows[0].row()])

    def _show_run(self, run: PipelineRun | None) -> None:
        """The chain shows `run`'s steps (None: the definition's steps, all waiting)."""
        self.shown_run = run
        name = self.current_name()
        if run is None:
            steps = list(self.saved[name].definition.steps()) if name in self.saved else []
            self.chain.show_steps(steps)
            self.run_line.setText("Not run yet. Run now runs it on the newest file matching its source.")
        else:
            self.chain.show_steps([s.step for s in run.steps],
                                  {s.step: (s.state.value, s.seconds) for s in run.steps})
            self.run_line.setText(run_summary(run))
        self._show_step_detail(self.chain.selected)

    def _show_step_detail(self, step: str | None) -> None:
        record = self.shown_run.step(step) if self.shown_run is not None and step else None
        if record is None:
            self.step_detail.setText("Click a step to see what it did." if self.shown_run else "")
            return
        made = "; ".join(f"{kind.replace('_', ' ')} {', '.join(map(_short, ids if isinstance(ids, list) else [ids]))}"
                         for kind, ids in record.made.items())
        said = record.detail or record.state.value
        if said.rstrip(".") in self.shown_run.outcome:   # the line above says it already: only what it made
            text = f"{step.capitalize()} {record.state.value}" + (f"; it made {made}." if made else ".")
        else:
            text = f"{step.capitalize()}: {said}" + (f"  ({made})" if made else "")
        self.step_detail.setText(text)

    # -- saving ----------------------------------------------------------------------------------

    def _form_changed(self) -> None:
        self.form_error.hide()
        self._update_buttons(edited=True)

    def save_changes(self) -> Task | None:
        from desktop_app.core.pipelines.errors import PipelineDefinitionError

        try:
            definition = self.form.definition()
        except PipelineDefinitionError as exc:
            self.form_error.setText(str(exc))
            self.form_error.show()
            return None
        pipelines = self.project.pipelines
        return self.work.run(f"Saving pipeline {definition.name}", lambda _p: pipelines.save(definition),
                             done=lambda _saved: self._changed(), visible=False,
                             failed=lambda e: self._form_failed(e))

    def _form_failed(self, error: BaseException) -> None:
        self.form_error.setText(user_message(error, context="Saving the pipeline"))
        self.form_error.show()

    def _changed(self) -> None:
        self.announce(Change.PIPELINES)
        self.refresh()

    def new_pipeline(self, version: str | None = None) -> Task:
        """Open "New pipeline…" once the registered versions are read (the dialog offers them; `version`, e.g.
        "heart-risk@2", is picked)."""
        return self.load_registered_models(done=lambda models: self._open_new_dialog(models, version),
                                           failed=lambda e: show_error(self, "Could not read the registry", e))

    def _open_new_dialog(self, models, version: str | None = None) -> NewPipelineDialog:
        from desktop_app.ui.steps.automate.new_dialog import NewPipelineDialog

        versions = [(v.label, v.label + (f" ({', '.join(v.aliases)})" if v.aliases else ""))
                    for m in models for v in reversed(m.versions) if not v.archived]
        self.dialog = NewPipelineDialog(self, versions, [m.name for m in models], taken=list(self.saved))
        if version is not None:
            self.dialog.pick_version(version)
        self.dialog.accepted.connect(lambda d=self.dialog: self._create(d.request()))
        self.dialog.open()
        return self.dialog

    def _create(self, request: dict[str, Any]) -> Task:
        pipelines = self.project.pipelines

        def save(_progress):
            from desktop_app.core.pipelines import templates
            from desktop_app.core.pipelines.definition import Source

            path = str(Path(request["path"]).expanduser()) if request["path"] else None
            if request["kind"] == "lineage":
                return pipelines.save_from_version(request["version"], request["name"], input_path=path)
            source = Source(path or "", request["dataset"])
            if request["kind"] == "monthly-retrain":
                definition = templates.monthly_retrain(request["name"], source=source, target=request["target"],
                                                       algorithm="logistic_regression", model=request["model"])
            else:
                definition = templates.score_and_watch(request["name"], source=source, model=request["model"])
            return pipelines.save(definition, reason="From a template")

        return self.work.run(f"Saving pipeline {request['name']}", save, visible=False,
                             done=lambda saved: self._changed_to(saved.name),
                             failed=lambda e: show_error(self, "Could not save the pipeline", e))

    def _changed_to(self, name: str) -> None:
        self.announce(Change.PIPELINES)
        self.pipeline_list.blockSignals(True)
        self.pipeline_list.clear()
        item = QListWidgetItem(name)
        item.setData(Qt.ItemDataRole.UserRole, name)
        self.pipeline_list.addItem(item)     # so that the reload keeps it selected
        self.pipeline_list.setCurrentItem(item)
        self.pipeline_list.blockSignals(False)
        self.refresh()

    def export_toml(self) -> Task | None:
        name = self.current_name()
        if name is None:
            return None
        path, _ = QFileDialog.getSaveFileName(self, "Export the pipeline for review", f"{name}.toml", TOML_FILTER)
        if not path:
            return None
        definition = self.saved[name].definition

        def write(_progress) -> str:
            from desktop_app.core.pipelines.toml_file import write

            write(definition, path)
            return path

        return self.work.run(f"Writing {Path(path).name}", write, visible=False,
                             done=lambda p: self.step_detail.setText(f"Written to {p}."),
                             failed=lambda e: show_error(self, "Could not write the file", e))

    def import_toml(self) -> Task | None:
        path, _ = QFileDialog.getOpenFileName(self, "Save a pipeline from a TOML file", "", TOML_FILTER)
        if not path:
            return None
        pipelines = self.project.pipelines

        def read(_progress) -> SavedPipeline:
            from desktop_app.core.pipelines.toml_file import loads

            try:
                text = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise MLDeskError(f"{path} cannot be read ({exc}).") from None
            return pipelines.save(loads(text), reason=f"Imported from {Path(path).name}")

        return self.work.run(f"Reading {Path(path).name}", read, visible=False,
                             done=lambda saved: self._changed_to(saved.name),
                             failed=lambda e: show_error(self, "Could not save the pipeline from that file", e))

    # -- running ---------------------------------------------------------------------------------

    def _run_or_cancel(self) -> None:
        if self.run_task is not None:
            self.run_task.cancel()
        else:
            self.run_now()

    def run_on_file(self) -> Task | None:
        path, _ = QFileDialog.getOpenFileName(self, "Run the pipeline on this file", "",
                                              "Data files (*.csv *.tsv *.txt *.xlsx *.xls *.parquet);;All files (*)")
        return self.run_now(path) if path else None

    def run_now(self, input_path: str | None = None) -> Task | None:
        name = self.current_name()
        if name is None or self.run_task is not None:
            return None
        project = self.project
        self.live = None

        def work(progress) -> PipelineRun:
            from desktop_app.core.pipelines.worker import PipelineProcess

            begun = project.pipelines.begin(name, input_path)
            self.live = begun
            worker = PipelineProcess(project, begun.id)
            try:
                while not worker.ended:
                    self.live = worker.poll()
                    progress(worker.fraction, worker.message)   # raises Cancelled once Cancel is pressed
                    time.sleep(POLL_S)
                self.live = worker.poll()
                return self.live
            except Cancelled:
                self.live = worker.cancel()
                raise

        self.run_task = self.work.start("run", f"Running pipeline {name}", work, done=self._run_ended,
                                        failed=lambda e: show_error(self, f"The pipeline {name} could not run", e),
                                        cancelled=self._run_ended, ended=self._run_finished,
                                        progress=lambda _f, _m: self._show_live())
        self._update_buttons()
        return self.run_task

    def _show_live(self) -> None:
        if self.live is not None and self.live.pipeline == self.current_name():
            self._show_run(self.live)

    def _run_ended(self, _run: PipelineRun | None = None) -> None:
        self._show_live()

    def _run_finished(self) -> None:
        self.run_task = None
        self.announce(*EVERYTHING)
        self.refresh()

    # -- state -----------------------------------------------------------------------------------

    def _update_buttons(self, edited: bool = False) -> None:
        running = self.run_task is not None
        has = self.current_name() is not None and bool(self.saved)
        self.primary_button.setText("Cancel run" if running else "Run now")
        self.primary_button.setEnabled(running or has)
        self.primary_button.setToolTip("Stop the run (what its finished steps made is kept)" if running else
                                       "Run the pipeline now on the newest file matching its source")
        self.run_file_button.setEnabled(has and not running)
        self.save_button.setEnabled(has and edited)
        self.revert_button.setEnabled(has and edited)

    def _update_state(self) -> None:
        runs = [r for r in self.latest.values() if r is not None]
        if not runs:
            detail = "no pipeline yet" if not self.saved else "saved, not run yet"
            self.state_changed.emit(StepState.NOT_STARTED, detail)
            return
        newest = max(runs, key=lambda r: r.started_at)
        state = StepState.DONE if newest.status.value in ("done", "running") else StepState.ATTENTION
        self.state_changed.emit(state, f"{newest.pipeline}: {newest.outcome or newest.status.value}")


def _short(value: object) -> str:
    """An id as the window shows ids (its first 8 characters); labels and paths as they are."""
    text = str(value)
    return text[:8] if len(text) == 36 and text.count("-") == 4 else text
