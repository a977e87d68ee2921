"""A sync killed with SIGKILL at every write step, and at random moments: nothing corrupt, lost or doubled.

Each trial copies the same starting point (two workstations with unsynced work of their own
and their shared folder), kills B's `sync` part-way in a child process, then lets both
workstations sync to the end. Afterwards B's database passes SQLite's integrity check, both
audit chains verify, every batch in the shared folder reads whole, and A and B hold exactly
the same records as a run that was never interrupted.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.core.project import Project
from desktop_app.core.sync.batch import Batch, read_batch
from desktop_app.core.sync.folder import SharedFolder
from tests.core.sync.helpers import state, sync_until_quiet, train, write_table

REPO = Path(__file__).resolve().parents[3]
# (write step, how many times it completes before the kill): every step, at its first and a later completion
STEPS = [("publish_object", 1), ("publish_object", 2), ("write_once", 1), ("write_once", 2),
         ("adopt_copy", 1), ("adopt_copy", 2), ("apply_batch", 1), ("apply_batch", 2)] + \
        [("commit", n) for n in range(1, 13)]
RANDOM_TRIALS = 30


@pytest.fixture(scope="module")
def start(tmp_path_factory):
    """Two workstations (A made the project, B cloned it) that then worked apart — A has published its
    work, B not yet — and the state both reach when B's sync is never interrupted."""
    root = tmp_path_factory.mktemp("start")
    data = root / "data"
    data.mkdir()
    with Project.create(root / "a", name="Team") as a:
        a.datasets.import_file(write_table(data, "base", 1), name="base")
        a.registry.register(train(a, "base").id, "risk", alias="production")
        a.sync.sync(root / "shared")
        with Project.clone(root / "shared", root / "b") as b:
            for seed in (2, 3):
                a.datasets.import_file(write_table(data, f"a{seed}", seed), name="base")
                a.registry.register(train(a, "base", seed).id, "risk")
                b.datasets.import_file(write_table(data, f"b{seed}", seed + 10), name=f"b_data{seed}")
                b.registry.register(train(b, f"b_data{seed}", seed).id, "risk")
            a.registry.set_alias("risk", "production", 2, reason="A")
            b.registry.set_alias("risk", "staging", 1, reason="B")
        from desktop_app.core.sync import publish

        default, publish.BATCH_RECORDS = publish.BATCH_RECORDS, 6     # several batches for B to receive
        try:
            a.sync.sync()   # A's work waits in the shared folder: B's sync both sends and receives
        finally:
            publish.BATCH_RECORDS = default
    expected_root = tmp_path_factory.mktemp("expected")
    _copy(root, expected_root)
    with Project.open(expected_root / "a") as a, Project.open(expected_root / "b") as b:
        sync_until_quiet([a, b])
        expected = state(a, renumber_events=False)
        assert state(b, renumber_events=False) == expected
    return root, expected


def _copy(source: Path, target: Path) -> None:
    for name in ("a", "b", "shared"):
        shutil.copytree(source / name, target / name)
    for name in ("a", "b"):   # the copies must sync with their own copy of the shared folder
        with Project.open(target / name) as project:
            with project.db.session() as session:
                from desktop_app.core.store.models import SyncStateRow

                session.get_one(SyncStateRow, "local").folder = str(target / "shared")


def _trial(start, tmp_path: Path, point: str, n: int) -> int:
    root, expected = start
    _copy(root, tmp_path)
    child = subprocess.run([sys.executable, "-m", "tests.core.sync.crash_sync", str(tmp_path / "b"), point, str(n)],
                           cwd=REPO, capture_output=True, text=True, timeout=300)
    assert child.returncode in (0, -9), child.stderr           # it finished before the point, or was killed
    with Project.open(tmp_path / "a") as a, Project.open(tmp_path / "b") as b:
        with b.db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        sync_until_quiet([a, b])
        assert state(a, renumber_events=False) == expected and state(b, renumber_events=False) == expected
        assert state(a) == state(b)                     # and the renumber events made on the way, everywhere
        assert a.verify_audit().intact and b.verify_audit().intact
        assert a.sync.conflicts() == b.sync.conflicts() == []
    shared = SharedFolder(tmp_path / "shared")
    for workstation in shared.workstations():
        for path in shared.batches(workstation).values():
            assert isinstance(read_batch(path.read_bytes()), Batch), path
    assert all(s.kind == "in transit" for s in shared.strays())   # at most a killed writer's temporary
    return child.returncode


@pytest.mark.parametrize("point, n", STEPS)
def test_killed_after_a_write_step(start, tmp_path, point, n):
    assert _trial(start, tmp_path, point, n) == -9     # every step is reached: the kill really happened


@pytest.mark.parametrize("seed", range(RANDOM_TRIALS))
def test_killed_at_a_random_moment(start, tmp_path, seed):
    _trial(start, tmp_path, "timer", random.Random(seed).randint(0, 2500))
