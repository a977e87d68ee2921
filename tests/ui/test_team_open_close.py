"""Sync when a project opens (in the background: the window keeps ticking) and when it closes (briefly and
bounded: a folder that does not answer in time is given up quietly, and the next sync completes the work).

The GUI thread's stall is held to tests/heartbeat.FREEZE_MS (a real freeze); the figure itself is recorded
for tests/benchmarks (bench_sync_gui.py measures it on a large project).
"""

from __future__ import annotations

import time

import pytest

from tests.core.sync.helpers import train, write_table
from tests.figures import record
from tests.heartbeat import FREEZE_MS, Heartbeat
from tests.ui.helpers import wait_idle
from tests.ui.sync_helpers import badge, close_window, open_in, team_of_two


@pytest.fixture
def team(tmp_path):
    shared, a, b = team_of_two(tmp_path)
    yield shared, a, b
    a.close()
    b.close()


def test_sync_on_open_runs_in_the_background(qtbot, window, team, tmp_path):
    _shared, a, b = team
    for seed in range(3):
        a.datasets.import_file(write_table(tmp_path, f"more{seed}", 10 + seed), name="base")
    for seed in range(20):
        train(a, "base", seed)
    a.sync.sync()
    with Heartbeat() as heartbeat:
        window.set_project(b)
        # The project shows at once; the sync goes on behind it.
        assert window.pages.currentWidget() is window.project_page and window.team_sync.ended == 0
        qtbot.waitUntil(lambda: window.team_sync.ended and not window.team_sync.busy, timeout=60_000)
        wait_idle(qtbot, window.runner)
    record("team_sync_on_open_stall_ms", heartbeat.stall_ms)
    assert heartbeat.stall_ms < FREEZE_MS, heartbeat.culprit
    assert window.team_sync.report["applied"] >= 23
    assert len(b.runs.list()) == len(a.runs.list())
    assert badge(window) == "⟳ Synced just now"
    close_window(qtbot, window)


def test_closing_the_window_sends_what_waits(qtbot, window, team, tmp_path):
    _shared, a, b = team
    open_in(qtbot, window, b)
    b.datasets.import_file(write_table(tmp_path, "late", 5), name="from_b")
    window.close()
    assert window.isVisible()                     # not yet: the last sync runs first, the window stays live
    assert any(t.title == "Sending this workstation's changes to the team" for t in window.runner.tasks)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=20_000)
    a.sync.sync()
    assert "from_b" in [d.name for d in a.datasets.list()]


def test_closing_gives_up_quietly_on_a_folder_that_does_not_answer(qtbot, window, team, tmp_path, monkeypatch):
    from desktop_app.ui.work import team_sync

    _shared, a, b = team
    open_in(qtbot, window, b)
    b.datasets.import_file(write_table(tmp_path, "late", 5), name="from_b")
    monkeypatch.setattr(team_sync, "CLOSE_BOUND_MS", 300)

    def hanging(folder=None, progress=None):
        while True:                               # a share that never answers; only the cancel stops it
            progress(0.0, "Waiting for the shared folder")
            time.sleep(0.01)

    monkeypatch.setattr(b.sync, "sync", hanging)
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=20_000)   # gave up after the bound
    monkeypatch.undo()
    b.sync.sync()                                  # the next sync sends it
    a.sync.sync()
    assert "from_b" in [d.name for d in a.datasets.list()]


def test_closing_a_project_syncs_it_in_the_background(qtbot, window, team, tmp_path):
    _shared, a, b = team
    open_in(qtbot, window, b)
    b.datasets.import_file(write_table(tmp_path, "late", 5), name="from_b")
    window.close_project()
    assert window.pages.currentWidget() is window.welcome       # at once; the sync goes on behind
    wait_idle(qtbot, window.runner)
    a.sync.sync()
    assert "from_b" in [d.name for d in a.datasets.list()]
    window.close()
    assert not window.isVisible()                 # no project open: nothing to sync
