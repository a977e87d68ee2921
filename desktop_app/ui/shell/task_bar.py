"""The bottom bar: the running background task with its progress and Cancel.

Its title (or "Last task: …" when idle) is a link: clicking it, or anywhere on the bar, opens
the task log window (what the recent tasks did). Long titles are elided in the middle, so a
long title never widens the window.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractButton,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionFocusRect,
    QWidget,
)

from desktop_app.ui.work.tasks import Task, TaskRunner

_OUTCOME = {"done": "done", "failed": "failed", "cancelled": "cancelled"}
LOG_TIP = "Show what this task did"
MAX_TITLE_PX = 420      # the title's preferred width at most; longer titles are elided
MIN_TITLE_PX = 80


class ElidedLinkButton(QAbstractButton):
    """A flat, link-like button whose text is elided in the middle (the full text in the tooltip).

    Its size hint never exceeds `MAX_TITLE_PX`, whatever the text, so it cannot widen a window.
    """

    def __init__(self, tip: str = LOG_TIP, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tip = tip
        self._link = True
        self.setAttribute(Qt.WidgetAttribute.WA_Hover)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.set_link(True)

    @property
    def full_text(self) -> str:
        return self.text()

    def set_link(self, link: bool) -> None:
        """A link (blue, pointing hand, clickable) or plain hint text."""
        self._link = link
        self.setEnabled(link)
        self.setCursor(Qt.CursorShape.PointingHandCursor if link else Qt.CursorShape.ArrowCursor)
        self._update_tip()
        self.update()

    def set_full_text(self, text: str) -> None:
        if text != self.text():
            self.setText(text)
            self.updateGeometry()
        self._update_tip()
        self.update()

    def displayed_text(self) -> str:
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideMiddle, max(0, self.width()))

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.width()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        metrics = self.fontMetrics()
        width = min(metrics.horizontalAdvance(self.text()) + 2, MAX_TITLE_PX)
        return QSize(max(width, 0), metrics.height() + 4)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        hint = self.sizeHint()
        return QSize(min(hint.width(), MIN_TITLE_PX), hint.height())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._update_tip()

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        font = self.font()
        font.setUnderline(self._link and self.underMouse())
        painter.setFont(font)
        painter.setPen(QColor("#1f5fbf") if self._link else QColor("#6b7480"))
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.displayed_text())
        if self.hasFocus():
            option = QStyleOptionFocusRect()
            option.initFrom(self)
            self.style().drawPrimitive(QStyle.PrimitiveElement.PE_FrameFocusRect, option, painter, self)
        painter.end()

    def _update_tip(self) -> None:
        tips = [self.text()] if self.is_elided() else []
        if self._link:
            tips.append(self._tip)
        self.setToolTip("\n\n".join(tips))


class TaskBar(QWidget):
    """Shows the oldest visible running task, how many wait behind it, and a Cancel button."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("taskBar")
        self._runner = runner
        self._current: Task | None = None
        self._last_outcome: str | None = None
        self._dialog = None   # TaskLogDialog, made on first click
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(LOG_TIP)

        self.caption = QLabel("Tasks:")
        self.caption.setObjectName("taskCaption")
        self.title = ElidedLinkButton()
        self.title.setObjectName("taskTitle")
        self.title.clicked.connect(self.open_log)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setFixedWidth(180)
        self.progress.setTextVisible(False)
        self.percent = QLabel()
        self.percent.setMinimumWidth(36)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setCursor(Qt.CursorShape.ArrowCursor)
        self.cancel_button.setToolTip("Stop this task; nothing it started is kept")
        self.cancel_button.clicked.connect(self._cancel_current)
        self.queued = QLabel()
        self.queued.setObjectName("hint")
        self.idle = ElidedLinkButton()
        self.idle.setObjectName("taskIdle")
        self.idle.set_full_text("No background tasks")
        self.idle.clicked.connect(self.open_log)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 3, 10, 3)
        layout.setSpacing(8)
        for widget in (self.caption, self.title, self.progress, self.percent, self.cancel_button, self.queued):
            layout.addWidget(widget)
        layout.addWidget(self.idle)
        layout.addStretch(1)
        for widget in (self.progress, self.percent, self.queued):
            widget.setSizePolicy(QSizePolicy.Policy.Fixed, widget.sizePolicy().verticalPolicy())

        runner.task_started.connect(self._on_started)
        runner.task_ended.connect(self._on_ended)
        self._refresh()

    def _visible_tasks(self) -> list[Task]:
        return [t for t in self._runner.tasks if t.visible]

    def _on_started(self, task: Task) -> None:
        if task.visible:
            task.progress.connect(lambda *_: self._refresh())
        self._refresh()

    def _on_ended(self, task: Task) -> None:
        if task.visible:
            self._last_outcome = f"{task.title} — {_OUTCOME.get(task.state, task.state)}"
        self._refresh()

    def _refresh(self) -> None:
        tasks = self._visible_tasks()
        busy = bool(tasks)
        for widget in (self.title, self.progress, self.percent, self.cancel_button):
            widget.setVisible(busy)
        self.idle.setVisible(not busy)
        if not busy:
            self._current = None
            self.queued.setVisible(False)
            last = self._last_outcome
            self.idle.set_full_text(f"Last task: {last}" if last else "No background tasks")
            self.idle.set_link(bool(self._runner.history))
            return
        task = self._current = tasks[0]
        message = task.message if task.message and task.message != "Starting…" else ""
        self.title.set_full_text(f"{task.title}" + (f" — {message}" if message else ""))
        self.progress.setValue(int(task.fraction * 1000))
        self.percent.setText(f"{task.fraction:.0%}")
        self.cancel_button.setEnabled(not task.token.cancelled)
        others = len(tasks) - 1
        self.queued.setVisible(others > 0)
        self.queued.setText(f"· {others} more" if others else "")

    def _cancel_current(self) -> None:
        if self._current is not None:
            self._current.cancel()
            self.cancel_button.setEnabled(False)
            self.title.set_full_text(f"{self._current.title} — cancelling…")

    # -- the task log ------------------------------------------------------------------------
    def open_log(self):
        """Show the task log window (non-modal) on the task the bar shows, or the newest one."""
        from desktop_app.ui.shell.task_log_dialog import TaskLogDialog

        if self._dialog is None:
            self._dialog = TaskLogDialog(self._runner, self.window())
        self._dialog.select(self._current.log if self._current is not None else None)
        self._dialog.show()
        self._dialog.raise_()
        self._dialog.activateWindow()
        return self._dialog

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.LeftButton:
            self.open_log()
            event.accept()
            return
        super().mousePressEvent(event)
