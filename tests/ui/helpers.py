"""Small helpers shared by the UI tests."""

from __future__ import annotations


def wait_idle(qtbot, runner, timeout: int = 20_000) -> None:
    """Wait until the runner has no task left (all their signals delivered)."""
    qtbot.waitUntil(lambda: not runner.tasks, timeout=timeout)
