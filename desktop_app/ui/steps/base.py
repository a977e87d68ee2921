"""The frame every step panel shares: title, purpose, primary action, body, next action."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


if TYPE_CHECKING:
    from desktop_app.ui.work.tasks import Task, TaskRunner


class StepState(Enum):
    """What the navigator shows beside a step: ○ not started, ◐ needs attention, ● done."""

    NOT_STARTED = "not started"
    ATTENTION = "needs attention"
    DONE = "done"


def load_registered_models(runner: TaskRunner, project: Any) -> Task:
    """Read the project's registered models on a worker thread (a task not shown in the task bar)."""
    registry = project.registry
    return runner.submit("Loading registered models", lambda _p: registry.models(), visible=False)


class _FillLayout(QVBoxLayout):
    """A step's outer layout. It claims no height-for-width, so the window's scroll area sizes
    the step to the window (down to its minimum) instead of to the preferred height of its
    word-wrapped labels, which would push the bottom of the step out of sight."""

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt name
        return False


class StepPanel(QWidget):
    """Subclasses put their content in `self.body` and connect `self.primary_button`."""

    key = ""
    state_changed = Signal(object, str)  # StepState, detail for the navigator tooltip

    def __init__(self, title: str, purpose: str, primary_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.title_label = QLabel(title)
        self.title_label.setObjectName("pageTitle")
        self.purpose_label = QLabel(purpose)
        self.purpose_label.setObjectName("purpose")
        self.purpose_label.setWordWrap(True)
        self.primary_button = QPushButton(primary_text)
        self.primary_button.setObjectName("primaryButton")
        self.primary_button.setMinimumHeight(32)
        self.next_button = QPushButton()
        self.next_button.setObjectName("nextButton")
        self.next_button.setVisible(False)
        self.next_note = QLabel()
        self.next_note.setObjectName("hint")
        self.next_note.setVisible(False)

        header = QHBoxLayout()
        header.addWidget(self.title_label)
        header.addStretch(1)
        header.addWidget(self.primary_button)
        self.body = QVBoxLayout()
        self.body.setContentsMargins(0, 0, 0, 0)
        footer = QHBoxLayout()
        footer.addStretch(1)
        footer.addWidget(self.next_note)
        footer.addWidget(self.next_button)

        layout = _FillLayout(self)
        layout.setContentsMargins(20, 14, 20, 12)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addWidget(self.purpose_label)
        layout.addSpacing(6)
        layout.addLayout(self.body, 1)
        layout.addLayout(footer)
        self.state = StepState.NOT_STARTED

    def set_next(self, text: str, *, enabled: bool, note: str = "", tooltip: str = "") -> None:
        """The natural next step, bottom right. Disabled ones say why (never a dead button)."""
        self.next_button.setText(text)
        self.next_button.setEnabled(enabled)
        self.next_button.setToolTip(tooltip)
        self.next_button.setVisible(True)
        self.next_note.setText(note)
        self.next_note.setVisible(bool(note))

    def trigger_primary(self) -> None:
        if self.primary_button.isEnabled():  # also when an empty state stands in for it
            self.primary_button.click()

    def refresh(self) -> None:
        """Reload what the panel shows (F5)."""

    def _set_state(self, state: StepState, detail: str = "") -> None:
        self.state = state
        self.state_changed.emit(state, detail)
