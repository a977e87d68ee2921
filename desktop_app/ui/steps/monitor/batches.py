"""The batches of the model version in focus, newest first: when (relative; exact on hover), name,
rows, share of features drifted, and ⚠ on batches at or above the dataset-drift threshold."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from desktop_app.ui.steps.monitor import text as mt
from desktop_app.ui.text.formatting import format_int

if TYPE_CHECKING:
    from desktop_app.core.monitor.entities import MonitoringBatch

ID_ROLE = Qt.ItemDataRole.UserRole
MARK, WHEN, NAME, ROWS, DRIFTED = range(5)


class BatchList(QTreeWidget):
    batch_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchList")
        self.setColumnCount(5)
        self.setHeaderLabels(["", "Added", "Batch", "Rows", "Drifted"])
        self.headerItem().setToolTip(MARK, "⚠ = dataset drift: the share of drifted features reached the threshold")
        self.headerItem().setToolTip(DRIFTED, "Share of the tested features that drifted")
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(MARK, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(MARK, 24)
        header.setSectionResizeMode(WHEN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ROWS, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DRIFTED, QHeaderView.ResizeMode.ResizeToContents)
        self.currentItemChanged.connect(self._current_changed)
        self._silent = False

    def set_batches(self, batches: Sequence[MonitoringBatch], selected: str | None = None) -> None:
        """Show `batches` (given oldest first) newest first; keep or set the selection."""
        self._silent = True
        self.clear()
        for batch in reversed(list(batches)):
            self.addTopLevelItem(self._item(batch))
        self._silent = False
        if selected is not None:
            self.select(selected)

    def _item(self, batch: MonitoringBatch) -> QTreeWidgetItem:
        when, exact = mt.batch_when(batch)
        tested = len(mt.tested(batch))
        drifted = len(batch.drifted_columns)
        item = QTreeWidgetItem(["⚠" if batch.dataset_drift else "", when, batch.name, format_int(batch.rows),
                                f"{mt.format_share(batch.share_drifted)} ({drifted}/{tested})"])
        item.setData(0, ID_ROLE, batch.id)
        item.setToolTip(WHEN, f"Added {exact}" + (f" by {batch.created_by}" if batch.created_by else ""))
        item.setToolTip(NAME, f"{batch.name}\n{batch.dataset_label} · id {batch.short_id}")
        item.setToolTip(DRIFTED, mt.share_sentence(batch)
                        + (f"\nDrifted: {', '.join(batch.drifted_columns)}" if drifted else ""))
        for col in (ROWS, DRIFTED):
            item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setTextAlignment(MARK, Qt.AlignmentFlag.AlignCenter)
        if batch.dataset_drift:
            red = QBrush(QColor(mt.ALERT_COLOR))
            item.setForeground(MARK, red)
            item.setForeground(DRIFTED, red)
            item.setToolTip(MARK, "Dataset drift: " + mt.share_sentence(batch))
            font = item.font(DRIFTED)
            font.setBold(True)
            item.setFont(DRIFTED, font)
        elif drifted:
            item.setForeground(DRIFTED, QBrush(QColor("#8a5a00")))
        return item

    def ids(self) -> list[str]:
        """Batch ids in the order shown (newest first)."""
        return [self.topLevelItem(i).data(0, ID_ROLE) for i in range(self.topLevelItemCount())]

    def selected_id(self) -> str | None:
        item = self.currentItem()
        return None if item is None else item.data(0, ID_ROLE)

    def select(self, batch_id: str) -> None:
        for i in range(self.topLevelItemCount()):
            item = self.topLevelItem(i)
            if item.data(0, ID_ROLE) == batch_id:
                self.setCurrentItem(item)
                self.scrollToItem(item)
                return

    def _current_changed(self, current: QTreeWidgetItem | None, _previous) -> None:
        if current is not None and not self._silent:
            self.batch_selected.emit(current.data(0, ID_ROLE))
