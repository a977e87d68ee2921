"""The Team place: share the project with colleagues through a shared folder, and see how it stands.

Not a step of the workflow, but it lives like one: an entry after Monitor in the navigator, a title,
a purpose, a primary action (Ctrl+Enter) and a master–detail body.

- Not linked: what sharing through a folder does, "Link to a shared folder…" (a folder picker: the
  team's folder of this project, or an empty one) and how a colleague joins (welcome page, or File ▸
  Join a team from a shared folder…).
- In a team database: nothing to link or sync — the place says where the project lives and how a
  colleague joins it.
- Linked: the folder, the last sync (relative time, exact on hover) and what it sent and received,
  what waits to be sent, "Sync now" (progress and Cancel in the task bar), and what needs attention
  — conflicts (each with Resolve…, the Registry's dialog), batches waiting to be received and why,
  stray files left alone, notes (attention.py).

Everything it shows comes from the window's `TeamSync` (ui/work/team_sync.py), which runs the syncs;
`conflict_resolved` tells the window (the Registry reloads).

Window wiring:
    team = TeamStep(runner, team_sync)
    team.conflict_resolved.connect(registry.refresh)
    team.go_to_step.connect(navigator.select)      # "registry" for a conflict over another setting
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.steps.base import StepPanel, StepState
from desktop_app.ui.steps.team.attention import AttentionView
from desktop_app.ui.steps.team.text import (
    HOW_TO_JOIN,
    HOW_TO_LINK,
    NOT_SHARED,
    attention,
    exchanged,
    in_team_database,
    team_database_hint,
    to_send,
)
from desktop_app.ui.text.formatting import exact_time, plural, relative_time
from desktop_app.ui.text.rich_text import escape
from desktop_app.ui.widgets.conflict_dialog import ConflictDialog
from desktop_app.ui.widgets.elided_label import ElidedLabel
from desktop_app.ui.widgets.empty_state import EmptyState
from desktop_app.ui.widgets.errors import show_error, user_message

if TYPE_CHECKING:
    from desktop_app.core.project import Project
    from desktop_app.core.sync.service import Conflict
    from desktop_app.ui.work.tasks import TaskRunner
    from desktop_app.ui.work.team_sync import TeamSync

PURPOSE = ("Share this project with colleagues through a folder you all reach: each of you works on your own "
           "copy, and a sync sends your changes and brings in theirs — nothing is ever overwritten.")
PURPOSE_IN_DATABASE = ("This project is shared with colleagues through the team database: everyone works on the "
                       "same records, and sees each change as soon as it is saved.")
STYLE = """
QWidget#teamStep, QWidget#attentionDetail { background: #ffffff; }
QFrame#teamSummary { border: 1px solid #dde3e9; border-radius: 8px; background: #fbfcfd; }
QTreeWidget#attentionList { border: 1px solid #dde3e9; }
QTreeWidget#attentionList::item { padding: 3px 0; }
"""
TICK_MS = 30_000


class TeamStep(StepPanel):
    key = "team"
    conflict_resolved = Signal()

    def __init__(self, runner: TaskRunner, sync: TeamSync, parent: QWidget | None = None) -> None:
        super().__init__(runner, "Team", PURPOSE, "Sync now", parent)
        self.setObjectName("teamStep")
        self.setStyleSheet(STYLE)
        self.sync = sync
        self.dialog: ConflictDialog | None = None
        self.primary_button.clicked.connect(self._primary)

        self.empty = EmptyState(NOT_SHARED, "Link to a shared folder…", HOW_TO_LINK)
        self.empty.button.clicked.connect(self.choose_folder)
        join = QLabel(HOW_TO_JOIN)
        join.setObjectName("hint")
        join.setWordWrap(True)
        join.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.layout().insertWidget(self.empty.layout().count() - 1, join)

        self.folder = ElidedLabel(mode=Qt.TextElideMode.ElideMiddle)
        self.folder.setObjectName("teamFolder")
        self.relink_button = QPushButton("Link to another folder…")
        self.relink_button.setToolTip("The team moved its shared folder: link this project to the new place")
        self.relink_button.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.relink_button)
        self.last_sync = QLabel()
        self.last_sync.setObjectName("teamLastSync")
        self.last_sync.setWordWrap(True)
        self.pending = QLabel()
        self.pending.setObjectName("teamPending")
        self.workstation = QLabel()
        self.workstation.setObjectName("hint")
        self.progress = QLabel()
        self.progress.setObjectName("hint")
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        summary = QFrame()
        summary.setObjectName("teamSummary")
        form = QFormLayout(summary)
        form.setContentsMargins(14, 10, 14, 10)
        form.setHorizontalSpacing(14)
        form.addRow("Shared folder", folder_row)
        form.addRow("Last sync", self.last_sync)
        form.addRow("To send", self.pending)
        form.addRow("This computer", self.workstation)
        form.addRow("", self.progress)
        form.addRow("", self.error)
        self.attention = AttentionView()
        self.attention.resolve_requested.connect(self.resolve)
        self.attention.registry_requested.connect(lambda: self.go_to_step.emit("registry"))
        linked = QWidget()
        linked_layout = QVBoxLayout(linked)
        linked_layout.setContentsMargins(0, 0, 0, 0)
        linked_layout.setSpacing(10)
        linked_layout.addWidget(summary)
        linked_layout.addWidget(self.attention, 1)
        self.linked_page = linked
        self.database_page = QLabel()       # a project in a team database: nothing to link or sync
        self.database_page.setObjectName("teamDatabase")
        self.database_page.setWordWrap(True)
        self.database_page.setTextFormat(Qt.TextFormat.RichText)
        self.database_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.database_page.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(linked)
        self.pages.addWidget(self.database_page)
        self.body.addWidget(self.pages)
        self.remember_splitters(self.attention)

        sync.changed.connect(self.show_state)
        sync.failed.connect(lambda error: show_error(self, "Could not sync with the shared folder", error))
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self.show_state)
        self._tick.start()
        self.show_state()

    # -- the project ---------------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        """The window's TeamSync follows the project; this place only shows what it knows."""
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.reject()      # it belongs to the previous project
        self.project = project
        self.show_state()

    def refresh(self) -> None:
        """Read the sync status again (F5)."""
        self.sync.refresh_status()

    def show_state(self) -> None:
        in_database = self.project is not None and bool(self.project.team_database)
        self.purpose_label.setText(PURPOSE_IN_DATABASE if in_database else PURPOSE)
        if in_database:
            self._show_team_database(self.project.team_database)
            return
        sync, status = self.sync, self.sync.status
        linked = status is not None and status.folder is not None
        self.pages.setCurrentWidget(self.linked_page if linked else self.empty)
        self.primary_button.setText("Sync now" if linked else "Link to a shared folder…")
        self.primary_button.setVisible(linked)
        self.primary_button.setEnabled(self.project is not None and not sync.syncing)
        self.primary_button.setToolTip("Send this computer's changes to the team's folder and receive theirs "
                                       "(Ctrl+Enter); progress and Cancel are in the task bar" if linked else
                                       "Choose the folder to share this project through (Ctrl+Enter)")
        self.empty.button.setEnabled(self.project is not None and not sync.syncing)
        self.relink_button.setEnabled(not sync.syncing)
        self.progress.setVisible(sync.syncing)
        self.progress.setText(f"Syncing… {sync.message}" if sync.message else "Syncing…")
        self.error.setVisible(sync.error is not None)
        if sync.error is not None:
            self.error.setText(f"The last sync did not finish: {user_message(sync.error)}")
        if status is None:
            self._set_state(StepState.NOT_STARTED, "no project" if self.project is None else "reading…")
            return
        self.folder.setText(status.folder or "")
        if status.last_sync_at is not None:
            self.last_sync.setText(f"{relative_time(status.last_sync_at)} — {exchanged(sync.report)}")
            self.last_sync.setToolTip(exact_time(status.last_sync_at))
        else:
            self.last_sync.setText("Not synced yet.")
            self.last_sync.setToolTip("")
        self.pending.setText(to_send(status.pending))
        self.workstation.setText(f"workstation {status.workstation[:8]}")
        self.workstation.setToolTip(f"This project folder's id in the team's journal: {status.workstation}")
        self.attention.show_items(attention(status, sync.report))
        self._update_state(linked)

    def _show_team_database(self, where: str) -> None:
        self.pages.setCurrentWidget(self.database_page)
        self.primary_button.setVisible(False)
        self.database_page.setText(
            f"<p style='font-size:15px; font-weight:600'>{escape(in_team_database(where))}</p>"
            + "".join(f"<p style='color:#5b6573'>{escape(part)}</p>"
                      for part in team_database_hint(str(self.project.objects.root)).split("\n\n")))
        self._set_state(StepState.DONE, "team database")

    def _update_state(self, linked: bool) -> None:
        status, sync = self.sync.status, self.sync
        if not linked:
            self._set_state(StepState.NOT_STARTED, "not shared with a team")
        elif status.conflicts or status.waiting or sync.error is not None:
            parts = [plural(len(status.conflicts), "conflict")] if status.conflicts else []
            parts += [f"{len(status.waiting)} waiting"] if status.waiting else []
            parts += ["the last sync did not finish"] if sync.error is not None else []
            self._set_state(StepState.ATTENTION, ", ".join(parts))
        else:
            when = relative_time(status.last_sync_at) if status.last_sync_at else "not yet"
            self._set_state(StepState.DONE, f"synced {when}")

    # -- actions ---------------------------------------------------------------------------------------
    def _primary(self) -> None:
        if self.project is not None and self.project.team_database:
            return
        if self.sync.linked:
            self.sync.sync_now()
        else:
            self.choose_folder()

    def choose_folder(self) -> str | None:
        """Ask for the shared folder, then link to it and sync (in the background)."""
        if self.project is None or self.sync.syncing:
            return None
        linked = self.sync.status.folder if self.sync.status is not None else None
        start = linked or str(Path(self.project.path).parent)
        folder = QFileDialog.getExistingDirectory(
            self, "Choose the team's shared folder for this project (or an empty folder)", start)
        if folder:
            self.sync.link(folder)
        return folder or None

    def resolve(self, conflict: Conflict) -> ConflictDialog | None:
        """The conflict dialog (the Registry's) for an alias conflict."""
        if self.project is None or conflict.alias is None:
            return None
        if self.dialog is not None:
            if self.dialog.isVisible():
                self.dialog.reject()
            self.dialog.deleteLater()
        self.dialog = ConflictDialog(self.runner, self.project.registry, conflict, parent=self.window())
        self.dialog.resolved.connect(self._resolved)
        self.dialog.open()
        return self.dialog

    def _resolved(self, _version: object) -> None:
        self.sync.refresh_status()
        self.conflict_resolved.emit()
