"""What the sync tests share: workstations with work of their own, and a project's state to compare."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select

from desktop_app.core.project import Project
from desktop_app.core.store.models import (
    AuditEventRow,
    DatasetVersionRow,
    ModelAliasRow,
    ModelVersionRow,
    MonitoringBatchRow,
    QualityReportRow,
    RegisteredModelRow,
    RunRow,
    SettingChangeRow,
)
from desktop_app.core.tracking.entities import RunSpec


def table(seed: int, rows: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=rows)
    return pd.DataFrame({"x": x, "z": rng.normal(size=rows), "y": (x + rng.normal(0, 0.7, rows) > 0).astype(int)})


def write_table(folder: Path, name: str, seed: int) -> Path:
    path = folder / f"{name}.csv"
    table(seed).to_csv(path, index=False)
    return path


def train(project: Project, dataset: str, seed: int = 0) -> Any:
    return project.runs.train(RunSpec(dataset=dataset, target="y", algorithm="logistic_regression", seed=seed))


def three_workstations(root: Path) -> tuple[Path, list[Project]]:
    """A shared folder and three workstations (A made the project; B and C cloned it) that each
    did work of their own without syncing: imports, checks, runs, registrations — two at once —
    and the same alias moved on two of them. Nothing of it is synced yet except the clone."""
    data = root / "data"
    data.mkdir()
    shared = root / "shared"
    a = Project.create(root / "a", name="Team")
    a.datasets.import_file(write_table(data, "base", 1), name="base")
    first = train(a, "base")
    a.registry.register(first.id, "risk", alias="production")
    a.sync.sync(shared)
    b = Project.clone(shared, root / "b")
    c = Project.clone(shared, root / "c")
    # Each works alone now.
    a.datasets.import_file(write_table(data, "a_more", 2), name="base")          # base@2 on A …
    b.datasets.import_file(write_table(data, "b_more", 3), name="base")          # … and on B, at once
    c.datasets.import_file(write_table(data, "c_own", 4), name="c_data")
    c.quality.check("c_data", target="y")
    on_a, on_b, on_c = train(a, "base", 1), train(b, "base", 2), train(c, "c_data", 3)
    a.registry.register(on_a.id, "risk")                                          # v2 on A …
    b.registry.register(on_b.id, "risk")                                          # … and v2 on B, at once
    c.registry.register(on_c.id, "other")
    a.registry.set_alias("risk", "production", 2, reason="A: better recall")
    b.registry.set_alias("risk", "production", 2, reason="B: newer data")
    c.registry.set_kpi_gate("risk", ["roc_auc>=0.5"], reason="C: a floor")
    return shared, [a, b, c]


def sync_until_quiet(projects: list[Project], rounds: int = 6) -> None:
    """Sync every workstation in turn until a whole round moves nothing."""
    for _ in range(rounds):
        moved = 0
        for project in projects:
            report = project.sync.sync()
            moved += report.published + report.applied
        if moved == 0:
            return
    raise AssertionError("the workstations kept exchanging changes")


def state(project: Project, exclude_origin: str | None = None, renumber_events: bool = True) -> dict[str, Any]:
    """Everything sync must make equal, as plain values (a workstation's own clone event left out).

    Renumber events are facts of the order in which a workstation received versions (which of
    its own moved, and when): two histories of the same work may differ in them. Without
    `renumber_events`, they are left out and only the numbers they lead to are compared.
    """
    with project.db.read() as session:
        def rows(query):
            return sorted(tuple(r) for r in session.execute(query).all())

        query = select(AuditEventRow.id, AuditEventRow.origin, AuditEventRow.seq, AuditEventRow.hash).where(
            AuditEventRow.origin != (exclude_origin or ""))
        if not renumber_events:
            query = select(AuditEventRow.id).where(AuditEventRow.origin != (exclude_origin or ""),
                                                   AuditEventRow.action.not_like("%.renumber"))
        events = rows(query)
        return {
            "dataset_versions": rows(select(DatasetVersionRow.id, DatasetVersionRow.dataset_id,
                                            DatasetVersionRow.number, DatasetVersionRow.sha256,
                                            DatasetVersionRow.stamp)),
            "runs": rows(select(RunRow.id, RunRow.status, RunRow.model_sha256)),
            "reports": rows(select(QualityReportRow.id)),
            "models": rows(select(RegisteredModelRow.id, RegisteredModelRow.name)),
            "gates": [(m.name, m.kpi_gate) for m in session.scalars(
                select(RegisteredModelRow).order_by(RegisteredModelRow.name))],
            "versions": rows(select(ModelVersionRow.id, ModelVersionRow.model_id, ModelVersionRow.number,
                                    ModelVersionRow.status, ModelVersionRow.stamp)),
            "aliases": rows(select(ModelAliasRow.model_id, ModelAliasRow.name, ModelAliasRow.version_id)),
            "batches": rows(select(MonitoringBatchRow.id)),
            "settings": rows(select(SettingChangeRow.event_id, SettingChangeRow.stamp)),
            "events": events,
        }
