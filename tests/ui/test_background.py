"""BackgroundWork: a slot holds one task; a replaced or dropped task's outcome never arrives."""

from __future__ import annotations

import threading

from desktop_app.ui.work.background import BackgroundWork


def _gated(gate: threading.Event, value):
    """Work that waits for `gate`, then returns `value` (it never reports progress, so a cancel
    shows only when it returns)."""
    def work(_progress):
        gate.wait(5)
        return value
    return work


def test_a_new_task_in_a_slot_cancels_the_old_one_and_drops_its_result(qtbot, runner):
    work, seen, ended = BackgroundWork(runner), [], []
    first_gate, second_gate = threading.Event(), threading.Event()
    first = work.start("load", "first", _gated(first_gate, 1), done=seen.append, ended=lambda: ended.append(1))
    second = work.start("load", "second", _gated(second_gate, 2), done=seen.append, ended=lambda: ended.append(2))
    assert first.token.cancelled and work.task("load") is second
    first_gate.set()
    qtbot.waitUntil(lambda: not first.is_running, timeout=5000)
    assert seen == [] and work.running("load")
    second_gate.set()
    qtbot.waitUntil(lambda: seen == [2], timeout=5000)
    assert ended == [2] and not work.running("load") and work.task("load") is None


def test_cancel_delivers_cancelled_but_drop_delivers_nothing(qtbot, runner):
    work, outcomes = BackgroundWork(runner), []
    gate = threading.Event()

    def endless(progress):
        while not gate.is_set():
            progress(0.5, "working")      # raises Cancelled once cancel was asked
            gate.wait(0.005)

    work.start("a", "cancelled", endless, cancelled=lambda: outcomes.append("a cancelled"))
    work.start("b", "dropped", endless, cancelled=lambda: outcomes.append("b cancelled"))
    work.cancel("a")
    assert work.running("a")              # the cancel is a request: the slot waits for the answer
    work.drop("b")
    assert not work.running("b")
    qtbot.waitUntil(lambda: not runner.tasks, timeout=5000)
    assert outcomes == ["a cancelled"]
    gate.set()


def test_failures_reach_failed_and_run_is_never_replaced_or_dropped(qtbot, runner):
    work, outcomes = BackgroundWork(runner), []

    def broken(_progress):
        raise ValueError("no")

    work.start("x", "broken", broken, failed=lambda error: outcomes.append(str(error)))
    qtbot.waitUntil(lambda: outcomes == ["no"], timeout=5000)
    gate = threading.Event()
    loose = work.run("a change", _gated(gate, "saved"), done=outcomes.append)
    work.drop()
    assert work.running() and not loose.token.cancelled
    gate.set()
    qtbot.waitUntil(lambda: "saved" in outcomes, timeout=5000)
    qtbot.waitUntil(lambda: not work.running(), timeout=5000)
    assert outcomes == ["no", "saved"]
