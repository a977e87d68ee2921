"""`mldesk pipeline` as a scheduler runs it: save from a model version, show, TOML out and back in,
run with the exit codes a scheduler acts on (0 done, 3 stopped, 1 error), list the runs."""

from __future__ import annotations

import json

import pytest

from tests.cli.helpers import heart_project, mldesk
from tests.core.pipelines.months import same_month, shifted_month


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pipeline_cli")
    project = heart_project(folder / "proj")
    run = json.loads(mldesk("train", project, "heart", "--target", "heart_disease", "--model",
                            "logistic_regression", "--class-weight", "balanced", "--json").stdout)
    mldesk("register", project, run["run"][:8], "--name", "heart-risk", "--alias", "production")
    mldesk("pipeline", "save", project, "monthly", "--from", "heart-risk@1", "--input", folder / "heart-*.csv")
    return project, folder


def test_show_says_each_step_and_the_line_to_schedule(saved):
    project, folder = saved
    text = mldesk("pipeline", "show", project, "monthly").stdout
    for line in ("Import", "Check", "Drift", "Train", "Promote", "Export", "heart-risk@production",
                 f"pipeline run {project.resolve()} monthly"):
        assert line in text
    document = json.loads(mldesk("pipeline", "show", project, "monthly", "--json").stdout)
    assert document["steps"] == ["import", "check", "drift", "train", "promote", "export"]
    assert document["definition"]["source"]["path"] == str(folder / "heart-*.csv")


def test_toml_out_and_back_in_is_the_same_definition(saved, tmp_path):
    project, _ = saved
    toml = mldesk("pipeline", "show", project, "monthly", "--toml").stdout
    assert toml.startswith("# An MLDesk pipeline") and "[promotion]" in toml
    path = tmp_path / "monthly.toml"
    path.write_text(toml.replace("beat_by = 0.0", "beat_by = 0.02"), encoding="utf-8")
    done = json.loads(mldesk("pipeline", "save", project, "reviewed", "--file", path, "--json").stdout)
    before = json.loads(mldesk("pipeline", "show", project, "monthly", "--json").stdout)["definition"]
    assert done["definition"] == {**before, "name": "reviewed",
                                  "promotion": {**before["promotion"], "beat_by": 0.02}}
    broken = tmp_path / "broken.toml"
    broken.write_text("[training\n", encoding="utf-8")
    error = mldesk("pipeline", "save", project, "x", "--file", broken, check_code=1).stderr
    assert "not valid TOML" in error and "Traceback" not in error
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(toml.replace('fail_on = "dataset"', 'fail_on = "sometimes"'), encoding="utf-8")
    error = mldesk("pipeline", "save", project, "x", "--file", wrong, check_code=1).stderr
    assert "drift.fail_on must be dataset, column or any" in error


def test_a_shifted_month_exits_3_at_the_drift_step(saved):
    project, folder = saved
    month = shifted_month(folder / "shifted.csv")
    done = mldesk("pipeline", "run", project, "monthly", "--input", month, "--json", check_code=3)
    document = json.loads(done.stdout)
    assert document["status"] == "stopped" and document["stopped_at_step"] == "drift"
    assert document["exit_code"] == 3 and "dataset drift" in document["outcome"]
    assert not document["promoted"]
    models = json.loads(mldesk("models", project, "heart-risk", "--json").stdout)
    assert models["latest_version"] == 1


def test_a_same_month_exits_0_and_says_whether_it_promoted(saved):
    project, folder = saved
    month = same_month(folder / "heart-2026-12.csv")
    done = mldesk("pipeline", "run", project, "monthly")
    first_line = done.stdout.splitlines()[0]
    assert " done in " in first_line and ("Promoted heart-risk@2" in first_line or "Not promoted" in first_line)
    again = json.loads(mldesk("pipeline", "run", project, "monthly", "--input", month, "--json").stdout)
    assert again["exit_code"] == 0
    assert {s["state"] for s in again["steps"] if s["step"] != "export"} == {"reused"}
    assert again["steps"][-1]["state"] == ("reused" if again["promoted"] else "skipped")
    runs = json.loads(mldesk("pipeline", "runs", project, "monthly", "--json").stdout)["runs"]
    assert [r["status"] for r in runs][:2] == ["done", "done"]
    listing = mldesk("pipeline", "list", project).stdout
    assert "monthly" in listing and "done" in listing


def test_errors_are_one_sentence_and_exit_1(saved, tmp_path):
    project, _ = saved
    error = mldesk("pipeline", "run", project, "nightly", check_code=1).stderr
    assert "There is no pipeline 'nightly'" in error and "monthly" in error
    error = mldesk("pipeline", "run", project, "monthly", "--input", tmp_path / "none.csv", check_code=1).stderr
    assert error.startswith("mldesk: pipeline run") and "There is no file" in error
    assert "give one of --from" in mldesk("pipeline", "save", project, "x", check_code=2).stderr
    assert "name what to do" in mldesk("pipeline", check_code=2).stderr
