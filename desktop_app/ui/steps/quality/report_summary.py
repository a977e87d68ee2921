"""The Quality step's summary line: '0 errors, 1 warning, 3 notes — checked 2 min ago on heart@1 (…)'.

While the checks run it shows their progress and a Cancel button instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from desktop_app.ui.steps.quality.text import (
    TARGET_CHECKS_TEXT,
    changed_thresholds,
    counts_text,
    report_line,
    severity_icon,
    target_text,
    worst_severity,
)
from desktop_app.ui.text.formatting import exact_time, format_int, plural
from desktop_app.ui.text.rich_text import escape

if TYPE_CHECKING:
    from desktop_app.core.quality.service import StoredReport


class ReportSummary(QWidget):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.icon = QLabel()
        self.icon.setFixedWidth(16)
        self.icon.setContentsMargins(0, 4, 0, 0)  # level with the first line of text
        self.label = QLabel()
        self.label.setObjectName("summaryLine")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setFixedWidth(160)
        self.progress.setTextVisible(False)
        self.progress_text = QLabel()
        self.progress_text.setObjectName("hint")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the checks; nothing is saved")
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.running_box = QWidget()
        running = QHBoxLayout(self.running_box)
        running.setContentsMargins(0, 0, 0, 0)
        running.addWidget(self.progress)
        running.addWidget(self.progress_text)
        running.addWidget(self.cancel_button)
        running.addStretch(1)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.running_box, 1)
        self.set_running(False)

    def text(self) -> str:
        return self.label.text()

    # -- states -----------------------------------------------------------------------------
    def set_running(self, running: bool, text: str = "") -> None:
        self.running_box.setVisible(running)
        self.label.setVisible(not running)
        self.icon.setVisible(not running)
        self.cancel_button.setEnabled(running)
        if running:
            self.progress.setValue(0)
            self.progress_text.setText(text)

    def set_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        if message and message != "Starting…":
            self.progress_text.setText(message)

    def set_cancelling(self) -> None:
        self.cancel_button.setEnabled(False)
        self.progress_text.setText("Cancelling…")

    def clear(self) -> None:
        self.label.setText("")
        self.label.setToolTip("")
        self.icon.clear()

    def show_unchecked(self, label: str, target: str | None, last: StoredReport | None) -> None:
        """Not checked with this target yet; `last` is the newest report with another target, if any."""
        text = f"{label} has not been checked"
        if last is not None:
            text += f" with target {target}" if target else " without a target"
        text += " yet."
        if last is not None:
            text += f" Last check: {target_text(last.report.target)}, {counts_text(last.report.summary())}."
        self.label.setText(escape(text))
        self.label.setToolTip("")
        self.icon.clear()

    def show_report(self, stored: StoredReport) -> None:
        report = stored.report
        head, _, tail = report_line(stored).partition(" — ")
        self.label.setText(f"<b>{escape(head)}</b> — {escape(tail)}")
        worst = worst_severity(report.summary())
        if worst is not None:
            self.icon.setPixmap(severity_icon(worst, 12).pixmap(12, 12))
        else:
            self.icon.clear()
        tip = [f"Checked {exact_time(stored.created_at)} by {stored.created_by}",
               f"{plural(report.rows, 'row')} · {plural(report.columns, 'column')} · took {report.seconds:.2f} s"]
        if report.sample_rows:
            tip.append(f"Correlation, leakage, outlier limits and skew used a random sample of "
                       f"{format_int(report.sample_rows)} rows.")
        if report.target is None:
            tip.append(f"No target: the target checks ({TARGET_CHECKS_TEXT}) were skipped.")
        changed = changed_thresholds(report.thresholds)
        if changed:
            tip.append(f"Thresholds changed from the defaults: {', '.join(changed)}")
        self.label.setToolTip("\n".join(tip))
