"""The window after a crash: it says what was cleared; the Registry's History says whether the trail is intact."""

from __future__ import annotations

import subprocess
import sys

from PySide6.QtCore import Qt
from sqlalchemy import text, update

from desktop_app.core.identity import current_host
from desktop_app.core.project import Project
from desktop_app.core.store.models import RunRow
from desktop_app.core.tracking.entities import RunSpec, RunStatus
from tests.conftest import SAMPLE_CSV
from tests.ui.helpers import wait_idle


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_opening_after_a_crash_says_what_was_cleared(qtbot, window, tmp_path):
    with Project.create(tmp_path / "p", name="Crashed") as project:
        version = project.datasets.import_file(SAMPLE_CSV, name="heart").version
        run = project.runs.create(RunSpec(version.id, "heart_disease", "logistic_regression"))
        with project.db.session() as session:  # as a training process that was killed would leave it
            session.execute(update(RunRow).where(RunRow.id == run.id).values(
                status="running", owner={"host": current_host(), "pid": _dead_pid(), "started_ms": 1}))
    window.open_project(tmp_path / "p")
    qtbot.waitUntil(lambda: window.project is not None, timeout=20_000)
    assert window.notice.isVisible()
    assert "1 thing cleared" in window.notice.text.text() and "nothing that was saved is lost" in \
        window.notice.text.text()
    qtbot.mouseClick(window.notice.toggle, Qt.MouseButton.LeftButton)
    assert window.notice.details.isVisible() and run.id[:8] in window.notice.details.text()
    assert window.project.runs.get(run.id).status == RunStatus.INTERRUPTED
    window.grab().save(str(tmp_path / "notice.png"))
    qtbot.mouseClick(window.notice.close_button, Qt.MouseButton.LeftButton)
    assert not window.notice.isVisible()
    wait_idle(qtbot, window.runner)


def test_history_says_whether_the_audit_trail_is_intact(qtbot, runner, project, plain_and_balanced_runs):
    from desktop_app.ui.steps.registry import RegistryStep

    plain, _ = plain_and_balanced_runs
    project.registry.register(plain.id, "heart-risk", alias="production")
    step = RegistryStep(runner)
    qtbot.addWidget(step)
    step.resize(1180, 760)
    step.show()
    step.set_project(project)
    qtbot.waitUntil(lambda: not step.loading, timeout=10_000)
    step.tree.select("heart-risk")
    step.details.tabs.setCurrentWidget(step.details.history)
    trail = step.details.history.trail
    qtbot.waitUntil(lambda: trail.isVisible() and "intact" in trail.text(), timeout=10_000)
    events = project.verify_audit().events
    assert f"{events:,} events" in trail.text()

    with project.db.session() as session:
        session.execute(text("UPDATE audit_events SET reason = 'edited later' WHERE action = 'model.register'"))
    step.refresh()
    qtbot.waitUntil(lambda: not step.loading, timeout=10_000)
    step.tree.select("heart-risk")
    qtbot.waitUntil(lambda: "altered" in trail.text(), timeout=10_000)
    assert "changed after it was written" in trail.text() + trail.toolTip()
