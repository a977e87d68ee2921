"""The live queue of the Train step: one row per run with its progress, status and Cancel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.text.runs import STATUS_COLOR, format_seconds, run_title, status_text
from desktop_app.ui.widgets.elided_label import ElidedLabel

if TYPE_CHECKING:
    from desktop_app.core.tracking.entities import RunInfo

ENDED = ("finished", "failed", "cancelled")


class QueueRow(QFrame):
    cancel_requested = Signal(str)
    details_requested = Signal(str)

    def __init__(self, run: RunInfo, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queueRow")
        self.run = run
        self.run_id = run.id
        self.status = "queued"
        self.dot = QLabel("●")
        self.dot.setFixedWidth(14)
        self.title = ElidedLabel(title)  # a narrow queue shows "Logistic regression · bal…", never a cut word
        self.title.setObjectName("queueTitle")
        self.title.setMinimumWidth(60)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setToolTip(f"{title}\nRun {run.id} (find it by its first characters in Compare and in "
                              "`mldesk runs`)")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(96)
        self.progress.setFixedHeight(10)
        self.state = ElidedLabel()  # "62% · fitting the model" is long; the tooltip keeps it whole
        self.state.setObjectName("hint")
        self.state.setMinimumWidth(60)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop this run now; nothing of it is kept but the record that it was cancelled")
        self.cancel_button.clicked.connect(lambda: self.cancel_requested.emit(self.run_id))
        self.details_button = QPushButton("Why?")
        self.details_button.setToolTip("Read why this run failed")
        self.details_button.setVisible(False)
        self.details_button.clicked.connect(lambda: self.details_requested.emit(self.run_id))
        # Two lines: the title gets the row's whole width (beside the bar it was cut to "Logistic re" at
        # 1024 px), the bar and the state go under it.
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.dot)
        top.addWidget(self.title, 1)
        top.addWidget(self.cancel_button)
        top.addWidget(self.details_button)
        bottom = QHBoxLayout()
        bottom.setSpacing(8)
        bottom.addSpacing(self.dot.width() + 8)
        bottom.addWidget(self.progress)
        bottom.addWidget(self.state, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addLayout(bottom)
        self.set_status("queued")

    def set_status(self, status: str, run: RunInfo | None = None, message: str = "") -> None:
        self.status = status
        if run is not None:
            self.run = run
        self.dot.setStyleSheet(f"color: {STATUS_COLOR.get(status, '#6b7480')};")
        ended = status in ENDED
        self.cancel_button.setVisible(not ended)
        self.cancel_button.setEnabled(status != "cancelling")
        self.details_button.setVisible(status == "failed")
        if status == "finished":
            self.progress.setValue(1000)
            self.state.setText(f"Finished in {format_seconds(getattr(self.run, 'duration_seconds', None))}")
        elif status == "queued":
            self.progress.setValue(0)
            self.state.setText("Queued")
        elif status == "running":
            self.state.setText(message or "Running")
        else:
            self.state.setText(status_text(status))
        error = getattr(self.run, "error", None) if ended else None
        self.state.setToolTip((error or "").split("\n\n")[0] if status == "failed" else self.state.text())

    def set_progress(self, fraction: float, message: str) -> None:
        if self.status in ENDED:
            return
        if self.status == "queued":
            self.set_status("running")
        self.progress.setValue(int(max(0.0, min(1.0, fraction)) * 1000))
        text = f"{fraction:.0%} · {message}" if message else f"{fraction:.0%}"
        self.state.setText(text)


class RunQueueList(QWidget):
    """Rows for the runs submitted from this step, newest batch at the bottom."""

    cancel_requested = Signal(str)
    cancel_all_requested = Signal()
    details_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runQueue")
        self.rows: dict[str, QueueRow] = {}
        self.title = QLabel("Queue")
        self.title.setObjectName("sectionTitle")
        self.counts = QLabel()
        self.counts.setObjectName("hint")
        self.cancel_all_button = QPushButton("Cancel all")
        self.cancel_all_button.setToolTip("Stop every queued and running run")
        self.cancel_all_button.clicked.connect(self.cancel_all_requested.emit)
        self.clear_button = QPushButton("Clear finished")
        self.clear_button.setToolTip("Take ended runs off this list (they stay in the project: see Compare)")
        self.clear_button.clicked.connect(self.clear_ended)
        self.empty = QLabel("Nothing queued. Tick the models to try on the left and press Start training.")
        self.empty.setObjectName("hint")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self._rows_box = QWidget()
        self._rows_box.setObjectName("queueRows")
        self._rows_layout = QVBoxLayout(self._rows_box)
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        self._rows_layout.setSpacing(1)
        self._rows_layout.addWidget(self.empty)
        self._rows_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("queueScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.StyledPanel)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self._rows_box)
        self.scroll = scroll

        header = QHBoxLayout()
        header.setSpacing(8)
        header.addWidget(self.title)
        header.addWidget(self.counts)
        header.addStretch(1)
        header.addWidget(self.clear_button)
        header.addWidget(self.cancel_all_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(scroll, 1)
        self._update()

    def add_runs(self, runs: list[RunInfo], titles: dict[str, str] | None = None) -> None:
        for run in runs:
            if run.id in self.rows:
                continue
            row = QueueRow(run, (titles or {}).get(run.id) or run_title(run, with_id=False))
            row.cancel_requested.connect(self.cancel_requested.emit)
            row.details_requested.connect(self.details_requested.emit)
            self.rows[run.id] = row
            self._rows_layout.insertWidget(self._rows_layout.count() - 1, row)
        self._update()
        if runs:
            last = self.rows[runs[-1].id]
            self.scroll.ensureWidgetVisible(last)

    def row(self, run_id: str) -> QueueRow | None:
        return self.rows.get(run_id)

    def set_status(self, run_id: str, status: str, run: RunInfo | None = None, message: str = "") -> None:
        row = self.rows.get(run_id)
        if row is not None:
            row.set_status(status, run, message)
            self._update()

    def set_progress(self, run_id: str, fraction: float, message: str) -> None:
        row = self.rows.get(run_id)
        if row is not None:
            was = row.status
            row.set_progress(fraction, message)
            if row.status != was:
                self._update()

    def clear_ended(self) -> None:
        for run_id, row in list(self.rows.items()):
            if row.status in ENDED:
                self._rows_layout.removeWidget(row)
                row.deleteLater()
                del self.rows[run_id]
        self._update()

    def _update(self) -> None:
        statuses = [r.status for r in self.rows.values()]
        active = sum(s not in ENDED for s in statuses)
        self.empty.setVisible(not self.rows)
        self.cancel_all_button.setEnabled(active > 0)
        self.clear_button.setEnabled(any(s in ENDED for s in statuses))
        parts = []
        running = statuses.count("running") + statuses.count("cancelling")
        waiting = statuses.count("queued")
        if running:
            parts.append(f"{running} running")
        if waiting:
            parts.append(f"{waiting} waiting")
        done = sum(s in ENDED for s in statuses)
        if done:
            parts.append(f"{done} ended")
        self.counts.setText(" · ".join(parts))
