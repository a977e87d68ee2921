"""The task log window: recent background tasks (newest first) and what the selected one did."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.text.formatting import local_time
from desktop_app.ui.work.task_log import TaskLog
from desktop_app.ui.work.tasks import TaskRunner

REFRESH_MS = 1000   # while a listed task runs: its duration and new log lines
_STATUS = {"queued": "waiting", "running": "running", "done": "done", "failed": "failed", "cancelled": "cancelled"}
_STATUS_COLOR = {"failed": "#b3261e", "cancelled": "#6b7480", "running": "#1f5fbf", "queued": "#6b7480"}


def format_duration(seconds: float) -> str:
    """0.42 → '0.4 s', 75 → '1 min 15 s', 3700 → '1 h 1 min'."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def status_text(log: TaskLog) -> str:
    if log.state == "running":
        return f"running {log.fraction:.0%}"
    return _STATUS.get(log.state, log.state)


def log_text(log: TaskLog, *, exact: bool = False) -> str:
    """The log as plain text: local time (UTC ISO times when `exact`), time since start, message."""
    lines = [f"{log.title}", f"Status: {status_text(log)} · {format_duration(log.duration())}"]
    if log.error:
        lines.append(f"Error: {log.error}")
    lines.append("")
    entries = log.entries
    start = entries[0].time if entries else log.submitted_at
    for index, entry in enumerate(entries):
        stamp = entry.time.isoformat(timespec="milliseconds") if exact else local_time(entry.time).strftime("%H:%M:%S")
        offset = (entry.time - start).total_seconds()
        lines.append(f"{stamp}  {'+' + format_duration(offset):<10} {entry.message}")
        if index == 0 and log.dropped:
            lines.append(f"… {log.dropped} earlier progress messages not kept")
    if log.details:
        lines += ["", "Details:", log.details]
    return "\n".join(lines)


class TaskLogDialog(QDialog):
    """Non-modal: the runner's recent tasks on top, the selected task's log below, and Copy."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("taskLogDialog")
        self.setWindowTitle("Background tasks")
        self.setModal(False)
        self._runner = runner
        self._logs: list[TaskLog] = []

        self.hint = QLabel("The last background tasks, newest first. Select one to see what it did.")
        self.hint.setObjectName("hint")
        self.tasks = QTreeWidget()
        self.tasks.setObjectName("taskLogList")
        self.tasks.setColumnCount(4)
        self.tasks.setHeaderLabels(["Task", "Status", "Duration", "Started"])
        self.tasks.setRootIsDecorated(False)
        self.tasks.setUniformRowHeights(True)
        self.tasks.setAlternatingRowColors(True)
        self.tasks.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tasks.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.tasks.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tasks.currentItemChanged.connect(lambda *_: self._show_selected())

        self.log_view = QPlainTextEdit()
        self.log_view.setObjectName("taskLogText")
        self.log_view.setReadOnly(True)
        self.log_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        font = QGuiApplication.font()
        font.setFamily("monospace")
        font.setStyleHint(font.StyleHint.Monospace)
        self.log_view.setFont(font)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tasks)
        splitter.addWidget(self.log_view)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([150, 310])

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the selected task's log (with exact UTC times) to the clipboard")
        self.copy_button.clicked.connect(self.copy)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.resize(720, 500)

        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        runner.task_started.connect(self._on_runner_changed)
        runner.task_ended.connect(self._on_runner_changed)
        self.refresh()

    # -- public -------------------------------------------------------------------------------
    @property
    def logs(self) -> list[TaskLog]:
        """The listed logs, newest first."""
        return list(self._logs)

    def selected(self) -> TaskLog | None:
        row = self.tasks.indexOfTopLevelItem(self.tasks.currentItem()) if self.tasks.currentItem() else -1
        return self._logs[row] if 0 <= row < len(self._logs) else None

    def select(self, log: TaskLog | None) -> None:
        """Select `log` (the newest task when None or not listed)."""
        self.refresh()
        row = next((i for i, known in enumerate(self._logs) if known is log), 0)
        if self._logs:
            self.tasks.setCurrentItem(self.tasks.topLevelItem(row))
        self._show_selected()

    def refresh(self) -> None:
        """Read the runner's history again (keeping the selection)."""
        chosen = self.selected()
        self._logs = self._runner.history
        now = datetime.now(UTC)
        self.tasks.blockSignals(True)
        try:
            while self.tasks.topLevelItemCount() > len(self._logs):
                self.tasks.takeTopLevelItem(self.tasks.topLevelItemCount() - 1)
            for row, log in enumerate(self._logs):
                item = self.tasks.topLevelItem(row)
                if item is None:
                    item = QTreeWidgetItem()
                    self.tasks.addTopLevelItem(item)
                started = local_time(log.started_at or log.submitted_at)
                item.setText(0, log.title)
                item.setToolTip(0, log.title + (f"\n{log.error}" if log.error else ""))
                item.setText(1, status_text(log))
                item.setToolTip(1, log.error or status_text(log))
                item.setForeground(1, QBrush(QColor(_STATUS_COLOR.get(log.state, "#1e7b34"))))
                item.setText(2, format_duration(log.duration(now)))
                item.setText(3, started.strftime("%H:%M:%S"))
                item.setToolTip(3, (log.started_at or log.submitted_at).isoformat(timespec="seconds"))
            if chosen is not None and chosen in self._logs:
                self.tasks.setCurrentItem(self.tasks.topLevelItem(self._logs.index(chosen)))
            elif self._logs and self.tasks.currentItem() is None:
                self.tasks.setCurrentItem(self.tasks.topLevelItem(0))
        finally:
            self.tasks.blockSignals(False)
        self._show_selected()
        running = any(log.is_running for log in self._logs)
        if running and self.isVisible() and not self._timer.isActive():
            self._timer.start()
        elif not running:
            self._timer.stop()

    def copy(self) -> str:
        log = self.selected()
        text = log_text(log, exact=True) if log is not None else ""
        QGuiApplication.clipboard().setText(text)
        return text

    # -- internals ------------------------------------------------------------------------------
    def _show_selected(self) -> None:
        log = self.selected()
        self.copy_button.setEnabled(log is not None)
        if log is None:
            text = "No background tasks yet."
        else:
            text = log_text(log)
        if self.log_view.toPlainText() != text:
            self.log_view.setPlainText(text)

    def _on_runner_changed(self, _task: object) -> None:
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self.refresh()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt API
        self._timer.stop()
        super().hideEvent(event)
