"""A small read-only table of example rows (already formatted as text by `evidence.example_rows`)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

MISSING_BACKGROUND = QBrush(QColor("#eef0f3"))
HIGHLIGHT_BACKGROUND = QBrush(QColor("#fff4dc"))
MISSING_HIGHLIGHT = QBrush(QColor("#f7dfb0"))
VISIBLE_ROWS = 8


class ExampleRowsModel(QAbstractTableModel):
    def __init__(self, rows: Any = None, parent=None) -> None:
        super().__init__(parent)
        self.rows = rows

    def set_rows(self, rows: Any) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or self.rows is None else len(self.rows.cells)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or self.rows is None else len(self.rows.headers)

    def headerData(  # noqa: N802 - Qt name
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if self.rows is None:
            return None
        if orientation == Qt.Orientation.Horizontal:
            name = self.rows.headers[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return name
            if role == Qt.ItemDataRole.FontRole and name in self.rows.highlight:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.ToolTipRole and name in self.rows.highlight:
                return f"{name}: the column this finding is about"
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{self.rows.row_numbers[section]:,}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Row {self.rows.row_numbers[section]:,} of the dataset version"
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.rows is None:
            return None
        value = self.rows.cells[index.row()][index.column()]
        highlighted = self.rows.headers[index.column()] in self.rows.highlight
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if value is None else value
        if role == Qt.ItemDataRole.ToolTipRole:
            return "empty" if value is None else value
        if role == Qt.ItemDataRole.BackgroundRole:
            if value is None:
                return MISSING_HIGHLIGHT if highlighted else MISSING_BACKGROUND
            return HIGHLIGHT_BACKGROUND if highlighted else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            right = self.rows.numeric[index.column()]
            return int((Qt.AlignmentFlag.AlignRight if right else Qt.AlignmentFlag.AlignLeft)
                       | Qt.AlignmentFlag.AlignVCenter)
        return None


class ExampleRowsView(QTableView):
    """Shows up to `VISIBLE_ROWS` rows at a time; columns sized to their text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exampleRows")
        self.model_ = ExampleRowsModel(parent=self)
        self.setModel(self.model_)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setWordWrap(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        rows.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        header = self.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)

    def set_rows(self, rows: Any) -> None:
        self.model_.set_rows(rows)
        self.resizeColumnsToContents()
        header = self.horizontalHeader()
        for column in range(self.model_.columnCount()):
            header.resizeSection(column, min(max(header.sectionSize(column), 56), 220))
        shown = min(self.model_.rowCount(), VISIBLE_ROWS)
        frame = 2 * self.frameWidth()
        scroll = self.horizontalScrollBar().sizeHint().height()
        self.setFixedHeight(header.height() + shown * self.verticalHeader().defaultSectionSize() + frame + scroll)
