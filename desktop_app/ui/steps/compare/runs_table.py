"""The runs table of the Compare step: text, status and experiment filters, sortable columns,
a column chooser on the header's context menu, and a selection that drives the comparison."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.steps.compare.runs_model import DEFAULT_WIDTH, RunsModel, RunsProxy
from desktop_app.ui.text.formatting import format_int, plural
from desktop_app.ui.widgets.elided_combo import ElidedComboBox

if TYPE_CHECKING:
    from desktop_app.core.tracking.entities import RunInfo

STATUS_FILTERS = (
    ("All statuses", None),
    ("Finished", ("finished",)),
    ("Queued or running", ("queued", "running")),
    ("Failed", ("failed",)),
    ("Cancelled or interrupted", ("cancelled", "interrupted")),
)
ALL_EXPERIMENTS = "All experiments"
SETTINGS_KEY = "compare/columns"
FILTER_MIN_PX = 120   # "Filter runs…" and the clear button


def _list_whole(combo: QComboBox) -> None:
    """The combo's opened list as wide as its longest entry (the closed combo may shorten it)."""
    combo.view().setMinimumWidth(combo.view().sizeHintForColumn(0) + 24)


class RunsTable(QWidget):
    selection_changed = Signal(list)   # selected run ids, in table order

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runsTable")
        self.model = RunsModel(self)
        self.proxy = RunsProxy(self)
        self.proxy.setSourceModel(self.model)
        self._column_choice: dict[str, bool] = _load_choice()

        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("runsFilter")
        self.filter_edit.setPlaceholderText("Filter runs…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setToolTip("Show the runs whose model, id, experiment, data, user or parameters contain "
                                    "every word typed (for example: forest balanced)")
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(150)
        self._filter_timer.timeout.connect(lambda: self._apply_filter(text=self.filter_edit.text()))
        self.filter_edit.textChanged.connect(lambda _t: self._filter_timer.start())
        self.status_combo = ElidedComboBox()
        self.status_combo.setObjectName("statusFilter")
        for text, value in STATUS_FILTERS:
            self.status_combo.addItem(text, value)
        self.status_combo.setToolTip("Show runs with this status only")
        self.status_combo.currentIndexChanged.connect(
            lambda _i: self._apply_filter(statuses=self.status_combo.currentData()))
        self.experiment_combo = ElidedComboBox()
        self.experiment_combo.setObjectName("experimentFilter")
        self.experiment_combo.addItem(ALL_EXPERIMENTS, None)
        self.experiment_combo.setToolTip("Show the runs of one experiment")
        self.experiment_combo.currentIndexChanged.connect(
            lambda _i: self._apply_filter(experiment=self.experiment_combo.currentData()))

        view = QTableView()
        view.setObjectName("runsView")
        view.setModel(self.proxy)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.setShowGrid(False)
        view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.verticalHeader().setVisible(False)
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        view.verticalHeader().setDefaultSectionSize(24)
        header = view.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        header.setToolTip("Click to sort; right-click to choose the columns")
        view.setSortingEnabled(True)
        view.sortByColumn(self.model.column_index("created") or 0, Qt.SortOrder.DescendingOrder)
        view.selectionModel().selectionChanged.connect(self._on_selection)
        self.view = view
        self._selection_timer = QTimer(self)
        self._selection_timer.setSingleShot(True)
        self._selection_timer.setInterval(60)   # one comparison per burst of clicks or drags
        self._selection_timer.timeout.connect(lambda: self.selection_changed.emit(self.selected_ids()))
        self.count_label = QLabel()
        self.count_label.setObjectName("hint")

        # A laptop's runs table is ~345 px wide: the combos give way (their text shortened with "…", the
        # list whole when opened) so that the filter keeps room for its words.
        self.filter_edit.setMinimumWidth(FILTER_MIN_PX)
        for combo in (self.status_combo, self.experiment_combo):
            _list_whole(combo)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(7)
        filters = QHBoxLayout()
        filters.setSpacing(6)
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.status_combo)
        filters.addWidget(self.experiment_combo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(filters)
        layout.addWidget(view, 1)
        layout.addWidget(self.count_label)
        self.model.modelReset.connect(self._apply_columns)
        for signal in (self.model.modelReset, self.model.rowsInserted, self.proxy.layoutChanged,
                       self.proxy.rowsRemoved, self.proxy.rowsInserted):
            signal.connect(lambda *_: self._update_count())
        self._apply_columns()
        self._update_count()

    # -- data -------------------------------------------------------------------------------
    def set_runs(self, runs: Iterable[RunInfo], keep_selection: bool = True) -> None:
        """Show `runs`. A reload that only changes or adds runs updates rows in place, so the
        selection and the scroll position stay; otherwise the model is reset and the selection
        restored."""
        runs = list(runs)
        if keep_selection and self.model.runs and {r.id for r in self.model.runs} <= {r.id for r in runs}:
            changed = self.model.update_runs(runs)
            if changed is not None:
                self._fill_experiments()
                self._update_count()
                selected = self.selected_ids()
                if set(changed) & set(selected):
                    self.selection_changed.emit(selected)   # a compared run changed (say, it finished)
                return
        selected = self.selected_ids() if keep_selection else []
        self.model.set_runs(runs)
        if self.model.sort_key is not None:  # columns may have moved: keep the arrow on the sorted one
            index = self.model.column_index(self.model.sort_key[0])
            if index is not None:
                self.view.horizontalHeader().setSortIndicator(index, self.model.sort_key[1])
        self._fill_experiments()
        if selected:
            self.select(selected, scroll=False)

    def _fill_experiments(self) -> None:
        experiments = sorted({r.experiment for r in self.model.runs if r.experiment})
        current = self.experiment_combo.currentData()
        self.experiment_combo.blockSignals(True)
        self.experiment_combo.clear()
        self.experiment_combo.addItem(ALL_EXPERIMENTS, None)
        for name in experiments:
            self.experiment_combo.addItem(name, name)
        index = self.experiment_combo.findData(current)
        self.experiment_combo.setCurrentIndex(max(index, 0))
        self.experiment_combo.blockSignals(False)
        _list_whole(self.experiment_combo)
        if index < 0 and current is not None:
            self._apply_filter(experiment=None)

    def update_runs(self, runs: list[RunInfo]) -> None:
        """Refresh or add a few runs, keeping the selection; reloads all when columns change."""
        if self.model.update_runs(runs) is None:
            merged = {r.id: r for r in self.model.runs}
            merged.update({r.id: r for r in runs})
            self.set_runs(sorted(merged.values(), key=lambda r: r.created_at, reverse=True))
        self._update_count()

    def select(self, run_ids: Iterable[str], scroll: bool = True) -> None:
        """Select exactly these runs (those hidden by a filter are left out)."""
        selection = QItemSelection()
        last = self.proxy.columnCount() - 1
        first_index = None
        for run_id in run_ids:
            row = self.model.row_of(run_id)
            if row is None:
                continue
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if not index.isValid():
                continue
            selection.select(index, self.proxy.index(index.row(), last))
            first_index = first_index or index
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.view.selectionModel().select(selection, flags)
        if first_index is not None:
            self.view.selectionModel().setCurrentIndex(first_index, QItemSelectionModel.SelectionFlag.NoUpdate)
            if scroll:
                self.view.scrollTo(first_index)
        self._selection_timer.stop()
        self.selection_changed.emit(self.selected_ids())

    def selected_rows(self) -> list[int]:
        """Selected proxy rows, in table order. Read from the selection's ranges: selectedRows()
        asks the model for its size once per row and column (0.3 s for 5,000 selected runs)."""
        rows: set[int] = set()
        for selection_range in self.view.selectionModel().selection():
            rows.update(range(selection_range.top(), selection_range.bottom() + 1))
        return sorted(rows)

    def selected_ids(self) -> list[str]:
        return [run.id for run in self.selected_runs()]

    def selected_runs(self) -> list[Any]:
        model, proxy = self.model, self.proxy
        return [model.runs[proxy.mapToSource(proxy.index(row, 0)).row()] for row in self.selected_rows()]

    def set_colors(self, colors: dict) -> None:
        self.model.set_colors(colors)

    # -- filters and columns ------------------------------------------------------------------
    def set_filter_text(self, text: str) -> None:
        self.filter_edit.setText(text)
        self._filter_timer.stop()
        self._apply_filter(text=text)

    def set_status_filter(self, statuses: tuple[str, ...] | None) -> None:
        for i in range(self.status_combo.count()):
            if self.status_combo.itemData(i) == statuses:
                self.status_combo.setCurrentIndex(i)
                return

    def _apply_filter(self, **changes: Any) -> None:
        self.proxy.set_filter(**changes)
        self._update_count()

    def is_column_visible(self, key: str) -> bool:
        index = self.model.column_index(key)
        return index is not None and not self.view.isColumnHidden(index)

    def set_column_visible(self, key: str, visible: bool) -> None:
        self._column_choice[key] = visible
        QSettings().setValue(SETTINGS_KEY, json.dumps(self._column_choice))
        index = self.model.column_index(key)
        if index is not None:
            self.view.setColumnHidden(index, not visible)
            if visible and self.view.columnWidth(index) < 30:
                self.view.setColumnWidth(index, self._width(self.model.columns[index]))

    def _apply_columns(self) -> None:
        for index, column in enumerate(self.model.columns):
            visible = self._column_choice.get(column.key, column.visible)
            self.view.setColumnHidden(index, not visible)
            self.view.setColumnWidth(index, self._width(column))
        header = self.view.horizontalHeader()
        color = self.model.column_index("color")
        if color is not None:
            header.setSectionResizeMode(color, QHeaderView.ResizeMode.Fixed)

    @staticmethod
    def _width(column: Any) -> int:
        if column.key in DEFAULT_WIDTH:
            return DEFAULT_WIDTH[column.key]
        return 78 if column.numeric else 100

    def _column_menu(self, pos) -> QMenu:
        menu = QMenu(self)
        menu.setObjectName("columnMenu")
        groups: dict[str, QMenu] = {}
        for column in self.model.columns:
            if column.key == "color":
                continue
            target = menu if column.group == "Details" else groups.get(column.group)
            if target is None:
                target = groups[column.group] = QMenu(column.group, menu)
            action = QAction(column.title, target)
            action.setCheckable(True)
            action.setChecked(self.is_column_visible(column.key))
            action.setToolTip(column.tooltip)
            action.toggled.connect(lambda checked, k=column.key: self.set_column_visible(k, checked))
            target.addAction(action)
        menu.addSeparator()
        for name in ("Metrics", "Cross-validation", "Parameters"):
            if name in groups:
                menu.addMenu(groups[name])
        menu.addSeparator()
        reset = menu.addAction("Show the default columns")
        reset.triggered.connect(self._reset_columns)
        menu.popup(self.view.horizontalHeader().mapToGlobal(pos))
        return menu

    def _reset_columns(self) -> None:
        self._column_choice = {}
        QSettings().remove(SETTINGS_KEY)
        self._apply_columns()

    # -- selection ------------------------------------------------------------------------------
    def _on_selection(self, *_args: Any) -> None:
        self._selection_timer.start()
        self._update_count()

    def _update_count(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        selected = len(self.selected_rows()) if self.view.selectionModel() else 0
        text = plural(total, "run") if shown == total else f"{format_int(shown)} of {plural(total, 'run')} shown"
        if selected:
            text += f" · {format_int(selected)} selected"
        elif total:
            text += " · Ctrl+click or Shift+click to select runs to compare"
        self.count_label.setText(text)


def _load_choice() -> dict[str, bool]:
    try:
        value = json.loads(QSettings().value(SETTINGS_KEY, "{}") or "{}")
    except (TypeError, ValueError):
        return {}
    return {str(k): bool(v) for k, v in value.items()} if isinstance(value, dict) else {}
