"""The Export step: export a bundle through the dialog (verified by predict.py in its own process),
see it, break it and verify again; batch-score files with planted problems; the window's wiring.

One logistic regression is trained in this process and registered as heart-risk@production
(`registered_heart_dir`, copied for this module); the step is driven as a user would, with the file
dialogs patched.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop_app.ui.shell.navigator import KEY_ROLE
from desktop_app.ui.steps.base import StepState
from tests.conftest import SAMPLE_CSV as SAMPLE
from tests.ui.helpers import in_child_processes, open_copy, wait_idle

EXPORT_TIMEOUT = 90_000   # the export runs the bundle's predict.py in a separate process


@pytest.fixture(scope="module")
def heart(tmp_path_factory, registered_heart_dir):
    """A project with heart-risk@1 (logistic regression on the heart sample), alias production: this
    module's copy of the session's one."""
    project = open_copy(registered_heart_dir, tmp_path_factory.mktemp("export") / "proj")
    yield project
    project.close()


@pytest.fixture
def step(qtbot, runner):
    from desktop_app.ui.steps.export import ExportStep

    step = ExportStep(runner)
    qtbot.addWidget(step)
    step.resize(1130, 720)
    step.show()
    return step


@pytest.fixture
def opened_urls(monkeypatch):
    from PySide6.QtGui import QDesktopServices

    urls = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: urls.append(url) or True))
    return urls


def load(qtbot, step, project):
    step.set_project(project)
    qtbot.waitUntil(lambda: not step.loading and step.entry is not None, timeout=10_000)


def wait_done(qtbot, step, timeout=20_000):
    qtbot.waitUntil(lambda: not step.busy, timeout=timeout)


def rows_of(model):
    return [[model.text(r, c) for c in range(model.columnCount())] for r in range(model.rowCount())]


# -- empty ------------------------------------------------------------------------------------------------

def test_without_a_registered_model_the_step_teaches_and_goes_to_the_registry(qtbot, step, project):
    step.set_project(project)
    qtbot.waitUntil(lambda: not step.loading, timeout=10_000)
    assert step.pages.currentWidget() is step.empty
    assert "No registered model yet" in step.empty.message.text()
    assert not step.primary_button.isVisible() and step.state is StepState.NOT_STARTED
    with qtbot.waitSignal(step.go_to_registry, timeout=1_000):
        qtbot.mouseClick(step.empty.button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(step.go_to_registry, timeout=1_000):
        step.trigger_primary()   # Ctrl+Enter does what the empty state offers


# -- bundle -----------------------------------------------------------------------------------------------

def test_export_through_the_dialog_then_verify_again(qtbot, step, heart, tmp_path, monkeypatch, opened_urls):
    load(qtbot, step, heart)
    assert step.picker.combo.currentText() == "heart-risk@production  (version 1)"
    assert [step.picker.combo.itemText(i) for i in range(step.picker.combo.count())] == [
        "heart-risk@production  (version 1)", "heart-risk@1"]
    assert "Logistic regression on heart@1" in step.picker.about.text()
    assert step.bundle.pages.currentWidget() is step.bundle.intro_page
    assert step.state is StepState.NOT_STARTED

    # Ctrl+Enter opens the dialog on the project's exports/ folder; Browse… picks another.
    out = tmp_path / "out"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(out)))
    step.trigger_primary()
    dialog = step.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.folder() == heart.path / "exports" and not dialog.zipped()
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    assert dialog.folder() == out and dialog.target_path() == out / "heart-risk-v1"
    assert not dialog.overwrite_box.isVisible() and dialog.ok_button.text() == "Export"
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert step.bundle.progress.isVisible() and not step.primary_button.isEnabled()
    assert not step.picker.combo.isEnabled()   # the version stays put while it is exported
    wait_done(qtbot, step, EXPORT_TIMEOUT)

    # ✓ Verified, with the bundle on disk and on screen.
    bundle = out / "heart-risk-v1"
    assert step.bundle.banner.summary().startswith(
        "✓ Verified predict.py, run in a separate process, gave the same predictions as MLDesk on 1,005 rows"), \
        step.bundle.banner.summary()
    for name in ("MLmodel", "model.skops", "predict.py", "serve.py", "SHA256SUMS", "MODEL_CARD.md"):
        assert (bundle / name).is_file(), name
        assert name in step.bundle.file_names()
    assert "code/" in step.bundle.file_names()
    assert step.bundle.path_label.text() == str(bundle)
    assert "KB" in step.bundle.when_label.text() and "exported just now" in step.bundle.when_label.text()
    commands = step.bundle.commands.commands()
    assert commands[1:] == ["pip install -r requirements.txt", "python predict.py input.csv > predictions.csv",
                            "python serve.py --port 8080", f"mlflow models serve -m {bundle}"]
    banner = step.bundle.banner
    assert not banner.details.isVisible()
    qtbot.mouseClick(banner.details_button, Qt.MouseButton.LeftButton)   # what was compared, one click away
    assert banner.details.isVisible() and "held-out rows: 1,000 rows, labels identical" in banner.details.toPlainText()
    assert banner.details_button.text() == "Hide details"
    assert "heart-risk — version 1" in step.bundle.card.toPlainText()
    assert "Intended use and limits" in step.bundle.card.toPlainText()
    assert step.state is StepState.DONE and step.primary_button.isEnabled() and step.picker.combo.isEnabled()
    qtbot.mouseClick(step.bundle.open_button, Qt.MouseButton.LeftButton)
    assert [Path(u.toLocalFile()) for u in opened_urls] == [bundle]
    qtbot.mouseClick(step.bundle.commands.copy_buttons[1], Qt.MouseButton.LeftButton)
    from PySide6.QtGui import QGuiApplication
    assert QGuiApplication.clipboard().text() == "pip install -r requirements.txt"

    # Exporting again into the same folder asks before replacing the bundle.
    dialog = step.open_export_dialog()
    assert dialog.folder() == out   # remembered
    assert dialog.exists_label.isVisible() and "heart-risk-v1 is already there" in dialog.exists_label.text()
    assert not dialog.ok_button.isEnabled()
    dialog.overwrite_box.setChecked(True)
    assert dialog.ok_button.isEnabled() and dialog.ok_button.text() == "Replace and export" and dialog.overwrite()
    dialog.reject()

    # A bundle changed after export fails "Verify again": ✗ with the reason, the details one click away.
    predict = bundle / "predict.py"
    original = predict.read_bytes()
    predict.write_bytes(original + b"\n# edited by hand\n")
    qtbot.mouseClick(step.bundle.verify_button, Qt.MouseButton.LeftButton)
    wait_done(qtbot, step, EXPORT_TIMEOUT)
    assert banner.summary().startswith("✗ Verification failed"), banner.summary()
    assert "SHA256SUMS" in banner.text.text() and "predict.py" in banner.text.text()
    assert "export it again" in banner.text.text()
    assert step.state is StepState.ATTENTION
    assert banner.details_button.isHidden()   # nothing more to tell than the sentence itself

    # Put it back: verified again (predict.py runs in its own process once more).
    predict.write_bytes(original)
    qtbot.mouseClick(step.bundle.verify_button, Qt.MouseButton.LeftButton)
    wait_done(qtbot, step, EXPORT_TIMEOUT)
    assert step.bundle.banner.summary().startswith("✓ Verified"), step.bundle.banner.summary()
    assert step.state is StepState.DONE


def test_a_cancelled_export_leaves_nothing(qtbot, step, heart, tmp_path):
    load(qtbot, step, heart)
    out = tmp_path / "cancelled"
    step.start_export(out)
    qtbot.mouseClick(step.bundle.progress.cancel_button, Qt.MouseButton.LeftButton)
    assert step.bundle.progress.message.text() == "Cancelling…"
    wait_done(qtbot, step, EXPORT_TIMEOUT)
    assert step.bundle.banner.summary() == "Export cancelled Nothing was written."
    assert not out.exists() or list(out.iterdir()) == []


def test_for_a_large_table_the_export_is_made_and_verified_in_a_child(qtbot, step, heart, tmp_path, monkeypatch):
    calls = in_child_processes(monkeypatch)
    load(qtbot, step, heart)
    step.start_export(tmp_path / "from-a-child")
    wait_done(qtbot, step, EXPORT_TIMEOUT)
    assert calls == ["bundles.export"]
    assert step.bundle.banner.summary().startswith("✓ Verified"), step.bundle.banner.summary()
    assert (tmp_path / "from-a-child" / "heart-risk-v1" / "MLmodel").is_file()


def test_coming_back_shows_the_last_export_from_the_audit_trail(qtbot, heart, tmp_path, runner):
    """A new step (the app opened again) finds the newest export of the version in the audit trail."""
    from desktop_app.ui.steps.export import ExportStep

    events = [e for e in heart.audit_events(limit=1000) if e.action == "model.export"]
    if not events:   # this test alone: export once without the window
        heart.bundles.export("heart-risk@1", tmp_path / "earlier")
    step = ExportStep(runner)
    qtbot.addWidget(step)
    step.resize(1130, 720)
    step.show()
    load(qtbot, step, heart)
    qtbot.waitUntil(lambda: step.bundle.pages.currentWidget() is step.bundle.result_page, timeout=10_000)
    assert step.bundle.banner.summary().startswith("✓ Verified when it was exported")
    assert step.state is StepState.DONE
    assert "MLmodel" in step.bundle.file_names()


def test_a_bundle_that_disagrees_with_the_app_is_not_kept(qtbot, step, heart, tmp_path, monkeypatch):
    from desktop_app.core.bundles import verify
    from desktop_app.core.bundles.entities import VerificationResult

    disagree = VerificationResult(False, "The bundle disagrees with the model in MLDesk on the held-out rows: "
                                         "row 3 is labelled 'Yes' by the bundle and 'No' by the app.")
    monkeypatch.setattr(verify, "verify_bundle", lambda *a, **k: disagree)
    load(qtbot, step, heart)
    out = tmp_path / "disagree"
    step.start_export(out)
    wait_done(qtbot, step, EXPORT_TIMEOUT)
    banner = step.bundle.banner
    assert banner.summary().startswith("✗ Verification failed — the bundle was not kept The bundle disagrees"), \
        banner.summary()
    assert "row 3 is labelled 'Yes'" in banner.text.text()
    assert "BundleError" in banner.details.toPlainText()   # the technical message, one click away
    assert step.state is StepState.ATTENTION
    assert not (out / "heart-risk-v1").exists()


# -- batch scoring ----------------------------------------------------------------------------------------

@pytest.fixture
def files(tmp_path):
    """bad.csv: text in the number column 'age' on 3 rows; missing.csv: no 'age' column at all."""
    frame = pd.read_csv(SAMPLE)
    bad = frame.copy()
    bad["age"] = bad["age"].astype(object)
    bad.loc[[3, 7, 11], "age"] = ["abc", "n/k", "abc"]
    bad.to_csv(tmp_path / "bad.csv", index=False)
    frame.drop(columns=["age"]).to_csv(tmp_path / "missing.csv", index=False)
    return tmp_path / "bad.csv", tmp_path / "missing.csv"


def choose_input(qtbot, step, monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
    qtbot.mouseClick(step.scoring.choose_button, Qt.MouseButton.LeftButton)
    wait_done(qtbot, step)


def test_batch_scoring_checks_the_file_then_scores_the_rows_that_can_be_scored(qtbot, step, heart, files, tmp_path,
                                                                                monkeypatch):
    bad, missing = files
    load(qtbot, step, heart)
    step.tabs.setCurrentWidget(step.scoring)
    panel = step.scoring
    assert not panel.score_button.isEnabled() and "Choose a file" in panel.score_button.toolTip()

    # A missing column: nothing can be scored, and the table says why.
    choose_input(qtbot, step, monkeypatch, missing)
    assert panel.verdict.summary().startswith("✗ No row can be scored Column 'age' is missing")
    assert rows_of(panel.issues_model)[0][:4] == ["✗", "age", "Missing column", "all 5,000"]
    assert not panel.score_button.isEnabled()

    # Text in a number column on 3 rows: score the 4,997 others.
    choose_input(qtbot, step, monkeypatch, bad)
    assert panel.verdict.summary().startswith("⚠ 3 rows cannot be scored — score the other 4,997?")
    issues = rows_of(panel.issues_model)
    assert issues[0][:5] == ["✗", "age", "Wrong kind of value", "3", "'abc', 'n/k'"]
    assert "holds text where the model expects numbers in 3 rows" in issues[0][5]
    assert issues[1][:3] == ["ℹ", "heart_disease", "Not used by the model"]
    # Rows with errors are left out only when the user says so (as `mldesk predict --only-valid`).
    assert panel.only_valid.isVisible() and not panel.only_valid.isChecked()
    assert "Score only the 4,997 rows that can be scored (leave out the 3 rows with errors)" == panel.only_valid.text()
    assert not panel.score_button.isEnabled() and "tick the box" in panel.score_button.toolTip()
    panel.only_valid.click()
    assert panel.output() == heart.path / "exports" / "bad-scored.csv"   # the project's exports/ by default
    out = tmp_path / "scored.parquet"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(tmp_path / "scored"), "Parquet (*.parquet)")))
    qtbot.mouseClick(panel.output_button, Qt.MouseButton.LeftButton)
    assert panel.output() == out
    assert panel.score_button.isEnabled() and panel.score_button.text() == "Score 4,997 rows"
    qtbot.mouseClick(panel.score_button, Qt.MouseButton.LeftButton)
    wait_done(qtbot, step)

    assert panel.summary.text().startswith("✓ Scored 4,997 rows · 3 left out (rows 4, 8, 12)")
    assert "saved to scored.parquet" in panel.summary.text()
    model = panel.preview_model
    assert model.columns[:4] == ["prediction", "proba_No", "proba_Yes", "flags"] and "age" in model.columns
    assert model.highlighted == {"prediction", "proba_No", "proba_Yes", "flags"} and "row" not in model.columns
    # the preview numbers the input's rows: input rows 4 and 8 were left out
    assert [model.headerData(r, Qt.Orientation.Vertical) for r in range(2, 8)] == ["3", "5", "6", "7", "9", "10"]
    assert model.rowCount() == 200 and panel.preview.isVisible()
    assert model.data(model.index(0, 0)) in ("No", "Yes")
    assert model.data(model.index(0, 0), Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(model.index(0, 4), Qt.ItemDataRole.BackgroundRole) is None
    scored = pd.read_parquet(out)
    assert len(scored) == 4_997 and {"prediction", "proba_No", "proba_Yes"} <= set(scored.columns)
    assert list(scored["row"][2:5]) == [3, 5, 6]
    assert not (scored["age"].astype(str) == "abc").any()

    # An existing file typed in by hand is only replaced after asking.
    existing = tmp_path / "existing.csv"
    existing.write_text("keep me\n")
    panel.output_edit.setText(str(existing))
    qtbot.mouseClick(panel.score_button, Qt.MouseButton.LeftButton)
    box = panel.replace_box
    assert box is not None and box.isVisible() and "existing.csv already exists" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=2_000)
    assert existing.read_text() == "keep me\n" and not step.busy


@pytest.fixture
def aged(tmp_path):
    """aged.csv: the heart sample with every second patient 8 years older; the oldest leave training's range."""
    frame = pd.read_csv(SAMPLE).drop(columns=["heart_disease"])
    frame.insert(0, "patient_id", range(1001, 1001 + len(frame)))
    frame.loc[frame.index % 2 == 1, "age"] += 8
    frame.to_csv(tmp_path / "aged.csv", index=False)
    top = int(pd.read_csv(SAMPLE)["age"].max())
    return tmp_path / "aged.csv", list(frame.index[frame["age"] > top]), top


def test_rows_outside_the_training_range_are_scored_flagged_and_numbered(qtbot, step, heart, aged, tmp_path,
                                                                         monkeypatch):
    path, beyond, top = aged
    load(qtbot, step, heart)
    step.tabs.setCurrentWidget(step.scoring)
    panel = step.scoring
    choose_input(qtbot, step, monkeypatch, path)
    n = len(beyond)
    assert panel.verdict.summary().startswith(f"⚠ All 5,000 rows can be scored — {n} will be flagged")
    assert not panel.only_valid.isVisible()     # nothing to leave out: out-of-range rows are scored
    out = tmp_path / "aged-scored.csv"
    panel.output_edit.setText(str(out))
    assert panel.score_button.text() == "Score 5,000 rows"
    qtbot.mouseClick(panel.score_button, Qt.MouseButton.LeftButton)
    wait_done(qtbot, step)

    assert panel.summary.text().startswith(f"✓ Scored 5,000 rows · {n} flagged (age outside the trained range: "
                                           "see the flags column) · none left out")
    scored = pd.read_csv(out, keep_default_na=False)
    assert len(scored) == 5_000 and list(scored.columns[:2]) == ["row", "patient_id"]
    first = beyond[0]
    assert scored.loc[first, "row"] == first + 1 and scored.loc[first, "patient_id"] == 1001 + first
    assert scored.loc[first, "flags"].startswith("outside training range: age ")
    assert scored.loc[first, "flags"].endswith(f" > {top}") and (scored["flags"] != "").sum() == n
    model = panel.preview_model
    flags = model.columns.index("flags")
    assert model.data(model.index(first, flags)) == scored.loc[first, "flags"]
    assert model.data(model.index(first, flags), Qt.ItemDataRole.ForegroundRole) is not None


def test_a_typed_path_is_checked_on_enter_and_a_wrong_one_is_explained(qtbot, step, heart, aged, tmp_path):
    path, _beyond, _top = aged
    load(qtbot, step, heart)
    step.tabs.setCurrentWidget(step.scoring)
    panel = step.scoring
    panel.input_edit.setFocus()
    qtbot.keyClicks(panel.input_edit, str(tmp_path / "nope.csv"))
    qtbot.keyClick(panel.input_edit, Qt.Key.Key_Return)
    assert panel.verdict.summary().startswith(f"✗ No such file There is no file {tmp_path / 'nope.csv'}")
    assert not panel.score_button.isEnabled() and not step.busy

    panel.input_edit.clear()
    qtbot.keyClicks(panel.input_edit, str(path))
    qtbot.keyClick(panel.input_edit, Qt.Key.Key_Return)
    wait_done(qtbot, step)
    assert panel.input_path == path and panel.report is not None and panel.report.rows == 5_000
    assert panel.score_button.isEnabled()


def test_scored_files_and_bundles_of_a_project_in_a_hidden_folder_go_to_documents(tmp_path):
    from desktop_app.ui.steps.export.text import default_export_folder

    documents = tmp_path / "Documents"
    assert default_export_folder(tmp_path / "heart" / "exports", documents) == tmp_path / "heart" / "exports"
    hidden = tmp_path / ".local" / "share" / "MLDesk" / "Sample project" / "exports"
    assert default_export_folder(hidden, documents) == documents / "MLDesk" / "Sample project exports"
    data = tmp_path / "AppData"
    assert default_export_folder(data / "Sample project" / "exports", documents, [data]) == \
        documents / "MLDesk" / "Sample project exports"


# -- the window -------------------------------------------------------------------------------------------

def test_the_window_puts_export_between_registry_and_monitor(qtbot, window, heart):
    from desktop_app.core.project import Project

    nav = window.navigator
    keys = [nav.item(i).data(KEY_ROLE) for i in range(nav.count())]
    assert keys.index("registry") + 1 == keys.index("export") == keys.index("monitor") - 1
    assert window.export_step is window.steps["export"]

    window.set_project(Project.open(heart.path))
    version = heart.registry.resolve("heart-risk@1")
    window.registry_step.go_to_export.emit(version.id)    # "Next: Export a bundle →" in the Registry step
    assert nav.currentItem().data(KEY_ROLE) == "export"
    step = window.export_step
    qtbot.waitUntil(lambda: not step.loading and step.picker.current_ref() == "heart-risk@1", timeout=10_000)
    assert step.entry.version.id == version.id

    qtbot.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)   # Ctrl+Enter
    assert step.dialog is not None and step.dialog.isVisible()
    step.dialog.reject()
    with qtbot.waitSignal(step.go_to_monitor, timeout=1_000):
        qtbot.mouseClick(step.next_button, Qt.MouseButton.LeftButton)
    assert nav.currentItem().data(KEY_ROLE) == "monitor"
    wait_idle(qtbot, window.runner)


# -- words and listings -----------------------------------------------------------------------------------

def test_the_picker_lists_aliases_then_versions_newest_first_with_archived_ones_marked():
    from datetime import datetime
    from types import SimpleNamespace

    from desktop_app.ui.steps.export.text import default_entry, picker_entries

    def version(number, status="active"):
        return SimpleNamespace(id=f"v{number}", number=number, label=f"churn@{number}", model_name="churn",
                               status=status, archived=status == "archived", created_at=datetime.now(UTC))

    model = SimpleNamespace(name="churn", aliases={"staging": 3, "production": 2},
                            versions=(version(1, "archived"), version(2), version(3)))
    entries = picker_entries([model])
    assert [e.text for e in entries] == ["churn@production  (version 2)", "churn@staging  (version 3)",
                                         "churn@3", "churn@2", "churn@1  · archived"]
    assert entries[-1].archived and entries[0].version.number == 2
    assert default_entry(entries).ref == "churn@production"
    assert default_entry(entries, "churn@3").ref == "churn@3"


def test_a_zipped_bundle_is_listed_from_inside_the_zip(heart, tmp_path):
    from desktop_app.core.bundles.listing import list_bundle
    from desktop_app.ui.steps.export.text import format_size, run_commands

    result = heart.bundles.export("heart-risk@1", tmp_path, zip=True, verify=False)
    listing = list_bundle(result.path)
    names = [name for name, _size in listing.files]
    assert listing.zipped and {"MLmodel", "model.skops", "predict.py", "SHA256SUMS"} <= set(names)
    assert listing.card.startswith("# heart-risk — version 1") and listing.size > 100_000
    commands = run_commands(result.path, zipped=True)
    assert commands[0][1] == f"cd {tmp_path} && unzip heart-risk-v1.zip"
    assert commands[1][1] == f"cd {tmp_path / 'heart-risk-v1'}"
    assert [format_size(s) for s in (512, 1536, 5 * 1024 ** 2)] == ["512 bytes", "1.5 KB", "5.0 MB"]
