"""Settle an alias conflict: the moves two workstations made at once, side by side; pick one, say why.

Sync (docs/sync.md) shows the same winner everywhere — the move with the later stamp — until
someone chooses. This dialog is that choice, opened from the Registry step (the marked model, its
Aliases tab) and from the Team place's list of conflicts. Each move is a card: the version it
points at, who and on which computer, when, from → to, its reason and whether that version passes
the model's KPI gate. A reason is required (it goes into the history, where both moves stay); OK
calls `registry.resolve_alias_conflict` on a worker, and `resolved(version)` tells the opener.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.text.formatting import exact_time, relative_time
from desktop_app.ui.widgets.errors import user_message
from desktop_app.ui.work.background import BackgroundWork

if TYPE_CHECKING:
    from desktop_app.core.registry.entities import ModelVersion
    from desktop_app.core.registry.service import RegistryService
    from desktop_app.core.sync.service import Conflict, ConflictValue
    from desktop_app.ui.work.tasks import TaskRunner

STYLE = """
QFrame#conflictCard { border: 1px solid #dde3e9; border-radius: 8px; background: #fbfcfd; }
QFrame#conflictCard[chosen="true"] { border: 2px solid #1f6feb; background: #f3f7fe; }
QLabel#inUse { color: #1f5fbf; font-weight: 600; }
"""
PASS_COLOR, FAIL_COLOR = "#2e7d32", "#b3261e"


def version_text(value: Any) -> str:
    return f"v{value}" if isinstance(value, int) else ("no version (removed)" if value is None else str(value))


def conflict_sentence(conflict: Conflict) -> str:
    """One sentence for a conflict, in the window's words (the CLI's names its command instead)."""
    moves = " and ".join(f"{version_text(v.value)} by {v.user}@{v.host}" for v in conflict.values)
    what = f"{conflict.model}@{conflict.alias}" if conflict.alias else f"the {conflict.kind} of {conflict.model}"
    settle = "choose which one counts" if conflict.alias else f"save the {conflict.kind} again to settle it"
    return (f"{what} was changed on two workstations at once ({moves}); {version_text(conflict.winner)} is used "
            f"everywhere until someone chooses — {settle}.")


def gate_words(passed: bool | None) -> tuple[str, str]:
    if passed is None:
        return "no KPI gate to pass", "#6b7480"
    return ("✓ passes the KPI gate", PASS_COLOR) if passed else ("✗ fails the KPI gate", FAIL_COLOR)


class MoveCard(QFrame):
    """One move of the conflict; clicking anywhere on it picks it."""

    def __init__(self, value: ConflictValue, winner: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictCard")
        self.value = value
        self.radio = QRadioButton(f"Keep {version_text(value.value)}")
        self.radio.setObjectName("conflictChoice")
        font = self.radio.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() + 1)
        self.radio.setFont(font)
        self.radio.setEnabled(isinstance(value.value, int))
        self.in_use = QLabel("in use now" if winner else "")
        self.in_use.setObjectName("inUse")
        self.in_use.setToolTip("Until someone chooses, every workstation uses the move made last (by the clock "
                               "all workstations agree on)")
        head = QHBoxLayout()
        head.addWidget(self.radio)
        head.addStretch(1)
        head.addWidget(self.in_use)
        when = QLabel(relative_time(value.at) if value.at is not None else "—")
        when.setToolTip(exact_time(value.at) if value.at is not None else "")
        reason = QLabel(value.reason or "— (no reason given)")
        reason.setTextFormat(Qt.TextFormat.PlainText)       # the user's words, never markup
        reason.setWordWrap(True)
        reason.setObjectName("conflictReason")
        gate, color = gate_words(value.gate_passed)
        gate_label = QLabel(gate)
        gate_label.setStyleSheet(f"color: {color};")
        form = QFormLayout()
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(4)
        form.addRow("Moved by", QLabel(f"{value.user} on {value.host}"))
        form.addRow("When", when)
        form.addRow("Move", QLabel(f"{version_text(value.before)} → {version_text(value.value)}"))
        form.addRow("Reason", reason)
        form.addRow("KPI gate", gate_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 12)
        layout.addLayout(head)
        layout.addLayout(form)
        if not isinstance(value.value, int):
            note = QLabel("This move removed the alias; to settle on that, remove the alias in the Registry.")
            note.setObjectName("hint")
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addStretch(1)
        self.radio.toggled.connect(self._mark)

    def _mark(self, chosen: bool) -> None:
        self.setProperty("chosen", chosen)
        self.style().unpolish(self)
        self.style().polish(self)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt name
        if self.radio.isEnabled():
            self.radio.setChecked(True)
        super().mousePressEvent(event)


class ConflictDialog(QDialog):
    """`resolved(version)` once the alias points at the chosen version and the conflict is settled."""

    resolved = Signal(object)

    def __init__(self, runner: TaskRunner, registry: RegistryService, conflict: Conflict,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictDialog")
        self.setStyleSheet(STYLE)
        self.setWindowTitle(f"Settle the conflict over {conflict.model}@{conflict.alias}")
        self.setMinimumWidth(620)
        self.registry, self.conflict = registry, conflict
        self.work = BackgroundWork(runner)
        heading = QLabel(f"{conflict.model}@{conflict.alias} was moved on two workstations at once")
        heading.setObjectName("sectionTitle")
        heading.setWordWrap(True)
        explain = QLabel(
            f"Neither saw the other's move before syncing. Until someone chooses, every workstation uses "
            f"{version_text(conflict.winner)} (the later move). Pick the version '{conflict.alias}' should point "
            "at: your choice replaces both moves on every workstation at their next sync, and both stay in the "
            "history.")
        explain.setObjectName("hint")
        explain.setWordWrap(True)
        self.cards = [MoveCard(v, v is conflict.values[-1]) for v in conflict.values]   # the last one wins
        self.choices = QButtonGroup(self)
        cards = QHBoxLayout()
        cards.setSpacing(12)
        for card in self.cards:
            self.choices.addButton(card.radio)
            cards.addWidget(card, 1)
        self.choices.buttonToggled.connect(lambda _b, _on: self._changed())
        self.reason = QLineEdit()
        self.reason.setObjectName("conflictReason")
        self.reason.setPlaceholderText("e.g. agreed with the team: v3 was checked on May's data")
        self.reason.textChanged.connect(lambda _t: self._changed())
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("conflictOk")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        reason_form = QFormLayout()
        reason_form.addRow("Reason (required)", self.reason)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(explain)
        layout.addSpacing(6)
        layout.addLayout(cards, 1)
        layout.addSpacing(6)
        layout.addLayout(reason_form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._changed()

    # -- the choice --------------------------------------------------------------------------------
    def chosen(self) -> ConflictValue | None:
        return next((card.value for card in self.cards if card.radio.isChecked()), None)

    def choose(self, number: int) -> None:
        for card in self.cards:
            if card.value.value == number:
                card.radio.setChecked(True)

    def _changed(self) -> None:
        value = self.chosen()
        self.error.setVisible(False)
        if value is None:
            self.ok_button.setText("Choose")
            self.ok_button.setEnabled(False)
            self.ok_button.setToolTip("Pick the move to keep first")
            return
        self.ok_button.setText(f"Point {self.conflict.alias} at {version_text(value.value)}")
        self.ok_button.setEnabled(not self.work.running("resolve"))
        self.ok_button.setToolTip("" if self.reason.text().strip() else "Say why first: the reason is kept")

    def accept(self) -> None:
        value, reason = self.chosen(), self.reason.text().strip()
        if value is None or self.work.running("resolve"):
            return
        if not reason:
            self._show_error(f"Say why {version_text(value.value)} is the right one: the reason is kept in the "
                             "history, beside both moves, so that the team knows.")
            self.reason.setFocus()
            return
        registry, conflict, number = self.registry, self.conflict, value.value
        self.work.start("resolve", f"Settling {conflict.model}@{conflict.alias} on v{number}",
                        lambda _p: registry.resolve_alias_conflict(conflict.model, conflict.alias, number, reason),
                        done=self._resolved, failed=lambda error: self._show_error(f"Not settled: "
                                                                                   f"{user_message(error)}"),
                        ended=self._changed)
        self.ok_button.setEnabled(False)

    def _resolved(self, version: ModelVersion) -> None:
        self.resolved.emit(version)
        super().accept()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)
