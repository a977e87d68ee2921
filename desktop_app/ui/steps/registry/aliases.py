"""The Aliases tab: each alias of the model with its version, when and why it was last set.

An alias moved on two workstations at once (a sync conflict) is marked ⚠ in a warning colour, with
both moves in its tooltip, and "Resolve conflict…" opens the dialog that settles it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.steps.registry.text import alias_colors
from desktop_app.ui.text.formatting import exact_time, relative_time
from desktop_app.ui.widgets.conflict_dialog import conflict_sentence
from desktop_app.ui.widgets.read_only_table import read_only_table

if TYPE_CHECKING:
    from desktop_app.core.registry.entities import ModelVersion, RegisteredModel
    from desktop_app.core.sync.service import Conflict

CONFLICT_COLOR = "#a15c00"

ALIAS_COL, VERSION_COL, WHEN_COL, WHO_COL, REASON_COL = range(5)


def last_alias_events(history: list[Any] | None) -> dict[str, Any]:
    """The newest audit event that set or moved each alias (history is newest first)."""
    out: dict[str, Any] = {}
    for event in history or []:
        if event.action != "model.alias":
            continue
        alias = (event.after or {}).get("alias") or (event.before or {}).get("alias")
        if alias and alias not in out:
            out[alias] = event
    return out


class AliasesTab(QWidget):
    move_requested = Signal(str)      # the alias to move ("" for a new alias)
    remove_requested = Signal(str)
    resolve_requested = Signal(str)   # the alias whose conflict (two moves made at once) to settle

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registryAliases")
        self.model: RegisteredModel | None = None
        self.version: ModelVersion | None = None
        self.conflicts: dict[str, Conflict] = {}
        intro = QLabel("An alias is a stable name scripts and bundles use, e.g. <b>heart-risk@production</b>. "
                       "Moving it changes which version they get; every move needs a reason and is kept in the "
                       "history.")
        intro.setObjectName("hint")
        intro.setWordWrap(True)
        fit, stretch = QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch
        self.table = read_only_table("aliasTable", ["Alias", "Version", "Set", "By", "Reason"],
                                     (fit, fit, fit, fit, stretch), select_rows=True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda _item: self._move())
        self.empty = QLabel()
        self.empty.setObjectName("hint")
        self.empty.setWordWrap(True)

        self.move_button = QPushButton("Move alias…")
        self.move_button.setObjectName("moveAliasButton")
        self.move_button.setToolTip("Point the selected alias at another version (asks for a reason, and offers a "
                                    "comparison on held-out data first)")
        self.move_button.clicked.connect(self._move)
        self.add_button = QPushButton("Add an alias…")
        self.add_button.setObjectName("addAliasButton")
        self.add_button.clicked.connect(lambda: self.move_requested.emit(""))
        self.remove_button = QPushButton("Remove alias…")
        self.remove_button.setObjectName("removeAliasButton")
        self.remove_button.clicked.connect(self._remove)
        self.resolve_button = QPushButton("Resolve conflict…")
        self.resolve_button.setObjectName("resolveAliasButton")
        self.resolve_button.setToolTip("This alias was moved on two workstations at once: see both moves side by "
                                       "side and choose the one that counts")
        self.resolve_button.clicked.connect(self._resolve)
        buttons = QHBoxLayout()
        buttons.addWidget(self.resolve_button)
        buttons.addWidget(self.move_button)
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        self._update_buttons()

    def show_model(self, model: RegisteredModel, version: ModelVersion | None, history: list[Any] | None,
                   conflicts: list[Conflict] = ()) -> None:
        previous = self.selected_alias()
        self.model, self.version = model, version
        self.conflicts = {c.alias: c for c in conflicts if c.alias}
        events = last_alias_events(history)
        self.table.setRowCount(0)
        for alias, number in model.aliases.items():
            row = self.table.rowCount()
            self.table.insertRow(row)
            background, foreground = alias_colors(alias)
            alias_item = QTableWidgetItem(alias)
            alias_item.setForeground(QBrush(QColor(foreground)))
            alias_item.setBackground(QBrush(QColor(background)))
            font = QFont(alias_item.font())
            font.setBold(True)
            alias_item.setFont(font)
            alias_item.setData(Qt.ItemDataRole.UserRole, alias)
            holder = next((v for v in model.versions if v.number == number), None)
            version_text = f"v{number}" + (f" · {holder.dataset_label}" if holder is not None else "")
            event = events.get(alias)
            items = [alias_item, QTableWidgetItem(version_text)]
            if event is not None:
                when = QTableWidgetItem(relative_time(event.at))
                when.setToolTip(exact_time(event.at))
                items += [when, QTableWidgetItem(f"{event.user}@{event.host}"), QTableWidgetItem(event.reason or "—")]
                items[-1].setToolTip(event.reason or "No reason was given (the first assignment needs none)")
            else:
                items += [QTableWidgetItem("…" if history is None else "—") for _ in range(3)]
            conflict = self.conflicts.get(alias)
            if conflict is not None:
                alias_item.setText(f"⚠ {alias}")
                alias_item.setForeground(QBrush(QColor(CONFLICT_COLOR)))
                for item in items:
                    item.setToolTip(f"{conflict_sentence(conflict)} Resolve conflict… settles it.")
            for col, item in enumerate(items):
                self.table.setItem(row, col, item)
            if alias == previous or (previous is None and version is not None and alias in version.aliases):
                self.table.selectRow(row)
        if model.aliases:
            self.empty.setVisible(False)
        else:
            self.empty.setText(f"{model.name} has no alias yet. Give the version you trust the alias "
                               "'production' (Add an alias…) so that exports and scripts can name it.")
            self.empty.setVisible(True)
        if self.table.rowCount() and not self.table.selectedItems():
            self.table.selectRow(0)
        self._update_buttons()

    def selected_alias(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.table.item(rows[0].row(), ALIAS_COL).data(Qt.ItemDataRole.UserRole)

    def select_alias(self, alias: str) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, ALIAS_COL).data(Qt.ItemDataRole.UserRole) == alias:
                self.table.selectRow(row)

    def _update_buttons(self) -> None:
        alias = self.selected_alias()
        has = alias is not None
        self.resolve_button.setVisible(bool(self.conflicts))
        self.resolve_button.setEnabled(alias in self.conflicts)
        self.move_button.setEnabled(has)
        self.remove_button.setEnabled(has)
        self.add_button.setEnabled(self.model is not None)

    def _move(self) -> None:
        alias = self.selected_alias()
        if alias is not None:
            self.move_requested.emit(alias)

    def _remove(self) -> None:
        alias = self.selected_alias()
        if alias is not None:
            self.remove_requested.emit(alias)

    def _resolve(self) -> None:
        alias = self.selected_alias()
        if alias in self.conflicts:
            self.resolve_requested.emit(alias)
