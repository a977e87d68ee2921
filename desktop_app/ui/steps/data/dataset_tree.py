"""Datasets and their versions as a tree: "heart" → "v1 · 5,000 rows" over "12 columns · 2 min ago"."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem, QWidget

from desktop_app.ui.text.formatting import exact_time, plural, relative_time

if TYPE_CHECKING:
    from desktop_app.core.data.entities import DatasetInfo, DatasetVersionInfo

VERSION_ROLE = Qt.ItemDataRole.UserRole
MAX_WIDTH = 260


def version_text(version: DatasetVersionInfo) -> str:
    # Two lines: on one, a laptop's narrow tree showed "v1 · 5,00… just now".
    return (
        f"v{version.number} · {plural(version.rows, 'row')}\n"
        f"{plural(version.n_columns, 'column')} · {relative_time(version.created_at)}"
    )


def version_tooltip(version: DatasetVersionInfo) -> str:
    lines = [f"{version.label}", f"Imported {exact_time(version.created_at)} by {version.created_by}"]
    source = getattr(version, "source_name", None)
    if source:
        lines.append(f"From {source}")
    warnings = getattr(version, "warnings", ()) or ()
    if warnings:
        lines.append(f"{plural(len(warnings), 'warning')} on import")
    return "\n".join(lines)


class DatasetTree(QTreeWidget):
    """`version_selected(version)` when the user picks a version (None when nothing is selected)."""

    version_selected = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("datasetTree")
        self.setHeaderHidden(True)
        self.setColumnCount(1)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformRowHeights(False)   # a dataset's name is one line, a version two
        self.setMinimumWidth(150)
        self.setIndentation(14)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.currentItemChanged.connect(self._on_current)
        self._clock = QTimer(self)  # keeps "2 min ago" true
        self._clock.setInterval(60_000)
        self._clock.timeout.connect(self._retime)
        self._clock.start()

    def set_datasets(self, datasets: list[DatasetInfo], select_version_id: str | None = None) -> None:
        """Fill the tree; keep or set the selection (default: the newest version of the first dataset)."""
        previous = self.current_version()
        wanted = select_version_id or (previous.id if previous else None)
        self.blockSignals(True)
        self.clear()
        target: QTreeWidgetItem | None = None
        for dataset in datasets:
            parent = QTreeWidgetItem([dataset.name])
            parent.setFlags(parent.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            font = parent.font(0)
            font.setBold(True)
            parent.setFont(0, font)
            parent.setToolTip(0, f"{dataset.name}: {plural(len(dataset.versions), 'version')}")
            self.addTopLevelItem(parent)
            for version in reversed(dataset.versions):  # newest first
                child = QTreeWidgetItem([version_text(version)])
                child.setData(0, VERSION_ROLE, version)
                child.setToolTip(0, version_tooltip(version))
                parent.addChild(child)
                if version.id == wanted or (wanted is None and target is None):
                    target = child
            parent.setExpanded(True)
        self.blockSignals(False)
        self._fit_width()
        if target is not None:
            self.setCurrentItem(target)
        current = self.current_version()
        if (current.id if current else None) != (previous.id if previous else None):
            self.version_selected.emit(current)

    def _fit_width(self) -> None:
        """As wide as the widest entry (within reason): the splitter may not squeeze it below that."""
        needed = self.sizeHintForColumn(0) + 2 * self.frameWidth() + self.verticalScrollBar().sizeHint().width()
        self.setMinimumWidth(max(150, min(needed, MAX_WIDTH)))

    def current_version(self) -> Any:
        item = self.currentItem()
        return None if item is None else item.data(0, VERSION_ROLE)

    def select_version(self, version_id: str) -> bool:
        for i in range(self.topLevelItemCount()):
            parent = self.topLevelItem(i)
            for j in range(parent.childCount()):
                child = parent.child(j)
                if child.data(0, VERSION_ROLE).id == version_id:
                    self.setCurrentItem(child)
                    return True
        return False

    def _on_current(self, current: QTreeWidgetItem | None, _previous) -> None:
        self.version_selected.emit(None if current is None else current.data(0, VERSION_ROLE))

    def _retime(self) -> None:
        for i in range(self.topLevelItemCount()):
            parent = self.topLevelItem(i)
            for j in range(parent.childCount()):
                child = parent.child(j)
                child.setText(0, version_text(child.data(0, VERSION_ROLE)))
