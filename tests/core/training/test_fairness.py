"""Fairness: per-group metrics equal ones counted by hand on a small table; numbers are cut into bands; a run
trained with a sensitive column records its groups and gaps, leaves the column out of its features unless
told otherwise, and the KPI gate holds a version to a rule on a gap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.registry.errors import GateFailedError
from desktop_app.core.tracking.entities import RunSpec
from desktop_app.core.training.fairness import fairness_metrics, group_labels
from desktop_app.core.training.pipeline import feature_columns
from tests.conftest import SAMPLE_CSV


def test_per_group_metrics_equal_the_hand_counted_ones():
    #                    group a: 5 rows            group b: 5 rows
    y_true = np.array([1, 1, 0, 0, 0,          1, 1, 1, 0, 0])
    y_pred = np.array([1, 0, 1, 0, 0,          1, 1, 0, 0, 0])
    scores = np.array([.9, .4, .6, .2, .1,     .8, .7, .3, .35, .1])
    groups = group_labels(pd.Series(list("aaaaabbbbb")))
    per_group, gaps = fairness_metrics(y_true, y_pred, scores, groups)
    # a: TP 1, FN 1, FP 1, TN 2 — b: TP 2, FN 1, FP 0, TN 2
    assert per_group["a"] == {"count": 5, "selection_rate": 2 / 5, "recall": 1 / 2, "fpr": 1 / 3,
                              "precision": 1 / 2, "roc_auc": pytest.approx(5 / 6)}
    assert per_group["b"] == {"count": 5, "selection_rate": 2 / 5, "recall": 2 / 3, "fpr": 0.0,
                              "precision": 1.0, "roc_auc": pytest.approx(5 / 6)}
    assert gaps["recall_gap"] == pytest.approx(2 / 3 - 1 / 2) and gaps["recall_ratio"] == pytest.approx(0.75)
    assert gaps["fpr_gap"] == pytest.approx(1 / 3) and gaps["selection_rate_gap"] == 0.0
    assert gaps["selection_rate_ratio"] == 1.0 and gaps["demographic_parity_difference"] == 0.0
    assert gaps["equalized_odds_difference"] == pytest.approx(1 / 3)     # the larger of the recall and fpr gaps
    assert gaps["precision_gap"] == pytest.approx(0.5) and gaps["roc_auc_gap"] == pytest.approx(0.0)


def test_numbers_are_cut_into_quartile_bands_lowest_first_missing_last():
    ages = pd.Series([30, 40, 41, 50, 51, 60, 61, 70, None, 45])
    bands = group_labels(ages)
    # quartiles of 30, 40, 41, 45, 50, 51, 60, 61, 70: 41, 50, 60 (whole years: a band starts after the last one)
    assert list(bands.cat.categories) == ["≤ 41", "42–50", "51–60", "61–70", "(missing)"]
    assert bands.tolist()[:5] == ["≤ 41", "≤ 41", "≤ 41", "42–50", "51–60"] and bands.iloc[8] == "(missing)"
    assert list(group_labels(pd.Series(["Male", None, "Female"])).cat.categories) == ["Female", "Male", "(missing)"]


@pytest.fixture(scope="module")
def heart(tmp_path_factory):
    from desktop_app.core.project import Project

    with Project.create(tmp_path_factory.mktemp("fair") / "proj") as project:
        project.datasets.import_file(SAMPLE_CSV, name="heart")
        yield project


def test_a_run_records_its_groups_and_gaps_and_leaves_the_column_out(heart):
    run = heart.runs.train(RunSpec(dataset="heart", target="heart_disease", algorithm="logistic_regression",
                                   class_weight="balanced", sensitive="gender"))
    groups = run.summary["groups"]["gender"]
    assert set(groups) == {"Female", "Male"} and sum(g["count"] for g in groups.values()) == run.summary["n_test"]
    assert run.metrics["recall_gap"] == pytest.approx(abs(groups["Female"]["recall"] - groups["Male"]["recall"]))
    assert "gender" not in feature_columns(heart.runs.load_model(run))
    assert "Leave out gender (sensitive)" in run.summary["pipeline_steps"]
    used = heart.runs.train(RunSpec(dataset="heart", target="heart_disease", algorithm="logistic_regression",
                                    class_weight="balanced", sensitive="gender", use_sensitive=True))
    assert "gender" in feature_columns(heart.runs.load_model(used)) and "recall_gap" in used.metrics
    banded = heart.runs.train(RunSpec(dataset="heart", target="heart_disease", algorithm="logistic_regression",
                                      sensitive="age"))
    assert list(banded.summary["groups"]["age"])[0].startswith("≤ ")


def test_the_gate_refuses_a_version_whose_recall_gap_exceeds_the_rule(heart):
    run = heart.runs.train(RunSpec(dataset="heart", target="heart_disease", algorithm="logistic_regression",
                                   class_weight="balanced", sensitive="gender"))
    gap = run.metrics["recall_gap"]
    with pytest.raises(GateFailedError, match="recall_gap"):
        heart.registry.register(run.id, "fair-risk", require=[f"recall_gap<={gap / 2:.6f}"])
    version = heart.registry.register(run.id, "fair-risk", require=[f"recall_gap<={gap + 0.01:.6f}",
                                                                     "selection_rate_ratio>=0.5"])
    assert [str(r) for r in heart.registry.get_model("fair-risk").kpi_gate][0].startswith("recall_gap<=")
    assert version.number == 1


def test_a_regression_gets_a_note_instead_of_groups(heart):
    run = heart.runs.train(RunSpec(dataset="heart", target="sys_bp", algorithm="ridge", sensitive="gender"))
    assert not run.summary.get("groups") and "two-class targets only" in " ".join(run.summary["notes"])


def test_a_labelled_batch_tracks_the_same_gaps_with_the_training_bands(heart, tmp_path):
    run = heart.runs.train(RunSpec(dataset="heart", target="heart_disease", algorithm="logistic_regression",
                                   class_weight="balanced", sensitive="age"))
    heart.registry.register(run.id, "aged-risk")
    batch = pd.read_csv(SAMPLE_CSV).sample(1500, random_state=5)
    batch.to_csv(tmp_path / "batch.csv", index=False)
    checked = heart.monitor.add_batch("aged-risk", tmp_path / "batch.csv")
    labelled = checked.result.metrics
    assert list(labelled.groups["age"]) == list(run.summary["groups"]["age"])     # the bands training made
    assert sum(g["count"] for g in labelled.groups["age"].values()) == 1500
    assert "recall_gap" in labelled.metrics and "recall_gap" in labelled.delta
    assert labelled.to_dict()["groups"] == labelled.groups
