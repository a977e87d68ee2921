"""The model registry on real runs of the sample heart data: versions, resolve, KPI gate, aliases
with reasons and audit, archive/restore, lineage through derived dataset versions, held-out comparison.

One project with a few trained runs is shared by the module (training is the slow part);
each test registers into its own model name, so the tests stay independent.
"""

from __future__ import annotations

import pytest
from sklearn import metrics as skm

from desktop_app.core.errors import MLDeskError, NotFoundError
from desktop_app.core.project import Project
from desktop_app.core.quality.recipe import make_step
from desktop_app.core.registry.entities import KpiRule
from desktop_app.core.registry.errors import (
    AliasInUseError,
    ArchivedVersionError,
    GateFailedError,
    InvalidNameError,
    KpiRuleError,
    ReasonRequiredError,
    RunNotRegistrableError,
)
from desktop_app.core.registry.gate import check_gate, parse_rule
from desktop_app.core.tracking.entities import RunSpec, RunStatus
from tests.conftest import SAMPLE_CSV

TARGET = "heart_disease"


class Heart:
    """The shared project and its runs."""


@pytest.fixture(scope="module")
def heart(tmp_path_factory, module_backend):
    project = Project.create(tmp_path_factory.mktemp("registry") / "proj", name="Registry",
                             database_url=module_backend.new_url())
    v1 = project.datasets.import_file(SAMPLE_CSV, name="heart").version
    h = Heart()
    h.project, h.v1 = project, v1
    train = project.runs.train
    h.low = train(RunSpec("heart", TARGET, "logistic_regression"))                         # recall < 0.2
    h.balanced = train(RunSpec("heart", TARGET, "logistic_regression", class_weight="balanced"))
    h.tuned = train(RunSpec("heart", TARGET, "logistic_regression", class_weight="balanced", tune_threshold=True,
                            seed=1))
    h.failed = project.runs.execute(project.runs.create(
        RunSpec("heart", TARGET, "logistic_regression", test_size=0.9999)).id)
    frame = project.datasets.load(v1)
    h.v2 = project.quality.apply_fixes(v1, [make_step(frame, v1.kinds, "cap_outliers", column="weight",
                                                      k=1.5)]).version
    h.v3 = project.quality.apply_fixes(h.v2, [make_step(frame, h.v2.kinds, "drop_column",
                                                        column="alcohol")]).version
    h.derived = train(RunSpec(h.v3.label, TARGET, "logistic_regression", class_weight="balanced", seed=2))
    for run in (h.low, h.balanced, h.tuned, h.derived):
        assert run.status == RunStatus.FINISHED, run.error
    assert h.failed.status == RunStatus.FAILED
    assert h.low.metrics["recall"] < 0.2 < 0.6 < h.balanced.metrics["recall"]
    yield h
    project.close()


def _actions(project, name):
    return [e.action for e in project.registry.history(name)]


def test_register_numbers_versions_from_one_and_resolves_every_kind_of_ref(heart):
    reg = heart.project.registry
    first = reg.register(heart.low.id[:8], "  risk-a ", description="baseline", tags={"owner": "ana"})
    second = reg.register(heart.balanced.id, "risk-a", alias="staging")
    assert (first.number, second.number) == (1, 2) and first.model_name == "risk-a"
    assert first.label == "risk-a@1" and first.description == "baseline" and first.tags == {"owner": "ana"}
    assert first.run_id == heart.low.id and first.model_sha256 == heart.low.model_sha256
    assert first.dataset_label == "heart@1" and first.target == TARGET and first.algorithm == "logistic_regression"
    assert first.metrics == heart.low.metrics and not first.archived
    assert second.aliases == ("staging",)

    assert reg.resolve("risk-a").id == second.id                     # the newest active version
    assert reg.resolve("risk-a@1").id == first.id
    assert reg.resolve("risk-a@staging").id == second.id
    assert reg.resolve(first.id).id == first.id
    assert reg.resolve(first.id[:8]).id == first.id

    model = reg.get_model("risk-a")
    assert [v.number for v in model.versions] == [1, 2]
    assert model.aliases == {"staging": 2} and model.latest_version == 2 and model.kpi_gate == ()
    assert "risk-a" in [m.name for m in reg.models()]
    names = [m.name for m in reg.models()]
    assert names == sorted(names, key=str.casefold)
    assert sorted(_actions(heart.project, "risk-a")) == sorted(
        ["model.create", "model.register", "model.register", "model.alias"])
    register = next(e for e in reg.history("risk-a") if e.action == "model.register" and e.entity_id == first.id)
    assert register.after["run_id"] == heart.low.id and register.after["version"] == 1
    assert register.user and register.host


def test_unknown_model_version_or_alias_lists_what_exists(heart):
    reg = heart.project.registry
    reg.register(heart.low.id, "risk-b", alias="production")
    with pytest.raises(NotFoundError, match=r"no model 'nope'.*risk-b"):
        reg.resolve("nope")
    with pytest.raises(NotFoundError, match=r"risk-b has no version 7; its versions are 1"):
        reg.resolve("risk-b@7")
    with pytest.raises(NotFoundError, match=r"no alias 'prod'; its aliases are production \(v1\)"):
        reg.resolve("risk-b@prod")
    with pytest.raises(NotFoundError, match="no model"):
        reg.get_model("nope")
    with pytest.raises(NotFoundError, match=r"names no version; write risk-b@3"):
        reg.resolve("risk-b@")


def test_names_and_aliases_are_checked(heart):
    reg = heart.project.registry
    for bad in ("", "   ", "a@b", "bad/name", "-lead"):
        with pytest.raises(InvalidNameError):
            reg.register(heart.low.id, bad)
    for alias in ("123", "Prod", "pro duction", ""):
        with pytest.raises(InvalidNameError):
            reg.register(heart.low.id, "risk-c", alias=alias)
    with pytest.raises(NotFoundError):
        reg.get_model("risk-c")  # nothing was created by the refused attempts


def test_a_run_is_registered_once_per_model_and_only_when_finished(heart):
    reg = heart.project.registry
    reg.register(heart.low.id, "risk-d")
    with pytest.raises(RunNotRegistrableError, match=r"already registered as risk-d v1"):
        reg.register(heart.low.id, "risk-d")
    assert reg.register(heart.low.id, "risk-d-other").number == 1   # another model may take it
    with pytest.raises(RunNotRegistrableError, match=r"is failed, not finished"):
        reg.register(heart.failed.id, "risk-d")
    queued = heart.project.runs.create(RunSpec("heart", TARGET, "logistic_regression"))
    with pytest.raises(RunNotRegistrableError, match=r"is queued, not finished"):
        reg.register(queued.id, "risk-d")
    assert [v.number for v in reg.get_model("risk-d").versions] == [1]


def test_a_run_whose_model_file_was_altered_is_not_registered(tmp_path):
    with Project.create(tmp_path / "p") as project:
        project.datasets.import_file(SAMPLE_CSV, name="heart")
        run = project.runs.train(RunSpec("heart", TARGET, "logistic_regression"))
        path = project.objects.path(run.model_sha256)
        path.chmod(0o644)
        path.write_bytes(path.read_bytes() + b"tampered")
        with pytest.raises(RunNotRegistrableError, match=r"cannot be registered: .*damaged"):
            project.registry.register(run.id, "risk")
        path.unlink()
        with pytest.raises(RunNotRegistrableError, match=r"cannot be registered: .*missing"):
            project.registry.register(run.id, "risk")
        assert project.registry.models() == []


def test_kpi_gate_refuses_with_metric_value_and_rule_and_passes_good_runs(heart):
    reg = heart.project.registry
    reg.register(heart.tuned.id, "risk-e")
    model = reg.set_kpi_gate("risk-e", ["recall>=0.6", KpiRule("roc_auc", ">", 0.5)], reason="clinical minimum")
    assert [str(r) for r in model.kpi_gate] == ["recall>=0.6", "roc_auc>0.5"]
    recall = heart.low.metrics["recall"]
    with pytest.raises(GateFailedError) as info:
        reg.register(heart.low.id, "risk-e")
    message = str(info.value)
    assert "does not pass the KPI gate" in message and f"recall {recall:.4g} < 0.6 (rule recall>=0.6)" in message
    assert message.endswith("train a better model or change the gate.")
    assert info.value.failures == [f"recall {recall:.4g} < 0.6 (rule recall>=0.6)"]
    assert reg.register(heart.balanced.id, "risk-e").number == 2  # passes: recall > 0.6

    with pytest.raises(KpiRuleError, match="not a KPI rule"):
        reg.set_kpi_gate("risk-e", ["recall=0.7"])
    with pytest.raises(KpiRuleError, match=r"'r2' is not a metric of risk-e's versions"):
        reg.set_kpi_gate("risk-e", ["r2>=0.5"])
    gate_events = [e for e in reg.history("risk-e") if e.action == "model.gate"]
    assert gate_events[0].after == {"rules": ["recall>=0.6", "roc_auc>0.5"]} and gate_events[0].reason

    # A version registered before a stricter gate keeps existing but cannot take an alias.
    reg.set_kpi_gate("risk-e", ["recall>=0.95"])
    assert reg.gate_failures(reg.resolve("risk-e@1"))
    with pytest.raises(GateFailedError, match=r"risk-e v1 does not pass the KPI gate: recall"):
        reg.set_alias("risk-e", "production", 1)
    reg.set_kpi_gate("risk-e", [])
    assert reg.set_alias("risk-e", "production", 1).aliases == ("production",)

    # Extra rules for one registration (mldesk register --require).
    with pytest.raises(GateFailedError, match=r"roc_auc .* < 0.99"):
        reg.register(heart.low.id, "risk-e2", require=["roc_auc>=0.99"])
    with pytest.raises(NotFoundError):
        reg.get_model("risk-e2")


def test_rules_parse_and_check():
    assert parse_rule(" Recall >= 0.7 ") == KpiRule("recall", ">=", 0.7)
    assert parse_rule("log_loss<0.5") == KpiRule("log_loss", "<", 0.5)
    assert str(parse_rule("rmse<=1e3")) == "rmse<=1000"
    for bad in ("recall", "recall==0.7", ">=0.7", "recall>=high", "recall>=0.7 and f1>0.5"):
        with pytest.raises(KpiRuleError, match="METRIC>=VALUE"):
            parse_rule(bad)
    rules = [parse_rule("recall>=0.7"), parse_rule("log_loss<0.5"), parse_rule("f1>0.3")]
    assert check_gate(rules, {"recall": 0.8, "log_loss": 0.4, "f1": 0.31}) == []
    failures = check_gate(rules, {"recall": 0.61, "log_loss": 0.5})
    assert failures == ["recall 0.61 < 0.7 (rule recall>=0.7)", "log_loss 0.5 >= 0.5 (rule log_loss<0.5)",
                        "f1 is not among the run's test metrics (rule f1>0.3)"]
    assert check_gate([parse_rule("recall>=0.7")], {"recall": 0.69996}) == [
        "recall 0.69996 < 0.7 (rule recall>=0.7)"]  # never "0.7 < 0.7"


def test_moving_an_alias_needs_a_reason_and_is_audited(heart):
    reg = heart.project.registry
    reg.register(heart.low.id, "risk-f")
    reg.register(heart.balanced.id, "risk-f")
    assert reg.set_alias("risk-f", "production", 1).aliases == ("production",)  # first assignment: no reason needed
    with pytest.raises(ReasonRequiredError, match=r"Moving the alias 'production' of risk-f from v1 to v2"):
        reg.set_alias("risk-f", "production", 2, reason="  ")
    moved = reg.set_alias("risk-f", "production", 2, reason="recall 0.37 → 0.70 on the same test rows")
    assert moved.number == 2 and moved.aliases == ("production",)
    assert reg.resolve("risk-f@production").number == 2 and reg.resolve("risk-f@1").aliases == ()
    reg.set_alias("risk-f", "production", 2)  # already there: nothing changes, no reason needed

    alias_events = [e for e in reg.history("risk-f") if e.action == "model.alias"]
    assert len(alias_events) == 2
    newest = alias_events[0]
    assert newest.before["alias"] == "production" and newest.before["version"] == 1
    assert newest.after["version"] == 2 and newest.reason.startswith("recall 0.37")
    assert alias_events[1].before["version"] is None and alias_events[1].after["version"] == 1

    with pytest.raises(ReasonRequiredError):
        reg.remove_alias("risk-f", "production", "")
    model = reg.remove_alias("risk-f", "production", "rolled back to manual review")
    assert model.aliases == {}
    removed = reg.history("risk-f")[0]
    assert removed.action == "model.alias" and removed.before["version"] == 2 and removed.after["version"] is None
    with pytest.raises(NotFoundError, match="has no alias 'production'; it has no alias yet"):
        reg.resolve("risk-f@production")


def test_archive_refuses_an_aliased_version_and_archived_versions_take_no_alias(heart):
    reg = heart.project.registry
    reg.register(heart.low.id, "risk-g")
    reg.register(heart.balanced.id, "risk-g", alias="production")
    with pytest.raises(AliasInUseError, match=r"risk-g v2 holds the alias 'production'; move or remove that alias"):
        reg.archive("risk-g", 2, "superseded")
    archived = reg.archive("risk-g", 1, "superseded by v2")
    assert archived.archived and archived.status == "archived"
    with pytest.raises(ArchivedVersionError, match=r"risk-g v1 is archived"):
        reg.set_alias("risk-g", "staging", 1)

    reg.remove_alias("risk-g", "production", "retiring the model")
    reg.archive("risk-g", 2, "retired")
    assert reg.resolve("risk-g@2").archived                      # history stays reachable by number
    assert reg.get_model("risk-g").latest_version is None
    with pytest.raises(NotFoundError, match="Every version of risk-g is archived"):
        reg.resolve("risk-g")

    restored = reg.restore("risk-g", 1, "needed again")
    assert not restored.archived and reg.resolve("risk-g").number == 1
    assert reg.set_alias("risk-g", "staging", 1).aliases == ("staging",)
    status_events = [(e.action, e.before, e.after, e.reason) for e in reg.history("risk-g")
                     if e.action in ("model.archive", "model.restore")]
    assert status_events[0] == ("model.restore", {"status": "archived"}, {"status": "active"}, "needed again")
    assert [a for a, *_ in status_events] == ["model.restore", "model.archive", "model.archive"]


def test_describe_and_drift_settings_are_stored_and_audited(heart):
    reg = heart.project.registry
    reg.register(heart.low.id, "risk-h")
    model = reg.describe("risk-h", description="Predicts heart disease", tags={"team": "cardio"})
    assert model.description == "Predicts heart disease" and model.tags == {"team": "cardio"}
    version = reg.describe("risk-h", number=1, description="first try")
    assert version.description == "first try" and version.number == 1
    model = reg.set_drift_settings("risk-h", {"share_threshold": 0.3}, reason="sensitive")
    assert model.drift_settings == {"share_threshold": 0.3}
    actions = _actions(heart.project, "risk-h")
    assert actions.count("model.describe") == 2 and "model.drift_settings" in actions
    with pytest.raises(MLDeskError, match="cannot be stored"):
        reg.set_drift_settings("risk-h", {"bad": float("nan")})


def test_lineage_goes_back_through_derived_versions_to_the_imported_file(heart):
    reg = heart.project.registry
    version = reg.register(heart.derived.id, "risk-i")
    lineage = reg.lineage("risk-i@1")
    assert lineage.version.id == version.id and lineage.run_id == heart.derived.id
    assert lineage.experiment == "Default" and lineage.algorithm == "logistic_regression" and lineage.seed == 2
    assert lineage.params == heart.derived.params and lineage.environment["libraries"]["scikit-learn"]
    assert lineage.dataset_label == heart.v3.label and lineage.dataset_sha256 == heart.v3.sha256
    assert lineage.source_name == "heart.csv" and lineage.source_sha256 == heart.v1.source_sha256
    chain = lineage.dataset_chain
    assert [c["label"] for c in chain] == ["heart@1", "heart@2", "heart@3"]
    assert [c["sha256"] for c in chain] == [heart.v1.sha256, heart.v2.sha256, heart.v3.sha256]
    assert chain[0]["recipe"] is None
    assert [s["op"] for s in chain[2]["recipe"]] == ["cap_outliers", "drop_column"]
    assert [s["op"] for s in chain[2]["steps"]] == ["drop_column"]     # what that version added
    assert all(c["source_name"] == "heart.csv" for c in chain)


def test_load_model_and_holdout_rows_match_the_run(heart):
    reg = heart.project.registry
    version = reg.register(heart.tuned.id, "risk-j")
    X, y = reg.holdout_rows(version)
    assert len(X) == len(y) == heart.tuned.summary["n_test"] and TARGET not in X.columns
    model = reg.load_model(version)
    predicted = model.predict(X)
    assert len(predicted) == len(X) and set(predicted) <= {"Yes", "No"}
    # The pipeline applies the saved threshold: its recall is the run's test recall.
    assert skm.recall_score(y == "Yes", predicted == "Yes") == pytest.approx(heart.tuned.metrics["recall"], abs=1e-12)
    X_train, _ = reg.training_rows("risk-j@1")
    assert len(X_train) == heart.tuned.summary["n_train"]


def test_compare_on_holdout_reproduces_the_run_and_scores_the_holder_on_the_same_rows(heart):
    reg = heart.project.registry
    reg.register(heart.tuned.id, "risk-k", alias="production")     # threshold tuned, seed 1
    reg.register(heart.balanced.id, "risk-k")                       # seed 0: another split

    alone = reg.compare_on_holdout("risk-k", 2, "staging")
    assert alone.holder is None and alone.holder_metrics == {} and "would be its first" in alone.notes[0]

    result = reg.compare_on_holdout("risk-k", 2, "production")
    assert (result.candidate, result.holder, result.rows) == ("risk-k@2", "risk-k@1", heart.balanced.summary["n_test"])
    assert set(result.metric_names) == set(heart.balanced.metrics)
    for name, value in heart.balanced.metrics.items():
        assert result.candidate_metrics[name] == pytest.approx(value, abs=1e-12), name

    # The holder's metrics, computed independently on the candidate's held-out rows.
    X, y = reg.holdout_rows(reg.resolve("risk-k@2"))
    holder = reg.load_model(reg.resolve("risk-k@production"))
    predicted = holder.predict(X)                                  # with its tuned threshold
    proba = holder.predict_proba(X)[:, list(holder.classes_).index("Yes")]
    expected = {
        "recall": skm.recall_score(y == "Yes", predicted == "Yes"),
        "precision": skm.precision_score(y == "Yes", predicted == "Yes"),
        "accuracy": skm.accuracy_score(y, predicted),
        "roc_auc": skm.roc_auc_score(y == "Yes", proba),
        "log_loss": skm.log_loss(y == "Yes", proba),
    }
    for name, value in expected.items():
        assert result.holder_metrics[name] == pytest.approx(value, abs=1e-12), name
    assert result.better("recall") in ("candidate", "holder", "tie")
    assert any("training part" in note for note in result.notes)      # another split: some rows were seen

    # The threshold-tuned run is reproduced too.
    own = reg.compare_on_holdout("risk-k", 1, "production")
    for name, value in heart.tuned.metrics.items():
        assert own.candidate_metrics[name] == pytest.approx(value, abs=1e-12), name
        assert own.holder_metrics[name] == pytest.approx(value, abs=1e-12), name
    assert own.to_dict()["better"]["recall"] == "tie"


def test_compare_says_when_the_holder_cannot_score_the_rows(heart):
    reg = heart.project.registry
    reg.register(heart.balanced.id, "risk-l", alias="production")   # trained with 'alcohol'
    reg.register(heart.derived.id, "risk-l")                         # heart@3 has no 'alcohol'
    result = reg.compare_on_holdout("risk-l", 2, "production")
    assert result.holder == "risk-l@1" and result.holder_metrics == {}
    assert result.candidate_metrics["recall"] == pytest.approx(heart.derived.metrics["recall"], abs=1e-12)
    assert any("cannot score" in n and "'alcohol'" in n for n in result.notes)


def test_history_holds_only_this_models_events(heart):
    reg = heart.project.registry
    reg.register(heart.low.id, "risk-m")
    reg.register(heart.low.id, "risk-n")
    events = reg.history("risk-m")
    assert {e.action for e in events} == {"model.create", "model.register"}
    assert all(e.after.get("name", e.after.get("model")) == "risk-m" for e in events)
    assert [e.at for e in events] == sorted((e.at for e in events), reverse=True)
    assert len(heart.project.audit_events()) > len(events)       # existing callers still see everything
