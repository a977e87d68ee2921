"""The Team place's master–detail: what needs attention (left) and the selected item explained (right).

Left, grouped: conflicts, batches waiting to be received, files left alone in the shared folder,
notes of the last sync. Right, the selected item's whole sentence and what to do: "Resolve…" for an
alias conflict (`resolve_requested(conflict)`), "Open the Registry" for another setting's conflict.
With nothing in the list, the right side says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.steps.team.text import KIND_TIPS, KIND_TITLES, Attention

if TYPE_CHECKING:
    from desktop_app.core.sync.service import Conflict

ITEM_ROLE = Qt.ItemDataRole.UserRole
WARNING_COLOR = "#a15c00"
ALL_CLEAR = ("✓ Nothing needs your attention: no conflicts, nothing waiting to be received, no stray files in "
             "the shared folder.")


class AttentionView(QSplitter):
    resolve_requested = Signal(object)     # the Conflict to settle
    registry_requested = Signal()          # a conflict settled by changing the setting again, in the Registry

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("teamSplitter")
        self.setChildrenCollapsible(False)
        self.list = QTreeWidget()
        self.list.setObjectName("attentionList")
        self.list.setHeaderHidden(True)
        self.list.setIndentation(12)
        self.list.setMinimumWidth(260)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.currentItemChanged.connect(lambda _c, _p: self._show_current())
        self.list.itemDoubleClicked.connect(lambda _i, _c: self._resolve())
        caption = QLabel("Needs attention")
        caption.setObjectName("subTitle")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(caption)
        left_layout.addWidget(self.list, 1)

        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.sentence.setTextFormat(Qt.TextFormat.PlainText)     # reasons and file names as they are
        self.sentence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sentence.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.resolve_button = QPushButton("Resolve…")
        self.resolve_button.setObjectName("resolveConflictButton")
        self.resolve_button.setToolTip("See both changes side by side and choose the one that counts")
        self.resolve_button.clicked.connect(self._resolve)
        self.registry_button = QPushButton("Open the Registry")
        self.registry_button.setToolTip("Change the setting again there: the new change replaces both")
        self.registry_button.clicked.connect(self.registry_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.resolve_button)
        buttons.addWidget(self.registry_button)
        buttons.addStretch(1)
        right = QWidget()
        right.setObjectName("attentionDetail")
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(14, 22, 4, 0)
        right_layout.addWidget(self.title)
        right_layout.addWidget(self.sentence)
        right_layout.addSpacing(6)
        right_layout.addLayout(buttons)
        right_layout.addStretch(1)
        self.addWidget(left)
        self.addWidget(right)
        self.setStretchFactor(0, 2)
        self.setStretchFactor(1, 3)
        self.items: list[Attention] = []
        self._show_current()

    def show_items(self, items: list[Attention]) -> None:
        """Fill the list (keeping the selected item when it is still there)."""
        current = self.current()
        self.items = list(items)
        self.list.blockSignals(True)
        self.list.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        target = None
        for item in self.items:
            group = groups.get(item.kind)
            if group is None:
                group = QTreeWidgetItem([KIND_TITLES[item.kind]])
                font = QFont(group.font(0))
                font.setBold(True)
                group.setFont(0, font)
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                group.setToolTip(0, KIND_TIPS[item.kind])
                if item.kind in ("conflict", "waiting"):
                    group.setForeground(0, QBrush(QColor(WARNING_COLOR)))
                self.list.addTopLevelItem(group)
                group.setExpanded(True)
                groups[item.kind] = group
            row = QTreeWidgetItem([("⚠ " if item.kind == "conflict" else "") + item.title])
            row.setData(0, ITEM_ROLE, item)
            row.setToolTip(0, item.sentence)
            group.addChild(row)
            if current is not None and (item.kind, item.title) == (current.kind, current.title):
                target = row
        for group in groups.values():
            group.setText(0, f"{group.text(0)} ({group.childCount()})")
        if target is None and self.list.topLevelItemCount():
            target = self.list.topLevelItem(0).child(0)
        self.list.setCurrentItem(target)
        self.list.blockSignals(False)
        self._show_current()

    def current(self) -> Attention | None:
        item = self.list.currentItem()
        return None if item is None else item.data(0, ITEM_ROLE)

    def select_conflict(self, model: str, alias: str | None) -> bool:
        for i in range(self.list.topLevelItemCount()):
            group = self.list.topLevelItem(i)
            for j in range(group.childCount()):
                item = group.child(j).data(0, ITEM_ROLE)
                if item.conflict is not None and (item.conflict.model, item.conflict.alias) == (model, alias):
                    self.list.setCurrentItem(group.child(j))
                    return True
        return False

    def _show_current(self) -> None:
        item = self.current()
        conflict: Conflict | None = item.conflict if item is not None else None
        if item is None:
            self.title.setText("All clear" if not self.items else "")
            self.sentence.setText(ALL_CLEAR if not self.items else "Select an item on the left.")
        else:
            self.title.setText(item.title)
            self.sentence.setText(item.sentence)
        self.resolve_button.setVisible(conflict is not None and conflict.alias is not None)
        self.registry_button.setVisible(conflict is not None and conflict.alias is None)

    def _resolve(self) -> None:
        item = self.current()
        if item is not None and item.conflict is not None and item.conflict.alias is not None:
            self.resolve_requested.emit(item.conflict)
