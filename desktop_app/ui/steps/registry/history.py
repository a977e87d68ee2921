"""The History tab: the model's audit trail — when, who@host, what, before → after, and why.

Above the table, one line says whether the project's whole audit trail is as it was written
(its hash chain verifies) or where it was altered — what an auditor asks first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.steps.registry.text import audit_row
from desktop_app.ui.text.formatting import exact_time, plural, relative_time
from desktop_app.ui.text.rich_text import escape
from desktop_app.ui.widgets.read_only_table import read_only_table

if TYPE_CHECKING:
    from desktop_app.core.registry.entities import ModelVersion, RegisteredModel

WHEN_COL, WHO_COL, ACTION_COL, CHANGE_COL, REASON_COL = range(5)
HEADERS = ["When", "Who", "What", "Before → after", "Reason"]


class HistoryTab(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registryHistory")
        self.model: RegisteredModel | None = None
        self.version: ModelVersion | None = None
        self.events: list[Any] = []
        self.summary = QLabel()
        self.summary.setObjectName("hint")
        self.trail = QLabel()
        self.trail.setObjectName("auditTrail")
        self.trail.setWordWrap(True)
        self.trail.hide()
        self.only_version = QCheckBox("Only this version")
        self.only_version.setToolTip("Hide the events of the model's other versions")
        self.only_version.toggled.connect(lambda _on: self._fill())
        fit, drag, stretch = (QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Interactive,
                              QHeaderView.ResizeMode.Stretch)
        self.table = read_only_table("historyTable", HEADERS, (fit, fit, drag, drag, stretch), select_rows=True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        for col, width in ((ACTION_COL, 165), (CHANGE_COL, 175)):   # long texts elide; the tooltip has them
            header.resizeSection(col, width)
        header.setMinimumSectionSize(60)
        self.table.itemSelectionChanged.connect(self._show_selected)
        self.detail = QLabel("Select a row to read it in full.")
        self.detail.setObjectName("historyDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumHeight(48)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.only_version)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addLayout(top)
        layout.addWidget(self.trail)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)

    def show_loading(self, model: RegisteredModel, version: ModelVersion | None) -> None:
        self.model, self.version = model, version
        self.only_version.setVisible(version is not None)
        self.summary.setText(f"Reading the history of {model.name}…")

    def show_history(self, model: RegisteredModel, version: ModelVersion | None, events: list[Any]) -> None:
        self.model, self.version, self.events = model, version, list(events)
        self.only_version.setVisible(version is not None)
        self._fill()

    def show_trail(self, report: Any) -> None:
        """The verdict on the whole trail (`audit_chain.ChainReport`)."""
        if report.intact:
            self.trail.setText(f"✓ The project's audit trail is intact: {report.events:,} events, every link verified.")
            self.trail.setStyleSheet("color: #2e7d32;")
            self.trail.setToolTip("Each event carries the hash of the one before it, so an edited, removed or "
                                  "inserted event would show here. `mldesk audit verify` checks the same.")
        else:
            self.trail.setText(f"⚠ {report.summary()}")
            self.trail.setStyleSheet("color: #b3261e; font-weight: 600;")
            self.trail.setToolTip("\n".join(b.sentence() for b in report.breaks[:20]))
        self.trail.show()

    def rows(self) -> list[list[str]]:
        """The table's text, row by row (for tests and copying)."""
        return [[self.table.item(r, c).text() for c in range(self.table.columnCount())]
                for r in range(self.table.rowCount())]

    def _fill(self) -> None:
        if self.model is None:
            return
        numbers = {v.id: v.number for v in self.model.versions}
        events = self.events
        if self.version is not None and self.only_version.isChecked():
            events = [e for e in events if e.entity_id == self.version.id]
        self.table.setRowCount(0)
        for event in events:
            row = self.table.rowCount()
            self.table.insertRow(row)
            action, change = audit_row(event, numbers)
            when = QTableWidgetItem(relative_time(event.at))
            when.setToolTip(exact_time(event.at))
            who = QTableWidgetItem(f"{event.user}@{event.host}")
            what = QTableWidgetItem(action)
            what.setToolTip(f"{action} ({event.action})")
            change_item = QTableWidgetItem(change)
            change_item.setToolTip(change)
            reason = QTableWidgetItem(event.reason or "—")
            reason.setToolTip(event.reason or "No reason was given")
            when.setData(Qt.ItemDataRole.UserRole, event)
            for col, item in enumerate((when, who, what, change_item, reason)):
                self.table.setItem(row, col, item)
        scope = f"v{self.version.number}" if self.version is not None and self.only_version.isChecked() else \
            self.model.name
        self.summary.setText(f"{plural(len(events), 'change')} to {scope}, newest first. Hover a time for the exact "
                             "moment.")
        self.detail.setText("Select a row to read it in full.")

    def _show_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        row = rows[0].row()
        event = self.table.item(row, WHEN_COL).data(Qt.ItemDataRole.UserRole)
        what, change, reason = (self.table.item(row, c).text() for c in (ACTION_COL, CHANGE_COL, REASON_COL))
        self.detail.setText(f"<b>{escape(what)}</b> — {escape(exact_time(event.at))} by "
                            f"{escape(event.user)}@{escape(event.host)}<br>{escape(change)}<br>"
                            f"Reason: {escape(reason if reason != '—' else 'none given')}")
