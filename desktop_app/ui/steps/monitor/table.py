"""Per-feature drift results of one batch, as a sortable table (numbers sort as numbers).

Each row: column, the verdict, test, statistic, p-value, threshold, new categories, missing
share training → batch, PSI, and the kind it was tested as. The swatch before a column's name is its heat-map
colour; drifted rows are tinted. Selecting a row shows that column's distributions
(`feature_selected`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from desktop_app.ui.charts.colors import swatch
from desktop_app.ui.steps.monitor import text as mt

if TYPE_CHECKING:
    from desktop_app.core.monitor.entities import ColumnDriftResult, MonitoringBatch

COLUMNS = (   # header, tooltip
    ("Column", "The batch's column"),
    ("Drifted", "The verdict: the test passed its threshold, or the share of missing values moved"),
    ("Test", "The two-sample test used (chosen by the reference's size; see Drift settings…). Wasserstein is "
             "divided by the training data's standard deviation"),
    ("Statistic", "The test's statistic (a distance, or the KS / chi-squared statistic)"),
    ("p-value", "For KS and chi-squared: drifted when below the threshold"),
    ("Threshold", "The limit the statistic or p-value is compared with"),
    ("New values", "Categories never seen in training, with their share of the batch"),
    ("Missing", "Share of missing values: training rows → batch"),
    ("PSI", "Population stability index: < 0.1 stable, 0.1–0.25 moderate (amber), ≥ 0.25 significant (red); "
            "reported beside the test, it does not decide"),
    ("Kind", "How it was tested: as numbers or as categories"),
)
HEADERS = tuple(h for h, _tip in COLUMNS)
TIPS = tuple(tip for _h, tip in COLUMNS)
NUMERIC = frozenset({"Statistic", "p-value", "Threshold", "Missing", "PSI"})
DRIFTED_COL = 1
PSI_COLORS = {"moderate": "#8a5a00", "significant": "#c62828"}
SHORT_TESTS = {"ks": "KS", "wasserstein": "Wasserstein", "chi_squared": "chi²", "jensen_shannon": "Jensen–Shannon"}
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMN_ROLE = Qt.ItemDataRole.UserRole + 2
DRIFTED_BACKGROUND = QColor("#fdeceb")


class DriftTable(QWidget):
    feature_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = QStandardItemModel(0, len(HEADERS), self)
        self.model.setHorizontalHeaderLabels(list(HEADERS))
        for i, tip in enumerate(TIPS):
            self.model.horizontalHeaderItem(i).setToolTip(tip)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = QTableView()
        self.view.setObjectName("driftTable")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self._silent = False

    def set_batch(self, batch: MonitoringBatch | None, selected: str | None = None) -> None:
        self._silent = True
        self.model.removeRows(0, self.model.rowCount())
        for column in batch.result.columns if batch is not None else ():
            self.model.appendRow(self._row(column))
        self.view.sortByColumn(DRIFTED_COL, Qt.SortOrder.DescendingOrder)   # drifted first, most severe first
        self.view.resizeColumnsToContents()
        for col, limit in ((0, 160), (HEADERS.index("New values"), 200)):
            if self.view.columnWidth(col) > limit:
                self.view.setColumnWidth(col, limit)
        self._silent = False
        if selected:
            self.select(selected)

    def _row(self, c: ColumnDriftResult) -> list[QStandardItem]:
        tested = c.test is not None
        severity = mt.severity(c)
        cells = {   # header → (text, sort key)
            "Column": (c.column, c.column),
            "Drifted": ("⚠ drifted" if c.drifted else "no", (1 if c.drifted else 0) * 100 + (severity or 0)),
            "Test": (SHORT_TESTS.get(c.test or "", mt.test_name(c.test)), c.test or ""),
            "Statistic": (mt.format_stat(c.statistic) if tested else "—", _num(c.statistic, tested, inf=True)),
            "p-value": (mt.format_p(c.p_value), _num(c.p_value, c.p_value is not None)),
            "Threshold": (mt.format_stat(c.threshold) if tested else "—", _num(c.threshold, tested)),
            "New values": (mt.new_categories_text(c), float(c.new_category_share or 0)),
            "Missing": (mt.missing_text(c), float(c.missing_batch or 0) - float(c.missing_ref or 0)),
            "PSI": (mt.psi_text(c).split(" (")[0], _num(c.psi, c.psi is not None)),
            "Kind": (c.kind, c.kind),
        }
        items = []
        for header in HEADERS:
            text, key = cells[header]
            item = QStandardItem(str(text))
            item.setData(key, SORT_ROLE)
            item.setData(c.column, COLUMN_ROLE)
            if header in NUMERIC:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if c.drifted:
                item.setBackground(QBrush(DRIFTED_BACKGROUND))
            items.append(item)
        items[0].setIcon(swatch(QColor(mt.band_color(mt.band(c))), 11))
        items[0].setToolTip(f"{c.column}: {mt.verdict(c)}" + (f"\n{c.note}" if c.note else ""))
        items[DRIFTED_COL].setToolTip(mt.verdict(c))
        psi = items[HEADERS.index("PSI")]
        psi.setToolTip(f"PSI {mt.psi_text(c)}")
        if c.psi_band in PSI_COLORS:
            psi.setForeground(QBrush(QColor(PSI_COLORS[c.psi_band])))
        if c.drifted:
            items[DRIFTED_COL].setForeground(QBrush(QColor(mt.ALERT_COLOR)))
            font = items[DRIFTED_COL].font()
            font.setBold(True)
            items[DRIFTED_COL].setFont(font)
        return items

    def columns(self) -> list[str]:
        """The column names in the order shown."""
        return [self.proxy.index(r, 0).data(COLUMN_ROLE) for r in range(self.proxy.rowCount())]

    def row_of(self, column: str) -> int | None:
        for r in range(self.proxy.rowCount()):
            if self.proxy.index(r, 0).data(COLUMN_ROLE) == column:
                return r
        return None

    def select(self, column: str) -> None:
        row = self.row_of(column)
        self._silent = True
        if row is None:
            self.view.clearSelection()
        else:
            self.view.selectRow(row)
            self.view.scrollTo(self.proxy.index(row, 0))
        self._silent = False

    def _current_changed(self, current, _previous) -> None:
        if not self._silent and current.isValid():
            self.feature_selected.emit(current.data(COLUMN_ROLE))


def _num(value: Any, present: bool, inf: bool = False) -> float:
    """A sort key: missing values last when sorting up."""
    if not present:
        return float("-inf")
    if value is None:
        return float("inf") if inf else float("-inf")
    return float(value)
