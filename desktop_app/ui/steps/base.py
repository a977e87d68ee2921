"""What every step panel shares: the frame (title, purpose, primary action, body, next action),
its state for the navigator, the way to another step, its background work and its remembered
splitter positions.

A step subclasses `StepPanel`, puts its content in `self.body`, connects `self.primary_button`,
runs long work through `self.work` (`ui.work.background`) and shows a project in `set_project`.
It names the kinds of project state it shows in `shows` and says what it changed with `announce`:
the window reloads the other steps that show that kind (`ui.work.changes`).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QToolButton, QVBoxLayout, QWidget

from desktop_app.ui.work.background import BackgroundWork
from desktop_app.ui.work.changes import Change

if TYPE_CHECKING:
    from desktop_app.core.project import Project
    from desktop_app.core.registry.entities import RegisteredModel
    from desktop_app.ui.work.tasks import Task, TaskRunner


class StepState(Enum):
    """What the navigator shows beside a step: ○ not started, ◐ needs attention, ● done."""

    NOT_STARTED = "not started"
    ATTENTION = "needs attention"
    DONE = "done"


class _FillLayout(QVBoxLayout):
    """A step's outer layout. It claims no height-for-width, so the window's scroll area sizes
    the step to the window (down to its minimum) instead of to the preferred height of its
    word-wrapped labels, which would push the bottom of the step out of sight."""

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt name
        return False


class StepPanel(QWidget):
    """Subclasses put their content in `self.body` and connect `self.primary_button`."""

    key = ""
    shows: frozenset[Change] = frozenset()   # what this step shows: it reloads when another step changes it
    # Modules the step imports lazily when it first shows a project holding data (kept out of the launch). The
    # window's opening worker imports them before it shows the project, so that wave of imports is not on the
    # window's thread, nor beside it on the step's loading workers.
    first_imports: tuple[str, ...] = ()
    state_changed = Signal(object, str)  # StepState, detail for the navigator tooltip
    go_to_step = Signal(str)             # the key of the step to open (the window's navigator follows)
    project_changed = Signal(object)     # frozenset[Change]: what this step just changed in the project

    def __init__(self, runner: TaskRunner, title: str, purpose: str, primary_text: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.runner = runner
        self.work = BackgroundWork(runner)
        self.project: Project | None = None
        self._splitters: list[QSplitter] = []
        self.title_label = QLabel(title)
        self.title_label.setObjectName("pageTitle")
        self.help_button = QToolButton()   # the window opens the step's section of the user guide
        self.help_button.setObjectName("helpButton")
        self.help_button.setText("?")
        self.help_button.setToolTip(f"How the {title} step works: its section of the user guide")
        self.help_button.setAccessibleName(f"Help on the {title} step")
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
        header.addWidget(self.help_button, 0, Qt.AlignmentFlag.AlignVCenter)
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

    def set_project(self, project: Project | None) -> None:
        """Show `project` (None: no project open); whatever the previous one started is dropped."""
        raise NotImplementedError

    def refresh(self) -> Any:
        """Reload what the panel shows (F5), keeping what the user selected."""

    def announce(self, *kinds: Change) -> None:
        """Tell the window this step changed the project (the other steps showing it follow)."""
        self.project_changed.emit(frozenset(kinds))

    # -- shared chores ------------------------------------------------------------------------
    def load_registered_models(self, *, done: Callable[[list[RegisteredModel]], Any],
                               failed: Callable[[BaseException], Any]) -> Task:
        """Read the project's registered models on a worker (slot "models", not shown in the task bar)."""
        registry = self.project.registry
        return self.work.start("models", "Loading registered models", lambda _p: registry.models(),
                               done=done, failed=failed, visible=False)

    def remember_splitters(self, *splitters: QSplitter) -> None:
        """Put these splitters back where the user left them (by object name); `save_state` keeps them."""
        settings = QSettings()
        for splitter in splitters:
            self._splitters.append(splitter)
            state = settings.value(f"splitters/{splitter.objectName()}")
            if state is not None:
                splitter.restoreState(state)

    def save_state(self) -> None:
        """Keep the splitter positions (and whatever else a step remembers) for the next session."""
        settings = QSettings()
        for splitter in self._splitters:
            settings.setValue(f"splitters/{splitter.objectName()}", splitter.saveState())

    def _set_state(self, state: StepState, detail: str = "") -> None:
        self.state = state
        self.state_changed.emit(state, detail)
