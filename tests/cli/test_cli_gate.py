"""The README's registry story with a KPI gate that holds: `register --require` keeps the rule as
the model's gate, `--set-gate` replaces one, and an alias moved to a worse version is warned about.
"""

from __future__ import annotations

import json

import pytest

from tests.cli.helpers import heart_project, mldesk


def _json(*args, check_code=0):
    return json.loads(mldesk(*args, "--json", check_code=check_code).stdout)


@pytest.fixture(scope="module")
def heart(tmp_path_factory):
    project = heart_project(tmp_path_factory.mktemp("gate") / "proj")
    train = ("train", project, "heart", "--target", "heart_disease", "--model", "logistic_regression")
    plain = _json(*train)["run"][:8]
    balanced = _json(*train, "--class-weight", "balanced")["run"][:8]
    return project, plain, balanced


def test_require_becomes_the_gate_and_then_stops_the_plain_run(heart):
    project, plain, balanced = heart
    done = mldesk("register", project, balanced, "--name", "heart-risk", "--alias", "production",
                  "--require", "recall>=0.7")
    assert "KPI gate of heart-risk set to recall>=0.7" in done.stdout
    model = _json("models", project, "heart-risk")
    assert model["gate"] == ["recall>=0.7"]
    assert any(e["action"] == "model.gate" and e["after"] == {"rules": ["recall>=0.7"]} for e in model["history"])

    refused = mldesk("register", project, plain, "--name", "heart-risk", check_code=1)
    assert "does not pass the KPI gate" in refused.stderr and "recall" in refused.stderr


def test_a_different_require_keeps_the_gate_unless_set_gate(heart):
    project, plain, balanced = heart
    mldesk("register", project, plain, "--name", "risk-b", "--require", "roc_auc>=0.5")
    done = _json("register", project, balanced, "--name", "risk-b", "--require", "recall>=0.7")
    assert done["kpi_gate"]["rules"] == ["roc_auc>=0.5"] and done["kpi_gate"]["changed"] is False
    assert "keeps its KPI gate roc_auc>=0.5" in done["kpi_gate"]["text"] and "--set-gate" in done["kpi_gate"]["text"]

    mldesk("register", project, plain, "--name", "risk-c", "--require", "roc_auc>=0.5")
    done = mldesk("register", project, balanced, "--name", "risk-c", "--require", "recall>=0.7", "--set-gate",
                  "--reason", "clinical minimum")
    assert "KPI gate of risk-c changed from roc_auc>=0.5 to recall>=0.7" in done.stdout
    assert _json("models", project, "risk-c")["gate"] == ["recall>=0.7"]
    usage = mldesk("register", project, balanced, "--name", "risk-d", "--set-gate", check_code=2)
    assert "--set-gate needs the rules" in usage.stderr


def test_moving_production_to_a_worse_version_without_a_gate_warns_and_records_why(heart):
    project, plain, balanced = heart
    mldesk("register", project, balanced, "--name", "no-gate", "--alias", "production")
    mldesk("register", project, plain, "--name", "no-gate")
    done = mldesk("models", project, "no-gate", "--alias", "production=2", "--reason", "higher accuracy", "--json")
    assert "mldesk: warning: no-gate v2 is worse than v1, which held 'production', on " in done.stderr
    assert "recall 0.0" in done.stderr
    document = json.loads(done.stdout)
    assert "recall" in document["changes"][0]["warning"]
    event = next(e for e in document["history"] if e["action"] == "model.alias")
    assert event["reason"] == "higher accuracy" and event["before"]["metrics"]["recall"] > 0.7
    assert event["after"]["metrics"]["recall"] < 0.2 and event["after"]["worse"]
    human = mldesk("models", project, "no-gate", "--alias", "production=1", "--reason", "back").stdout
    assert "production: v1 → v2 (worse on recall" in human   # the history names what got worse
