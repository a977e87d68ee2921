"""The step navigator: workflow steps in order, each with its state (○ ◐ ●), then a line and the Team place."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QFrame, QListWidget, QListWidgetItem, QWidget

from desktop_app.ui.icons import crisp_icon
from desktop_app.ui.steps.base import StepState

KEY_ROLE = Qt.ItemDataRole.UserRole


_GLYPH = {StepState.NOT_STARTED: "○", StepState.ATTENTION: "◐", StepState.DONE: "●"}
_COLOR = {StepState.NOT_STARTED: "#8a8f98", StepState.ATTENTION: "#c77700", StepState.DONE: "#2e7d32"}


def state_icon(state: StepState, size: int = 14) -> QIcon:
    """A circle icon drawn at 1x and 2x so it stays crisp at 200% scaling."""
    color = QColor(_COLOR[state])
    rect = QRectF(1.5, 1.5, size - 3, size - 3)

    def paint(painter: QPainter) -> None:
        painter.setPen(QPen(color, 1.6))
        if state is StepState.DONE:
            painter.setBrush(color)
        painter.drawEllipse(rect)
        if state is StepState.ATTENTION:
            half = QPainterPath(QPointF(rect.center().x(), rect.top()))
            half.arcTo(rect, 90, 180)
            half.closeSubpath()
            painter.fillPath(half, color)

    return crisp_icon(size, paint)


class StepNavigator(QListWidget):
    """Lists the steps; `step_selected(key)` when the user picks one."""

    step_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("navigator")
        self.setIconSize(QSize(14, 14))
        self.setFixedWidth(150)
        self.setFrameShape(QListWidget.Shape.NoFrame)
        self.currentItemChanged.connect(self._on_current)
        self._titles: dict[str, str] = {}

    def add_step(self, key: str, title: str) -> None:
        self._titles[key] = title
        item = QListWidgetItem(title)
        item.setData(KEY_ROLE, key)
        item.setSizeHint(QSize(0, 34))
        self.addItem(item)
        self.set_state(key, StepState.NOT_STARTED)
        if self.currentItem() is None:
            self.setCurrentItem(item)

    def add_separator(self) -> None:
        """A thin line between the workflow's steps and the places that are not steps (Team)."""
        item = QListWidgetItem()
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        item.setSizeHint(QSize(0, 9))
        self.addItem(item)
        line = QFrame()
        line.setObjectName("separator")
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Plain)
        line.setContentsMargins(12, 0, 12, 0)
        self.setItemWidget(item, line)

    def set_state(self, key: str, state: StepState, detail: str = "") -> None:
        item = self._item(key)
        if item is None:
            return
        item.setIcon(state_icon(state))
        item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{self._titles[key]}, {state.value}")
        tip = f"{_GLYPH[state]} {self._titles[key]}: {state.value}"
        item.setToolTip(f"{tip} — {detail}" if detail else tip)
        item.setData(Qt.ItemDataRole.UserRole + 1, state)

    def state(self, key: str) -> StepState | None:
        item = self._item(key)
        return None if item is None else item.data(Qt.ItemDataRole.UserRole + 1)

    def select(self, key: str) -> None:
        item = self._item(key)
        if item is not None:
            self.setCurrentItem(item)

    def _item(self, key: str) -> QListWidgetItem | None:
        for row in range(self.count()):
            if self.item(row).data(KEY_ROLE) == key:
                return self.item(row)
        return None

    def _on_current(self, current: QListWidgetItem | None, _previous) -> None:
        if current is not None:
            self.step_selected.emit(current.data(KEY_ROLE))
