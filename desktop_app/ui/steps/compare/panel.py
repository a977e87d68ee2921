"""The Compare step: every run of the project in a table; select two or more to compare.

Runs and their curves load on worker threads (TaskRunner); the table model stays fast
with thousands of runs. The comparison shows what differs, the metrics as bars, ROC and PR
curves (one-vs-rest per class for multi-class targets), confusion matrices, residuals of
regression runs, parameters against a metric, and a free scatter — each run in the same
colour everywhere, including its swatch in the table. pyqtgraph is prepared in slices on the
GUI thread (`ui.work.chart_warmup`) when the step shows, runs are queued, or a project with finished
runs loads, so the first chart does not freeze the window.

Re-run: the selected runs are re-created with the same dataset version, spec and seed
(`project.runs.rerun`, on a worker thread) and submitted to the SAME `RunQueueBridge` the
Train step uses (pass it to both constructors), so they appear in the Train step's queue
and in this table as they progress. `rerun_queued(ids)` tells the window, which may open
the Train step to show the queue; this step stays where it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QSplitter, QStackedWidget, QWidget

from desktop_app.ui.charts.colors import RunColors
from desktop_app.ui.steps.base import StepPanel, StepState
from desktop_app.ui.steps.compare.comparison import MAX_COMPARED, ComparePanel
from desktop_app.ui.steps.compare.runs_table import RunsTable
from desktop_app.ui.text.formatting import plural
from desktop_app.ui.text.runs import run_title
from desktop_app.ui.widgets.empty_state import EmptyState
from desktop_app.ui.widgets.errors import show_error, user_message
from desktop_app.ui.work import separate_process
from desktop_app.ui.work.changes import Change
from desktop_app.ui.work.chart_warmup import warm_up_charts
from desktop_app.ui.work.run_queue_bridge import RunQueueBridge

if TYPE_CHECKING:
    from desktop_app.core.project import Project
    from desktop_app.core.tracking.entities import RunInfo
    from desktop_app.ui.work.tasks import Task, TaskRunner

PURPOSE = (
    "Every run of this project, side by side: select two or more to see what differs, which scores better, "
    "and where — then re-run or register the one you trust."
)
STYLE = """
QWidget#compareStep, QWidget#comparePanel { background: #ffffff; }
QTabWidget#compareTabs::pane { border: none; border-top: 1px solid #dde3e9; }
QTableView#runsView { border: 1px solid #dde3e9; }
"""
RELOAD_DELAY_MS = 400   # runs ending in a burst reload the table once


class CompareStep(StepPanel):
    key = "compare"
    shows = frozenset({Change.RUNS})
    first_imports = ("desktop_app.core.training.catalogue",)   # the runs table's model names
    go_to_train = Signal()          # from the empty state (go_to_step("train") follows)
    rerun_queued = Signal(list)     # ids of the new runs queued by Re-run
    register_requested = Signal(str)  # "Next: Register this run": the run's id

    def __init__(self, runner: TaskRunner, run_queue: RunQueueBridge | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(runner, "Compare", PURPOSE, "Re-run selected", parent)
        self.setObjectName("compareStep")
        self.setStyleSheet(STYLE)
        self.run_queue = run_queue or RunQueueBridge(runner=runner, parent=self)
        self.colors = RunColors()
        self.curves: dict[str, dict] = {}           # run id → curves (finished runs never change)
        self._pending_select: list[str] | None = None
        self._compared_once = False
        self.primary_button.setToolTip("Train the selected runs again with the same data, settings and seed "
                                       "(Ctrl+Enter)")
        self.primary_button.clicked.connect(self.rerun_selected)
        self.primary_button.setEnabled(False)
        self.next_button.clicked.connect(self._register_selected)
        self._update_next([])

        self.empty = EmptyState(
            "No runs yet — train a model in the Train step",
            "Go to the Train step",
            "Each model you train becomes a run; compare them here.",
        )
        self.empty.button.clicked.connect(self._go_train)
        self.table = RunsTable()
        self.table.selection_changed.connect(self._on_selection)
        self.panel = ComparePanel()
        self.panel.explain.explain_requested.connect(self._read_run_curves)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("compareSplitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.panel)
        # Both sides give way on a small window: the charts keep room beside a wide runs table.
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([450, 630])
        self.splitter.setChildrenCollapsible(False)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.splitter)
        self.body.addWidget(self.pages)

        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(RELOAD_DELAY_MS)
        # the timer may fire after the window closed (runs ended as it closed): reload only while open
        self._reload_timer.timeout.connect(lambda: None if self.work.runner.is_shut_down else self.refresh())
        self.run_queue.run_submitted.connect(lambda _id: self._reload_timer.start())
        # Runs on their way: prepare the chart library now, while nobody is looking at charts.
        self.run_queue.run_submitted.connect(lambda _id: warm_up_charts(self))
        self.run_queue.run_started.connect(lambda _id: self._reload_timer.start())
        self.run_queue.run_ended.connect(lambda _id, _status: self._reload_timer.start())
        self.remember_splitters(self.splitter, self.panel.summary_splitter)

    # -- project and runs ---------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        self.work.drop()
        self.run_queue.set_project(project)
        self.project = project
        self.curves = {}
        self.colors = RunColors()
        self.table.set_runs([], keep_selection=False)
        self.panel.show_message("Select two or more runs in the table to compare them (Ctrl+click or Shift+click).")
        self.refresh()

    def refresh(self) -> Task | None:
        """Reload the runs (worker thread); the selection is kept (F5)."""
        if self.project is None:
            self.pages.setCurrentWidget(self.empty)
            return None
        runs_service = self.project.runs
        return self.work.start("runs", "Loading runs", lambda _p: runs_service.list(), visible=False,
                               done=self._loaded,
                               failed=lambda error: show_error(self, "Could not list the runs", error))

    def _loaded(self, runs: list[RunInfo]) -> None:
        self.show_runs(runs)
        if any(str(r.status) == "finished" for r in runs):
            warm_up_charts(self)  # runs to compare: have the charts ready before they are asked for

    def _read_run_curves(self, run_id: str) -> None:
        """The Explain tab asks for a run's partial dependence curves: read them on a worker."""
        if self.project is None:
            return
        project = self.project
        self.work.start(f"explain-{run_id}", f"Explaining run {run_id[:8]}",
                        lambda progress: separate_process.call(project, "explain.run_dependence", run_id,
                                                               needs=project.runs.prepared_bytes(run_id),
                                                               progress=progress), visible=False,
                        done=lambda curves: self.panel.explain.set_curves(run_id, curves),
                        failed=lambda error: self.panel.explain.set_curves(run_id, None, user_message(error)))

    def show_runs(self, runs: list[RunInfo]) -> None:
        """Put `runs` in the table (newest first), keeping the selection."""
        self.table.set_runs(runs)
        self.pages.setCurrentWidget(self.splitter if runs else self.empty)
        self.primary_button.setVisible(bool(runs))
        if self._pending_select is not None:
            ids, self._pending_select = self._pending_select, None
            self.table.select(ids)
        finished = sum(str(r.status) == "finished" for r in runs)
        if not runs:
            self._set_state(StepState.NOT_STARTED, "no runs yet")
        elif self._compared_once:
            self._set_state(StepState.DONE, f"{plural(len(runs), 'run')}, compared")
        else:
            self._set_state(StepState.NOT_STARTED, f"{plural(finished, 'finished run')} to compare")

    def select_runs(self, run_ids: list[str]) -> None:
        """Select these runs (e.g. the Train step's latest batch); waits for a reload in progress."""
        run_ids = list(run_ids)
        known = all(self.table.model.row_of(i) is not None for i in run_ids)
        stale = self._reload_timer.isActive()   # runs ended a moment ago: what the table holds is old
        loading = self.work.running("runs")
        if known and not loading and not stale:
            self.table.select(run_ids)
        else:
            self._pending_select = run_ids
            self._reload_timer.stop()
            if not loading or stale:
                self.refresh()

    @property
    def loading(self) -> bool:
        """True while runs are being (re)loaded or a reload is scheduled."""
        return self.work.running("runs") or self._reload_timer.isActive()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        warm_up_charts(self)  # the comparison draws charts: prepare pyqtgraph in slices (once per process)
        if self._reload_timer.isActive():  # do not show stale runs: reload now
            self._reload_timer.stop()
            self.refresh()

    def selected_runs(self) -> list[RunInfo]:
        return self.table.selected_runs()

    # -- comparison -----------------------------------------------------------------------------
    def _on_selection(self, run_ids: list[str]) -> None:
        runs = self.table.selected_runs()
        self.primary_button.setEnabled(bool(runs) and not self.work.running("rerun"))
        self._update_next(runs)
        oldest_first = sorted(runs, key=lambda r: (r.created_at is None, r.created_at))
        colors = self.colors.assign(r.id for r in oldest_first)
        self.table.set_colors(colors)
        if not runs:
            self.panel.show_message("Select two or more runs in the table to compare them "
                                    "(Ctrl+click or Shift+click).")
            return
        self.panel.show_runs(runs, colors, self.curves)   # one run: its own figures, until a second is added
        if len(runs) >= 2 and not self._compared_once:
            self._compared_once = True
            self._set_state(StepState.DONE, f"{plural(len(runs), 'run')} compared")
        self._load_curves(runs[:MAX_COMPARED])

    def _load_curves(self, runs: list[RunInfo]) -> None:
        wanted = [r for r in runs if r.id not in self.curves and r.curves_sha256 and str(r.status) == "finished"]
        if not wanted or self.project is None:
            return
        service = self.project.runs

        def work(progress):
            out = {}
            for i, run in enumerate(wanted):
                progress(i / len(wanted), f"Reading the curves of {run.short_id}")
                out[run.id] = service.curves(run)
            return out

        self.work.start("curves", "Loading curves", work, visible=False, done=self._curves_loaded,
                        failed=lambda error: show_error(self, "Could not read the curves of the selected runs", error))

    def _curves_loaded(self, curves: dict[str, dict]) -> None:
        self.curves.update(curves)
        if self.table.selected_ids():
            self.panel.update_curves(self.curves)

    # -- re-run ---------------------------------------------------------------------------------------
    def rerun_selected(self) -> Task | None:
        """Queue a new run for each selected run: same data version, settings and seed."""
        runs = self.table.selected_runs()
        if not runs or self.project is None or self.work.running("rerun"):
            return None
        service = self.project.runs
        ids = [r.id for r in runs]
        task = self.work.start("rerun", f"Queueing {plural(len(ids), 're-run')}",
                               lambda _p: [service.rerun(i) for i in ids], done=self._rerun_created,
                               failed=self._rerun_failed)
        self.primary_button.setEnabled(False)
        return task

    def _rerun_created(self, runs: list[RunInfo]) -> None:
        self.primary_button.setEnabled(bool(self.table.selected_ids()))
        self.table.update_runs(runs)
        self.run_queue.submit([r.id for r in runs], {r.id: run_title(r, with_id=False, extra=["re-run"])
                                                     for r in runs})
        self.rerun_queued.emit([r.id for r in runs])

    def _rerun_failed(self, error: BaseException) -> None:
        self.primary_button.setEnabled(bool(self.table.selected_ids()))
        show_error(self, "Could not queue the re-runs", error)

    def _update_next(self, runs: list[RunInfo]) -> None:
        """Register the run you trust: one finished run selected."""
        from desktop_app.core.tracking.entities import RunStatus

        if len(runs) == 1 and runs[0].status == RunStatus.FINISHED and runs[0].model_sha256:
            self.set_next("Next: Register this run →", enabled=True,
                          tooltip=f"Register run {runs[0].short_id} as a version of a named model")
        else:
            why = ("Select the one finished run you want to register." if len(runs) != 1
                   else "Only a finished run with a model can be registered.")
            self.set_next("Next: Register a run →", enabled=False, tooltip=why)

    def _register_selected(self) -> None:
        runs = self.table.selected_runs()
        if len(runs) == 1:
            self.register_requested.emit(runs[0].id)

    def _go_train(self) -> None:
        self.go_to_train.emit()
        self.go_to_step.emit("train")
