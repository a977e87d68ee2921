"""The model version the Export step works on: `name@alias` (now version N) or `name@N`, archived
versions marked, with one line about it (algorithm, data, key metrics)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from desktop_app.ui.steps.export.text import PickerEntry, default_entry, picker_entries, version_line
from desktop_app.ui.text.formatting import exact_time, relative_time

if TYPE_CHECKING:
    from desktop_app.core.registry.entities import RegisteredModel

ARCHIVED = QBrush(QColor("#8a929c"))


class VersionPicker(QWidget):
    changed = Signal(object)   # the PickerEntry picked by the user

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entries: list[PickerEntry] = []
        self.combo = QComboBox()
        self.combo.setObjectName("exportVersionPicker")
        self.combo.setMinimumContentsLength(30)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setToolTip("The registered model version to export or score with. name@alias is the version the "
                              "alias points to now; name@N is one version.")
        self.combo.activated.connect(lambda _i: self.changed.emit(self.current()))
        caption = QLabel("Model version:")
        caption.setObjectName("subTitle")
        caption.setBuddy(self.combo)
        self.about = QLabel()
        self.about.setObjectName("hint")
        self.about.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(caption)
        layout.addWidget(self.combo)
        layout.addWidget(self.about, 1)

    def set_models(self, models: Sequence[RegisteredModel], prefer: str | None = None) -> PickerEntry | None:
        """Fill the list; keeps the current pick when it is still there (else `prefer`, else a sensible one)."""
        keep = self.current_ref() or prefer
        self.entries = picker_entries(models)
        self.combo.blockSignals(True)
        self.combo.clear()
        for entry in self.entries:
            self.combo.addItem(entry.text, entry.ref)
            index = self.combo.count() - 1
            self.combo.setItemData(index, entry.tooltip, Qt.ItemDataRole.ToolTipRole)
            if entry.archived:
                self.combo.setItemData(index, ARCHIVED, Qt.ItemDataRole.ForegroundRole)
        chosen = default_entry(self.entries, keep)
        if chosen is not None:
            self.combo.setCurrentIndex(self.combo.findData(chosen.ref))
        self.combo.blockSignals(False)
        self._describe()
        return chosen

    def current(self) -> PickerEntry | None:
        ref = self.combo.currentData()
        return next((e for e in self.entries if e.ref == ref), None)

    def current_ref(self) -> str | None:
        return self.combo.currentData()

    def select_ref(self, ref: str) -> PickerEntry | None:
        index = self.combo.findData(ref)
        if index < 0:
            return None
        self.combo.setCurrentIndex(index)
        self._describe()
        return self.current()

    def select_version(self, version_id: str) -> PickerEntry | None:
        """Pick `name@N` of this version (exactly that version, whatever its aliases)."""
        entry = next((e for e in self.entries if e.version.id == version_id and e.ref == e.version.label), None)
        return self.select_ref(entry.ref) if entry is not None else None

    def _describe(self) -> None:
        entry = self.current()
        if entry is None:
            self.about.clear()
            self.about.setToolTip("")
            return
        version = entry.version
        self.about.setText(version_line(version))
        self.about.setToolTip(f"{version.label}: registered {relative_time(version.created_at)} "
                              f"({exact_time(version.created_at)}) by {version.created_by}@{version.host}")
