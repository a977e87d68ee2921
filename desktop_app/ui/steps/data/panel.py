"""The Data step: import files, browse dataset versions, look at every column.

Left, the datasets and their versions; right, the selected version's rows (read on a worker, and
sorted on one when large) and the summary of the column clicked. The version selected here is the
one the project works on: `focus_changed` tells the top bar, and the Quality and Train steps follow.
Files come in through the import wizard (`import_wizard/`), opened by the button or a dropped file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QLabel, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from desktop_app.ui.steps.base import StepPanel, StepState
from desktop_app.ui.steps.data.column_summary import ColumnSummaryPanel
from desktop_app.ui.steps.data.dataset_tree import DatasetTree
from desktop_app.ui.steps.data.frame_view import FrameView
from desktop_app.ui.steps.data.import_wizard import ImportWizard, dropped_file
from desktop_app.ui.text.formatting import exact_time, plural
from desktop_app.ui.widgets.empty_state import EmptyState
from desktop_app.ui.widgets.errors import show_error, user_message
from desktop_app.ui.work.changes import Change

if TYPE_CHECKING:
    import pandas as pd

    from desktop_app.core.data.entities import DatasetVersionInfo
    from desktop_app.core.project import Project
    from desktop_app.ui.steps.data.frame_model import FrameModel
    from desktop_app.ui.work.tasks import TaskRunner

PURPOSE = (
    "Bring in the tables you will learn from and look at every column; "
    "each import is kept as a version you can come back to."
)


class DataStep(StepPanel):
    key = "data"
    shows = frozenset({Change.DATASETS})
    first_imports = ("pyarrow.parquet", "pandas", "desktop_app.ui.steps.data.frame_model")   # the table shown
    focus_changed = Signal(object)  # the version label in focus, or None

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, "Data", PURPOSE, "Import data…", parent)
        self.setObjectName("dataStep")
        self.setAcceptDrops(True)
        self.version: DatasetVersionInfo | None = None
        self.model: FrameModel | None = None
        self.wizard: ImportWizard | None = None
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
        # The table is what the step is for: it takes most of any change of the window's width (at
        # 1024 px the summary and the tree used to keep theirs and leave the table two columns).
        self.inner_splitter.setStretchFactor(0, 3)
        self.inner_splitter.setStretchFactor(1, 1)
        self.inner_splitter.setSizes([660, 240])
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
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setSizes([240, 960])
        self.splitter.setChildrenCollapsible(False)

        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.splitter)
        self.body.addWidget(self.pages)
        self.remember_splitters(self.splitter, self.inner_splitter)
        self._show_version(None)

    # -- project ----------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        self.work.drop()
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
        self.wizard.imported.connect(lambda _result: self.announce(Change.DATASETS))
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
    def _on_version_selected(self, version: DatasetVersionInfo | None) -> None:
        if version is not None and self.version is not None and version.id == self.version.id:
            return
        self._show_version(version)
        if version is not None:
            self._load(version)

    def _show_version(self, version: DatasetVersionInfo | None) -> None:
        self.version = version
        self.focus_changed.emit(version.label if version is not None else None)
        self._summary_column = None
        self.work.drop("summary")
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

    def _derivation_text(self, version: DatasetVersionInfo) -> str:
        """'From heart@1 by 3 fixes' for a version made in the Quality step."""
        steps = len(version.recipe or [])
        try:
            parent_version = self.project.datasets.get_version(version.parent_id)
            parent = parent_version.label
            steps -= len(parent_version.recipe or [])  # the recipe holds the whole chain
        except Exception:  # the parent is gone from this copy of the project: still say what we know
            parent = "an earlier version"
        return f"From {parent} by {steps} fix{'es' if steps != 1 else ''} (recipe kept)"

    def _load(self, version: DatasetVersionInfo) -> None:
        datasets = self.project.datasets
        self.work.start("load", f"Loading {version.label}",
                        lambda progress: datasets.load(version, progress, categories=True),
                        done=lambda frame: self._show_table(version, frame), failed=self._show_load_error)

    def _show_table(self, version: DatasetVersionInfo, frame: pd.DataFrame) -> None:
        from desktop_app.ui.steps.data.frame_model import FrameModel

        old = self.model
        self.model = FrameModel(frame, version.kinds, runner=self.runner, parent=self)
        self.view.setModel(self.model)
        if old is not None:
            old.deleteLater()
        self.table_stack.setCurrentWidget(self.view)

    def _show_load_error(self, error: BaseException) -> None:
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
        series = self.model.frame.iloc[:, column]
        kind = self.version.kinds.get(name)
        self.summary.show_loading(name)

        def work(_progress):
            from desktop_app.core.data.summary import summarize_column

            return summarize_column(series, kind)

        self.work.start("summary", f"Summarizing {name}", work, visible=False, done=self.summary.show_summary,
                        failed=lambda error: self.summary.show_message(
                            name, f"Could not summarize this column: {user_message(error)}", error=True))
