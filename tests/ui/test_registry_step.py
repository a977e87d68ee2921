"""The Registry step: register runs through the dialog, KPI gate, aliases with reasons, archive, lineage.

Two logistic regressions are trained in this process (plain: recall ≈ 0.08; balanced:
recall ≈ 0.73), then the step is driven as a user would: widgets typed into and clicked.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QDropEvent
from PySide6.QtWidgets import QApplication

from desktop_app.ui.steps.base import StepState
from tests.ui.helpers import wait_idle

NAME = "heart-risk"


@pytest.fixture
def step(qtbot, runner):
    from desktop_app.ui.steps.registry import RegistryStep

    step = RegistryStep(runner)
    qtbot.addWidget(step)
    step.resize(1180, 760)
    step.show()
    return step


def load(qtbot, step, project):
    step.set_project(project)
    qtbot.waitUntil(lambda: not step.loading, timeout=10_000)


def open_dialog(qtbot, step, run_id=None):
    dialog = step.register_run(run_id) if run_id else None
    if dialog is None:
        qtbot.mouseClick(step.empty.button if step.pages.currentWidget() is step.empty else step.primary_button,
                         Qt.MouseButton.LeftButton)
        dialog = step.dialog
    qtbot.waitUntil(lambda: not dialog.loading and dialog.run_list.topLevelItemCount() > 0, timeout=10_000)
    return dialog


def pick_run(dialog, run_id):
    for i in range(dialog.run_list.topLevelItemCount()):
        item = dialog.run_list.topLevelItem(i)
        if item.data(0, Qt.ItemDataRole.UserRole).id == run_id:
            dialog.run_list.setCurrentItem(item)
            return
    raise AssertionError(f"run {run_id} is not listed")


def type_into(qtbot, widget, text):
    widget.clear()
    qtbot.keyClicks(widget, text)


def wait_version(qtbot, step, name, number):
    qtbot.waitUntil(lambda: not step.busy and step.tree.item_for(name, number) is not None, timeout=20_000)


def version_of(step, name, number):
    model = step.model_named(name)
    return next(v for v in model.versions if v.number == number)


def test_empty_registry_teaches_and_offers_both_ways(qtbot, step, project):
    load(qtbot, step, project)
    assert step.pages.currentWidget() is step.empty
    assert step.empty.message.text() == "No registered models yet — register a finished run"
    assert step.state is StepState.NOT_STARTED
    with qtbot.waitSignal(step.go_to_step, timeout=1000) as signal:
        qtbot.mouseClick(step.empty_compare, Qt.MouseButton.LeftButton)
    assert signal.args == ["compare"]
    dialog = step.open_register_dialog()
    qtbot.waitUntil(lambda: not dialog.loading, timeout=10_000)
    assert "No finished runs yet" in dialog.runs_note.text()
    assert not dialog.ok_button.isEnabled()
    dialog.reject()


def test_register_gate_aliases_archive_and_lineage(qtbot, step, project, plain_and_balanced_runs, runner):
    plain, balanced = plain_and_balanced_runs
    registry = project.registry
    load(qtbot, step, project)

    # Register the plain run through the dialog: newest first, so pick it; type the name; production.
    dialog = open_dialog(qtbot, step)
    assert dialog.run_list.topLevelItem(0).data(0, Qt.ItemDataRole.UserRole).id == balanced.id
    assert "Logistic regression" in dialog.run_list.topLevelItem(0).text(1)
    assert "heart@1 → heart_disease" == dialog.run_list.topLevelItem(0).text(2)
    assert f"Recall {balanced.metrics['recall']:.3f}" in dialog.run_list.topLevelItem(0).text(3)
    pick_run(dialog, plain.id)
    assert not dialog.ok_button.isEnabled()                         # no name yet: says so
    type_into(qtbot, dialog.name.lineEdit(), NAME)
    assert "A new model 'heart-risk'" in dialog.name_note.text()
    assert "no KPI gate yet" in dialog.verdict_text()
    type_into(qtbot, dialog.alias.lineEdit(), "production")
    assert dialog.ok_button.text() == "Register as heart-risk v1"
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    wait_version(qtbot, step, NAME, 1)
    assert not dialog.isVisible()
    assert step.pages.currentWidget() is step.splitter
    assert version_of(step, NAME, 1).aliases == ("production",)
    assert step.state is StepState.DONE

    # A gate both runs fail refuses the balanced run in the dialog, in words, before confirming.
    step.tree.select(NAME)
    gate = step.details.gate
    step.details.tabs.setCurrentWidget(gate)
    gate.rules.setPlainText("recall>=0.95")
    assert gate.table_title.text() == "With these rules (not saved yet)"
    qtbot.mouseClick(gate.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not step.busy and step.model_named(NAME).kpi_gate
                    and str(step.model_named(NAME).kpi_gate[0]) == "recall>=0.95", timeout=10_000)
    dialog = open_dialog(qtbot, step, balanced.id)
    assert dialog.current_run().id == balanced.id and dialog.name.currentText() == NAME
    assert not dialog.ok_button.isEnabled()
    verdict = dialog.verdict_text()
    assert "Fails the KPI gate of heart-risk" in verdict and "(rule recall>=0.95)" in verdict
    assert "does not pass the KPI gate" in dialog.ok_button.toolTip()

    # With recall>=0.7 the balanced run passes: v2. The plain v1 keeps production but fails the gate.
    gate.rules.setPlainText("recall>=0.7")
    qtbot.mouseClick(gate.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not step.busy and str(step.model_named(NAME).kpi_gate[0]) == "recall>=0.7",
                    timeout=10_000)
    dialog.reject()
    dialog = open_dialog(qtbot, step, balanced.id)
    type_into(qtbot, dialog.name.lineEdit(), NAME)
    type_into(qtbot, dialog.description, "balanced class weights")
    assert "✓ Passes the KPI gate of heart-risk (recall>=0.7)" in dialog.verdict_text()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    wait_version(qtbot, step, NAME, 2)
    assert [v.number for v in step.model_named(NAME).versions] == [1, 2]
    assert step.tree.current_version().number == 2                  # the new version is selected
    assert step.state is StepState.ATTENTION                        # production (v1) fails the gate
    assert step.details.gate.verdicts() == {2: True, 1: False}
    v1_item = step.tree.item_for(NAME, 1)
    assert ("fails gate", "fail") in v1_item.data(3, Qt.ItemDataRole.UserRole + 2)

    # Registering the plain run again is refused before confirming; so is a staging alias on v1.
    dialog = open_dialog(qtbot, step, plain.id)
    type_into(qtbot, dialog.name.lineEdit(), NAME)
    assert "already registered as heart-risk v1" in dialog.verdict_text()
    assert not dialog.ok_button.isEnabled()
    dialog.reject()
    step.tree.select(NAME, 1)
    move = step.move_alias("staging", 1)
    assert "does not pass the KPI gate: recall" in move.verdict.text()
    assert not move.ok_button.isEnabled()
    move.reject()

    # Move production v1 → v2: compare on held-out data first; an empty reason is refused.
    step.tree.select(NAME, 1)
    step.details.tabs.setCurrentWidget(step.details.aliases)
    aliases = step.details.aliases
    assert aliases.selected_alias() == "production"
    qtbot.mouseClick(aliases.move_button, Qt.MouseButton.LeftButton)
    move = step.alias_dialog
    assert move.alias_name() == "production" and move.target().number == 2
    assert "points at v1 now" in move.holder_note.text()
    qtbot.mouseClick(move.compare_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: move.comparison is not None, timeout=30_000)
    cells = move.comparison_cells()
    assert cells["Recall"][0].startswith("✓ ") and not cells["Recall"][1].startswith("✓")
    assert float(cells["Recall"][0][2:]) == pytest.approx(balanced.metrics["recall"], abs=1e-3)
    assert "held-out rows of heart@1" in move.compare_note.text()
    assert move.table.horizontalHeaderItem(2).text() == "v1 (now production)"
    qtbot.mouseClick(move.ok_button, Qt.MouseButton.LeftButton)
    assert move.isVisible() and "Say why 'production' moves from v1 to v2" in move.error.text()
    type_into(qtbot, move.reason, "recall 0.08 to 0.73 on the same held-out rows")
    qtbot.mouseClick(move.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not move.isVisible() and not step.busy
                    and version_of(step, NAME, 2).aliases == ("production",), timeout=10_000)
    assert registry.resolve(f"{NAME}@production").number == 2
    assert step.state is StepState.DONE
    qtbot.waitUntil(lambda: bool(step.details.history.rows()), timeout=10_000)
    moved = next(r for r in step.details.history.rows() if r[2] == "Moved alias production")
    assert moved[3] == "v1 → v2" and moved[4] == "recall 0.08 to 0.73 on the same held-out rows"
    assert "@" in moved[1] and moved[0] == "just now"

    # Archive v1 with Del: asks once, then greyed; it cannot take an alias.
    step.tree.select(NAME, 1)
    step.tree.setFocus()
    qtbot.keyClick(step.tree, Qt.Key.Key_Delete)
    confirm = step.confirm
    assert confirm.isVisible() and "Archive heart-risk v1?" in confirm.heading.text()
    type_into(qtbot, confirm.reason_edit, "superseded by v2")
    qtbot.mouseClick(confirm.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not step.busy and version_of(step, NAME, 1).archived, timeout=10_000)
    v1_item = step.tree.item_for(NAME, 1)
    assert v1_item.foreground(0).color() == QColor("#9aa1a9") and v1_item.font(0).italic()
    assert v1_item.data(3, Qt.ItemDataRole.UserRole + 2) == [("archived", "archived")]
    assert not step.details.overview.restore_button.isHidden() and step.details.overview.archive_button.isHidden()
    move = step.move_alias("staging", 1)
    assert "v1 is archived, so it cannot take the alias 'staging'" in move.verdict.text()
    assert not move.ok_button.isEnabled()
    move.reject()
    archived = next(r for r in step.details.history.rows() if r[2] == "Archived v1")
    assert archived[3] == "active → archived" and archived[4] == "superseded by v2"

    # v2 holds production: Del explains instead of archiving.
    step.tree.select(NAME, 2)
    assert step.archive_selected() is None and "holds the alias 'production'" in step.notice.text()
    step.notice.close()

    # Lineage: version → run → dataset version → the imported file.
    step.details.tabs.setCurrentWidget(step.details.lineage)
    qtbot.waitUntil(lambda: bool(step.details.lineage.texts()), timeout=10_000)
    lines = step.details.lineage.texts()
    assert lines[0].startswith("heart-risk v2")
    assert lines[1].startswith(f"Run {balanced.id[:8]} · Logistic regression")
    assert any(line.startswith("Trained on dataset heart@1") for line in lines)
    assert any(line.startswith("Imported from heart.csv") for line in lines)

    # The description edit is stored and audited.
    step.details.tabs.setCurrentWidget(step.details.overview)
    overview = step.details.overview
    overview.description.setPlainText("Balanced weights; finds 3 in 4 of the sick")
    qtbot.mouseClick(overview.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not step.busy and version_of(step, NAME, 2).description.startswith("Balanced"),
                    timeout=10_000)
    assert registry.get_version(NAME, 2).description == "Balanced weights; finds 3 in 4 of the sick"
    wait_idle(qtbot, runner)


def test_dropping_an_alias_badge_opens_the_move_dialog(qtbot, step, project, plain_and_balanced_runs):
    plain, balanced = plain_and_balanced_runs
    project.registry.register(plain.id, NAME, alias="production")
    project.registry.register(balanced.id, NAME)
    load(qtbot, step, project)
    tree = step.tree
    v1, v2 = tree.item_for(NAME, 1), tree.item_for(NAME, 2)
    # The badge is where the delegate draws it: pressing there finds the alias.
    rect = tree.visualItemRect(v1)
    badge = QPoint(tree.header().sectionPosition(3) + 12, rect.center().y())
    alias, version = tree.alias_at(badge)
    assert (alias, version.number) == ("production", 1)
    mime = tree.alias_mime("production", version)
    assert tree.drop_target(mime, tree.visualItemRect(v2).center()).number == 2
    assert tree.drop_target(mime, rect.center()) is None              # onto itself: nothing to do
    assert tree.drop_target(QMimeData(), tree.visualItemRect(v2).center()) is None
    drop = QDropEvent(QPointF(tree.visualItemRect(v2).center()), Qt.DropAction.MoveAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(tree.alias_dropped, timeout=1000) as signal:
        tree.dropEvent(drop)
    assert drop.isAccepted() and signal.args == [NAME, "production", 2]
    dialog = step.alias_dialog
    assert dialog.isVisible() and dialog.alias_name() == "production" and dialog.target().number == 2
    dialog.reject()

    # A run that is not finished (or unknown) is not picked in its place: the dialog says so.
    register = step.register_run("0123456789ab")
    qtbot.waitUntil(lambda: not register.loading, timeout=10_000)
    assert register.current_run() is None and not register.ok_button.isEnabled()
    assert "Run 01234567 is not among the finished runs" in register.runs_note.text()
    register.reject()


def test_window_has_the_registry_after_compare_and_shows_the_model_in_focus(qtbot, window, project,
                                                                            plain_and_balanced_runs):
    plain, _balanced = plain_and_balanced_runs
    project.registry.register(plain.id, NAME, alias="production")
    keys = [window.navigator.item(i).data(Qt.ItemDataRole.UserRole) for i in range(window.navigator.count())]
    assert keys[keys.index("compare") + 1] == "registry"
    assert window.registry_step is window.steps["registry"]
    window.set_project(project)
    qtbot.waitUntil(lambda: not window.registry_step.loading and bool(window.registry_step.models), timeout=20_000)
    window.navigator.select("registry")
    assert window.current_step() is window.registry_step
    assert window.top_bar.model_label.text() == "model: <b>heart-risk@production</b>"
    assert window.navigator.state("registry") is StepState.DONE
    window.registry_step.tree.select(NAME)
    # Ctrl+Enter opens the register dialog.
    window.primary_action.trigger()
    dialog = window.registry_step.dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.loading, timeout=10_000)
    dialog.reject()
    QApplication.processEvents()


def test_moving_an_alias_to_a_clearly_worse_version_warns_before_confirming(qtbot, step, project,
                                                                           plain_and_balanced_runs):
    plain, balanced = plain_and_balanced_runs
    project.registry.register(balanced.id, "no-gate", alias="production")   # v1: recall ~0.73
    project.registry.register(plain.id, "no-gate")                          # v2: recall ~0.08
    load(qtbot, step, project)
    step.tree.select("no-gate", 2)
    move = step.move_alias("production", 2)
    verdict = move.verdict.text()
    assert verdict.startswith("⚠ no-gate v2 is worse than v1") and "recall" in verdict, verdict
    assert move.ok_button.isEnabled()   # allowed (no gate), with the reason the dialog asks for
    move.set_target(1)
    assert not move.verdict.text().startswith("⚠")
    move.reject()
