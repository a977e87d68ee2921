"""`mldesk drift`'s exit code says what it means: per `--fail-on`, in the help, the output and the JSON.

The batch is the issue's: half the patients 8 years older, so only `age` and the prediction drift —
not dataset drift (that needs half the columns), so the default exits 0 and says why.
"""

from __future__ import annotations

import csv
import json

import pytest

from tests.cli.helpers import SAMPLE, heart_project, mldesk


@pytest.fixture(scope="module")
def older(tmp_path_factory):
    folder = tmp_path_factory.mktemp("drift_exit")
    project = heart_project(folder / "proj")
    run = json.loads(mldesk("train", project, "heart", "--target", "heart_disease", "--model",
                            "logistic_regression", "--class-weight", "balanced", "--json").stdout)
    mldesk("register", project, run["run"][:8], "--name", "heart-risk", "--alias", "production")
    with open(SAMPLE, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for i, row in enumerate(rows):
        if i % 2 == 0 and row["age"]:
            row["age"] = str(float(row["age"]) + 8)
    batch = folder / "older.csv"
    with open(batch, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return project, batch


def test_help_says_what_exit_3_means_per_fail_on_value():
    text = mldesk("drift", "--help").stdout
    assert "exit 3 when drift is found" not in text
    for line in ("--fail-on dataset  exit 3 when at least the drift share (default half) of the columns drifted",
                 "--fail-on column   exit 3 when any input column drifted",
                 "--fail-on any      exit 3 when a column, the predictions or the domain classifier drifted"):
        assert line in text


def test_age_and_prediction_drift_exit_0_by_default_and_say_why(older):
    project, batch = older
    report = json.loads(mldesk("drift", project, "heart-risk@production", batch, "--json").stdout)
    assert report["drifted_columns"] == ["age"] and report["prediction_drift"] is True
    assert report["dataset_drift"] is False
    assert report["fails_on"] == "dataset" and report["failed"] is False and report["exit_code"] == 0
    assert report["reason"].startswith("no dataset drift: 1 of ") and "(age)" in report["reason"]
    assert "--fail-on column exits 3" in report["reason"] and "the predictions" in report["reason"]

    human = mldesk("drift", project, "heart-risk@production", batch).stdout
    assert "No dataset drift — exit 0 (--fail-on dataset): no dataset drift: 1 of" in human


@pytest.mark.parametrize("fail_on, reason", [("column", "1 of "), ("any", "the predictions drifted")])
def test_the_other_fail_on_values_exit_3_and_say_why(older, fail_on, reason):
    project, batch = older
    done = mldesk("drift", project, "heart-risk@production", batch, "--fail-on", fail_on, "--json", check_code=3)
    report = json.loads(done.stdout)
    assert report["fails_on"] == fail_on and report["failed"] is True and report["exit_code"] == 3
    assert reason in report["reason"]
