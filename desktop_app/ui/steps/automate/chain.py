"""The pipeline's steps drawn as a chain of boxes, each with its state; a click shows that step's sentence.

    chain = StepChain()
    chain.show_steps(["import", "check", …], states={"import": ("done", 0.4), …})
    chain.step_clicked.connect(lambda step: …)
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop_app.core.pipelines.definition import STEP_TITLES
from desktop_app.ui.steps.automate.text import STATE_STYLE, took

BOX_W, BOX_MIN_W, BOX_H, GAP = 104, 76, 66, 22


class StepChain(QWidget):
    step_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stepChain")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(BOX_H + 8)
        self._steps: list[str] = []
        self._states: dict[str, tuple[str, float | None]] = {}
        self.selected: str | None = None
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def show_steps(self, steps: list[str], states: dict[str, tuple[str, float | None]] | None = None) -> None:
        self._steps = list(steps)
        self._states = dict(states or {})
        if self.selected not in self._steps:
            self.selected = None
        names = ", ".join(f"{STEP_TITLES[s]} {self.state_of(s)}" for s in self._steps)
        self.setAccessibleName(f"Pipeline steps: {names}")
        self.updateGeometry()
        self.update()

    def state_of(self, step: str) -> str:
        return self._states.get(step, ("waiting", None))[0]

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt name
        count = max(1, len(self._steps))
        return QSize(count * BOX_W + (count - 1) * GAP + 4, BOX_H + 8)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt name
        count = max(1, len(self._steps))
        return QSize(count * BOX_MIN_W + (count - 1) * GAP + 4, BOX_H + 8)

    def _boxes(self) -> list[QRectF]:
        count = len(self._steps)
        if not count:
            return []
        width = min(BOX_W, max(BOX_MIN_W, (self.width() - 4 - (count - 1) * GAP) / count))
        return [QRectF(2 + i * (width + GAP), 4, width, BOX_H) for i in range(count)]

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt name
        for step, box in zip(self._steps, self._boxes(), strict=True):
            if box.contains(event.position()):
                self.selected = step
                self.update()
                self.step_clicked.emit(step)
                return

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        title_font = QFont(self.font())
        title_font.setBold(True)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() - 1))
        boxes = self._boxes()
        for i, (step, box) in enumerate(zip(self._steps, boxes, strict=True)):
            state, seconds = self._states.get(step, ("waiting", None))
            label, border, fill = STATE_STYLE.get(state, STATE_STYLE["waiting"])
            pen = QPen(QColor(border), 2.4 if step == self.selected else 1.4)
            if state in ("waiting", "skipped"):
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(QColor(fill))
            painter.drawRoundedRect(box, 7, 7)
            painter.setPen(QColor("#1f2328"))
            painter.setFont(title_font)
            third = BOX_H / 3
            painter.drawText(box.adjusted(4, 5, -4, -2 * third), Qt.AlignmentFlag.AlignCenter, STEP_TITLES[step])
            painter.setFont(small)
            painter.setPen(QColor(border if state not in ("waiting", "skipped") else "#5f6670"))
            painter.drawText(box.adjusted(4, third + 2, -4, -third + 2), Qt.AlignmentFlag.AlignCenter, label)
            if seconds is not None and state != "waiting":
                painter.setPen(QColor("#5f6670"))
                painter.drawText(box.adjusted(4, 2 * third, -4, -3), Qt.AlignmentFlag.AlignCenter, took(seconds))
            if i + 1 < len(boxes):
                self._arrow(painter, box.right() + 3, boxes[i + 1].left() - 3, box.center().y())
        painter.end()

    @staticmethod
    def _arrow(painter: QPainter, x0: float, x1: float, y: float) -> None:
        painter.setPen(QPen(QColor("#8a8f98"), 1.4))
        painter.drawLine(QPointF(x0, y), QPointF(x1 - 5, y))
        painter.setBrush(QColor("#8a8f98"))
        painter.drawPolygon(QPolygonF([QPointF(x1, y), QPointF(x1 - 6, y - 4), QPointF(x1 - 6, y + 4)]))
