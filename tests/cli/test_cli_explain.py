"""`mldesk explain` as a script reads it: for every row, base_value + the contributions = the output (the
model's log-odds); the overall importance; one sentence for what cannot be explained."""

from __future__ import annotations

import json

import pytest

from tests.cli.helpers import SAMPLE, heart_project, mldesk


@pytest.fixture(scope="module")
def heart(tmp_path_factory):
    project = heart_project(tmp_path_factory.mktemp("explain_cli") / "proj")
    for algorithm, name in (("logistic_regression", "heart-lr"), ("hist_gradient_boosting", "heart-hgb"),
                            ("k_neighbors", "heart-knn")):
        run = json.loads(mldesk("train", project, "heart", "--target", "heart_disease", "--model", algorithm,
                                "--json").stdout)
        mldesk("register", project, run["run"][:8], "--name", name, "--alias", "production")
    return project


@pytest.mark.parametrize("model", ["heart-lr@production", "heart-hgb@1"])
def test_the_json_adds_up_row_by_row(heart, model):
    document = json.loads(mldesk("explain", heart, model, SAMPLE, "--rows", "25", "--json").stdout)
    assert set(document) >= {"base_value", "output_space", "rows", "importance"}
    assert document["output_space"] == "log_odds" and len(document["rows"]) == 25
    for row in document["rows"]:
        assert abs(document["base_value"] + sum(row["contributions"].values()) - row["output"]) <= 1e-6
        assert len(row["contributions"]) == 11 and row["class"] in ("Yes", "No")
    assert max(document["importance"], key=document["importance"].get) == "age"


def test_the_human_output_names_the_columns_that_moved_each_row(heart):
    text = mldesk("explain", heart, "heart-lr", SAMPLE, "--rows", "2").stdout
    lines = text.splitlines()
    assert lines[0].startswith("heart-lr@1: each row's log-odds = the base value")
    assert lines[1].startswith("  row 1: log-odds (") and " others " in lines[1]
    assert lines[-1].startswith("Overall importance (")


def test_what_cannot_be_explained_is_one_sentence(heart, tmp_path):
    error = mldesk("explain", heart, "heart-knn", SAMPLE, check_code=1).stderr
    assert "Per-row explanations are made for linear and tree models" in error and "Traceback" not in error
    empty = tmp_path / "other.csv"
    empty.write_text("x,y\n1,2\n", encoding="utf-8")
    error = mldesk("explain", heart, "heart-lr", empty, check_code=1).stderr
    assert error.startswith("mldesk: ") and "Traceback" not in error


def test_batch_scoring_adds_the_three_strongest_reasons(heart, tmp_path):
    out = tmp_path / "scored.csv"
    mldesk("predict", heart, "heart-hgb", SAMPLE, "--explain", "--out", out)
    import pandas as pd

    scored = pd.read_csv(out)
    assert list(scored.columns[-3:]) == ["reason_1", "reason_2", "reason_3"] and len(scored) == 5000
    document = json.loads(mldesk("explain", heart, "heart-hgb", SAMPLE, "--rows", "3", "--json").stdout)
    for i, row in enumerate(document["rows"]):
        strongest = sorted(row["contributions"].items(), key=lambda item: -abs(item[1]))[:3]
        assert [scored.loc[i, f"reason_{k + 1}"] for k in range(3)] == [f"{name} {value:+.3g}"
                                                                         for name, value in strongest]
    error = mldesk("predict", heart, "heart-knn", SAMPLE, "--explain", "--out", tmp_path / "knn.csv",
                   check_code=1).stderr
    assert "Per-row explanations are made for linear and tree models" in error and not (tmp_path / "knn.csv").exists()
