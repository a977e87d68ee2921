"""After a crash: runs of dead processes become interrupted, leftovers are cleared, damage is reported.

The crashes are real: a child process is killed with SIGKILL in the middle of its work.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.doctor import examine
from desktop_app.core.identity import current_host
from desktop_app.core.owners import host_tag, temp_name
from desktop_app.core.project import Project
from desktop_app.core.store.objects import STAGING_PREFIX
from desktop_app.core.tracking.entities import RunSpec, RunStatus


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _name_of(prefix: str, pid: int, started_ms: int = 1, host: str | None = None) -> str:
    return f"{prefix}{host_tag(host or current_host())}.{pid}.{started_ms}.beef"


def _wait_for(condition, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition was not reached in time"
        time.sleep(0.05)


@pytest.fixture
def trainable(project, tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4000, 8))
    frame = pd.DataFrame(x, columns=[f"f{i}" for i in range(8)])
    frame["y"] = (x[:, 0] + rng.normal(0, 1, 4000) > 0).astype(int)
    frame.to_csv(tmp_path / "train.csv", index=False)
    project.datasets.import_file(tmp_path / "train.csv", name="train")
    return project


def test_a_run_killed_mid_training_is_interrupted_on_the_next_open(trainable):
    project = trainable
    script = textwrap.dedent(f"""
        from desktop_app.core.project import Project
        from desktop_app.core.tracking.entities import RunSpec
        with Project.open({str(project.path)!r}) as project:
            project.runs.train(RunSpec(dataset="train", target="y", algorithm="random_forest",
                                       params={{"n_estimators": 3000}}))
    """)
    child = subprocess.Popen([sys.executable, "-c", script])
    try:
        _wait_for(lambda: any(r.status == RunStatus.RUNNING for r in project.runs.list()))
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    (run,) = project.runs.list()
    assert run.status == RunStatus.RUNNING and run.owner["pid"] == child.pid
    with Project.open(project.path) as reopened:
        assert len(reopened.recovered) == 1 and run.short_id in reopened.recovered[0]
        after = reopened.runs.get(run.id)
        assert after.status == RunStatus.INTERRUPTED and after.ended_at is not None
        assert f"process {child.pid}" in after.error
        assert [e.action for e in reopened.audit_events(run.id)][0] == "run.interrupt"
    with Project.open(project.path) as again:
        assert again.recovered == ()


def test_a_run_of_a_live_process_is_left_alone(trainable):
    project = trainable
    queued = project.runs.create(RunSpec(dataset="train", target="y", algorithm="logistic_regression"))
    with Project.open(project.path) as other:
        assert other.recovered == ()
        assert other.runs.get(queued.id).status == RunStatus.QUEUED


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="boot-relative start times are read from /proc")
def test_a_run_of_a_live_process_is_left_alone_after_the_clock_was_set(trainable, monkeypatch):
    """Start times in milliseconds are counted from the kernel's boot time, which moves when the wall clock is set
    (18 s once on a virtual machine, and a worker then interrupted its own window's queued run): the owner is
    recognised by its start in ticks since boot, which does not move."""
    from desktop_app.core import owners

    project = trainable
    queued = project.runs.create(RunSpec(dataset="train", target="y", algorithm="logistic_regression"))
    assert queued.owner["start_id"] == owners.process_start_id(os.getpid())
    real = owners.process_started_ms
    monkeypatch.setattr(owners, "process_started_ms", lambda pid: (real(pid) or 0) + 18_000)
    with Project.open(project.path) as other:
        assert other.recovered == ()
        assert other.runs.get(queued.id).status == RunStatus.QUEUED
    # A temporary name (a staging file, an export's folder) carries the ticks too, and so stays this process's.
    me = owners.current_owner()
    staged = owners.owner_of_temp(owners.temp_name(STAGING_PREFIX) + ".parquet", STAGING_PREFIX)
    assert staged == me and staged.alive() is True
    # The same pid with another start (a reused pid, or another boot) is not the owner, whatever the milliseconds say.
    assert owners.Owner(me.host, me.pid, me.started_ms, "another-boot:1").alive() is False
    assert owners.Owner.from_dict({"host": me.host, "pid": me.pid, "started_ms": me.started_ms}).start_id is None


def test_a_queued_run_of_a_process_that_exited_is_interrupted(trainable):
    project = trainable
    script = textwrap.dedent(f"""
        from desktop_app.core.project import Project
        from desktop_app.core.tracking.entities import RunSpec
        with Project.open({str(project.path)!r}) as project:
            print(project.runs.create(RunSpec(dataset="train", target="y", algorithm="logistic_regression")).id)
    """)
    run_id = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.strip()
    with Project.open(project.path) as reopened:
        assert reopened.runs.get(run_id).status == RunStatus.INTERRUPTED


def test_staging_files_of_dead_processes_are_removed_others_kept(project):
    tmp = project.objects.tmp
    dead = tmp / _name_of(STAGING_PREFIX, _dead_pid())
    live = tmp / temp_name(STAGING_PREFIX)
    elsewhere = tmp / _name_of(STAGING_PREFIX, 12345, host="another-workstation")
    old_unowned, new_unowned = tmp / "tmpab12cd.parquet", tmp / "tmpzz99yy.parquet"
    for path in (dead, live, elsewhere, old_unowned, new_unowned):
        path.write_bytes(b"x" * 1000)
    os.utime(old_unowned, (time.time() - 7200, time.time() - 7200))
    with Project.open(project.path) as reopened:
        assert reopened.recovered == ("Removed 2 unfinished stored files (2 kB) that a stopped process left in "
                                      "objects/tmp.",)
    assert sorted(p.name for p in tmp.iterdir()) == sorted(p.name for p in (live, elsewhere, new_unowned))


def test_an_import_killed_while_writing_leaves_nothing_after_the_next_open(project, tmp_path):
    rows = 1_500_000
    rng = np.random.default_rng(1)
    pd.DataFrame({"a": rng.normal(size=rows), "b": rng.integers(0, 100, rows)}).to_csv(tmp_path / "big.csv",
                                                                                       index=False)
    script = textwrap.dedent(f"""
        from desktop_app.core.project import Project
        with Project.open({str(project.path)!r}) as project:
            project.datasets.import_file({str(tmp_path / "big.csv")!r}, name="big")
    """)
    child = subprocess.Popen([sys.executable, "-c", script])
    try:
        _wait_for(lambda: any(project.objects.tmp.iterdir()))
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert any(project.objects.tmp.iterdir())
    with Project.open(project.path) as reopened:
        assert any("objects/tmp" in line for line in reopened.recovered)
        assert reopened.datasets.list() == []
    assert list(project.objects.tmp.iterdir()) == []


def test_unfinished_exports_of_dead_processes_are_removed(project, tmp_path):
    from desktop_app.core.bundles.service import EXPORT_TEMP_PREFIX

    exports = project.bundles.default_folder
    dead = exports / _name_of(EXPORT_TEMP_PREFIX, _dead_pid())
    live = exports / temp_name(EXPORT_TEMP_PREFIX)
    for folder in (dead, live):
        (folder / "code").mkdir(parents=True)
        (folder / "model.skops").write_bytes(b"half")
    with Project.open(project.path) as reopened:
        assert any("unfinished export" in line for line in reopened.recovered)
    assert not dead.exists() and live.exists()


def test_doctor_reports_a_sound_project(project, sample_csv):
    project.datasets.import_file(sample_csv, name="heart")
    report = examine(project.path)
    assert report.healthy and report.repaired == ()
    assert any("integrity check" in line for line in report.checked)
    assert any("audit trail is intact" in line for line in report.checked)


def test_doctor_reports_a_damaged_object_and_an_altered_trail(project, sample_csv):
    from sqlalchemy import text

    version = project.datasets.import_file(sample_csv, name="heart").version
    path = project.objects.path(version.sha256)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    with project.db.session() as session:
        session.execute(text("UPDATE audit_events SET user = 'someone-else' WHERE action = 'dataset.import'"))
    report = examine(project.path)
    assert not report.healthy
    assert any("damaged" in p and str(path) in p for p in report.problems)
    assert any("audit trail has been altered" in p for p in report.problems)


def test_doctor_without_repair_changes_nothing(trainable):
    project = trainable
    run = project.runs.create(RunSpec(dataset="train", target="y", algorithm="logistic_regression"))
    from sqlalchemy import update

    from desktop_app.core.store.models import RunRow

    with project.db.session() as session:  # as if a process that has exited had queued it
        session.execute(update(RunRow).where(RunRow.id == run.id).values(
            owner={"host": current_host(), "pid": _dead_pid(), "started_ms": 1}))
    report = examine(project.path, repair=False)
    assert not report.healthy and "1 run left queued" in report.problems[0]
    assert project.runs.get(run.id).status == RunStatus.QUEUED
    report = examine(project.path)
    assert report.healthy and project.runs.get(run.id).status == RunStatus.INTERRUPTED


def test_doctor_reports_a_damaged_database_page_without_a_traceback(project, sample_csv):
    project.datasets.import_file(sample_csv, name="heart")
    path = project.path
    project.close()
    database = path / "mldesk.db"
    data = bytearray(database.read_bytes())
    page = 4096
    data[2 * page:2 * page + 200] = b"\xff" * 200  # garbage in the middle of a table's page
    database.write_bytes(bytes(data))
    report = examine(path)
    assert not report.healthy and len(report.problems) == 1
    assert "damaged" in report.problems[0] and "backup" in report.problems[0]
