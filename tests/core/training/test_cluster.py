"""A search on a real Dask cluster (issue 17): the same candidates, scores and best parameters as at home.

A `distributed.LocalCluster` of two worker processes stands in for the team's cluster; the search
runs through the same `search_prepared` as a local one, with the scheduler's address.
"""

from __future__ import annotations

import sys

import pytest

from desktop_app.core.errors import Cancelled
from desktop_app.core.training import cluster as cluster_module
from desktop_app.core.training.cluster import ClusterError
from desktop_app.core.training.evaluation import evaluate_prepared
from desktop_app.core.training.prepare import prepare
from desktop_app.core.training.search import search_prepared

from .conftest import HEART_KINDS, TARGET

distributed = pytest.importorskip("distributed")

SPACE = {"C": [0.01, 0.1, 1.0], "class_weight": [None, "balanced"]}


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as local:
        yield local.scheduler_address


@pytest.fixture(scope="module")
def prep(heart):
    return prepare(heart.head(3000), HEART_KINDS, TARGET, "logistic_regression", seed=4).in_training_order()


def _scores(result):
    return [(c.params, c.mean_score, c.std_score, c.n_samples, c.round) for c in result.candidates]


@pytest.mark.parametrize("method", ["grid", "halving"])
def test_the_cluster_gives_the_local_search_results(prep, scheduler, method):
    here = search_prepared(prep, method=method, space=SPACE, cv_folds=3, seed=4, trials=6)
    messages = []
    there = search_prepared(prep, method=method, space=SPACE, cv_folds=3, seed=4, trials=6, cluster=scheduler,
                            progress=lambda f, m: messages.append(m))

    assert _scores(there) == _scores(here)
    assert there.best_params == here.best_params and there.best_score == here.best_score
    assert there.final is not None and there.final.metrics == here.final.metrics
    assert any("to the cluster" in m for m in messages)
    assert any(m.startswith(f"Candidate {len(here.candidates)} of") for m in messages)


def test_cross_validation_on_the_cluster_gives_the_local_results(prep, scheduler):
    here = evaluate_prepared(prep, {"C": "0.5"}, seed=4, cv_folds=3, tune_threshold=True, importance=False)
    messages = []
    there = evaluate_prepared(prep, {"C": "0.5"}, seed=4, cv_folds=3, tune_threshold=True, importance=False,
                              cluster=scheduler, progress=lambda f, m: messages.append(m))
    assert there.cv_metrics == here.cv_metrics and there.threshold == here.threshold
    assert there.metrics == here.metrics and there.curves == here.curves
    assert any("fold 3 of 3 done on the cluster" in m for m in messages)


def test_cancel_on_the_cluster_keeps_what_finished(prep, scheduler):
    def cancel_second(fraction, message):
        if message.startswith("Candidate 2 of"):
            raise Cancelled()

    result = search_prepared(prep, method="grid", space=SPACE, cv_folds=3, cluster=scheduler, progress=cancel_second)
    assert result.cancelled and result.final is None
    assert len(result.candidates) == 2


def test_an_unreachable_scheduler_is_one_sentence(prep, monkeypatch):
    monkeypatch.setattr(cluster_module, "CONNECT_TIMEOUT_S", 1)
    with pytest.raises(ClusterError, match=r"tcp://127\.0\.0\.1:9 did not answer.*cluster is running"):
        search_prepared(prep, method="grid", space=SPACE, cluster="tcp://127.0.0.1:9")


def test_without_dask_the_sentence_says_what_to_install(prep, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    with pytest.raises(ClusterError, match=r"mldesk\[scale\]"):
        search_prepared(prep, method="grid", space=SPACE, cluster="tcp://127.0.0.1:9")


def test_mldesk_train_searches_on_the_cluster_and_records_where(tmp_path, scheduler):
    import json

    from tests.cli.helpers import heart_project, mldesk

    project = heart_project(tmp_path / "p")
    done = mldesk("train", project, "heart", "--target", "heart_disease", "--model", "logistic_regression",
                  "--search", "grid", "--cluster", scheduler, "--json")
    run = json.loads(done.stdout)
    assert run["status"] == "finished" and run["options"]["cluster"] == scheduler
    assert set(run["cv_metrics"]) == {"cv_roc_auc_mean", "cv_roc_auc_std"}  # the best candidate's score

    folds = json.loads(mldesk("train", project, "heart", "--target", "heart_disease", "--model",
                              "logistic_regression", "--cv", "3", "--cluster", scheduler, "--json").stdout)
    assert folds["status"] == "finished" and "cv_roc_auc_mean" in folds["cv_metrics"]

    refused = mldesk("train", project, "heart", "--target", "heart_disease", "--model", "logistic_regression",
                     "--cluster", scheduler, check_code=2)
    assert "add --search grid|random|halving or --cv K" in refused.stderr


def test_a_standalone_build_says_to_use_the_wheelhouse(prep, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # the build leaves Dask out
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    with pytest.raises(ClusterError, match=r"standalone MLDesk has no Dask.*offline wheelhouse"):
        search_prepared(prep, method="grid", space=SPACE, cluster="tcp://127.0.0.1:9")
