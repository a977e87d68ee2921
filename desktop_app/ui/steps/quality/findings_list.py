"""The findings of a quality report as a sortable, filterable table (the Quality step's master list)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.steps.quality.text import (
    SEVERITIES,
    SEVERITY_MEANING,
    SEVERITY_NAME,
    SEVERITY_PLURAL,
    SEVERITY_RANK,
    check_title,
    severity_icon,
    severity_key,
)
from desktop_app.ui.text.formatting import format_int

if TYPE_CHECKING:
    from desktop_app.core.quality.findings import Finding

FINDING_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
SEVERITY_COL, CHECK_COL, COLUMN_COL, MESSAGE_COL = range(4)
HEADERS = ("Severity", "Check", "Column", "Message")


class FindingsModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._findings: list[Any] = []

    def set_findings(self, findings: list[Finding]) -> None:
        self.beginResetModel()
        self._findings = list(findings)
        self.endResetModel()

    def finding(self, row: int) -> Any:
        return self._findings[row]

    @property
    def findings(self) -> list[Any]:
        return list(self._findings)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._findings)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(  # noqa: N802 - Qt name
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        finding, column = self._findings[index.row()], index.column()
        severity = severity_key(finding.severity)
        if role == FINDING_ROLE:
            return finding
        if role == Qt.ItemDataRole.DisplayRole:
            if column == SEVERITY_COL:
                return SEVERITY_NAME[severity]
            if column == CHECK_COL:
                return check_title(finding.check)
            if column == COLUMN_COL:
                return finding.column or "(whole table)"
            return finding.message
        if role == Qt.ItemDataRole.DecorationRole and column == SEVERITY_COL:
            return severity_icon(severity)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == SEVERITY_COL:
                return f"{SEVERITY_NAME[severity]}: {SEVERITY_MEANING[severity]}"
            fix = f"\n\nFix: {finding.fix.label}" if finding.fix is not None else ""
            return f"{finding.message}{fix}"
        if role == SORT_ROLE:
            if column == SEVERITY_COL:
                return SEVERITY_RANK[severity] * 1000 + index.row()  # ties keep the report's order
            return str(self.data(index, Qt.ItemDataRole.DisplayRole)).lower()
        if role == Qt.ItemDataRole.AccessibleTextRole and column == SEVERITY_COL:
            return f"{SEVERITY_NAME[severity]}: {check_title(finding.check)}"
        return None


class FindingsFilter(QSortFilterProxyModel):
    """Shows findings of the chosen severities whose check, column or message contains the text."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.severities = set(SEVERITIES)
        self.text = ""
        self.setSortRole(SORT_ROLE)

    def set_filter(self, severities: set[str], text: str) -> None:
        self.beginFilterChange()
        self.severities, self.text = set(severities), text.strip().lower()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        finding = self.sourceModel().finding(row)
        if severity_key(finding.severity) not in self.severities:
            return False
        if not self.text:
            return True
        haystack = " ".join((check_title(finding.check), finding.check, finding.column or "", finding.message))
        return self.text in haystack.lower()


class FindingsPanel(QWidget):
    """Severity toggles, a text filter and the findings table.

    `current_changed(finding | None)` when the highlighted finding changes;
    `selection_changed(list of findings)` when the set of selected findings changes.
    """

    current_changed = Signal(object)
    selection_changed = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findingsPanel")
        self.model = FindingsModel(self)
        self.proxy = FindingsFilter(self)
        self.proxy.setSourceModel(self.model)

        self.severity_buttons: dict[str, QToolButton] = {}
        toggles = QHBoxLayout()
        toggles.setSpacing(4)
        for severity in SEVERITIES:
            button = QToolButton()
            button.setObjectName("severityToggle")
            button.setCheckable(True)
            button.setChecked(True)
            button.setIcon(severity_icon(severity))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setToolTip(f"Show or hide {SEVERITY_PLURAL[severity].lower()}: {SEVERITY_MEANING[severity]}")
            button.toggled.connect(self._apply_filter)
            self.severity_buttons[severity] = button
            toggles.addWidget(button)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Filter by check, column or text…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._apply_filter)
        toggles.addStretch(1)

        self.table = QTableView()
        self.table.setObjectName("findingsTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(SEVERITY_COL, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(MESSAGE_COL, QHeaderView.ResizeMode.Stretch)   # ends in "…"; tooltip: all of it
        header.setMinimumSectionSize(40)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)   # it fits: no sideways scroll
        self._size_columns()
        self.table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.selection_changed.emit(self.selected()))

        self.no_match = QLabel("No findings match the filter.")
        self.no_match.setObjectName("hint")
        self.no_match.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_match.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.no_match)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(toggles)
        layout.addWidget(self.search)
        layout.addWidget(self.stack, 1)
        self._update_counts()

    # -- content -------------------------------------------------------------------------
    def set_findings(self, findings: list[Finding], *, select_first: bool = True) -> None:
        self.model.set_findings(findings)
        self._update_counts()
        self._size_columns()
        self._show_table_or_message()
        if select_first and self.proxy.rowCount():
            self.table.selectRow(0)
        else:
            self.current_changed.emit(self.current())

    def current(self) -> Any:
        index = self.table.currentIndex()
        return index.data(FINDING_ROLE) if index.isValid() else None

    def selected(self) -> list[Any]:
        """Selected findings, in the order the table shows them."""
        rows = sorted(self.table.selectionModel().selectedRows(), key=lambda i: i.row())
        return [i.data(FINDING_ROLE) for i in rows]

    def visible_findings(self) -> list[Any]:
        return [self.proxy.index(r, 0).data(FINDING_ROLE) for r in range(self.proxy.rowCount())]

    def select_finding(self, finding: Finding) -> bool:
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(FINDING_ROLE) is finding:
                self.table.selectRow(row)
                return True
        return False

    # -- internals --------------------------------------------------------------------------
    def _update_counts(self) -> None:
        findings = self.model.findings
        for severity, button in self.severity_buttons.items():
            n = sum(1 for f in findings if severity_key(f.severity) == severity)
            button.setText(f"{SEVERITY_PLURAL[severity]} {format_int(n)}")

    def _size_columns(self) -> None:
        """Severity, check and column as wide as their text (within limits, else "…" and the tooltip); the message
        stretches over the rest."""
        header, metrics = self.table.horizontalHeader(), self.fontMetrics()
        for column, (low, high) in {SEVERITY_COL: (70, 110), CHECK_COL: (60, 160), COLUMN_COL: (60, 140)}.items():
            texts = [HEADERS[column]] + [str(self.model.index(r, column).data()) for r in range(self.model.rowCount())]
            extra = 34 if column == SEVERITY_COL else 18  # the icon, the sort arrow, padding
            header.resizeSection(column, min(high, max(low, max(metrics.horizontalAdvance(t) for t in texts) + extra)))

    def _apply_filter(self) -> None:
        shown = {s for s, b in self.severity_buttons.items() if b.isChecked()}
        current = self.current()
        self.proxy.set_filter(shown, self.search.text())
        self._show_table_or_message()
        if current is not None and not self.select_finding(current) and self.proxy.rowCount():
            self.table.selectRow(0)
        elif not self.proxy.rowCount():
            self.current_changed.emit(None)

    def _show_table_or_message(self) -> None:
        empty = self.proxy.rowCount() == 0 and self.model.rowCount() > 0
        self.stack.setCurrentWidget(self.no_match if empty else self.table)

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.current_changed.emit(current.data(FINDING_ROLE) if current.isValid() else None)
