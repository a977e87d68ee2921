"""project.monitor on a real registered model: reference once, batches stored with their drift,
validation refusing a batch that does not fit (nothing stored), cancel, settings, charts, report.

One project with one trained and registered model is shared by the module (training is the
slow part); each test adds its own batches.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from desktop_app.core.errors import Cancelled, NotFoundError
from desktop_app.core.monitor.errors import BatchValidationError, MonitorError
from desktop_app.core.monitor.settings import DriftSettings
from desktop_app.core.progress import CancelToken
from desktop_app.core.project import Project
from desktop_app.core.store.models import MonitoringBatchRow, MonitorReferenceRow
from desktop_app.core.tracking.entities import RunSpec, RunStatus
from tests.core.monitor.synthetic import make_frame

MODEL = "risk"
TARGET = "outcome"


def with_target(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    logit = 1.2 * frame["score"] + 0.04 * (frame["age"] - 54) + np.where(frame["smoke"] == "yes", 0.8, 0.0) - 1.0
    frame = frame.copy()
    frame[TARGET] = np.where(rng.random(len(frame)) < 1 / (1 + np.exp(-logit)), "yes", "no")
    return frame


class Shared:
    """The project, its model version and a few files."""


@pytest.fixture(scope="module")
def shared(tmp_path_factory, module_backend):
    folder = tmp_path_factory.mktemp("monitor")
    project = Project.create(folder / "proj", name="Monitor", database_url=module_backend.new_url())
    train_csv = folder / "train.csv"
    with_target(make_frame(6_000, seed=1), seed=1).to_csv(train_csv, index=False)
    project.datasets.import_file(train_csv, name="patients")
    run = project.runs.train(RunSpec("patients", TARGET, "logistic_regression", class_weight="balanced"))
    assert run.status == RunStatus.FINISHED, run.error
    s = Shared()
    s.project, s.run, s.folder = project, run, folder
    s.version = project.registry.register(run.id, MODEL, alias="production")
    project.registry.set_kpi_gate(MODEL, ["roc_auc>=0.6"], reason="useful at all")
    s.same_csv = folder / "same.csv"
    with_target(make_frame(3_000, seed=2), seed=2).to_csv(s.same_csv, index=False)
    yield s
    project.close()


def _count(project, table) -> int:
    with project.db.session() as session:
        return session.scalar(select(func.count()).select_from(table))


def test_same_distribution_batch_is_stored_without_drift(shared):
    project = shared.project
    batch = project.monitor.add_batch(f"{MODEL}@production", shared.same_csv)
    assert batch.model_label == f"{MODEL}@1" and batch.rows == 3_000 and batch.name == "same.csv"
    assert not batch.dataset_drift and batch.drifted_columns == []
    assert batch.dataset_label.startswith(f"{MODEL}-batches@")
    stored = project.datasets.get_version(batch.dataset_label)
    assert stored.sha256 == batch.data_sha256 and stored.rows == 3_000
    r = batch.results
    first = r["columns"][0]
    assert set(first) >= {"column", "kind", "test", "statistic", "p_value", "threshold", "drifted", "psi",
                          "missing_ref", "missing_batch", "new_categories"}
    assert {c["column"] for c in r["columns"]} == {c for c in make_frame(5, 0).columns}
    assert {c["column"] for c in r["prediction"]["columns"]} == {"prediction", "proba_yes"}
    assert not batch.prediction_drift
    assert 0.4 < r["multivariate"]["auc"] < 0.6 and not batch.multivariate_drift
    assert r["target"]["column"] == TARGET and not r["target"]["drifted"]
    metrics = r["metrics"]
    assert metrics["rows"] == 3_000 and abs(metrics["metrics"]["roc_auc"] - shared.run.metrics["roc_auc"]) < 0.05
    assert metrics["gate"]["passed"] is True and metrics["gate"]["rules"][0]["metric"] == "roc_auc"
    assert r["settings"] == DriftSettings().to_dict()
    events = [e for e in project.audit_events(batch.id) if e.action == "monitor.batch"]
    assert len(events) == 1 and events[0].after["rows"] == 3_000


def test_reference_is_computed_once(shared, monkeypatch):
    project = shared.project
    project.monitor.reference(MODEL)
    assert _count(project, MonitorReferenceRow) == 1

    def fail(*args, **kwargs):
        raise AssertionError("the reference was computed again")

    monkeypatch.setattr(project.monitor, "_compute_reference", fail)
    stored = project.monitor.reference(shared.version)
    assert stored.rows == shared.run.summary["n_train"] and stored.sample_rows == stored.rows
    project.monitor.add_batch(MODEL, make_frame(500, seed=3), name="small frame")
    assert _count(project, MonitorReferenceRow) == 1


def test_planted_shift_is_found_and_charted(shared):
    project = shared.project
    frame = with_target(make_frame(4_000, seed=4, mean_shift={"score": 0.8}, new_category={"region": ("north", 0.1)}),
                        seed=4)
    batch = project.monitor.add_batch(MODEL, frame, name="shifted")
    assert set(batch.drifted_columns) == {"score", "region"}
    assert batch.result.column("region").new_categories == ("north",)
    assert batch.prediction_drift                        # score drives the model
    mv = batch.results["multivariate"]
    assert mv["drifted"] and mv["top_features"][0]["column"] in {"score", "region"}
    numeric = project.monitor.distributions(batch, "score")
    assert numeric["kind"] == "numeric" and len(numeric["edges"]) == 31
    assert sum(numeric["reference"]) == pytest.approx(1) and sum(numeric["batch"]) == pytest.approx(1)
    centres = (np.array(numeric["edges"][:-1]) + np.array(numeric["edges"][1:])) / 2
    assert np.dot(centres, numeric["batch"]) > np.dot(centres, numeric["reference"]) + 0.5
    categories = project.monitor.distributions(batch.id[:8], "region")
    assert "north" in categories["new"] and categories["batch"][categories["categories"].index("north")] > 0.05
    assert project.monitor.distributions(batch, "proba_yes")["kind"] == "numeric"
    html = project.monitor.report_html(batch)
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "score" in html and "north" in html
    assert "Domain classifier AUROC" in html


def test_batch_that_does_not_fit_is_refused_and_nothing_stored(shared):
    project = shared.project
    before = (_count(project, MonitoringBatchRow), len(project.datasets.list()))
    with pytest.raises(BatchValidationError, match="nothing was stored"):
        project.monitor.add_batch(MODEL, make_frame(200, seed=5).drop(columns=["income"]))
    bad = make_frame(200, seed=5).astype({"age": "object"})
    bad.loc[:50, "age"] = "old"
    with pytest.raises(BatchValidationError):
        project.monitor.add_batch(MODEL, bad)
    with pytest.raises(MonitorError, match="no file"):
        project.monitor.add_batch(MODEL, shared.folder / "missing.csv")
    assert (_count(project, MonitoringBatchRow), len(project.datasets.list())) == before


def test_cancel_stores_nothing(shared):
    project = shared.project
    before = _count(project, MonitoringBatchRow)
    token = CancelToken()
    seen = []

    def progress(fraction, message):
        seen.append(message)
        if fraction >= 0.6:
            token.cancel()

    with pytest.raises(Cancelled):
        project.monitor.add_batch(MODEL, make_frame(500, seed=6), progress=progress, cancel=token)
    assert _count(project, MonitoringBatchRow) == before and seen


def test_settings_are_stored_as_overrides_and_used(shared):
    project = shared.project
    assert project.monitor.settings(MODEL) == DriftSettings()
    project.monitor.set_settings(MODEL, {"distance": 0.001, "drift_share": 0.3}, reason="strict")
    try:
        assert project.registry.get_model(MODEL).drift_settings == {"distance": 0.001, "drift_share": 0.3}
        batch = project.monitor.add_batch(MODEL, make_frame(1_000, seed=7))
        assert batch.results["settings"]["distance"] == 0.001
        assert batch.dataset_drift and batch.share_drifted >= 0.3
        with pytest.raises(MonitorError, match="Unknown drift setting"):
            project.monitor.set_settings(MODEL, {"distanse": 0.2})
    finally:
        project.monitor.set_settings(MODEL, DriftSettings(), reason="back to defaults")
    assert project.registry.get_model(MODEL).drift_settings == {}


def test_a_batch_checked_in_a_child_process_is_stored_as_one_checked_here(shared):
    """The window sends a large batch to a child process (`core.project_process`), which opens the same project
    — on this module's backend, a SQLite file or a PostgreSQL database."""
    from desktop_app.core.project_process import call_in_process

    project = shared.project
    there = call_in_process(project, "monitor.add_batch", f"{MODEL}@production", shared.same_csv, name="child")
    here = project.monitor.add_batch(f"{MODEL}@production", shared.same_csv, name="here")
    assert project.monitor.batch(there.id).to_dict()["results"] == there.results
    assert there.results["columns"] == here.results["columns"] and there.data_sha256 == here.data_sha256
    assert [e.action for e in project.audit_events(there.id)] == ["monitor.batch"]


def test_batches_listed_oldest_first_and_found_by_prefix(shared):
    project = shared.project
    a = project.monitor.add_batch(MODEL, make_frame(300, seed=8), name="first")
    b = project.monitor.add_batch(MODEL, make_frame(300, seed=9), name="second")
    listed = project.monitor.batches(MODEL)
    names = [x.name for x in listed]
    assert names.index("first") < names.index("second")
    assert project.monitor.batch(b.id[:8]).id == b.id
    points = project.monitor.timeline(MODEL)
    assert [p["id"] for p in points] == [x.id for x in listed]
    assert {"share_drifted", "dataset_drift", "domain_auc", "metrics", "gate_passed"} <= set(points[0])
    assert project.monitor.batch(a).to_dict()["results"] == a.results
    with pytest.raises(NotFoundError):
        project.monitor.batch("nonexistent-batch")
    with pytest.raises(NotFoundError):
        project.monitor.distributions(a, "no such column")
