"""The Automate place driven as an analyst would: a pipeline saved from the heart model through New pipeline…,
Run now (a worker process), each step's state on the chain, the run history, a form edit saved as version 2,
Cancel mid-training, TOML out and back in, and the scheduler's command line."""

from __future__ import annotations

import shlex

import pytest
from PySide6.QtWidgets import QFileDialog

from desktop_app.core.pipelines.definition import to_dict
from desktop_app.core.pipelines.entities import PipelineStatus
from desktop_app.core.tracking.entities import RunSpec, RunStatus
from desktop_app.ui.steps.base import StepState
from tests.conftest import SAMPLE_CSV
from tests.core.pipelines.months import same_month, shifted_month
from tests.ui.helpers import click, wait_idle
from tests.ui.sync_helpers import open_in


@pytest.fixture
def heart(project, tmp_path):
    """The project with heart-risk@1 (a shallow tree, alias production) and a folder where months arrive."""
    project.datasets.import_file(SAMPLE_CSV, name="heart")
    run = project.runs.train(RunSpec(dataset="heart", target="heart_disease", algorithm="decision_tree",
                                     params={"max_depth": 1}, class_weight="balanced"))
    project.registry.register(run.id, "heart-risk", alias="production")
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    return project, incoming


def automate(qtbot, window, project):
    open_in(qtbot, window, project)
    window.navigator.select("automate")
    step = window.automate_step
    assert window.current_step() is step
    wait_idle(qtbot, window.runner)
    return step


def test_save_from_a_version_run_it_and_read_the_outcome(qtbot, window, heart, monkeypatch):
    project, incoming = heart
    step = automate(qtbot, window, project)
    assert step.pages.currentWidget() is step.empty and not step.primary_button.isEnabled()

    click(qtbot, step.empty.button)                        # New pipeline…
    qtbot.waitUntil(lambda: step.dialog is not None and step.dialog.isVisible(), timeout=10_000)
    dialog = step.dialog
    assert dialog.version.currentData() == "heart-risk@1" and "production" in dialog.version.currentText()
    dialog.path.setText(str(incoming / "heart-*.csv"))
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: "monthly" in step.saved, timeout=10_000)
    wait_idle(qtbot, window.runner)
    assert step.pages.currentWidget() is step.splitter and step.title.text() == "monthly"
    assert project.pipelines.get("monthly").definition.source.path == str(incoming / "heart-*.csv")
    assert step.chain.accessibleName().startswith("Pipeline steps: Import waiting, Check waiting")
    command = shlex.split(step.schedule_fields["command"].text())
    assert command[-4:] == ["pipeline", "run", str(project.path.resolve()), "monthly"]

    shifted_month(incoming / "heart-2026-12.csv")
    click(qtbot, step.primary_button)                      # Run now
    assert step.primary_button.text() == "Cancel run"
    qtbot.waitUntil(lambda: step.run_task is None, timeout=120_000)
    wait_idle(qtbot, window.runner)
    run = project.pipelines.runs("monthly")[0]
    assert run.status == PipelineStatus.STOPPED and run.stopped_at_step == "drift"
    assert step.chain.state_of("drift") == "stopped" and step.chain.state_of("train") == "waiting"
    assert step.run_line.text().startswith(f"Run {run.short_id}") and "stopped" in step.run_line.text()
    assert run.input_path == str(incoming / "heart-2026-12.csv")   # the file the pattern matched
    assert window.navigator.state("automate") is StepState.ATTENTION

    click(qtbot, step.chain)                               # nothing under the click: no step selected
    step.chain.step_clicked.emit("check")
    assert step.step_detail.text().startswith("Check: heart@2: ")   # what the check found
    step.chain.step_clicked.emit("drift")                  # its sentence is the run's outcome, above: what it made
    assert step.step_detail.text() == f"Drift stopped; it made monitoring batch {run.made['monitoring_batch'][:8]}."

    (incoming / "heart-2026-12.csv").unlink()
    same_month(incoming / "heart-2027-01.csv")
    step.tabs.setCurrentIndex(1)
    click(qtbot, step.primary_button)
    qtbot.waitUntil(lambda: step.run_task is None, timeout=120_000)
    wait_idle(qtbot, window.runner)
    newest = project.pipelines.runs("monthly")[0]
    assert newest.status == PipelineStatus.DONE
    assert step.runs_table.rowCount() == 2 and step.runs_table.item(0, 1).text() == "done"
    assert step.runs_table.item(1, 1).text() == "stopped"
    assert step.runs_table.item(0, 4).text() == newest.outcome
    assert {step.chain.state_of(s) for s in ("import", "check", "drift", "train", "promote")} == {"done"}


def test_a_form_edit_is_saved_as_the_next_version(qtbot, window, heart):
    project, incoming = heart
    project.pipelines.save_from_version("heart-risk@1", "monthly", input_path=str(incoming / "heart-*.csv"))
    step = automate(qtbot, window, project)
    form = step.form
    assert not step.save_button.isEnabled()
    logistic = next(i for i in range(form.challengers.count())
                    if form.challengers.item(i).text() == "Logistic regression")
    form.challengers.item(logistic).setCheckState(form.challengers.item(logistic).checkState().Checked)
    form.beat_by.setValue(0.02)
    form.move_alias.setCurrentIndex(1)                     # register it for approval only
    assert step.save_button.isEnabled()
    click(qtbot, step.save_button)
    qtbot.waitUntil(lambda: project.pipelines.get("monthly").version == 2, timeout=10_000)
    wait_idle(qtbot, window.runner)
    saved = project.pipelines.get("monthly").definition
    assert [s["algorithm"] for s in saved.training.specs] == ["decision_tree", "logistic_regression"]
    assert saved.training.specs[1]["class_weight"] == "balanced" and saved.training.specs[1]["target"] == \
        "heart_disease"
    assert saved.promotion.beat_by == 0.02 and saved.promotion.move_alias is False
    assert "Version 2" in step.saved_note.text() and not step.save_button.isEnabled()

    form.drift_model.setText("heart-risk")                 # no alias: refused in the form, nothing saved
    form.changed.emit()
    click(qtbot, step.save_button)
    assert "drift.model must name a model and an alias" in step.form_error.text()
    assert project.pipelines.get("monthly").version == 2


def test_cancel_mid_training_leaves_nothing_registered(qtbot, window, heart):
    project, incoming = heart
    project.pipelines.save_from_version("heart-risk@1", "monthly", input_path=str(incoming / "heart-*.csv"))
    definition = project.pipelines.get("monthly").definition
    training = to_dict(definition)["training"]
    training["specs"] = [{"algorithm": "random_forest", "target": "heart_disease",
                          "params": {"n_estimators": 3000}}]
    project.pipelines.save(definition.with_changes(training=training))
    same_month(incoming / "heart-2027-01.csv")
    step = automate(qtbot, window, project)
    click(qtbot, step.primary_button)
    qtbot.waitUntil(lambda: step.chain.state_of("train") == "running"
                    and any(r.status == RunStatus.RUNNING for r in project.runs.list()), timeout=120_000)
    click(qtbot, step.primary_button)                      # Cancel run
    qtbot.waitUntil(lambda: step.run_task is None, timeout=20_000)
    wait_idle(qtbot, window.runner)
    run = project.pipelines.runs("monthly")[0]
    assert run.status == PipelineStatus.CANCELLED and run.stopped_at_step == "train"
    assert step.chain.state_of("train") == "cancelled" and step.runs_table.item(0, 1).text() == "cancelled"
    assert project.runs.list()[0].status == RunStatus.CANCELLED
    assert project.registry.get_model("heart-risk").latest_version == 1
    assert step.primary_button.text() == "Run now"


def test_export_and_import_a_definition_as_toml(qtbot, window, heart, tmp_path, monkeypatch):
    project, incoming = heart
    project.pipelines.save_from_version("heart-risk@1", "monthly", input_path=str(incoming / "heart-*.csv"))
    step = automate(qtbot, window, project)
    out = tmp_path / "monthly.toml"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    click(qtbot, step.export_button)
    qtbot.waitUntil(lambda: "Written to" in step.step_detail.text(), timeout=10_000)   # the export task ended
    assert out.exists()
    out.write_text(out.read_text(encoding="utf-8").replace('name = "monthly"', 'name = "reviewed"'),
                   encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(out), "")))
    click(qtbot, step.import_button)
    qtbot.waitUntil(lambda: "reviewed" in step.saved, timeout=10_000)
    wait_idle(qtbot, window.runner)
    assert step.current_name() == "reviewed" and step.pipeline_list.count() == 2
    assert project.pipelines.get("reviewed").definition == project.pipelines.get("monthly").definition.with_changes(
        name="reviewed")


def test_save_as_pipeline_from_the_registry_lineage(qtbot, window, heart):
    project, incoming = heart
    open_in(qtbot, window, project)
    window.navigator.select("registry")
    registry = window.registry_step
    wait_idle(qtbot, window.runner)
    qtbot.waitUntil(lambda: registry.tree.item_for("heart-risk", 1) is not None, timeout=10_000)
    registry.tree.select("heart-risk", 1)
    registry.details.tabs.setCurrentWidget(registry.details.lineage)
    lineage = registry.details.lineage
    qtbot.waitUntil(lambda: lineage.pipeline_button.isVisible(), timeout=10_000)
    click(qtbot, lineage.pipeline_button)                  # Save as pipeline…
    step = window.automate_step
    qtbot.waitUntil(lambda: step.dialog is not None and step.dialog.isVisible(), timeout=10_000)
    assert window.current_step() is step
    assert step.dialog.kind.currentData() == "lineage" and step.dialog.version.currentData() == "heart-risk@1"
    step.dialog.path.setText(str(incoming / "heart-*.csv"))
    click(qtbot, step.dialog.save_button)
    qtbot.waitUntil(lambda: "monthly" in step.saved, timeout=10_000)
    assert project.pipelines.get("monthly").definition.training.specs[0]["algorithm"] == "decision_tree"
