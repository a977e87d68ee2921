"""Grab the Export step offscreen (the window at 1280×800, or --size WxH) into docs/screenshots/.

    python docs/screenshots/make_export_screenshots.py [--size 1024x700] [--out DIR]

A throw-away project gets the sample data (heart.csv), two logistic regressions trained in this
process (plain and balanced) registered as heart-risk v1 (archived) and v2 (production), and a file
of "new patients": 400 rows of the sample without the target, with a patient id, every second
patient 8 years older (the oldest beyond the ages training saw) and planted problems (text in the
age column, an unknown cholesterol level).

  export_step.png      the Bundle tab after a verified export of heart-risk@production
  export_scoring.png   the Batch scoring tab: the new patients checked, the rows that can be scored
                       scored (the oldest flagged), the preview numbered as the input

At 1024×700 each is named <name>_small.png (see shots.py).

With MLDESK_SHOTS_ALL=1 it also writes, to a temp folder, the empty step, the Bundle tab before
the first export, the export dialog (with the "replace" question) and a failed verification.
The shared set-up (offscreen app, window, sample project, saving) is in shots.py.
"""

from __future__ import annotations

import os
from pathlib import Path

from shots import (
    MODEL,
    SAMPLE,
    TARGET,
    heart_project,
    open_window,
    options,
    plain_and_balanced,
    save,
    start,
    wait_until,
)


def build_project(path: Path):
    project, version = heart_project(path)
    plain, balanced = plain_and_balanced(project, version)
    reg = project.registry
    reg.register(plain.id, MODEL, alias="production", description="First baseline")
    reg.register(balanced.id, MODEL, description="Balanced class weights: finds 3 in 4 of the sick")
    reg.set_alias(MODEL, "production", 2, reason="v1 finds 8% of the sick; v2 finds 74%")
    reg.archive(MODEL, 1, reason="superseded by v2")
    return project


def new_patients(folder: Path) -> Path:
    import pandas as pd

    frame = pd.read_csv(SAMPLE).drop(columns=[TARGET]).sample(400, random_state=7).reset_index(drop=True)
    frame.insert(0, "patient_id", range(20_001, 20_401))
    frame.loc[frame.index % 2 == 1, "age"] += 8                              # half the patients 8 years older
    frame["age"] = frame["age"].astype(object)
    frame.loc[[12, 57, 203], "age"] = ["unknown", "n/k", "unknown"]          # text in a number column
    frame.loc[[88, 301], "cholesterol"] = "very high"                       # a level training never saw
    frame["clinic"] = "North"                                               # a column the model does not use
    path = folder / "new_patients.csv"
    frame.to_csv(path, index=False)
    return path


def main() -> int:
    options(__doc__)
    app, work = start("mldesk-export-shots-")
    extra = bool(os.environ.get("MLDESK_SHOTS_ALL"))

    window = open_window(app)
    step = window.export_step
    if extra:
        from desktop_app.core.project import Project

        window.set_project(Project.create(work / "Empty", "Empty"))
        window.navigator.select("export")
        wait_until(app, lambda: not window.runner.tasks and not step.loading)
        save(window, "export_empty.png", work)

    project = build_project(work / "Heart study")
    window.set_project(project)
    window.navigator.select("export")
    wait_until(app, lambda: not window.runner.tasks and not step.loading and step.entry is not None)
    if extra:
        save(window, "export_intro.png", work)

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
        save(dialog, "export_dialog.png", work)
        dialog.reject()
        bundle = Path(step.bundle.listing.path)
        (bundle / "serve.py").write_text((bundle / "serve.py").read_text() + "\n# edited\n")
        step.verify_again()
        wait_until(app, lambda: not step.busy and not window.runner.tasks, timeout=180)
        step.bundle.banner.details_button.click()
        wait_until(app, lambda: True)
        save(window, "export_failed.png", work)

    # Batch scoring: the new patients checked, the rows with text in 'age' left out (as the user chose),
    # the others scored into a CSV with the oldest flagged.
    step.tabs.setCurrentWidget(step.scoring)
    step.validate_file(new_patients(work))
    wait_until(app, lambda: not step.busy and not window.runner.tasks, timeout=60)
    step.scoring.only_valid.setChecked(True)
    step.scoring.score_button.click()
    wait_until(app, lambda: not step.busy and not window.runner.tasks, timeout=60)
    save(window, "export_scoring.png")

    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
