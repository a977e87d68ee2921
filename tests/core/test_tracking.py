"""Tracked runs on the sample data: recorded, reproducible, failing and cancelled runs kept as such."""

from __future__ import annotations

import pytest

from desktop_app.core.errors import Cancelled, NotFoundError
from desktop_app.core.tracking.entities import RunSpec, RunStatus
from desktop_app.core.tracking.worker import RunQueue


@pytest.fixture
def heart(project, sample_csv):
    project.datasets.import_file(sample_csv, name="heart")
    return project


def test_a_run_records_everything(heart):
    run = heart.runs.train(RunSpec("heart", "heart_disease", "logistic_regression", seed=3))
    assert run.status == RunStatus.FINISHED, run.error
    assert run.task == "classification" and run.dataset_label == "heart@1"
    assert {"accuracy", "recall", "roc_auc", "f1"} <= set(run.metrics)
    assert run.params["C"] == 1.0
    assert run.environment["libraries"]["scikit-learn"] and run.user and run.host
    assert run.duration_seconds > 0
    assert "roc" in heart.runs.curves(run)
    model = heart.runs.load_model(run)
    frame = heart.datasets.load("heart").drop(columns=["heart_disease"]).head(5)
    assert len(model.predict(frame)) == 5
    assert heart.runs.get(run.id[:8]).id == run.id


def test_balanced_class_weight_lifts_recall(heart):
    plain = heart.runs.train(RunSpec("heart", "heart_disease", "logistic_regression"))
    balanced = heart.runs.train(RunSpec("heart", "heart_disease", "logistic_regression", class_weight="balanced"))
    assert plain.metrics["recall"] < 0.2 < 0.6 < balanced.metrics["recall"]


def test_rerun_gives_identical_metrics(heart):
    first = heart.runs.train(RunSpec("heart", "heart_disease", "random_forest", params={"n_estimators": 20}, seed=7))
    again = heart.runs.execute(heart.runs.rerun(first.id).id)
    assert again.parent_run_id == first.id and again.metrics == first.metrics


def test_failing_run_is_recorded_as_failed(heart):
    run = heart.runs.create(RunSpec("heart", "heart_disease", "logistic_regression", test_size=0.9999))
    run = heart.runs.execute(run.id)
    assert run.status == RunStatus.FAILED and run.error


def test_cancelled_run_is_recorded_as_cancelled(heart):
    def cancel(fraction, message):
        if fraction > 0.1:
            raise Cancelled()

    run = heart.runs.execute(heart.runs.create(RunSpec("heart", "heart_disease", "logistic_regression")).id, cancel)
    assert run.status == RunStatus.CANCELLED and run.model_sha256 is None


def test_unknown_target_or_run_is_a_clear_error(heart):
    with pytest.raises(NotFoundError, match="no column 'nope'"):
        heart.runs.create(RunSpec("heart", "nope", "logistic_regression"))
    with pytest.raises(NotFoundError, match="no run"):
        heart.runs.get("abcdef")


def test_worker_processes_run_the_queue_and_cancel_at_once(heart):
    runs_queue = RunQueue(heart)
    done = heart.runs.create(RunSpec("heart", "heart_disease", "logistic_regression"))
    waiting = heart.runs.create(RunSpec("heart", "heart_disease", "random_forest"))
    runs_queue.submit(done.id)
    runs_queue.submit(waiting.id)
    runs_queue.cancel(waiting.id)
    events = runs_queue.wait(timeout=120)
    assert [e.status for e in events if e.kind == "ended"] == [RunStatus.FINISHED]
    assert heart.runs.get(done.id).status == RunStatus.FINISHED
    assert heart.runs.get(waiting.id).status == RunStatus.CANCELLED

    slow = heart.runs.create(RunSpec("heart", "heart_disease", "random_forest", params={"n_estimators": 2000}))
    runs_queue.submit(slow.id)
    runs_queue.poll()
    runs_queue.cancel(slow.id)
    assert heart.runs.get(slow.id).status == RunStatus.CANCELLED
    assert runs_queue.running == []
