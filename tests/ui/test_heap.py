"""After a wave of imports the window's work settles into the permanent generation, so full collections stay short."""

from __future__ import annotations

import gc
import sys
import threading
import types

import pytest

from desktop_app.ui.work import heap


@pytest.fixture
def fake_modules():
    """Names added to sys.modules as an import wave would add them; removed afterwards."""
    added: list[str] = []

    def add(count: int) -> None:
        for _ in range(count):
            name = f"_mldesk_heap_test_{len(added)}"
            sys.modules[name] = types.ModuleType(name)
            added.append(name)

    yield add
    for name in added:
        sys.modules.pop(name, None)


def test_settling_freezes_only_after_a_wave_of_imports(fake_modules):
    heap.freeze()
    frozen = gc.get_freeze_count()
    fake_modules(heap.NEW_MODULES - 1)
    assert not heap.settle()
    assert gc.get_freeze_count() == frozen
    fake_modules(1)
    kept = [object() for _ in range(10)], {"a": [1]}   # tracked objects made since the last freeze
    assert heap.settle()
    assert gc.get_freeze_count() > frozen
    collected = {id(o) for generation in range(3) for o in gc.get_objects(generation=generation)}
    assert all(gc.is_tracked(o) and id(o) not in collected for o in kept)   # out of every generation a pass walks
    assert not heap.settle()   # nothing new since


def test_the_runner_settles_the_heap_when_its_work_ends(qtbot, runner, fake_modules):
    heap.freeze()
    task = runner.submit("imports", lambda progress: fake_modules(heap.NEW_MODULES))
    frozen = gc.get_freeze_count()
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    qtbot.waitUntil(lambda: not runner.tasks)
    assert gc.get_freeze_count() > frozen
    assert not heap.settle()


def test_a_wave_of_imports_runs_without_collections_and_is_frozen_after(fake_modules):
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    with heap.importing():
        assert not gc.isenabled()
        fake_modules(3)
        kept = [object() for _ in range(10)], {"a": [1]}
    assert gc.isenabled()
    assert gc.get_freeze_count() > frozen
    collected = {id(o) for generation in range(3) for o in gc.get_objects(generation=generation)}
    assert all(gc.is_tracked(o) and id(o) not in collected for o in kept)


def test_the_collector_comes_back_when_the_last_thread_ends_its_imports():
    first_in, second_out, first_out = threading.Event(), threading.Event(), threading.Event()
    states = []

    def first() -> None:
        with heap.importing():
            first_in.set()
            second_out.wait(5)
            states.append(("first, after the second left", gc.isenabled()))
        first_out.set()

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(5)
    with heap.importing():
        pass
    second_out.set()
    first_out.wait(5)
    thread.join(5)
    assert states == [("first, after the second left", False)]
    assert gc.isenabled()


def test_a_collector_switched_off_stays_off():
    gc.disable()
    try:
        with heap.importing():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
