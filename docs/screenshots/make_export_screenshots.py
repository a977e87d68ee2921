"""Grab the Export step offscreen at 1280×800 into docs/screenshots/.

    python docs/screenshots/make_export_screenshots.py

A throw-away project gets the sample data (heart.csv), two logistic regressions trained in this
process (plain and balanced) registered as heart-risk v1 (archived) and v2 (production), and a file
of "new patients": 400 rows of the sample without the target, with planted problems (text in the
age column, an unknown cholesterol level, blood pressures outside the trained range).

  export_step.png      the Bundle tab after a verified export of heart-risk@production
  export_scoring.png   the Batch scoring tab: the new patients checked, the valid rows scored

With MLDESK_SHOTS_ALL=1 it also writes, to a temp folder, the empty step, the Bundle tab before
the first export, the export dialog (with the "replace" question) and a failed verification.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))
SAMPLE = REPO / "resources" / "sample_data" / "heart.csv"
SIZE = (1280, 800)

from make_screenshots import save, wait_until  # noqa: E402 - the same helpers as the other screens

TARGET = "heart_disease"


def build_project(path: Path):
    from desktop_app.core.project import Project
    from desktop_app.core.tracking.entities import RunSpec

    project = Project.create(path, "Heart study")
    v1 = project.datasets.import_file(SAMPLE, name="heart").version
    plain = project.runs.train(RunSpec(v1.id, TARGET, "logistic_regression"))
    balanced = project.runs.train(RunSpec(v1.id, TARGET, "logistic_regression", class_weight="balanced"))
    reg = project.registry
    reg.register(plain.id, "heart-risk", alias="production", description="First baseline")
    reg.register(balanced.id, "heart-risk", description="Balanced class weights: finds 3 in 4 of the sick")
    reg.set_alias("heart-risk", "production", 2, reason="v1 finds 8% of the sick; v2 finds 74%")
    reg.archive("heart-risk", 1, reason="superseded by v2")
    return project


def new_patients(folder: Path) -> Path:
    import pandas as pd

    frame = pd.read_csv(SAMPLE).drop(columns=[TARGET]).sample(400, random_state=7).reset_index(drop=True)
    frame["age"] = frame["age"].astype(object)
    frame.loc[[12, 57, 203], "age"] = ["unknown", "n/k", "unknown"]          # text in a number column
    frame.loc[[88, 301], "cholesterol"] = "very high"                       # a level training never saw
    frame.loc[[40, 41], "sys_bp"] = [240, 260]                              # beyond the trained range
    frame["clinic"] = "North"                                               # a column the model does not use
    path = folder / "new_patients.csv"
    frame.to_csv(path, index=False)
    return path


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="mldesk-export-shots-"))
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "settings"))
    app = QApplication.instance() or QApplication([])
    from desktop_app.ui.app import configure_application
    from desktop_app.ui.main_window import MainWindow

    configure_application(app)
    QSettings().clear()
    extra = bool(os.environ.get("MLDESK_SHOTS_ALL"))

    window = MainWindow()
    step = window.export_step
    window.resize(*SIZE)
    window.show()
    wait_until(app, window.isVisible)
    if extra:
        from desktop_app.core.project import Project

        window.set_project(Project.create(work / "Empty", "Empty"))
        window.navigator.select("export")
        wait_until(app, lambda: not window.runner.tasks and not step.loading)
        window.grab().save(str(work / "export_empty.png"))
        print(f"wrote {work / 'export_empty.png'}")

    project = build_project(work / "Heart study")
    window.set_project(project)
    window.navigator.select("export")
    wait_until(app, lambda: not window.runner.tasks and not step.loading and step.entry is not None)
    if extra:
        window.grab().save(str(work / "export_intro.png"))
        print(f"wrote {work / 'export_intro.png'}")

    # Export heart-risk@production through the dialog, into the project's exports/ folder.
    dialog = step.open_export_dialog()
    wait_until(app, dialog.isVisible)
    dialog.ok_button.click()
    wait_until(app, lambda: not step.busy and not window.runner.tasks, timeout=180)
    save(window, "export_step.png")

    if extra:
        dialog = step.open_export_dialog()
        dialog.overwrite_box.setChecked(True)
        wait_until(app, dialog.isVisible)
        dialog.grab().save(str(work / "export_dialog.png"))
        print(f"wrote {work / 'export_dialog.png'}")
        dialog.reject()
        bundle = Path(step.bundle.listing.path)
        (bundle / "serve.py").write_text((bundle / "serve.py").read_text() + "\n# edited\n")
        step.verify_again()
        wait_until(app, lambda: not step.busy and not window.runner.tasks, timeout=180)
        step.bundle.banner.details_button.click()
        wait_until(app, lambda: True)
        window.grab().save(str(work / "export_failed.png"))
        print(f"wrote {work / 'export_failed.png'}")

    # Batch scoring: the new patients checked, then the valid rows scored into a CSV.
    step.tabs.setCurrentWidget(step.scoring)
    step.validate_file(new_patients(work))
    wait_until(app, lambda: not step.busy and not window.runner.tasks, timeout=60)
    step.scoring.score_button.click()
    wait_until(app, lambda: not step.busy and not window.runner.tasks, timeout=60)
    save(window, "export_scoring.png")

    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
