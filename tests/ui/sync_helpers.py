"""Team set-ups for the window's sync tests (a shared folder and two workstations of one project), and
the ways the tests drive the window through a sync.

Small tables (tests/core/sync/helpers.py) trained in this process: quick.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from desktop_app.core.project import Project
from tests.core.sync.helpers import train, write_table
from tests.ui.helpers import wait_idle

MODEL = "risk"


def team_of_two(root: Path) -> tuple[Path, Project, Project]:
    """(shared, a, b): A made the project — base@1, risk v1 (production), v2 and v3 — and shared it; B cloned it.
    Both are synced and in step."""
    data = root / "data"
    data.mkdir(exist_ok=True)
    shared = root / "shared"
    a = Project.create(root / "a", name="Team")
    a.datasets.import_file(write_table(data, "base", 1), name="base")
    for seed in range(3):
        run = train(a, "base", seed)
        a.registry.register(run.id, MODEL, alias="production" if seed == 0 else None)
    a.sync.sync(shared)
    b = Project.clone(shared, root / "b")
    return shared, a, b


def move_production_on_both(a: Project, b: Project) -> None:
    """A points production at v2 and B at v3 without seeing each other; then both sync (A, B, A):
    each holds the conflict."""
    a.registry.set_alias(MODEL, "production", 2, reason="A: better recall")
    b.registry.set_alias(MODEL, "production", 3, reason="B: trained on newer data")
    a.sync.sync()
    b.sync.sync()
    a.sync.sync()


def alias_conflicts(project: Project) -> list:
    return [c for c in project.sync.conflicts(MODEL) if c.alias == "production"]


def open_in(qtbot, window, project):
    """Open `project` in the window and wait for its sync on opening (if it is linked) and its steps."""
    window.set_project(project)
    sync = window.team_sync
    qtbot.waitUntil(lambda: sync.status is not None and not sync.busy, timeout=20_000)
    if sync.linked:
        assert sync.ended == 1
    wait_idle(qtbot, window.runner)


def badge(window) -> str:
    return window.sync_badge.text() if window.sync_badge.isVisible() else ""


def ctrl_enter(qtbot, window):
    """The step's primary action, from the keyboard (the window active again after a dialog)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    qtbot.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def close_window(qtbot, window):
    """Close as the user does: the last sync runs first (bounded), then the window closes."""
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=20_000)
