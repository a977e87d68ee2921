"""The top bar's sync state at a glance: "⟳ Synced 2 min ago", "Not shared", "2 waiting", "1 conflict".

A project in a team database is not synced through a folder: the badge names where it lives instead
("⛁ Team database db.lab:5432/heart"), or "⚠ Team database unreachable" while the window's
`TeamDatabaseWatch` retries.

A flat button at the right of the top bar; clicking it opens the Team place. It redraws when the
window's `TeamSync` changes, and once a minute so that "2 min ago" stays true (the exact time is in
the tooltip). Something that needs the user — a conflict, a batch that waits, a sync that failed —
is drawn in a warning colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QToolButton, QWidget

from desktop_app.ui.text.formatting import exact_time, plural, relative_time
from desktop_app.ui.widgets.errors import user_message

if TYPE_CHECKING:
    from desktop_app.ui.work.team_database_watch import TeamDatabaseWatch
    from desktop_app.ui.work.team_sync import TeamSync

TICK_MS = 30_000
COLORS = {"normal": "#3b4654", "quiet": "#6b7480", "warning": "#a15c00"}


@dataclass(frozen=True)
class SyncState:
    text: str
    tooltip: str
    level: str          # "normal", "quiet" (not shared) or "warning"


def team_database_state(where: str, watch: TeamDatabaseWatch | None) -> SyncState:
    """Where a project in a team database lives, and whether its server answers."""
    if watch is not None and not watch.reachable:
        return SyncState("⚠ Team database unreachable", f"{user_message(watch.error)}\nMLDesk tries again every "
                         "few seconds; the step in view reloads once the database is back.", "warning")
    return SyncState(f"⛁ Team database {where}", f"The project's records live in the team database {where}: "
                     "every workstation sees each change as it is saved, no folder sync is needed.\n"
                     "Click to open the Team place", "normal")


def sync_state(sync: TeamSync, watch: TeamDatabaseWatch | None = None) -> SyncState | None:
    """What the badge says about `sync`'s project (None: no project, or its status is not read yet)."""
    if sync.project is not None and sync.project.team_database:
        return team_database_state(sync.project.team_database, watch)
    status = sync.status
    if sync.project is None or (status is None and not sync.syncing and sync.error is None):
        return None
    if status is not None and status.folder is None and not sync.syncing:
        return SyncState("⟳ Not shared", "This project is not shared with a team. Click to link it to a shared "
                         "folder, so that colleagues can work on it too.", "quiet")
    folder = status.folder if status is not None else ""
    where = f"Shared folder: {folder}" if folder else ""
    if sync.syncing:
        return SyncState("⟳ Syncing…", "\n".join(filter(None, [sync.message or "Syncing with the team's folder",
                                                                where])), "normal")
    if sync.error is not None:
        sentence = user_message(sync.error)
        short = "folder unreachable" if "cannot be reached" in sentence else "see Team"
        return SyncState(f"⚠ Not synced: {short}", f"The last sync did not finish: {sentence}\n{where}".strip(),
                         "warning")
    last = status.last_sync_at
    parts = [f"⟳ Synced {relative_time(last)}" if last is not None else "⟳ Not synced yet"]
    tips = [f"Last sync: {exact_time(last)}" if last is not None else "Not synced yet", where]
    level = "normal"
    if status.conflicts:
        parts.append(plural(len(status.conflicts), "conflict"))
        tips.append(f"{plural(len(status.conflicts), 'setting')} changed on two workstations at once: choose "
                    "which one counts (Team place, or the Registry)")
        level = "warning"
    if status.waiting:
        parts.append(f"{len(status.waiting):,} waiting")
        tips.append(f"{plural(len(status.waiting), 'batch', 'batches')} of the team's changes cannot be received "
                    "yet (see the Team place for why)")
        level = "warning"
    if status.pending:
        parts.append(f"{status.pending:,} to send")
        tips.append(f"{plural(status.pending, 'change')} made here will be sent at the next sync")
    tips.append("Click to open the Team place")
    return SyncState(" · ".join(parts), "\n".join(filter(None, tips)), level)


class SyncBadge(QToolButton):
    """Shows `sync_state(sync)`; `clicked` opens the Team place (the window connects it)."""

    def __init__(self, sync: TeamSync, watch: TeamDatabaseWatch | None = None, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("syncBadge")
        self.setAutoRaise(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.sync = sync
        self.watch = watch
        self.state: SyncState | None = None
        sync.changed.connect(self.update_state)
        if watch is not None:
            watch.changed.connect(self.update_state)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self.update_state)
        self._tick.start()
        self.update_state()

    def update_state(self) -> None:
        self.state = sync_state(self.sync, self.watch)
        self.setVisible(self.state is not None)
        if self.state is None:
            return
        self.setText(self.state.text)
        self.setToolTip(self.state.tooltip)
        self.setAccessibleName(f"Sync: {self.state.text.lstrip('⟳⚠⛁ ')}")
        if self.property("level") == self.state.level:
            return
        self.setProperty("level", self.state.level)
        weight = "600" if self.state.level == "warning" else "normal"
        self.setStyleSheet(f"QToolButton#syncBadge {{ color: {COLORS[self.state.level]}; font-weight: {weight}; "
                           "border: none; padding: 3px 6px; }"
                           "QToolButton#syncBadge:hover { background: #e8edf3; border-radius: 4px; }")

