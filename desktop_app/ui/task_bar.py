"""The bottom bar: the running background task with its progress and Cancel."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from desktop_app.ui.tasks import Task, TaskRunner

_OUTCOME = {"done": "done", "failed": "failed", "cancelled": "cancelled"}


class TaskBar(QWidget):
    """Shows the oldest visible running task, how many wait behind it, and a Cancel button."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("taskBar")
        self._runner = runner
        self._current: Task | None = None

        self.caption = QLabel("Tasks:")
        self.caption.setObjectName("taskCaption")
        self.title = QLabel()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setFixedWidth(180)
        self.progress.setTextVisible(False)
        self.percent = QLabel()
        self.percent.setMinimumWidth(36)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop this task; nothing it started is kept")
        self.cancel_button.clicked.connect(self._cancel_current)
        self.queued = QLabel()
        self.queued.setObjectName("hint")
        self.idle = QLabel("No background tasks")
        self.idle.setObjectName("hint")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 3, 10, 3)
        layout.setSpacing(8)
        for widget in (self.caption, self.title, self.progress, self.percent, self.cancel_button, self.queued):
            layout.addWidget(widget)
        layout.addWidget(self.idle)
        layout.addStretch(1)

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
            last = getattr(self, "_last_outcome", None)
            self.idle.setText(f"Last task: {last}" if last else "No background tasks")
            return
        task = self._current = tasks[0]
        message = task.message if task.message and task.message != "Starting…" else ""
        self.title.setText(f"{task.title}" + (f" — {message}" if message else ""))
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
            self.title.setText(f"{self._current.title} — cancelling…")
