"""Drift settings of one model: every threshold with its value, its default, where the default
comes from, and what it means — editable; the reason is kept in the audit trail.

The dialog only validates (core `DriftSettings.from_dict`); the step stores the result with
`project.monitor.set_settings` on a worker thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from desktop_app.core.monitor.settings import DriftSettings

NAME_COL, VALUE_COL, DEFAULT_COL, SOURCE_COL, MEANING_COL = range(5)
# Where each default comes from (docs/drift.md, "What is tested, and when a column has drifted").
SOURCES = {
    "small_sample_rows": "Evidently DataDriftPreset",
    "categorical_max_values": "Evidently DataDriftPreset",
    "numeric_test": "Evidently (auto by size)",
    "categorical_test": "Evidently (auto by size)",
    "chi_squared_method": "MLDesk (two-sample test)",
    "p_value": "Evidently (KS, chi-squared)",
    "distance": "Evidently (Wasserstein, Jensen–Shannon)",
    "missing_change": "MLDesk",
    "psi_bins": "Industry convention (deciles)",
    "psi_moderate": "Usual PSI bands",
    "psi_significant": "Usual PSI bands",
    "drift_share": "Evidently drift_share",
    "domain_rows": "MLDesk",
    "domain_folds": "MLDesk",
    "domain_auc_low": "MLDesk (band around 0.5)",
    "domain_auc_high": "MLDesk (band around 0.5)",
    "seed": "MLDesk",
}
# The thresholds that decide first, then how the tests are chosen, then PSI and the domain classifier.
ORDER = ("p_value", "distance", "drift_share", "missing_change", "small_sample_rows", "categorical_max_values",
         "numeric_test", "categorical_test", "chi_squared_method", "psi_bins", "psi_moderate", "psi_significant",
         "domain_auc_low", "domain_auc_high", "domain_rows", "domain_folds", "seed")
LABELS = {
    "small_sample_rows": "Small sample (rows)", "categorical_max_values": "Few values → categories",
    "numeric_test": "Numeric test", "categorical_test": "Categorical test", "chi_squared_method": "Chi-squared method",
    "p_value": "p-value threshold", "distance": "Distance threshold", "missing_change": "Missing-share change",
    "psi_bins": "PSI bins", "psi_moderate": "PSI moderate from", "psi_significant": "PSI significant from",
    "drift_share": "Dataset drift share", "domain_rows": "Domain classifier rows",
    "domain_folds": "Domain classifier folds", "domain_auc_low": "Domain AUROC low",
    "domain_auc_high": "Domain AUROC high",
    "seed": "Seed",
}


def _text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class DriftSettingsDialog(QDialog):
    """Edit a core `DriftSettings`; after `accept`, `settings()` and `reason()` give the result."""

    def __init__(self, settings: DriftSettings, model_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from desktop_app.core.monitor.settings import CATEGORICAL_TESTS, CHI_SQUARED_METHODS, NUMERIC_TESTS

        self.setObjectName("driftSettingsDialog")
        self.setWindowTitle(f"Drift settings of {model_name}")
        self.resize(1000, 620)
        self._type = type(settings)
        self._result = settings
        self._choices = {"numeric_test": NUMERIC_TESTS, "categorical_test": CATEGORICAL_TESTS,
                         "chi_squared_method": CHI_SQUARED_METHODS}
        self.combos: dict[str, QComboBox] = {}
        intro = QLabel(
            f"How <b>{model_name}</b>'s batches are judged. A feature has drifted when its test passes its threshold; "
            "the batch has <b>dataset drift</b> when the share of drifted features reaches the dataset drift share. "
            "Double-click a value to change it; changed values are bold. New batches use these settings; batches "
            "already added keep the ones they were checked with.")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("driftSettingsTable")
        self.table.setHorizontalHeaderLabels(["Setting", "Value", "Default", "Default from", "What it means"])
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for col, width in ((NAME_COL, 170), (VALUE_COL, 110), (DEFAULT_COL, 90), (SOURCE_COL, 190)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(col, width)
        header.setSectionResizeMode(MEANING_COL, QHeaderView.ResizeMode.Stretch)
        defaults = self._type()
        described = {name: (value, meaning) for name, value, meaning in settings.describe()}
        order = [n for n in ORDER if n in described] + [n for n in described if n not in ORDER]
        for name, (value, meaning) in ((n, described[n]) for n in order):
            row = self.table.rowCount()
            self.table.insertRow(row)
            name_item = QTableWidgetItem(LABELS.get(name, name))
            name_item.setData(Qt.ItemDataRole.UserRole, name)
            name_item.setToolTip(f"{name} (as in docs/drift.md and project.monitor.set_settings)")
            default = getattr(defaults, name)
            default_item = QTableWidgetItem(_text(default))
            source_item = QTableWidgetItem(SOURCES.get(name, "MLDesk"))
            meaning_item = QTableWidgetItem(meaning)
            meaning_item.setToolTip(meaning)
            for item in (name_item, default_item, source_item, meaning_item):
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, NAME_COL, name_item)
            self.table.setItem(row, DEFAULT_COL, default_item)
            self.table.setItem(row, SOURCE_COL, source_item)
            self.table.setItem(row, MEANING_COL, meaning_item)
            if name in self._choices:
                combo = QComboBox()
                combo.addItems(list(self._choices[name]))
                combo.setCurrentText(str(value))
                combo.currentTextChanged.connect(lambda _t: self._mark_changes())
                self.combos[name] = combo
                self.table.setCellWidget(row, VALUE_COL, combo)
                self.table.setItem(row, VALUE_COL, QTableWidgetItem(""))
                self.table.item(row, VALUE_COL).setFlags(Qt.ItemFlag.ItemIsEnabled)
            else:
                value_item = QTableWidgetItem(_text(value))
                value_item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                value_item.setToolTip("Double-click or type to change")
                self.table.setItem(row, VALUE_COL, value_item)
        self.table.itemChanged.connect(lambda _i: self._mark_changes())
        # Rows as tall as their wrapped meaning, once the columns have their widths (and on every resize).
        header.sectionResized.connect(lambda *_a: self.table.resizeRowsToContents())

        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setPlaceholderText(
            "Why the change (kept in the audit trail), e.g. \"seasonal data: allow more\"")
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.defaults_button = QPushButton("Restore defaults")
        self.defaults_button.clicked.connect(self.restore_defaults)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton(self.defaults_button, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(QLabel("Reason:"))
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._mark_changes()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        self.table.resizeRowsToContents()

    # -- values --------------------------------------------------------------------------------------
    def _raw(self) -> dict[str, Any]:
        values = {}
        for row in range(self.table.rowCount()):
            name = self.table.item(row, NAME_COL).data(Qt.ItemDataRole.UserRole)
            if name in self.combos:
                values[name] = self.combos[name].currentText()
            else:
                values[name] = self.table.item(row, VALUE_COL).text().strip().replace(",", "")
        return values

    def set_value(self, name: str, value: Any) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, NAME_COL).data(Qt.ItemDataRole.UserRole) == name:
                if name in self.combos:
                    self.combos[name].setCurrentText(str(value))
                else:
                    self.table.item(row, VALUE_COL).setText(_text(value))
                return
        raise KeyError(name)

    def restore_defaults(self) -> None:
        for name, value, _meaning in self._type().describe():
            self.set_value(name, value)

    def _mark_changes(self) -> None:
        defaults = self._type()
        self.table.blockSignals(True)
        for row in range(self.table.rowCount()):
            name = self.table.item(row, NAME_COL).data(Qt.ItemDataRole.UserRole)
            current = self.combos[name].currentText() if name in self.combos else self.table.item(row, VALUE_COL).text()
            changed = current.strip() != _text(getattr(defaults, name))
            for col in (NAME_COL, VALUE_COL):
                item = self.table.item(row, col)
                font = QFont(item.font())
                font.setBold(changed)
                item.setFont(font)
        self.table.blockSignals(False)

    def _parsed(self) -> Any:
        from desktop_app.core.monitor.settings import DriftSettings

        raw = self._raw()
        typed: dict[str, Any] = {}
        defaults = DriftSettings()
        for name, text in raw.items():
            kind = type(getattr(defaults, name))
            if kind is str:
                typed[name] = text
                continue
            try:
                typed[name] = int(text) if kind is int else float(text)
            except ValueError:
                from desktop_app.core.monitor.errors import MonitorError

                raise MonitorError(f"'{LABELS.get(name, name)}' must be a {'whole ' if kind is int else ''}number, "
                                   f"not '{text}'.") from None
        return DriftSettings.from_dict(typed)

    def accept(self) -> None:  # noqa: D401 - Qt name
        from desktop_app.core.errors import MLDeskError

        try:
            self._result = self._parsed()
        except MLDeskError as exc:
            self.error.setText(str(exc))
            self.error.setVisible(True)
            return
        super().accept()

    def settings(self) -> Any:
        return self._result

    def reason(self) -> str:
        return self.reason_edit.text().strip()
