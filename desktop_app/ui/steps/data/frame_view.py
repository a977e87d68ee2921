"""The table view for a dataset version: sortable, sized from a sample, column selection."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

SAMPLE_ROWS = 100
MIN_WIDTH, MAX_WIDTH, PADDING = 48, 220, 16  # narrow: a laptop shows 5+ columns


class FrameView(QTableView):
    """Shows a FrameModel. `column_selected(column)` when the user picks a column."""

    column_selected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("frameView")
        self.setAlternatingRowColors(False)
        self.setWordWrap(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        rows.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        columns = self.horizontalHeader()
        columns.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        columns.setHighlightSections(True)
        columns.setSortIndicatorClearable(True)
        columns.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        columns.sectionClicked.connect(self._header_clicked)

    def setModel(self, model) -> None:  # noqa: N802 - Qt name
        self.setSortingEnabled(False)
        super().setModel(model)
        if model is None:
            return
        # No sort until the user asks: -1 keeps the file's order (and avoids sorting a big frame now).
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        self.size_columns()
        self.selectionModel().currentColumnChanged.connect(self._current_column_changed)

    def size_columns(self) -> None:
        """Widths from the header and the first rows only (never all rows)."""
        model = self.model()
        if model is None:
            return
        metrics = self.fontMetrics()
        header_metrics = self.horizontalHeader().fontMetrics()
        rows = min(model.rowCount(), SAMPLE_ROWS)
        for column in range(model.columnCount()):
            header = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            width = header_metrics.horizontalAdvance(header) + PADDING + 10  # room for the sort arrow
            for row in range(rows):
                text = model.display_text(row, column) if hasattr(model, "display_text") else str(
                    model.data(model.index(row, column)) or ""
                )
                width = max(width, metrics.horizontalAdvance(text) + PADDING)
            self.setColumnWidth(column, max(MIN_WIDTH, min(MAX_WIDTH, width)))

    def select_column(self, column: int) -> None:
        model = self.model()
        if model is None or not 0 <= column < model.columnCount():
            return
        row = max(0, self.currentIndex().row())
        self.selectionModel().setCurrentIndex(
            model.index(row, column), QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.scrollTo(model.index(row, column))

    def _header_clicked(self, column: int) -> None:
        # A header click sorts; it also makes that column the one the details describe.
        self.column_selected.emit(column)

    def _current_column_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if current.isValid():
            self.column_selected.emit(current.column())
