"""A KPI gate that cannot be bypassed by accident, on real runs of the sample heart data.

`register(require=…)` keeps the rules as the gate of a model that has none (so a later alias
move is checked against them), and a move to a clearly worse version of a model without a gate
is allowed but warned about, with the metrics before and after in its audit event.
"""

from __future__ import annotations

import pytest

from desktop_app.core.project import Project
from desktop_app.core.registry.errors import GateFailedError
from desktop_app.core.tracking.entities import RunSpec
from tests.conftest import SAMPLE_CSV

TARGET = "heart_disease"


@pytest.fixture(scope="module")
def heart(tmp_path_factory, module_backend):
    project = Project.create(tmp_path_factory.mktemp("registry_gate") / "proj", name="Gate",
                             database_url=module_backend.new_url())
    project.datasets.import_file(SAMPLE_CSV, name="heart")
    plain = project.runs.train(RunSpec("heart", TARGET, "logistic_regression"))
    balanced = project.runs.train(RunSpec("heart", TARGET, "logistic_regression", class_weight="balanced"))
    assert plain.metrics["recall"] < 0.2 < 0.7 < balanced.metrics["recall"]
    yield project, plain, balanced
    project.close()


def _gate(project, name):
    return [str(r) for r in project.registry.get_model(name).kpi_gate]


def test_require_becomes_the_gate_of_a_model_without_one_and_stops_the_alias_move(heart):
    project, plain, balanced = heart
    reg = project.registry
    reg.register(balanced.id, "risk-a", alias="production", require=["recall>=0.7"])
    assert _gate(project, "risk-a") == ["recall>=0.7"]
    gate_event = next(e for e in reg.history("risk-a") if e.action == "model.gate")
    assert gate_event.before == {"rules": []} and gate_event.after == {"rules": ["recall>=0.7"]}
    assert gate_event.reason == "set when registering v1"

    with pytest.raises(GateFailedError):   # the plain run cannot even become v2 now
        reg.register(plain.id, "risk-a")
    assert [v.number for v in reg.get_model("risk-a").versions] == [1]


def test_a_different_gate_stays_unless_set_gate_replaces_it(heart):
    project, plain, balanced = heart
    reg = project.registry
    reg.register(balanced.id, "risk-b")
    reg.set_kpi_gate("risk-b", ["roc_auc>=0.5"], reason="review")
    with pytest.raises(GateFailedError, match="recall"):   # the gate passes, the extra rule does not
        reg.register(plain.id, "risk-b", require=["recall>=0.7"])
    reg.register(plain.id, "risk-b", require=["accuracy>=0.5"])
    assert _gate(project, "risk-b") == ["roc_auc>=0.5"]
    assert [e.action for e in reg.history("risk-b")].count("model.gate") == 1


def test_set_gate_replaces_an_existing_gate_with_an_audit_event(heart):
    project, plain, balanced = heart
    reg = project.registry
    reg.register(plain.id, "risk-c", require=["roc_auc>=0.5"])
    reg.register(balanced.id, "risk-c", require=["recall>=0.7"], set_gate=True, reason="clinical minimum")
    assert _gate(project, "risk-c") == ["recall>=0.7"]
    event = next(e for e in reg.history("risk-c") if e.action == "model.gate")   # newest first
    assert event.before == {"rules": ["roc_auc>=0.5"]} and event.after == {"rules": ["recall>=0.7"]}
    assert event.reason == "clinical minimum"


def test_moving_an_alias_to_a_worse_version_warns_and_keeps_the_metrics_and_reason(heart):
    project, plain, balanced = heart
    reg = project.registry
    reg.register(balanced.id, "risk-d", alias="production")
    reg.register(plain.id, "risk-d")
    warnings = reg.alias_warnings("risk-d", "production", 2)
    assert len(warnings) == 1 and "risk-d v2 is worse than v1" in warnings[0] and "recall 0.0" in warnings[0]
    assert reg.alias_warnings("risk-d", "staging", 2) == []          # a new alias replaces nothing

    reg.set_alias("risk-d", "production", 2, reason="higher accuracy")
    event = next(e for e in reg.history("risk-d") if e.action == "model.alias")
    assert event.reason == "higher accuracy"
    assert event.before["metrics"]["recall"] == pytest.approx(balanced.metrics["recall"])
    assert event.after["metrics"]["recall"] == pytest.approx(plain.metrics["recall"])
    assert any(w.startswith("recall ") for w in event.after["worse"])
    assert reg.alias_warnings("risk-d", "production", 1) == []       # back to the better one: no warning
