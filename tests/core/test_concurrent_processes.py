"""Several processes on one project at the same instant: nothing committed is lost, no name or number clashes.

Each scenario starts its processes, lets them all reach a barrier (a file they wait for), then
releases them together so that opening, importing, numbering and auditing really overlap.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.project import Project

WORKER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    project_path, barrier, job = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    args = sys.argv[4:]
    from desktop_app.core.project import Project
    from desktop_app.core.tracking.entities import RunSpec
    while not barrier.exists():
        time.sleep(0.001)
    if job == "import-each":  # open, import, close — once per file, as separate `mldesk import` commands do
        for path in args:
            with Project.open(project_path) as project:
                print(project.datasets.import_file(path, name=Path(path).stem).version.label, flush=True)
        sys.exit(0)
    with Project.open(project_path) as project:
        if job == "import":
            for path in args[1:]:
                print(project.datasets.import_file(path, name=args[0]).version.label, flush=True)
        elif job == "train":
            run = project.runs.train(RunSpec(dataset=args[0], target="y", algorithm="logistic_regression",
                                             experiment=args[1]))
            print(run.id, run.status.value, flush=True)
        elif job == "register":
            for run_id in args[1:]:
                print(project.registry.register(run_id, args[0]).number, flush=True)
""")


def _table(seed: int, rows: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=rows)
    return pd.DataFrame({"x": x, "z": rng.normal(size=rows), "y": (x + rng.normal(0, 0.5, rows) > 0).astype(int)})


def _run_together(tmp_path, commands: list[list[str]], timeout: float = 240) -> list[str]:
    """Start every command, release them at once, return their outputs (each must succeed)."""
    barrier = tmp_path / "go"
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    processes = [subprocess.Popen([sys.executable, str(script), command[0], str(barrier), *command[1:]],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for command in commands]
    time.sleep(1.0)  # let every interpreter start and reach the barrier; the barrier, not this, makes them overlap
    barrier.touch()
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=timeout)
        assert process.returncode == 0, err
        outputs.append(out)
    return outputs


@pytest.fixture
def shared(tmp_path):
    Project.create(tmp_path / "p", name="Shared").close()
    return tmp_path / "p"


def test_five_processes_opening_and_importing_at_once_lose_nothing(tmp_path, shared):
    rounds = 6
    names = [f"part{p}_{r}" for p in range(5) for r in range(rounds)]
    for name in names:
        _table(hash(name) % 1000).to_csv(tmp_path / f"{name}.csv", index=False)
    outputs = _run_together(tmp_path, [[str(shared), "import-each", *(str(tmp_path / f"part{p}_{r}.csv")
                                                                       for r in range(rounds))] for p in range(5)])
    assert sorted(line for o in outputs for line in o.split()) == sorted(f"{n}@1" for n in names)
    with Project.open(shared) as project:
        assert sorted(d.name for d in project.datasets.list()) == sorted(names)
        imports = [e for e in project.audit_events() if e.action == "dataset.import"]
        assert len(imports) == len(names)
        with project.db.read() as session:
            from desktop_app.core.store import audit

            assert audit.verify(session).intact
        with project.db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    # SQLite's own files were never removed from under a live process: a last open still sees everything
    with Project.open(shared) as project:
        assert len(project.datasets.list()) == len(names)


def test_three_processes_numbering_versions_of_one_dataset_never_clash(tmp_path, shared):
    per_process = 6
    commands = []
    for p in range(3):
        paths = []
        for i in range(per_process):
            path = tmp_path / f"v{p}_{i}.csv"
            _table(100 * p + i).to_csv(path, index=False)
            paths.append(str(path))
        commands.append([str(shared), "import", "sales", *paths])
    outputs = _run_together(tmp_path, commands)
    labels = [line for out in outputs for line in out.split()]
    total = 3 * per_process
    assert sorted(labels, key=lambda s: int(s.split("@")[1])) == [f"sales@{n}" for n in range(1, total + 1)]
    with Project.open(shared) as project:
        (dataset,) = project.datasets.list()
        assert [v.number for v in dataset.versions] == list(range(1, total + 1))


def test_three_trainings_naming_a_new_experiment_share_it(tmp_path, shared):
    data = tmp_path / "train.csv"
    _table(7, rows=200).to_csv(data, index=False)
    with Project.open(shared) as project:
        project.datasets.import_file(data, name="train")
    outputs = _run_together(tmp_path, [[str(shared), "train", "train", "Spring trial"] for _ in range(3)])
    assert [o.split()[1] for o in outputs] == ["finished"] * 3
    with Project.open(shared) as project:
        assert project.runs.experiments() == ["Spring trial"]
        assert len(project.runs.list(experiment="Spring trial")) == 3


def test_concurrent_registrations_get_distinct_numbers(tmp_path, shared):
    data = tmp_path / "train.csv"
    _table(8, rows=200).to_csv(data, index=False)
    from desktop_app.core.tracking.entities import RunSpec

    with Project.open(shared) as project:
        project.datasets.import_file(data, name="train")
        runs = [project.runs.train(RunSpec(dataset="train", target="y", algorithm="logistic_regression", seed=s)).id
                for s in range(6)]
    outputs = _run_together(tmp_path, [[str(shared), "register", "risk", *runs[i::3]] for i in range(3)])
    numbers = sorted(int(n) for out in outputs for n in out.split())
    assert numbers == list(range(1, 7))
    with Project.open(shared) as project:
        versions = project.registry.get_model("risk").versions
        assert sorted(v.number for v in versions) == list(range(1, 7))
        assert sorted(v.run_id for v in versions) == sorted(runs)


def test_opening_never_removes_sqlites_own_files(tmp_path, shared, monkeypatch):
    """SQLite's -wal/-shm may be another process's live files: removing them loses its commits (issue 10)."""
    import os
    from pathlib import Path

    removed = []

    def guard(original):
        def remove(path, *args, **kwargs):
            if str(path).endswith(("-wal", "-shm", "-journal")):
                removed.append(str(path))
            return original(path, *args, **kwargs)
        return remove

    monkeypatch.setattr(os, "unlink", guard(os.unlink))
    monkeypatch.setattr(os, "remove", guard(os.remove))
    monkeypatch.setattr(Path, "unlink", guard(Path.unlink))
    for _ in range(3):
        with Project.open(shared) as project:
            project.audit_events()
    assert removed == []
