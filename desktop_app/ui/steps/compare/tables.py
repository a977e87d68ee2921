"""The comparison as tables: settings side by side (differences only, by default) and metrics
with the best value of each row marked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.training.metric_names import lower_is_better
from desktop_app.ui.charts.colors import swatch
from desktop_app.ui.text.formatting import format_exact_score, format_score_change
from desktop_app.ui.text.runs import (
    algorithm_label,
    format_metric,
    format_value,
    metric_label,
    setting_label,
    sort_metrics,
)

if TYPE_CHECKING:
    from desktop_app.core.compare import Comparison
    from desktop_app.core.tracking.entities import RunInfo

DIFFERS_BACKGROUND = QColor("#fff4d6")
BEST_COLOR = QColor("#1b5e20")
TITLE_ROLE = Qt.ItemDataRole.UserRole + 1   # a run column's whole title (its header shows it fitted)
HEADER_PADDING = 28                         # the swatch and the header's margins, in pixels
MAX_MIN_SECTION = 180


def _table(name: str) -> QTableWidget:
    table = QTableWidget()
    table.setObjectName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(24)
    table.setWordWrap(False)
    return table


def _run_headers(table: QTableWidget, first: str, runs: list[RunInfo], colors: dict[str, QColor],
                 titles: dict[str, str], extra: list[str] = ()) -> None:
    table.setColumnCount(1 + len(runs) + len(extra))
    table.setHorizontalHeaderItem(0, QTableWidgetItem(first))
    for k, run in enumerate(runs, start=1):
        item = QTableWidgetItem(swatch(colors.get(run.id, QColor("#4e79a7"))), titles[run.id])
        item.setData(TITLE_ROLE, titles[run.id])
        item.setToolTip(f"{titles[run.id]}\nRun {run.id}")
        table.setHorizontalHeaderItem(k, item)
    for k, text in enumerate(extra, start=1 + len(runs)):
        table.setHorizontalHeaderItem(k, QTableWidgetItem(text))
    header = table.horizontalHeader()
    header.setTextElideMode(Qt.TextElideMode.ElideNone)   # fit_run_headers cuts each line itself
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    for k in range(1, table.columnCount()):
        header.setSectionResizeMode(k, QHeaderView.ResizeMode.Stretch)
    if not header.property("fitsRunTitles"):
        header.setProperty("fitsRunTitles", True)
        header.sectionResized.connect(lambda *_args: fit_run_headers(table))
        header.geometriesChanged.connect(lambda: fit_run_headers(table))
    fit_run_headers(table)


def fit_run_headers(table: QTableWidget) -> None:
    """Each run's title on lines of its own parts ('Logistic regression', 'balanced', '3dc09ba5'), each
    line cut to the column's width: a narrow column still shows what sets the run apart, not 'L…d'."""
    header = table.horizontalHeader()
    metrics = QFontMetrics(header.font())
    # Columns never narrower than the words after the model's name (what sets a run apart, its id):
    # the table scrolls sideways instead.
    titles = [table.horizontalHeaderItem(k).data(TITLE_ROLE) for k in range(1, table.columnCount())
              if table.horizontalHeaderItem(k) is not None]
    words = [part for title in titles if title for part in title.split(" · ")[1:]]
    need = max((metrics.horizontalAdvance(w) for w in words), default=0) + HEADER_PADDING
    header.setMinimumSectionSize(min(MAX_MIN_SECTION, max(header.minimumSectionSize(), need)))
    for k in range(1, table.columnCount()):
        item = table.horizontalHeaderItem(k)
        title = item.data(TITLE_ROLE) if item is not None else None
        if not title:
            continue
        room = max(24, header.sectionSize(k) - HEADER_PADDING)
        lines = [metrics.elidedText(part, Qt.TextElideMode.ElideRight, room) for part in title.split(" · ")]
        text = "\n".join(lines)
        if item.text() != text:
            item.setText(text)


class SettingsDiff(QWidget):
    differences_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDiff")
        self.comparison: Comparison | None = None
        self._colors: dict[str, QColor] = {}
        self._titles: dict[str, str] = {}
        self.title = QLabel("Settings")
        self.title.setObjectName("subTitle")
        self.differences_only = QCheckBox("Differences only")
        self.differences_only.setObjectName("differencesOnly")
        self.differences_only.setChecked(True)
        self.differences_only.setToolTip("Hide the settings that are the same in every run")
        self.differences_only.toggled.connect(self._on_toggled)
        self.note = QLabel()
        self.note.setObjectName("hint")
        self.table = _table("settingsTable")
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addWidget(self.note, 1)
        header.addWidget(self.differences_only)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addLayout(header)
        layout.addWidget(self.table, 1)

    def set_comparison(self, comparison: Comparison, colors: dict[str, QColor], titles: dict[str, str]) -> None:
        self.comparison, self._colors, self._titles = comparison, colors, titles
        self._fill()

    def visible_settings(self) -> list[str]:
        """The names of the settings rows on screen (e.g. ['class_weight'])."""
        return [self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(self.table.rowCount())]

    def _on_toggled(self, checked: bool) -> None:
        self._fill()
        self.differences_toggled.emit(checked)

    def _fill(self) -> None:
        comparison = self.comparison
        table = self.table
        table.clear()
        table.setRowCount(0)
        if comparison is None:
            return
        runs = list(comparison.runs)
        alone = len(runs) == 1     # nothing to differ from: every setting of the run
        rows = (comparison.differing_settings() if self.differences_only.isChecked() and not alone
                else comparison.settings)
        differing = len(comparison.differing_settings())
        self.differences_only.setVisible(not alone)
        self.note.setText("of this run" if alone else f"{differing} of {len(comparison.settings)} differ"
                          if differing else "all settings are the same")
        _run_headers(table, "Setting", runs, self._colors, self._titles)
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            name = QTableWidgetItem(setting_label(row.name))
            name.setData(Qt.ItemDataRole.UserRole, row.name)
            name.setToolTip(row.name)
            table.setItem(r, 0, name)
            for k, value in enumerate(row.values, start=1):
                item = QTableWidgetItem(_setting_text(row.name, value))
                item.setToolTip(repr(value))
                table.setItem(r, k, item)
            if row.differs and not self.differences_only.isChecked():
                for k in range(table.columnCount()):
                    table.item(r, k).setBackground(QBrush(DIFFERS_BACKGROUND))
        if not rows:
            table.setRowCount(1)
            item = QTableWidgetItem("Every setting is the same: the runs differ only by chance, if at all.")
            item.setData(Qt.ItemDataRole.UserRole, None)
            table.setItem(0, 0, item)
            table.setSpan(0, 0, 1, table.columnCount())


def _setting_text(name: str, value: Any) -> str:
    if name == "algorithm" and isinstance(value, str):
        return algorithm_label(value)   # the name the rest of the window uses
    if name == "class_weight":
        return value or "none"
    if name == "cv_folds" and value is None:
        return "off"
    if name == "test_size" and isinstance(value, float):
        return f"{value:.0%}"
    return format_value(value)


class MetricsTable(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("metricsTable")
        self.title = QLabel("Metrics")
        self.title.setObjectName("subTitle")
        self.note = QLabel("bold green: the best of the row")
        self.note.setObjectName("hint")
        self.table = _table("metricsTableView")
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addLayout(header)
        layout.addWidget(self.table, 1)

    def set_comparison(self, comparison: Comparison, colors: dict[str, QColor], titles: dict[str, str]) -> None:
        table = self.table
        table.clear()
        runs = list(comparison.runs)
        order = {name: i for i, name in enumerate(sort_metrics(r.name for r in comparison.metrics))}
        rows = sorted((r for r in comparison.metrics if not r.name.endswith("_std")),
                      key=lambda r: (r.name.startswith("cv_"), order[r.name]))
        pair = len(runs) == 2
        _run_headers(table, "Metric", runs, colors, titles, ["Change"] if pair else [])
        if pair:
            table.horizontalHeaderItem(len(runs) + 1).setToolTip(
                f"{titles[runs[1].id]} minus {titles[runs[0].id]}")
        table.setRowCount(len(rows))
        bold = QFont(table.font())
        bold.setBold(True)
        for r, row in enumerate(rows):
            name = QTableWidgetItem(metric_label(row.name))
            name.setData(Qt.ItemDataRole.UserRole, row.name)
            name.setToolTip(f"{row.name}{' (lower is better)' if lower_is_better(row.name) else ''}")
            table.setItem(r, 0, name)
            for k, value in enumerate(row.values, start=1):
                item = QTableWidgetItem(format_metric(value))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                exact = format_exact_score(value) if isinstance(value, (int, float)) else ""
                item.setToolTip(exact)
                if row.best == k - 1:
                    item.setFont(bold)
                    item.setForeground(BEST_COLOR)
                    item.setToolTip(f"{exact} — best of these runs")
                table.setItem(r, k, item)
            if pair:
                a, b = row.values
                change = QTableWidgetItem("" if a is None or b is None else format_score_change(b - a))
                change.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(r, len(runs) + 1, change)
