"""The Data step: import files, browse dataset versions, look at every column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QLabel, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from desktop_app.ui.steps.data.column_summary import ColumnSummaryPanel
from desktop_app.ui.steps.data.dataset_tree import DatasetTree
from desktop_app.ui.widgets.empty_state import EmptyState
from desktop_app.ui.widgets.errors import show_error, user_message
from desktop_app.ui.text.formatting import exact_time, plural
from desktop_app.ui.steps.data.frame_view import FrameView
from desktop_app.ui.steps.data.import_wizard import ImportWizard, dropped_file
from desktop_app.ui.steps.base import StepPanel, StepState
from desktop_app.ui.work.tasks import Task, TaskRunner

PURPOSE = (
    "Bring in the tables you will learn from and look at every column; "
    "each import is kept as a version you can come back to."
)


class DataStep(StepPanel):
    key = "data"
    focus_changed = Signal(object)  # the version label in focus, or None
    go_to_step = Signal(str)        # the key of the step to open next

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__("Data", PURPOSE, "Import data…", parent)
        self.setObjectName("dataStep")
        self.setAcceptDrops(True)
        self.runner = runner
        self.project: Any = None
        self.version: Any = None
        self.model: Any = None
        self.wizard: ImportWizard | None = None
        self._load_task: Task | None = None
        self._summary_task: Task | None = None
        self._summary_column: str | None = None
        self.primary_button.setToolTip("Import a CSV, Excel or Parquet file (Ctrl+I)")
        self.primary_button.clicked.connect(lambda: self.open_import_wizard())
        self.next_button.clicked.connect(lambda: self.go_to_step.emit("quality"))

        # Empty state
        self.empty = EmptyState(
            "No data yet — import a CSV, Excel or Parquet file",
            "Import data…",
            "You can also drop a file here.",
        )
        self.empty.button.clicked.connect(lambda: self.open_import_wizard())

        # Master: dataset versions
        self.tree = DatasetTree()
        self.tree.version_selected.connect(self._on_version_selected)

        # Detail: header, table (or a message), column summary
        self.version_title = QLabel()
        self.version_title.setObjectName("sectionTitle")
        self.version_details = QLabel()
        self.version_details.setObjectName("hint")
        self.version_details.setWordWrap(True)
        self.view = FrameView()
        self.view.column_selected.connect(self._summarize)
        self.table_message = QLabel()
        self.table_message.setObjectName("hint")
        self.table_message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.table_message.setWordWrap(True)
        self.table_stack = QStackedWidget()
        self.table_stack.addWidget(self.table_message)
        self.table_stack.addWidget(self.view)
        self.summary = ColumnSummaryPanel()

        self.inner_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.inner_splitter.setObjectName("dataInnerSplitter")
        self.inner_splitter.addWidget(self.table_stack)
        self.inner_splitter.addWidget(self.summary)
        self.inner_splitter.setStretchFactor(0, 1)
        self.inner_splitter.setSizes([600, 280])
        self.inner_splitter.setChildrenCollapsible(False)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(6, 0, 0, 0)
        detail_layout.setSpacing(2)
        detail_layout.addWidget(self.version_title)
        detail_layout.addWidget(self.version_details)
        detail_layout.addSpacing(4)
        detail_layout.addWidget(self.inner_splitter, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("dataSplitter")
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(detail)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([300, 900])
        self.splitter.setChildrenCollapsible(False)

        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.splitter)
        self.body.addWidget(self.pages)
        self.restore_state()
        self._show_version(None)

    # -- project ----------------------------------------------------------------------
    def set_project(self, project: Any) -> None:
        self._cancel_background()
        if self.wizard is not None and self.wizard.isVisible():
            self.wizard.reject()  # it belongs to the previous project
        self.project = project
        self.version = None
        self.model = None
        self.view.setModel(None)
        self.refresh()

    def refresh(self, select_version_id: str | None = None) -> None:
        if self.project is None:
            return
        try:
            datasets = self.project.datasets.list()
        except Exception as error:  # noqa: BLE001 - shown to the user
            show_error(self, "Could not list the datasets", error)
            return
        has_data = any(d.versions for d in datasets)
        self.pages.setCurrentWidget(self.splitter if has_data else self.empty)
        self.primary_button.setVisible(has_data)  # the empty state carries the same button
        if has_data:
            self.set_next(
                "Next: Check quality →", enabled=True,
                tooltip="Look for missing values, duplicates, outliers and more before training",
            )
            count = sum(len(d.versions) for d in datasets)
            self._set_state(StepState.DONE, f"{plural(len(datasets), 'dataset')}, {plural(count, 'version')}")
        else:
            self.next_button.setVisible(False)
            self.next_note.setVisible(False)
            self._set_state(StepState.NOT_STARTED, "no data imported yet")
        self.tree.set_datasets(datasets, select_version_id)
        if select_version_id:
            self.tree.select_version(select_version_id)

    # -- import -----------------------------------------------------------------------
    def open_import_wizard(self, path: str | Path | None = None) -> ImportWizard | None:
        if self.project is None:
            return None
        if self.wizard is not None and self.wizard.isVisible():
            self.wizard.raise_()
            self.wizard.activateWindow()
            return self.wizard
        if self.wizard is not None:
            self.wizard.deleteLater()  # the previous, closed one
        self.wizard = ImportWizard(self.project, self.runner, path=path, parent=self.window())
        self.wizard.imported.connect(lambda result: self.refresh(select_version_id=result.version.id))
        self.wizard.open()
        return self.wizard

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt name
        if self.project is not None and dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt name
        path = dropped_file(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            self.open_import_wizard(path)

    # -- version in focus ---------------------------------------------------------------
    def _on_version_selected(self, version: Any) -> None:
        if version is not None and self.version is not None and version.id == self.version.id:
            return
        self._show_version(version)
        if version is not None:
            self._load(version)

    def _show_version(self, version: Any) -> None:
        self.version = version
        self.focus_changed.emit(version.label if version is not None else None)
        self._summary_column = None
        if self._summary_task is not None:
            self._summary_task.cancel()
        if version is None:
            self.version_title.setText("")
            self.version_details.setText("")
            self.table_message.setText("Select a dataset version on the left to see its rows.")
            self.table_stack.setCurrentWidget(self.table_message)
            self.summary.show_message("Column details", "Select a dataset version first.")
            return
        self.version_title.setText(
            f"{version.label} · {plural(version.rows, 'row')} · {plural(version.n_columns, 'column')}"
        )
        if getattr(version, "parent_id", None):
            details = [f"Made {exact_time(version.created_at)} by {version.created_by}"]
            details.insert(0, self._derivation_text(version))
        else:
            details = [f"Imported {exact_time(version.created_at)} by {version.created_by}"]
            if getattr(version, "source_name", None):
                details.insert(0, f"From {version.source_name}")
        warnings = list(getattr(version, "warnings", ()) or ())
        if warnings:
            details.append(f"⚠ {plural(len(warnings), 'warning')} on import (hover to read)")
            self.version_details.setToolTip("\n".join(warnings))
        else:
            self.version_details.setToolTip("")
        self.version_details.setText(" · ".join(details))
        self.table_message.setText(f"Loading {version.label}…")
        self.table_stack.setCurrentWidget(self.table_message)
        self.summary.show_message("Column details", "Click a column in the table to see its summary.")

    def _derivation_text(self, version: Any) -> str:
        """'From heart@1 by 3 fixes' for a version made in the Quality step."""
        steps = len(version.recipe or [])
        try:
            parent_version = self.project.datasets.get_version(version.parent_id)
            parent = parent_version.label
            steps -= len(parent_version.recipe or [])  # the recipe holds the whole chain
        except Exception:  # the parent is gone from this copy of the project: still say what we know
            parent = "an earlier version"
        return f"From {parent} by {steps} fix{'es' if steps != 1 else ''} (recipe kept)"

    def _load(self, version: Any) -> None:
        if self._load_task is not None:
            self._load_task.cancel()
        datasets = self.project.datasets
        task = self.runner.submit(
            f"Loading {version.label}", lambda progress: datasets.load(version, progress, categories=True)
        )
        self._load_task = task
        task.finished.connect(lambda frame, t=task, v=version: self._loaded(t, v, frame))
        task.failed.connect(lambda error, t=task: self._load_failed(t, error))

    def _loaded(self, task: Task, version: Any, frame: Any) -> None:
        if task is not self._load_task:
            return
        self._load_task = None
        from desktop_app.ui.steps.data.frame_model import FrameModel

        old = self.model
        self.model = FrameModel(frame, version.kinds, runner=self.runner, parent=self)
        self.view.setModel(self.model)
        if old is not None:
            old.deleteLater()
        self.table_stack.setCurrentWidget(self.view)

    def _load_failed(self, task: Task, error: BaseException) -> None:
        if task is not self._load_task:
            return
        self._load_task = None
        self.table_message.setText(f"Could not load {self.version.label if self.version else 'the data'}: "
                                   f"{user_message(error)}")
        self.table_stack.setCurrentWidget(self.table_message)

    # -- column summary -------------------------------------------------------------------
    def _summarize(self, column: int) -> None:
        if self.model is None or self.version is None:
            return
        name = self.model.column_name(column)
        if name == self._summary_column:
            return
        self._summary_column = name
        if self._summary_task is not None:
            self._summary_task.cancel()
        series = self.model.frame.iloc[:, column]
        kind = self.version.kinds.get(name)
        self.summary.show_loading(name)

        def work(_progress):
            from desktop_app.core.data.summary import summarize_column

            return summarize_column(series, kind)

        task = self.runner.submit(f"Summarizing {name}", work, visible=False)
        self._summary_task = task
        task.finished.connect(lambda summary, t=task: self._summarized(t, summary))
        task.failed.connect(lambda error, t=task, n=name: self._summary_failed(t, n, error))

    def _summarized(self, task: Task, summary: Any) -> None:
        if task is self._summary_task:
            self._summary_task = None
            self.summary.show_summary(summary)

    def _summary_failed(self, task: Task, name: str, error: BaseException) -> None:
        if task is self._summary_task:
            self._summary_task = None
            self.summary.show_message(name, f"Could not summarize this column: {user_message(error)}", error=True)

    # -- housekeeping -------------------------------------------------------------------------
    def _cancel_background(self) -> None:
        for task in (self._load_task, self._summary_task):
            if task is not None:
                task.cancel()
        self._load_task = self._summary_task = None

    def restore_state(self) -> None:
        settings = QSettings()
        for splitter in (self.splitter, self.inner_splitter):
            state = settings.value(f"splitters/{splitter.objectName()}")
            if state is not None:
                splitter.restoreState(state)

    def save_state(self) -> None:
        settings = QSettings()
        for splitter in (self.splitter, self.inner_splitter):
            settings.setValue(f"splitters/{splitter.objectName()}", splitter.saveState())
