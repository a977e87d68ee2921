"""`mldesk train --sensitive`: the run's --json metrics gain `groups` and the gap metrics; the gate takes rules
on the gaps; a wrong column is one sentence."""

from __future__ import annotations

import json

import pytest

from tests.cli.helpers import heart_project, mldesk


@pytest.fixture(scope="module")
def heart(tmp_path_factory):
    return heart_project(tmp_path_factory.mktemp("fair_cli") / "proj")


def test_groups_and_gaps_in_the_run_and_a_gate_on_them(heart):
    run = json.loads(mldesk("train", heart, "heart", "--target", "heart_disease", "--model", "logistic_regression",
                            "--class-weight", "balanced", "--sensitive", "gender", "--json").stdout)
    metrics = run["metrics"]
    assert set(metrics["groups"]["gender"]) == {"Female", "Male"}
    assert set(metrics["groups"]["gender"]["Male"]) == {"count", "selection_rate", "recall", "fpr", "precision",
                                                         "roc_auc"}
    for name in ("recall_gap", "fpr_gap", "selection_rate_ratio", "demographic_parity_difference",
                 "equalized_odds_difference"):
        assert isinstance(metrics[name], float)
    assert run["options"]["sensitive"] == "gender" and run["options"]["use_sensitive"] is False
    error = mldesk("register", heart, run["run"][:8], "--name", "heart-fair", "--require",
                   f"recall_gap<={metrics['recall_gap'] / 2:.6f}", check_code=1).stderr
    assert "recall_gap" in error and "Traceback" not in error
    mldesk("register", heart, run["run"][:8], "--name", "heart-fair", "--require", "selection_rate_ratio>=0.5")


def test_a_column_that_is_not_there_is_one_sentence(heart):
    done = mldesk("train", heart, "heart", "--target", "heart_disease", "--model", "logistic_regression",
                  "--sensitive", "religion", check_code=1)
    assert "sensitive column" in done.stderr and "religion" in done.stderr
    assert "name it" in mldesk("train", heart, "heart", "--target", "heart_disease", "--model",
                               "logistic_regression", "--use-sensitive", check_code=2).stderr
