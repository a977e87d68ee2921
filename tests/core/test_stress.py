"""Stress: 5 processes × 40 mixed operations on one project, about 10% of them killed with SIGKILL.

Afterwards every operation a worker reported as done is in the project, SQLite's integrity
check passes, the audit chain verifies, no run is left queued or running after the next open,
and no temporary file remains. (Issue 10's acceptance test.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.doctor import examine
from desktop_app.core.project import Project
from desktop_app.core.tracking.entities import RunSpec, RunStatus

REPO = Path(__file__).resolve().parents[2]
WORKERS, STEPS, KILL_SHARE = 5, 40, 0.10


def _frame(rng: np.random.Generator, rows: int, shift: float = 0.0) -> pd.DataFrame:
    x = rng.normal(shift, 1, size=(rows, 3))
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": np.where(x[:, 2] > 0, "red", "blue"),
                         "y": (x[:, 0] + rng.normal(0, 1, rows) > shift).astype(int)})


@pytest.fixture(scope="module")
def stressed(tmp_path_factory):
    root = tmp_path_factory.mktemp("stress")
    data = root / "data"
    data.mkdir()
    rng = np.random.default_rng(42)
    _frame(rng, 400).to_csv(data / "base.csv", index=False)
    for i in range(12):
        _frame(rng, 150 + i).to_csv(data / f"part{i}.csv", index=False)
    for i in range(3):
        _frame(rng, 200, shift=0.5 * i).drop(columns="y").to_csv(data / f"batch{i}.csv", index=False)
    with Project.create(root / "p", name="Stress") as project:
        project.datasets.import_file(data / "base.csv", name="base")
        run = project.runs.train(RunSpec(dataset="base", target="y", algorithm="logistic_regression"))
        project.registry.register(run.id, "m", alias="production")
        project.monitor.reference("m@1")  # built once, so batches compare against the same statistics

    logs = [root / f"worker{w}.jsonl" for w in range(WORKERS)]
    progress = [0] * WORKERS
    processes: dict[int, subprocess.Popen] = {}
    killed = 0

    def start(worker: int) -> None:
        processes[worker] = subprocess.Popen(
            [sys.executable, "-m", "tests.core.stress_worker", str(root / "p"), str(data), str(logs[worker]),
             str(worker), str(1000 + worker), str(progress[worker]), str(STEPS), str(KILL_SHARE)],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    for worker in range(WORKERS):
        start(worker)
    while processes:
        for worker, process in list(processes.items()):
            if process.poll() is None:
                continue
            err = process.stderr.read()
            del processes[worker]
            if process.returncode == 0:
                continue
            assert process.returncode == -9, f"worker {worker} failed:\n{err}"
            killed += 1
            last_start = max(r["step"] for r in _records(logs[worker]) if r["state"] == "start")
            progress[worker] = last_start + 1
            if progress[worker] < STEPS:
                start(worker)
        if processes:
            next(iter(processes.values())).wait(timeout=600)
    return root / "p", logs, killed


def _records(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()] if log.exists() else []


def test_some_operations_were_really_killed(stressed):
    _, logs, killed = stressed
    started = [r for log in logs for r in _records(log) if r["state"] == "start"]
    assert len(started) >= WORKERS * STEPS
    assert killed >= 3, "the kill timers should have stopped several operations part-way"


def test_every_operation_reported_done_is_present(stressed):
    path, logs, _ = stressed
    done = [r for log in logs for r in _records(log) if r["state"] == "done"]
    assert len(done) >= WORKERS * STEPS * 0.8
    with Project.open(path) as project:
        versions = {v.id for d in project.datasets.list() for v in d.versions}
        runs = {r.id: r for r in project.runs.list()}
        model = project.registry.get_model("m")
        events = project.audit_events(limit=100_000)
        reasons = {e.reason for e in events if e.action == "model.alias"}
        for record in done:
            if "version_id" in record:
                assert record["version_id"] in versions
            if "report_id" in record:
                assert any(r.id == record["report_id"] for r in project.quality.reports("base"))
            if "run_id" in record:
                assert runs[record["run_id"]].status == RunStatus(record["status"]) == RunStatus.FINISHED
                assert project.objects.exists(runs[record["run_id"]].model_sha256)
            if "model_version_id" in record:
                assert record["model_version_id"] in {v.id for v in model.versions}
            if record.get("moved"):
                assert record["reason"] in reasons
            if "batch_id" in record:
                assert project.monitor.batch(record["batch_id"]).rows > 0
        numbers = sorted(v.number for v in model.versions)
        assert numbers == list(range(1, len(numbers) + 1))


def test_the_project_is_sound_and_nothing_is_left_running(stressed):
    path, _, _ = stressed
    report = examine(path)
    assert report.healthy, report.problems
    with Project.open(path) as project:
        assert project.runs.unfinished() == []
        with project.db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert project.verify_audit().intact
    assert list((path / "objects" / "tmp").iterdir()) == []
    assert not [p for p in (path / "exports").iterdir() if p.name.startswith(".mldesk-export-")]
