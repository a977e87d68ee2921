"""The Train step: pick data and target, tick models, set options, start; watch the queue.

Each ticked model card becomes one tracked run (`project.runs.create`, on a worker thread),
submitted to the window's `RunQueueBridge`: runs execute one after the other in worker
processes, so the window stays responsive and Cancel is immediate. When runs of the latest
batch end, a leaderboard ranks them and "Next: Compare runs →" offers the comparison. This
module holds the layout and the choice of data, target and task; starting and following the
runs is in training.py.

Window wiring (one RunQueueBridge shared with the Compare step):
    bridge = RunQueueBridge(parent=window)
    train = TrainStep(runner, run_queue=bridge)
    train.go_to_step.connect(navigator.select)           # "data", "quality", "compare"
    train.go_to_compare.connect(compare.select_runs)     # the latest batch's run ids
    data_step.focus_changed.connect(train.set_focus_version)
    train.set_project(project) with the other steps; train.save_state() and train.shutdown() on close
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.steps.base import StepPanel, StepState
from desktop_app.ui.steps.train.leaderboard import BatchLeaderboard
from desktop_app.ui.steps.train.models import ModelChecklist
from desktop_app.ui.steps.train.options import TrainOptions
from desktop_app.ui.steps.train.queue_list import RunQueueList
from desktop_app.ui.steps.train.target import TargetInfo, inspect_target, quality_line
from desktop_app.ui.steps.train.target import imbalance_hint as imbalance_text
from desktop_app.ui.steps.train.training import TrainingActions
from desktop_app.ui.text.formatting import plural
from desktop_app.ui.widgets.empty_state import EmptyState
from desktop_app.ui.widgets.errors import show_error, user_message
from desktop_app.ui.work.changes import Change
from desktop_app.ui.work.run_queue_bridge import RunQueueBridge

if TYPE_CHECKING:
    from desktop_app.core.data.entities import DatasetVersionInfo
    from desktop_app.core.project import Project
    from desktop_app.core.tracking.entities import RunInfo
    from desktop_app.ui.work.tasks import TaskRunner

PURPOSE = (
    "Pick the data and the column to predict, tick the models to try and start: each model becomes a "
    "tracked run you can compare, repeat and register."
)
TASKS = (("Classification", "classification"), ("Regression", "regression"))
LINE_COLOR = {"error": "#b3261e", "warning": "#8a5a00", "ok": "#2e7d32", "info": "#4a5563"}
STYLE = """
QWidget#trainStep, QWidget#trainSetup, QWidget#queueRows { background: #ffffff; }
QFrame#modelCard { border: none; border-bottom: 1px solid #edf0f3; }
QFrame#modelCard QToolButton { padding: 1px 4px; }
QFrame#queueRow { border: none; border-bottom: 1px solid #edf0f3; background: #ffffff; }
QPushButton#linkButton { border: none; color: #1f5fbf; padding: 2px 0; text-align: left; background: transparent; }
QPushButton#linkButton:hover { text-decoration: underline; }
QLabel#startSummary { color: #3b4654; }
QScrollArea#trainSetupScroll { border: none; }
"""


_NOTHING_PENDING = object()


class TrainStep(TrainingActions, StepPanel):
    """The step: layout and the choice of data, target and task. Starting and following the runs is in
    training.py (a mixin)."""

    key = "train"
    shows = frozenset({Change.DATASETS, Change.REPORTS, Change.RUNS})
    first_imports = ("desktop_app.core.training.task", "desktop_app.core.training.catalogue")   # target, runs
    go_to_compare = Signal(list)    # run ids of the latest batch, for the Compare step to select
    go_to_data = Signal()           # from the empty state (go_to_step("data") follows)
    focus_requested = Signal(str)   # a version id the user picked here (the Data step may follow)
    runs_changed = Signal()         # runs were created or ended (the Compare step reloads)

    def __init__(self, runner: TaskRunner, run_queue: RunQueueBridge | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(runner, "Train", PURPOSE, "Start training", parent)
        self._pending_task: Any = _NOTHING_PENDING  # a task whose model cards are not built yet
        self.setObjectName("trainStep")
        self.setStyleSheet(STYLE)
        self.run_queue = run_queue or RunQueueBridge(runner=runner, parent=self)
        self.versions: list[DatasetVersionInfo] = []
        self.version: DatasetVersionInfo | None = None
        self.target: str | None = None
        self._followed_target: str | None = None   # the Quality step's target, until one is picked here
        self.info: TargetInfo | None = None
        self.batch: list[str] = []               # run ids of the latest batch
        self.runs: dict[str, RunInfo] = {}       # the runs on the queue list, by id
        self._task_overridden = False
        self._finished_before = 0                # finished runs in the project (counted in the background)
        self._pending_focus: DatasetVersionInfo | str | None = None
        self.primary_button.setToolTip("Train every ticked model, one run each (Ctrl+Enter)")
        self.primary_button.clicked.connect(self.start_training)
        self.next_button.clicked.connect(self._go_compare)

        # Empty state: nothing to train on.
        self.empty = EmptyState(
            "No data yet — import a dataset in the Data step, then come back to train a model",
            "Go to the Data step",
            "Training needs a dataset version with the column you want to predict.",
        )
        self.empty.button.clicked.connect(self._go_data)

        # Setup: data, models, options.
        self.version_combo = QComboBox()
        self.version_combo.setObjectName("trainVersionCombo")
        self.version_combo.setToolTip("The dataset version to learn from")
        self.version_combo.setMinimumContentsLength(10)
        self.version_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.version_combo.currentIndexChanged.connect(self._on_version_picked)
        self.target_combo = QComboBox()
        self.target_combo.setObjectName("trainTargetCombo")
        self.target_combo.setToolTip("The column the model will predict")
        self.target_combo.setMinimumContentsLength(10)
        self.target_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.target_combo.currentIndexChanged.connect(self._on_target_picked)
        self.task_combo = QComboBox()
        self.task_combo.setObjectName("taskCombo")
        for text, value in TASKS:
            self.task_combo.addItem(text, value)
        self.task_combo.setToolTip("Classification predicts a class (yes/no, a category); regression a number. "
                                   "Detected from the target; change it if the guess is wrong.")
        self.task_combo.currentIndexChanged.connect(self._on_task_picked)
        self.task_note = QLabel()
        self.task_note.setObjectName("hint")
        self.quality_label = QLabel()
        self.quality_label.setObjectName("qualityLine")
        self.quality_label.setWordWrap(True)
        self.quality_label.setTextFormat(Qt.TextFormat.RichText)
        self.quality_label.linkActivated.connect(lambda _link: self.go_to_step.emit("quality"))
        self.imbalance_hint = QLabel()
        self.imbalance_hint.setObjectName("imbalanceHint")
        self.imbalance_hint.setWordWrap(True)
        self.imbalance_hint.setTextFormat(Qt.TextFormat.RichText)
        self.imbalance_hint.setVisible(False)
        self.imbalance_hint.linkActivated.connect(lambda _link: self.models.add_balanced_variants())
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)
        for row, (text, combo) in enumerate((("Data:", self.version_combo), ("Target:", self.target_combo))):
            label = QLabel(text)
            label.setBuddy(combo)
            grid.addWidget(label, row, 0)
            grid.addWidget(combo, row, 1)
        task_label = QLabel("Task:")
        task_label.setBuddy(self.task_combo)
        grid.addWidget(task_label, 2, 0)
        task_row = QHBoxLayout()
        task_row.setSpacing(6)
        task_row.addWidget(self.task_combo)
        task_row.addWidget(self.task_note, 1)
        grid.addLayout(task_row, 2, 1)
        grid.setColumnStretch(1, 1)

        self.models = ModelChecklist()
        self.models.changed.connect(self._update_start)
        self.options = TrainOptions()
        self.options.changed.connect(self._update_start)
        models_hint = QLabel("each ticked model becomes one run")
        models_hint.setObjectName("hint")
        models_hint.setToolTip("+ Variant trains the same model once more in the batch with other settings.")
        self.start_summary = QLabel()
        self.start_summary.setObjectName("startSummary")
        self.start_summary.setWordWrap(True)

        setup = QWidget()
        setup.setObjectName("trainSetup")
        setup_layout = QVBoxLayout(setup)
        setup_layout.setContentsMargins(0, 0, 10, 8)
        setup_layout.setSpacing(6)
        setup_layout.addWidget(_section("Data and target"))
        setup_layout.addLayout(grid)
        setup_layout.addWidget(self.quality_label)
        setup_layout.addWidget(self.imbalance_hint)
        setup_layout.addSpacing(2)
        models_title = QHBoxLayout()
        models_title.addWidget(_section("Models"))
        models_title.addWidget(models_hint, 1, Qt.AlignmentFlag.AlignBottom)
        setup_layout.addLayout(models_title)
        setup_layout.addWidget(self.models)
        setup_layout.addSpacing(2)
        setup_layout.addWidget(_section("Options"))
        setup_layout.addWidget(self.options)
        setup_layout.addStretch(1)
        self.setup_scroll = QScrollArea()
        self.setup_scroll.setObjectName("trainSetupScroll")
        self.setup_scroll.setWidgetResizable(True)
        self.setup_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setup_scroll.setWidget(setup)
        self.setup_scroll.setMinimumWidth(360)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(4)
        left_layout.addWidget(self.setup_scroll, 1)
        left_layout.addWidget(self.start_summary)   # always in sight, next to the way to start

        # Queue and leaderboard.
        self.queue_list = RunQueueList()
        self.queue_list.cancel_requested.connect(self.cancel_run)
        self.queue_list.cancel_all_requested.connect(self.cancel_all)
        self.queue_list.details_requested.connect(self._show_failure)
        self.leaderboard = BatchLeaderboard()
        self.leaderboard.setVisible(False)
        self.right_splitter = QSplitter(Qt.Orientation.Vertical)
        self.right_splitter.setObjectName("trainRightSplitter")
        self.right_splitter.addWidget(self.queue_list)
        self.right_splitter.addWidget(self.leaderboard)
        self.right_splitter.setChildrenCollapsible(False)
        self.right_splitter.setSizes([230, 330])
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(10, 0, 0, 0)
        right_layout.addWidget(self.right_splitter)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("trainSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([545, 535])
        self.splitter.setChildrenCollapsible(False)

        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.splitter)
        self.body.addWidget(self.pages)

        bridge = self.run_queue
        bridge.run_submitted.connect(self._on_submitted)
        bridge.run_started.connect(lambda run_id: self.queue_list.set_status(run_id, "running"))
        bridge.run_progress.connect(self.queue_list.set_progress)
        bridge.run_ended.connect(self._on_ended)
        bridge.failed.connect(lambda error: show_error(self, "The training queue had a problem", error))
        self.remember_splitters(self.splitter, self.right_splitter)
        self._update_start()

    # -- project and focus ---------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        """Show `project` (or None). Runs still queued for the previous project are cancelled."""
        self.work.drop()
        self.run_queue.set_project(project)
        self.project = project
        self.version, self.target, self.info = None, None, None
        self.batch, self.runs = [], {}
        self._finished_before = 0
        self.queue_list.clear_ended()
        self.leaderboard.setVisible(False)
        self.next_button.setVisible(False)
        self.next_note.setVisible(False)
        self.refresh()

    def set_focus_version(self, version: DatasetVersionInfo | str | None) -> None:
        """Train on `version` (a DatasetVersionInfo, its id or its label such as 'heart@2')."""
        if version is None:
            return
        if self.project is None:
            self._pending_focus = version
            return
        match = self._find_version(version)
        if match is None:
            self.refresh()
            match = self._find_version(version)
        if match is not None and (self.version is None or match.id != self.version.id):
            self.version_combo.blockSignals(True)   # followed, not picked here: no focus_requested echo
            self.version_combo.setCurrentIndex(self.version_combo.findData(match.id))
            self.version_combo.blockSignals(False)
            self._select_version(match)

    def refresh(self) -> None:
        """Reload the dataset versions and experiments, and re-read the target's quality report (F5).

        The window should also call it when the Quality step saves a report or makes a version."""
        if self.project is None:
            self.versions = []
            self.version_combo.clear()
            self.pages.setCurrentWidget(self.empty)
            self._update_start()
            return
        try:
            datasets = self.project.datasets.list()
            experiments = self.project.runs.experiments()
        except Exception as error:  # noqa: BLE001 - shown to the user
            show_error(self, "Could not list the datasets", error)
            return
        versions = [v for d in sorted(datasets, key=lambda d: d.name.lower()) for v in reversed(d.versions)]
        current = self.version.id if self.version is not None else None
        self.versions = versions
        self.version_combo.blockSignals(True)
        self.version_combo.clear()
        for v in versions:
            self.version_combo.addItem(f"{v.label} · {plural(v.rows, 'row')}", v.id)
            self.version_combo.setItemData(self.version_combo.count() - 1,
                                           f"{v.label}: {plural(v.rows, 'row')}, {plural(v.n_columns, 'column')}",
                                           Qt.ItemDataRole.ToolTipRole)
        self.version_combo.blockSignals(False)
        self.options.set_experiments(experiments)
        self.pages.setCurrentWidget(self.splitter if versions else self.empty)
        self.primary_button.setVisible(bool(versions))
        if not versions:
            self.version = None
            self._set_state(StepState.NOT_STARTED, "import data first")
            self._update_start()
            return
        wanted = self._pending_focus or current
        self._pending_focus = None
        match = self._find_version(wanted) if wanted is not None else None
        match = match or versions[0]
        self.version_combo.blockSignals(True)   # chosen here, not by the user: no focus_requested
        self.version_combo.setCurrentIndex(self.version_combo.findData(match.id))
        self.version_combo.blockSignals(False)
        if self.version is None or self.version.id != match.id:
            self._select_version(match)
        elif self.target is not None and not self.work.running("info"):
            self.set_target(self.target)   # a new quality report may exist for it
        self._count_runs()
        self._update_state()

    def _count_runs(self) -> None:
        """How many runs of this project finished (earlier sessions included), for the navigator."""
        service = self.project.runs
        self.work.start("count", "Counting runs", lambda _p: sum(str(r.status) == "finished" for r in service.list()),
                        visible=False, done=self._on_counted)

    def _on_counted(self, count: int) -> None:
        self._finished_before = count
        self._update_state()

    def _find_version(self, ref: DatasetVersionInfo | str) -> DatasetVersionInfo | None:
        key = getattr(ref, "id", ref)
        return next((v for v in self.versions if key in (v.id, v.label)), None)

    # -- data, target, task ------------------------------------------------------------------
    def _on_version_picked(self, index: int) -> None:
        if 0 <= index < len(self.versions):
            version = self.versions[index]
            if self.version is None or version.id != self.version.id:
                self._select_version(version)
                self.focus_requested.emit(version.id)

    def _select_version(self, version: DatasetVersionInfo) -> None:
        self.version = version
        names = [c.name for c in version.columns]
        remembered = QSettings().value(f"train/target/{version.dataset_name}")
        # Default: the Quality step's target, else the one in focus or last picked here, else the last
        # column that can be predicted (ids, free text and dates cannot).
        predictable = [c.name for c in version.columns if str(c.kind) not in ("id", "text", "datetime")] or names
        target = next(t for t in (self._followed_target, self.target, remembered, predictable[-1]) if t in names)
        self.target_combo.blockSignals(True)
        self.target_combo.clear()
        for column in version.columns:
            self.target_combo.addItem(column.name, column.name)
            self.target_combo.setItemData(self.target_combo.count() - 1, f"{column.name} ({column.kind})",
                                          Qt.ItemDataRole.ToolTipRole)
        self.target_combo.setCurrentIndex(names.index(target))
        self.target_combo.blockSignals(False)
        self.set_target(target)
        self.options.set_columns(names, target)

    def _on_target_picked(self, index: int) -> None:
        name = self.target_combo.itemData(index)
        if name and name != self.target:
            self._followed_target = None   # picked here: it stays until the Quality step picks another
            self.set_target(name)
            if self.version is not None:
                self.options.set_columns([c.name for c in self.version.columns], name)
            if self.version is not None:
                QSettings().setValue(f"train/target/{self.version.dataset_name}", name)

    def follow_target(self, name: str) -> None:
        """Predict `name`, the target picked or preselected in the Quality step, when the data here has it:
        an analyst who checked the data for one target should not find the models set up for another."""
        self._followed_target = name
        if self.version is not None and name != self.target and name in [c.name for c in self.version.columns]:
            self.set_target(name)
            self.options.set_columns([c.name for c in self.version.columns], name)

    def set_target(self, name: str) -> None:
        """Predict column `name` of the version in focus; the task is detected in the background."""
        if self.version is None:
            return
        index = self.target_combo.findData(name)
        if index >= 0 and index != self.target_combo.currentIndex():
            self.target_combo.blockSignals(True)
            self.target_combo.setCurrentIndex(index)
            self.target_combo.blockSignals(False)
        if name != self.target:
            self._task_overridden = False    # an override belongs to the target it was made for
        self.target = name
        self.info = None
        self.task_note.setText("detecting…")
        self.quality_label.setText(f"<span style='color:#6b7480'>Reading the quality report of "
                                   f"{self.version.label} for {name}…</span>")
        self._set_imbalance_hint(None)
        project, version = self.project, self.version
        self.work.start("info", f"Inspecting target {name}", lambda _p: inspect_target(project, version, name),
                        visible=False, done=self._on_info, failed=self._on_info_failed)
        self._update_start()

    def _on_info(self, info: TargetInfo) -> None:
        self.info = info
        if info.task is not None and not self._task_overridden:
            self.task_combo.blockSignals(True)
            self.task_combo.setCurrentIndex(self.task_combo.findData(info.task))
            self.task_combo.blockSignals(False)
        self._apply_task()
        text, severity = quality_line(info)
        if info.problem:
            text, severity = info.problem, "error"
        self.quality_label.setText(f"<span style='color:{LINE_COLOR[severity]}'>{text}</span>")
        self.quality_label.setToolTip(
            "The latest quality report of this version and target" if info.summary is not None else "")
        self._update_start()

    def _on_info_failed(self, error: BaseException) -> None:
        self.task_note.setText("")
        self.quality_label.setText(f"<span style='color:#b3261e'>Could not read column {self.target}: "
                                   f"{user_message(error)}</span>")
        self._update_start()

    def _on_task_picked(self, _index: int) -> None:
        self._task_overridden = self.info is not None and self.task_combo.currentData() != self.info.task
        self._apply_task()
        self._update_start()

    def set_task(self, task: str) -> None:
        """Override the detected task ('classification' or 'regression')."""
        self.task_combo.setCurrentIndex(self.task_combo.findData(task))

    @property
    def task(self) -> str | None:
        return self.task_combo.currentData() if self.info is not None and not self.info.problem else None

    def _apply_task(self) -> None:
        task = self.task
        detected = self.info.task if self.info is not None else None
        if task is None:
            self.task_note.setText("")
        elif task == detected:
            classes = f", {self.info.n_classes} classes" if self.info.n_classes else ""
            self.task_note.setText(f"detected from {self.target}{classes}")
        else:
            self.task_note.setText(f"your choice (detected: {detected})")
        # Building the model cards and their parameter forms takes ~0.1 s on the GUI thread:
        # do it when the step is on screen, not while the user imports or checks data.
        self._pending_task = task
        if self.isVisible():
            self._build_models()
        self.options.set_task(task, self.info.n_classes if self.info is not None else None)
        self._set_imbalance_hint(imbalance_text(self.info) if task == "classification" else None)

    def _build_models(self, *, only_if_visible: bool = False) -> bool:
        """Build the cards of a pending task; False while that waits for the step to show."""
        if self._pending_task is _NOTHING_PENDING:
            return True
        if only_if_visible and not self.isVisible():
            return False
        task, self._pending_task = self._pending_task, _NOTHING_PENDING
        self.models.set_task(task)
        return True

    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        if self._pending_task is not _NOTHING_PENDING:
            self._build_models()
            self._update_start()

    def _set_imbalance_hint(self, text: str | None) -> None:
        """Under the quality line when the check found class imbalance, with a link that acts on it."""
        if text:
            self.imbalance_hint.setText(
                f"<span style='color:#4a5563'>{text} <a href='variants'>Add a balanced variant</a> of each "
                "ticked model to compare.</span>")
        self.imbalance_hint.setVisible(bool(text))

    # -- next ---------------------------------------------------------------------------------
    def _go_data(self) -> None:
        self.go_to_data.emit()
        self.go_to_step.emit("data")

    # -- housekeeping -------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Cancel every run and stop the queue (call on window close)."""
        self.run_queue.shutdown()



def _section(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionTitle")
    return label
