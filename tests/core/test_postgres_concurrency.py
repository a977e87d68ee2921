"""Several processes on one team database (PostgreSQL, issue 13): the database serialises them.

Three processes register runs of one model and move its aliases at the same instant; version
numbers must come out 1..N without gaps or repeats, and every alias move must be in the audit
trail, each one starting where the one before it ended. Skipped without a server (tests/pg.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from desktop_app.core.project import Project
from desktop_app.core.registry.errors import GateFailedError
from desktop_app.core.registry.rows import model_by_name
from desktop_app.core.store.models import AuditEventRow
from desktop_app.core.tracking.entities import RunSpec

WORKER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    project_path, barrier, worker, run_ids = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4:]
    from desktop_app.core.project import Project
    while not barrier.exists():
        time.sleep(0.001)
    with Project.open(project_path) as project:  # the team database's URL: MLDESK_DATABASE_URL
        for run_id in run_ids:
            version = project.registry.register(run_id, "risk", alias="production", reason=f"w{worker}")
            project.registry.set_alias("risk", "staging", version.number, reason=f"w{worker} staging")
            print(version.number, flush=True)
""")


def _table(seed: int, rows: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=rows)
    return pd.DataFrame({"x": x, "z": rng.normal(size=rows), "y": (x + rng.normal(0, 0.5, rows) > 0).astype(int)})


@pytest.fixture
def team_project(pg_url, tmp_path):  # noqa: F811
    """A project in a fresh team database, with a dataset; its folder and URL."""
    data = tmp_path / "train.csv"
    _table(8).to_csv(data, index=False)
    with Project.create(tmp_path / "p", name="Team", database_url=pg_url) as project:
        project.datasets.import_file(data, name="train")
    return tmp_path / "p", pg_url


def _train(project: Project, count: int) -> list[str]:
    return [project.runs.train(RunSpec(dataset="train", target="y", algorithm="logistic_regression", seed=s)).id
            for s in range(count)]


def _run_together(tmp_path, url: str, commands: list[list[str]], timeout: float = 300) -> list[str]:
    """Start every worker, release them at once (a barrier file), return their outputs (each must succeed)."""
    barrier, script = tmp_path / "go", tmp_path / "worker.py"
    script.write_text(WORKER)
    env = {**os.environ, "MLDESK_DATABASE_URL": url}
    processes = [subprocess.Popen([sys.executable, str(script), command[0], str(barrier), *command[1:]], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for command in commands]
    time.sleep(1.0)  # let every interpreter reach the barrier; the barrier, not this, makes them overlap
    barrier.touch()
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=timeout)
        assert process.returncode == 0, err
        outputs.append(out)
    return outputs


def _alias_moves(project: Project, alias: str) -> list[dict]:
    """The alias's audit events in the order they were committed (one chain: ordered by sequence)."""
    with project.db.read() as session:
        rows = session.scalars(select(AuditEventRow).where(AuditEventRow.action == "model.alias")
                               .order_by(AuditEventRow.origin, AuditEventRow.seq)).all()
        return [{"before": r.before, "after": r.after} for r in rows if (r.after or {}).get("alias") == alias]


def test_three_processes_registering_and_moving_aliases_are_serialised(team_project, tmp_path):
    folder, url = team_project
    with Project.open(folder, database_url=url) as project:
        runs = _train(project, 9)
    # The model does not exist yet: the three first registrations also race to create it.
    outputs = _run_together(tmp_path, url, [[str(folder), str(w), *runs[w::3]] for w in range(3)])

    numbers = sorted(int(n) for out in outputs for n in out.split())
    assert numbers == list(range(1, 10))
    with Project.open(folder, database_url=url) as project:
        model = project.registry.get_model("risk")
        assert [v.number for v in model.versions] == list(range(1, 10))
        assert sorted(v.run_id for v in model.versions) == sorted(runs)
        assert len([e for e in project.audit_events() if e.action == "model.register"]) == 9
        for alias in ("production", "staging"):
            moves = _alias_moves(project, alias)
            assert len(moves) == 9  # every move audited (each one pointed it at a new version)
            assert moves[0]["before"]["version"] is None
            for previous, move in zip(moves, moves[1:]):  # no move was made from a stale view of the alias
                assert move["before"]["version"] == previous["after"]["version"]
            assert model.aliases[alias] == moves[-1]["after"]["version"]
        assert project.verify_audit().intact


def test_the_kpi_gate_is_checked_in_the_alias_moves_own_transaction(team_project):
    """A gate changed while an alias move waits for the model is the gate the move is checked against."""
    folder, url = team_project
    with Project.open(folder, database_url=url) as project:
        runs = _train(project, 2)
        for run_id in runs:
            project.registry.register(run_id, "risk")
        recall = project.registry.get_version("risk", 2).metrics["recall"]
        outcome: list[BaseException | object] = []

        def move() -> None:
            try:
                outcome.append(project.registry.set_alias("risk", "production", 2))
            except BaseException as exc:  # noqa: BLE001 — handed to the test thread
                outcome.append(exc)

        with project.db.session() as session:  # another writer holds the model while it changes the gate
            model = model_by_name(session, "risk", lock=True)
            model.kpi_gate = [{"metric": "recall", "op": ">", "value": recall}]
            mover = threading.Thread(target=move)
            mover.start()
            mover.join(timeout=1.0)
            assert mover.is_alive(), "the alias move should wait for the model's row"
        mover.join(timeout=30)
        assert len(outcome) == 1 and isinstance(outcome[0], GateFailedError), outcome
        assert "production" not in project.registry.get_model("risk").aliases
