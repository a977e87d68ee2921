"""The Registry's Explain and Fairness tabs and its "Compliance dossier…", and the Train step's fairness option,
driven as a reviewer would: pick a version, read what drives it, explain a file's rows and pick one (the
waterfall), read its groups and gaps, write the dossier (HTML and PDF)."""

from __future__ import annotations

import pytest
from PySide6.QtSvgWidgets import QSvgWidget
from PySide6.QtWidgets import QFileDialog

from desktop_app.core.tracking.entities import RunSpec
from tests.conftest import SAMPLE_CSV
from tests.ui.helpers import click, in_child_processes, wait_idle
from tests.ui.sync_helpers import open_in


@pytest.fixture
def audited(project):
    project.datasets.import_file(SAMPLE_CSV, name="heart")
    run = project.runs.train(RunSpec(dataset="heart", target="heart_disease", algorithm="logistic_regression",
                                     class_weight="balanced", sensitive="gender"))
    plain = project.runs.train(RunSpec(dataset="heart", target="heart_disease", algorithm="hist_gradient_boosting"))
    project.registry.register(run.id, "heart-risk", alias="production")
    project.registry.register(plain.id, "heart-risk")
    return project


def registry_on(qtbot, window, project, number):
    open_in(qtbot, window, project)
    window.navigator.select("registry")
    step = window.registry_step
    qtbot.waitUntil(lambda: step.tree.item_for("heart-risk", number) is not None, timeout=10_000)
    step.tree.select("heart-risk", number)
    return step


def test_explain_a_version_and_one_of_its_rows(qtbot, window, audited):
    step = registry_on(qtbot, window, audited, 1)
    tab = step.details.explain
    step.details.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.charts.count() >= 2, timeout=30_000)
    assert all(isinstance(tab.charts.itemAt(i).widget(), QSvgWidget) for i in range(tab.charts.count()))
    assert tab.charts.count() == 1 + 4          # the importance, and the dependence of the four most important
    step.explain_rows(str(SAMPLE_CSV))
    qtbot.waitUntil(lambda: tab.rows.isVisible() and tab.rows.rowCount() == 200, timeout=30_000)
    tab.rows.selectRow(4)
    assert tab.waterfall.count() == 1
    result = tab.result.explanation
    assert tab.rows.item(4, 2).text() == f"{result.outputs[4]:.4g}"
    name, value = result.top(4, 1)[0]
    assert tab.rows.item(4, 3).text().startswith(f"{name} {value:+.3g}")


def test_fairness_shows_the_groups_or_how_to_get_them(qtbot, window, audited):
    step = registry_on(qtbot, window, audited, 1)
    step.details.tabs.setCurrentWidget(step.details.fairness)
    tab = step.details.fairness
    qtbot.waitUntil(lambda: tab.table.isVisible(), timeout=10_000)
    assert tab.table.rowCount() == 2 and {tab.table.item(r, 0).text() for r in range(2)} == {"Female", "Male"}
    assert "recall gap" in tab.gaps.text() and "left out of the model's features" in tab.message.text()
    step.tree.select("heart-risk", 2)                      # trained without a fairness column
    qtbot.waitUntil(lambda: "was not audited for fairness" in tab.message.text(), timeout=10_000)
    assert not tab.table.isVisible()


def test_the_compliance_dossier_is_written_beside_its_pdf(qtbot, window, audited, tmp_path, monkeypatch):
    step = registry_on(qtbot, window, audited, 1)
    step.details.tabs.setCurrentWidget(step.details.lineage)
    lineage = step.details.lineage
    qtbot.waitUntil(lambda: lineage.dossier_button.isVisible(), timeout=10_000)
    target = tmp_path / "heart-risk-v1-dossier.html"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    click(qtbot, lineage.dossier_button)
    qtbot.waitUntil(lambda: "Dossier written" in lineage.dossier_note.text(), timeout=60_000)
    assert "<h2 id='fairness'>" in target.read_text(encoding="utf-8")
    assert (tmp_path / "heart-risk-v1-dossier.pdf").read_bytes().startswith(b"%PDF")


def test_the_train_step_audits_a_column_it_leaves_out(qtbot, window, project):
    project.datasets.import_file(SAMPLE_CSV, name="heart")
    open_in(qtbot, window, project)
    window.navigator.select("train")
    step = window.train_step
    qtbot.waitUntil(lambda: step.version is not None and step.options.sensitive.count() > 1, timeout=10_000)
    options = step.options
    assert options.sensitive.findData("heart_disease") == -1            # not the target
    options.sensitive.setCurrentIndex(options.sensitive.findData("gender"))
    assert options.use_sensitive.isEnabled()
    values = options.values()
    assert values["sensitive"] == "gender" and values["use_sensitive"] is False
    wait_idle(qtbot, window.runner)


def test_compare_shows_each_run_s_groups_and_names_the_runs_not_audited(qtbot, compare_step, audited):
    from desktop_app.ui.steps.compare.comparison import FAIRNESS

    compare_step.set_project(audited)
    qtbot.waitUntil(lambda: not compare_step.loading and compare_step.table.model.rowCount() == 2, timeout=20_000)
    runs = audited.runs.list()
    compare_step.select_runs([r.id for r in runs])
    qtbot.waitUntil(lambda: len(compare_step.panel.runs) == 2, timeout=10_000)
    panel = compare_step.panel
    panel.tabs.setCurrentIndex(FAIRNESS)
    table = panel.fairness.table
    assert table.rowCount() == 2 and {table.item(r, 1).text() for r in range(2)} == {"gender = Female",
                                                                                       "gender = Male"}
    assert "Not audited:" in panel.fairness.note.text() and "recall gap" in panel.fairness.note.text()
    audited_run = next(r for r in runs if r.summary.get("groups"))
    male = audited_run.summary["groups"]["gender"]["Male"]
    row = next(r for r in range(2) if table.item(r, 1).text() == "gender = Male")
    assert table.item(row, 4).text() == f"{male['recall']:.4g}"


def test_compare_explains_the_run_picked(qtbot, compare_step, audited):
    from desktop_app.ui.steps.compare.comparison import EXPLAIN

    compare_step.set_project(audited)
    qtbot.waitUntil(lambda: not compare_step.loading and compare_step.table.model.rowCount() == 2, timeout=20_000)
    runs = audited.runs.list()
    compare_step.select_runs([r.id for r in runs])
    qtbot.waitUntil(lambda: len(compare_step.panel.runs) == 2, timeout=10_000)
    panel = compare_step.panel
    panel.tabs.setCurrentIndex(EXPLAIN)
    tab = panel.explain
    assert tab.picker.count() == 2
    first = tab.picker.currentData()
    qtbot.waitUntil(lambda: first in tab.curves and tab.charts.count() == 1 + 3, timeout=30_000)
    assert "grey: single rows" in tab.message.text()
    tab.picker.setCurrentIndex(1)
    other = tab.picker.currentData()
    qtbot.waitUntil(lambda: other in tab.curves and tab.charts.count() == 1 + 3, timeout=30_000)
    assert set(tab.curves[other]) == {name for name, _, _ in sorted(
        audited.runs.get(other).summary["feature_importance"], key=lambda item: -item[1])[:3]}


def test_for_a_large_table_explanations_and_the_held_out_comparison_are_made_in_a_child(
        qtbot, window, compare_step, audited, monkeypatch):
    """With the thresholds at 0 every one of them goes to a child process, and the tabs show what they show on a
    thread (the tests above)."""
    from desktop_app.ui.steps.compare.comparison import EXPLAIN

    calls = in_child_processes(monkeypatch)
    step = registry_on(qtbot, window, audited, 1)
    tab = step.details.explain
    step.details.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.charts.count() == 1 + 4, timeout=30_000)
    step.explain_rows(str(SAMPLE_CSV))
    qtbot.waitUntil(lambda: tab.rows.isVisible() and tab.rows.rowCount() == 200, timeout=30_000)
    move = step.move_alias("production", 2)
    click(qtbot, move.compare_button)
    qtbot.waitUntil(lambda: move.comparison is not None, timeout=30_000)
    assert move.comparison.candidate == "heart-risk@2" and move.comparison.holder_scored
    move.reject()
    assert calls == ["explain.dependence", "explain.explain", "registry.compare_on_holdout"]

    compare_step.set_project(audited)
    qtbot.waitUntil(lambda: not compare_step.loading and compare_step.table.model.rowCount() == 2, timeout=20_000)
    compare_step.select_runs([r.id for r in audited.runs.list()])
    qtbot.waitUntil(lambda: len(compare_step.panel.runs) == 2, timeout=10_000)
    compare_step.panel.tabs.setCurrentIndex(EXPLAIN)
    curves = compare_step.panel.explain
    qtbot.waitUntil(lambda: curves.picker.currentData() in curves.curves and curves.charts.count() == 1 + 3,
                    timeout=30_000)
    assert calls[-1] == "explain.run_dependence"
    wait_idle(qtbot, window.runner)
