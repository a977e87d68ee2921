"""The `mldesk` command as a user's script runs it: a subprocess, stdout, stderr, exit codes."""

from __future__ import annotations

import csv
import json

import pytest

from tests.cli.helpers import SAMPLE, mldesk


def test_help_lists_the_commands():
    out = mldesk("--help").stdout
    for command in ("init", "import", "datasets", "gui"):
        assert command in out


def test_init_import_datasets_round_trip(tmp_path):
    project = tmp_path / "proj"
    created = json.loads(mldesk("init", project, "--name", "Heart", "--json").stdout)
    assert created["project"] == "Heart"

    imported = json.loads(mldesk("import", project, SAMPLE, "--json").stdout)
    with open(SAMPLE, newline="", encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    assert imported["dataset"] == "heart" and imported["version"] == 1
    assert imported["rows"] == len(rows) and imported["columns"] == len(header)
    assert len(imported["sha256"]) == 64 and imported["id"]
    assert imported["settings"]["delimiter"] == "," and imported["created"] is True

    again = json.loads(mldesk("import", project, SAMPLE, "--json").stdout)
    assert again["created"] is False and again["id"] == imported["id"]

    listed = json.loads(mldesk("datasets", project, "--json").stdout)
    assert [d["name"] for d in listed["datasets"]] == ["heart"]
    assert listed["datasets"][0]["versions"][0]["sha256"] == imported["sha256"]

    human = mldesk("datasets", project).stdout
    assert "heart@1" in human and f"{len(rows):,}" in human


def test_import_with_explicit_settings(tmp_path):
    project = tmp_path / "proj"
    mldesk("init", project)
    data = tmp_path / "prices.txt"
    data.write_text("item;price\napple;1,5\npear;2,25\n", encoding="cp1252")
    out = json.loads(
        mldesk("import", project, data, "--sep", ";", "--decimal", ",", "--encoding", "cp1252",
               "--name", "prices", "--json").stdout
    )
    assert out["rows"] == 2 and out["kinds"]["price"] == "numeric"


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["import", "{project}", "{missing}"], "no file"),
        (["import", "{project}", "{empty}"], "empty"),
        (["datasets", "{nowhere}"], "no folder"),
        (["init", "{project}"], "already holds"),
    ],
)
def test_user_mistakes_are_one_sentence_and_exit_1(tmp_path, args, fragment):
    project = tmp_path / "proj"
    mldesk("init", project)
    (tmp_path / "empty.csv").write_bytes(b"")
    values = {"project": project, "missing": tmp_path / "missing.csv", "empty": tmp_path / "empty.csv",
              "nowhere": tmp_path / "nowhere"}
    done = mldesk(*[a.format(**values) for a in args], check_code=1)
    assert fragment in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1


def test_usage_errors_exit_2(tmp_path):
    done = mldesk("import", check_code=2)
    assert "usage" in done.stderr
    mldesk("init", tmp_path / "p")
    done = mldesk("import", tmp_path / "p", SAMPLE, "--kind", "age=weird", check_code=2)
    assert "not a column kind" in done.stderr


def test_check_json_and_fail_on(tmp_path, heart_proj):
    project = heart_proj
    report = json.loads(mldesk("check", project, "heart", "--target", "heart_disease", "--json").stdout)
    assert (report["dataset"], report["version"]) == ("heart", 1)
    assert set(report["findings"][0]) == {"check", "severity", "column", "message", "value", "fix"}
    imbalance = [f for f in report["findings"] if f["check"] == "class_imbalance"]
    assert imbalance and imbalance[0]["column"] == "heart_disease"
    assert report["summary"]["warnings"] >= 1
    mldesk("check", project, "heart", "--target", "heart_disease", "--fail-on", "error")
    mldesk("check", project, "heart", "--target", "heart_disease", "--fail-on", "warning", check_code=1)
    no_target = json.loads(mldesk("check", project, "heart@1", "--json").stdout)
    assert not [f for f in no_target["findings"] if f["check"] == "class_imbalance"]
    html = tmp_path / "report.html"
    mldesk("check", project, "heart", "--html", html)
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_fix_makes_a_derived_version(heart_proj):
    project = heart_proj
    out = json.loads(mldesk("fix", project, "heart", "--apply", "missing_values:weight", "--json").stdout)
    assert out["version"] == 2 and out["parent"] and out["recipe"][0]["op"] == "impute"
    done = mldesk("fix", project, "heart@2", "--apply", "duplicate_rows", check_code=1)
    assert "no fixable finding" in done.stderr
    usage = mldesk("check", project, "heart", "--threshold", "bogus=1", check_code=2)
    assert "not a threshold" in usage.stderr


def test_train_runs_compare_tell_the_imbalance_story(heart_proj):
    project = heart_proj
    plain = json.loads(mldesk("train", project, "heart", "--target", "heart_disease",
                              "--model", "logistic_regression", "--json").stdout)
    balanced = json.loads(mldesk("train", project, "heart", "--target", "heart_disease", "--model",
                                 "logistic_regression", "--class-weight", "balanced", "--json").stdout)
    for run in (plain, balanced):
        assert run["status"] == "finished" and run["model"] == "logistic_regression"
        assert all(isinstance(v, float) for v in run["metrics"].values())
    assert plain["metrics"]["recall"] < 0.2 and balanced["metrics"]["recall"] > 0.6

    listed = json.loads(mldesk("runs", project, "--sort", "recall", "--json").stdout)["runs"]
    assert [r["run"] for r in listed] == [balanced["run"], plain["run"]]
    compared = json.loads(mldesk("compare", project, plain["run"][:8], balanced["run"][:8], "--json").stdout)
    differing = {row["name"] for row in compared["settings"] if row["differs"]}
    assert differing == {"class_weight"}
    recall = next(row for row in compared["metrics"] if row["name"] == "recall")
    assert recall["best"] == balanced["run"]
    human = mldesk("compare", project, plain["run"][:8], balanced["run"][:8]).stdout
    assert "class_weight" in human and "balanced" in human


def test_train_mistakes(heart_proj):
    project = heart_proj
    done = mldesk("train", project, "heart", "--target", "nope", "--model", "logistic_regression", check_code=1)
    assert "no column 'nope'" in done.stderr
    done = mldesk("train", project, "heart", "--target", "heart_disease", "--model", "magic_forest", check_code=1)
    assert "magic_forest" in done.stderr and "Traceback" not in done.stderr
    done = mldesk("train", project, "heart", "--target", "heart_disease", "--model", "logistic_regression",
                  "--param", "C=abc", check_code=1)
    assert "C" in done.stderr and "Traceback" not in done.stderr


def test_import_finds_the_table_below_a_preamble_and_takes_skip_rows(tmp_path):
    from tests.core import real_shapes

    project = tmp_path / "proj"
    mldesk("init", project)
    shape = real_shapes.bls_series(tmp_path)
    detected = json.loads(mldesk("import", project, shape.path, "--json").stdout)
    assert (detected["rows"], detected["columns"]) == (shape.rows, len(shape.columns))
    assert detected["settings"]["skip_rows"] == shape.skip_rows
    later = json.loads(mldesk("import", project, shape.path, "--skip-rows", shape.skip_rows + 1, "--json").stdout)
    assert later["settings"]["skip_rows"] == shape.skip_rows + 1 and later["rows"] == shape.rows - 1


@pytest.mark.parametrize("option, value, sentence", [
    ("--sep", "", "--sep takes one character (got '')"),
    ("--sep", ",,", "--sep takes one character (got ',,')"),
    ("--decimal", "", "--decimal takes one character (got '')"),
    ("--skip-rows", "-1", "--skip-rows takes a whole number of 0 or more (got -1)"),
])
def test_import_settings_that_cannot_work_are_usage_errors(tmp_path, option, value, sentence):
    mldesk("init", tmp_path / "p")
    done = mldesk("import", tmp_path / "p", SAMPLE, option, value, check_code=2)
    assert sentence in done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
