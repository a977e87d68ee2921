"""The thresholds the checks compare against: every one visible, with what it means, and editable."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from desktop_app.core.quality.thresholds import Thresholds

NAME_COL, VALUE_COL, DEFAULT_COL, MEANING_COL = range(4)


def readable(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class ThresholdsDialog(QDialog):
    """Edit a core `Thresholds`; `thresholds()` gives the accepted values."""

    def __init__(self, thresholds: Thresholds, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("thresholdsDialog")
        self.setWindowTitle("Quality thresholds")
        self.resize(860, 560)
        self._type = type(thresholds)
        self._result = thresholds
        defaults = self._type()

        intro = QLabel(
            "The checks compare each column against these numbers. Change one to make a check stricter or "
            "more lenient: double-click a value to edit it. The next run of the checks uses them, and each saved "
            "report keeps the values it used; changed values are shown in bold."
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("thresholdsTable")
        self.table.setHorizontalHeaderLabels(["Threshold", "Value", "Default", "What it means"])
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(NAME_COL, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(VALUE_COL, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(DEFAULT_COL, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(VALUE_COL, 90)
        header.resizeSection(DEFAULT_COL, 80)
        header.setSectionResizeMode(MEANING_COL, QHeaderView.ResizeMode.Stretch)
        for (name, value, meaning), (_, default, _) in zip(thresholds.describe(), defaults.describe()):
            row = self.table.rowCount()
            self.table.insertRow(row)
            name_item = QTableWidgetItem(readable(name))
            name_item.setData(Qt.ItemDataRole.UserRole, name)
            name_item.setToolTip(f"{name} (as in docs/quality_checks.md and `mldesk check`)")
            value_item = QTableWidgetItem(_text(value))
            value_item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value_item.setToolTip("Double-click or type to change")
            default_item = QTableWidgetItem(_text(default))
            default_item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            meaning_item = QTableWidgetItem(meaning)
            meaning_item.setToolTip(meaning)
            for item in (name_item, default_item, meaning_item):
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            for col, item in enumerate((name_item, value_item, default_item, meaning_item)):
                self.table.setItem(row, col, item)
        self.table.itemChanged.connect(self._mark_changes)
        self.table.resizeRowsToContents()

        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.reset_button = QPushButton("Restore defaults")
        self.reset_button.setToolTip("Put every threshold back to its default value")
        self.reset_button.clicked.connect(self.restore_defaults)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Use these thresholds")
        self.buttons.addButton(self.reset_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._mark_changes()

    def thresholds(self) -> Any:
        return self._result

    def set_value(self, name: str, value: Any) -> None:
        """Type a value into the row of `name` (as a user would)."""
        for row in range(self.table.rowCount()):
            if self.table.item(row, NAME_COL).data(Qt.ItemDataRole.UserRole) == name:
                self.table.item(row, VALUE_COL).setText(_text(value))
                return
        raise KeyError(name)

    def restore_defaults(self) -> None:
        for row in range(self.table.rowCount()):
            self.table.item(row, VALUE_COL).setText(self.table.item(row, DEFAULT_COL).text())

    def _read(self) -> Any:
        """The table as a Thresholds; raises ValueError or the core's QualityError with a sentence."""
        values: dict[str, Any] = {}
        defaults = self._type()
        for row in range(self.table.rowCount()):
            name = self.table.item(row, NAME_COL).data(Qt.ItemDataRole.UserRole)
            text = self.table.item(row, VALUE_COL).text().strip().replace(",", "")
            kind = type(getattr(defaults, name))
            try:
                values[name] = kind(float(text)) if kind is int and float(text).is_integer() else kind(text)
            except ValueError:
                raise ValueError(f"'{readable(name)}' needs a number{' without decimals' if kind is int else ''}, "
                                 f"not '{text}'.") from None
        return self._type(**values)

    def _mark_changes(self, _item: QTableWidgetItem | None = None) -> None:
        self.table.blockSignals(True)
        for row in range(self.table.rowCount()):
            item = self.table.item(row, VALUE_COL)
            font = QFont(item.font())
            font.setBold(item.text().strip() != self.table.item(row, DEFAULT_COL).text())
            item.setFont(font)
        self.table.blockSignals(False)

    def accept(self) -> None:
        from desktop_app.core.errors import MLDeskError

        try:
            self._result = self._read()
        except (ValueError, MLDeskError) as error:  # both say what is wrong in one sentence
            self.error.setText(f"{error} Correct it, or press Restore defaults.")
            self.error.setVisible(True)
            return
        super().accept()
