"""The register dialog sets a KPI gate while registering, and an untouched dialog shows no error in red.

Two logistic regressions trained on the sample (plain: recall ≈ 0.08; balanced: recall ≈ 0.73);
the dialog is typed into and clicked as a user would, then the database is checked.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt

from tests.ui import test_registry_step as registry_ui
from tests.ui.test_registry_step import NAME, load, open_dialog, pick_run, type_into, wait_version

step = registry_ui.step   # the Registry step fixture, shared

SHOTS = os.environ.get("MLDESK_SHOTS")   # a folder: grab the dialog there at both sizes, to look at


def _grab(dialog, name):
    if SHOTS:
        for w, h in ((1440, 900), (1024, 700)):
            dialog.resize(w, h)
            dialog.grab().save(os.path.join(SHOTS, f"{name}_{w}x{h}.png"))


def test_an_untouched_dialog_shows_no_name_error_until_typed_or_register(qtbot, step, project,
                                                                          plain_and_balanced_runs):
    load(qtbot, step, project)
    dialog = open_dialog(qtbot, step)
    _grab(dialog, "register_untouched")
    assert "model name is empty" not in dialog.verdict_text()
    assert not dialog.ok_button.isEnabled()                        # still cannot register: the tooltip says why
    assert "model name is empty" in dialog.ok_button.toolTip()
    qtbot.keyClicks(dialog.name.lineEdit(), "x")
    qtbot.keyClick(dialog.name.lineEdit(), Qt.Key.Key_Backspace)   # typed, then emptied: now it is a mistake
    assert "model name is empty" in dialog.verdict_text()


def test_rules_typed_in_the_dialog_become_the_gate_and_are_prefilled_next_time(qtbot, step, project,
                                                                               plain_and_balanced_runs):
    plain, balanced = plain_and_balanced_runs
    load(qtbot, step, project)
    dialog = open_dialog(qtbot, step)
    pick_run(dialog, balanced.id)
    type_into(qtbot, dialog.name.lineEdit(), NAME)
    type_into(qtbot, dialog.gate, "recall>=0.7")
    assert "becomes the KPI gate of heart-risk" in dialog.verdict_text()
    _grab(dialog, "register_gate")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    wait_version(qtbot, step, NAME, 1)
    model = project.registry.get_model(NAME)
    assert [str(r) for r in model.kpi_gate] == ["recall>=0.7"]
    assert any(e.action == "model.gate" for e in project.registry.history(NAME))

    dialog = open_dialog(qtbot, step)
    type_into(qtbot, dialog.name.lineEdit(), NAME)
    assert dialog.gate.text() == "recall>=0.7"                     # the model's gate, prefilled
    pick_run(dialog, plain.id)
    assert not dialog.ok_button.isEnabled() and "recall" in dialog.verdict_text()

    type_into(qtbot, dialog.gate, "recall>=oops")
    assert "KPI gate:" in dialog.verdict_text() and "not a KPI rule" in dialog.verdict_text()
