"""The Team place and the top bar's sync state, driven as a user would: link a project to a shared folder,
Sync now (Ctrl+Enter), see what was sent and received, changes of the team reaching the steps, what waits
and why, errors in one sentence, joining a team from the welcome page.

Two workstations of one project (tests/ui/sync_helpers.py) are two project folders and a shared folder in
the test's temporary folder; the "other" workstation is driven through the core, as a colleague's MLDesk.
"""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from tests.core.sync.helpers import write_table
from tests.ui.helpers import click, wait_idle
from tests.ui.sync_helpers import MODEL, badge, close_window, ctrl_enter, open_in, team_of_two


@pytest.fixture
def team(tmp_path):
    shared, a, b = team_of_two(tmp_path)
    yield shared, a, b
    a.close()
    b.close()


def test_link_a_project_through_the_team_place_and_sync(qtbot, window, tmp_path, monkeypatch):
    from desktop_app.core.project import Project

    project = Project.create(tmp_path / "solo", "Solo")
    project.datasets.import_file(write_table(tmp_path, "base", 1), name="base")
    open_in(qtbot, window, project)
    assert badge(window) == "⟳ Not shared"
    click(qtbot, window.sync_badge)                       # the badge opens the Team place
    team = window.team_step
    assert window.current_step() is team
    assert team.pages.currentWidget() is team.empty
    assert "Join a team from a shared folder" in team.empty.layout().itemAt(
        team.empty.layout().count() - 2).widget().text()

    made_here = window.team_sync.status.pending              # the project's creation and its import
    assert made_here >= 2
    shared = tmp_path / "shared"
    shared.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(shared)))
    click(qtbot, team.empty.button)                       # Link to a shared folder…
    qtbot.waitUntil(lambda: window.team_sync.linked and not window.team_sync.syncing, timeout=20_000)
    assert (shared / "FORMAT").exists()
    assert team.pages.currentWidget() is team.linked_page
    assert team.folder.text() == str(shared)
    assert team.last_sync.text().startswith(f"just now — Sent {made_here} changes (1 stored file); nothing "
                                            "received.")
    assert team.last_sync.toolTip()                       # the exact time on hover
    assert team.pending.text() == "Everything made on this computer has been sent."
    assert badge(window) == "⟳ Synced just now"

    # A change made in the window waits to be sent: the top bar counts it.
    window.runner.submit("Importing more", lambda _p: project.datasets.import_file(
        write_table(tmp_path, "more", 2), name="base"))
    qtbot.waitUntil(lambda: badge(window) == "⟳ Synced just now · 1 to send", timeout=10_000)
    assert team.pending.text() == "1 change made on this computer will be sent at the next sync."

    # Sync now is the place's primary action (Ctrl+Enter); progress and Cancel are in the task bar.
    ctrl_enter(qtbot, window)
    assert window.team_sync.syncing and badge(window) == "⟳ Syncing…"
    assert window.task_bar.cancel_button.isVisible()
    qtbot.waitUntil(lambda: not window.team_sync.syncing, timeout=20_000)
    assert team.last_sync.text() == "just now — Sent 1 change (1 stored file); nothing received."
    assert badge(window) == "⟳ Synced just now"
    close_window(qtbot, window)


def test_changes_of_the_team_reach_every_step_without_f5(qtbot, window, team, tmp_path):
    shared, a, b = team
    open_in(qtbot, window, b)
    window.navigator.select("data")
    assert [d.name for d in b.datasets.list()] == ["base"]
    # The colleague imports a new dataset and registers a model, then syncs.
    a.datasets.import_file(write_table(tmp_path, "colleague", 7), name="colleague")
    a.registry.set_kpi_gate(MODEL, ["roc_auc>=0.5"], reason="a floor")
    sent = a.sync.status().pending
    a.sync.sync()
    window.navigator.select("team")
    ctrl_enter(qtbot, window)
    qtbot.waitUntil(lambda: not window.team_sync.syncing, timeout=20_000)
    assert window.team_step.last_sync.text() == (f"just now — Nothing to send; received {sent} changes "
                                                 "(1 stored file).")
    wait_idle(qtbot, window.runner)
    # Every step follows (none was asked to refresh): the Data step lists the new dataset, the Registry the gate.
    qtbot.waitUntil(lambda: not window._stale, timeout=10_000)
    window.navigator.select("data")
    tree = window.data_step.tree
    names = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert any("colleague" in n for n in names)
    window.navigator.select("registry")
    qtbot.waitUntil(lambda: not window.registry_step.loading and bool(window.registry_step.models), timeout=10_000)
    assert [str(r) for r in window.registry_step.model_named(MODEL).kpi_gate] == ["roc_auc>=0.5"]
    close_window(qtbot, window)


def test_what_waits_is_said_with_its_reason_and_strays_are_left_alone(qtbot, window, team, tmp_path):
    shared, a, b = team
    a.datasets.import_file(write_table(tmp_path, "late", 9), name="late")
    sent = a.sync.status().pending
    a.sync.sync()
    # The sync client has not delivered the new stored file yet, and left a conflict copy behind.
    missing = [p for p in (shared / "objects").rglob("*")
               if p.is_file() and not b.objects.exists(p.parent.name + p.name)]
    assert len(missing) == 1
    hidden = tmp_path / "hidden-object"
    shutil.move(missing[0], hidden)
    journal = next(p for p in (shared / "journal").iterdir() if p.name != b.db.origin)
    stray = journal / "1.sync-conflict-20260512-AAAA.jsonl"
    stray.write_text("{}", encoding="utf-8")

    open_in(qtbot, window, b)                              # the sync on opening finds both
    assert badge(window) == "⟳ Synced just now · 1 waiting"
    team = window.team_step
    items = {item.kind: item for item in team.attention.items}
    assert "not delivered yet" in items["waiting"].sentence
    assert items["stray"].title == stray.name and "never changes or deletes it" in items["stray"].sentence
    assert stray.exists()
    assert window.navigator.state("team").value == "needs attention"

    shutil.move(hidden, missing[0])                       # delivered at last
    window.navigator.select("team")
    ctrl_enter(qtbot, window)
    qtbot.waitUntil(lambda: not window.team_sync.syncing, timeout=20_000)
    assert badge(window) == "⟳ Synced just now"
    assert team.last_sync.text() == f"just now — Nothing to send; received {sent} changes (1 stored file)."
    assert [i.kind for i in team.attention.items] == ["stray"]
    close_window(qtbot, window)


def test_an_unreachable_folder_is_one_sentence(qtbot, window, team, tmp_path):
    shared, a, b = team
    open_in(qtbot, window, b)
    shared.rename(tmp_path / "unplugged")
    window.navigator.select("team")
    ctrl_enter(qtbot, window)
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "errorBox") is not None, timeout=20_000)
    box = window.findChild(QMessageBox, "errorBox")
    assert "cannot be reached" in box.informativeText() and "Traceback" not in box.informativeText()
    box.close()
    assert badge(window) == "⚠ Not synced: folder unreachable"
    assert "cannot be reached" in window.team_step.error.text()
    assert window.navigator.state("team").value == "needs attention"
    close_window(qtbot, window)          # the closing sync fails quietly: the window closes all the same


def test_another_projects_folder_is_refused_in_one_sentence(qtbot, window, team, tmp_path, monkeypatch):
    from desktop_app.core.project import Project

    shared, _a, _b = team
    other = Project.create(tmp_path / "other", "Other")
    open_in(qtbot, window, other)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(shared)))
    window.navigator.select("team")
    ctrl_enter(qtbot, window)   # Link to a shared folder…
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "errorBox") is not None, timeout=20_000)
    text = window.findChild(QMessageBox, "errorBox").informativeText()
    assert "another project" in text or "belongs to" in text, text
    assert badge(window) == "⟳ Not shared"
    window.close()
    other.close()


def test_join_a_team_from_the_welcome_page(qtbot, window, team, tmp_path):
    shared, _a, _b = team
    click(qtbot, window.welcome.join_button)
    dialog = window.join_dialog
    dialog.set_shared_folder(str(shared))
    dialog.location_edit.setText(str(tmp_path / "mine"))
    assert dialog.name_edit.text() == "shared"
    click(qtbot, dialog.join_button)
    qtbot.waitUntil(lambda: window.project is not None, timeout=30_000)
    qtbot.waitUntil(lambda: window.team_sync.status is not None, timeout=10_000)
    assert window.project.path == tmp_path / "mine" / "shared"
    assert window.team_sync.status.folder == str(shared)
    assert badge(window).startswith("⟳ Synced")
    wait_idle(qtbot, window.runner)
    window.navigator.select("registry")
    qtbot.waitUntil(lambda: bool(window.registry_step.models), timeout=10_000)
    assert window.registry_step.model_named(MODEL).aliases == {"production": 1}
    close_window(qtbot, window)
