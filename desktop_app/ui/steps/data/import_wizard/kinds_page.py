"""Import wizard, page 3: what kind of values each column holds (guessed, editable)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from desktop_app.ui.steps.data.import_wizard.draft import ImportDraft
from desktop_app.ui.steps.data.import_wizard.files import PREVIEW_ROWS

KIND_HELP = {
    "numeric": "Numbers: amounts, measurements, counts",
    "categorical": "A limited set of labels, such as Male/Female or A/B/C",
    "boolean": "Two values: yes/no, true/false, 1/0",
    "datetime": "Dates or times",
    "text": "Free text with many different values",
    "id": "Unique per row (customer number, UUID); not used for learning",
}


class KindsPage(QWizardPage):
    def __init__(self, draft: ImportDraft) -> None:
        super().__init__()
        self.draft = draft
        self.setTitle("Step 3 of 4 · Check the column kinds")
        self.setSubTitle(
            f"The kind decides how a column is summarized and used for training. Guessed from the first "
            f"{PREVIEW_ROWS} rows; columns you leave alone are checked again on the whole file."
        )
        self.setButtonText(QWizard.WizardButton.NextButton, "Import")
        self._inferred: dict[str, str] = {}
        self.combos: dict[str, QComboBox] = {}

        self.table = QTableWidget(0, 3)
        self.table.setObjectName("kindsTable")
        self.table.setHorizontalHeaderLabels(["Column", "Kind", "Sample values"])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(1, 150)
        self.changed_note = QLabel()
        self.changed_note.setObjectName("hint")

        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.changed_note)

    def initializePage(self) -> None:  # noqa: N802 - Qt name
        from desktop_app.core.data.settings import ColumnKind

        inferred = {str(k): str(v) for k, v in self.draft.inferred_kinds.items()}
        if inferred == self._inferred and self.table.rowCount():
            return  # keep the user's choices when coming back from the import page
        self._inferred = inferred
        self.combos.clear()
        self.table.setRowCount(len(inferred))
        bold = QFont(self.font())
        bold.setBold(True)
        for row, (column, kind) in enumerate(inferred.items()):
            name = QTableWidgetItem(column)
            self.table.setItem(row, 0, name)
            combo = QComboBox()
            for value in ColumnKind:
                combo.addItem(str(value), str(value))
                combo.setItemData(combo.count() - 1, KIND_HELP.get(str(value), ""), Qt.ItemDataRole.ToolTipRole)
            combo.setCurrentIndex(combo.findData(kind))
            combo.setToolTip(f"Guessed: {kind}")
            combo.currentIndexChanged.connect(lambda _i, c=column: self._kind_changed(c))
            self.combos[column] = combo
            self.table.setCellWidget(row, 1, combo)
            samples = QTableWidgetItem(self.draft.sample_texts.get(column, ""))
            samples.setForeground(self.palette().placeholderText())
            self.table.setItem(row, 2, samples)
        self.table.resizeRowsToContents()
        self._update_note()

    def validatePage(self) -> bool:  # noqa: N802 - Qt name
        # Only the kinds the user changed: the import settles the others on the whole file.
        self.draft.kinds = self.changed_kinds() or None
        return True

    def changed_kinds(self) -> dict[str, Any]:
        from desktop_app.core.data.settings import ColumnKind

        return {
            column: ColumnKind(combo.currentData())
            for column, combo in self.combos.items()
            if combo.currentData() != self._inferred.get(column)
        }

    def _kind_changed(self, column: str) -> None:
        row = list(self.combos).index(column)
        item = self.table.item(row, 0)
        font = item.font()
        font.setBold(column in self.changed_kinds())
        item.setFont(font)
        self._update_note()

    def _update_note(self) -> None:
        changed = self.changed_kinds()
        if changed:
            names = ", ".join(f"{c} → {k}" for c, k in changed.items())
            self.changed_note.setText(f"You changed: {names}")
        else:
            self.changed_note.setText("Hover over a kind to see what it means. Press Import when the kinds look right.")
