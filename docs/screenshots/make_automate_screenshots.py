"""Grab the Automate place offscreen into docs/screenshots/.

    python docs/screenshots/make_automate_screenshots.py [--size 1024x700] [--out DIR]

The sample project with heart-risk@1 (a shallow decision tree, production) and the pipeline "monthly" saved from
its lineage, with a logistic-regression challenger added; months arrive in a folder. October's file is
shifted (older, heavier patients with higher pressure): the run stops at the drift step. November's is like
the sample: the challenger beats production on the same held-out rows and takes the alias.

  automate_step.png          the place: November's run, every step done, Promote selected; the Definition form
  automate_stopped.png       October's run selected in the Runs tab: stopped at Drift, the steps after it waiting
  automate_schedule.png      the Schedule tab: the command and the line for the computer's scheduler
  automate_new.png           "New pipeline…": from what made a registered version
"""

from __future__ import annotations

import os

from shots import MODEL, TARGET, heart_project, open_window, options, save, start, train_heart, wait_until


def main() -> int:
    options(__doc__)
    app, work = start("mldesk-automate-shots-")
    from desktop_app.core.pipelines.definition import to_dict
    from tests.core.pipelines.months import same_month, shifted_month

    project, version = heart_project(work / "Heart study")
    stump = train_heart(project, version, "decision_tree", params={"max_depth": 2}, class_weight="balanced")
    project.registry.register(stump.id, MODEL, alias="production", reason="first model for the pilot")
    incoming = work / "incoming"
    incoming.mkdir()
    saved = project.pipelines.save_from_version(f"{MODEL}@1", "monthly", input_path=str(incoming / "heart-*.csv"))
    training = to_dict(saved.definition)["training"]
    training["specs"].append({"algorithm": "logistic_regression", "target": TARGET, "class_weight": "balanced",
                              "task": "classification"})
    project.pipelines.save(saved.definition.with_changes(training=training), reason="a challenger")
    october = shifted_month(incoming / "heart-2026-10.csv")
    os.utime(october, (1_700_000_000, 1_700_000_000))
    project.pipelines.run("monthly")
    same_month(incoming / "heart-2026-11.csv")
    project.pipelines.run("monthly")

    window = open_window(app, project)
    window.navigator.select("automate")
    step = window.automate_step
    wait_until(app, lambda: not window.runner.tasks and step.runs)
    step.chain.selected = "promote"
    step._show_step_detail("promote")
    step.chain.update()
    save(window, "automate_step.png")

    step.tabs.setCurrentIndex(1)
    step.runs_table.selectRow(1)
    step.chain.selected = "drift"
    step._show_step_detail("drift")
    wait_until(app, lambda: True)
    save(window, "automate_stopped.png")

    step.tabs.setCurrentIndex(2)
    wait_until(app, lambda: True)
    save(window, "automate_schedule.png")

    step.new_pipeline()
    wait_until(app, lambda: step.dialog is not None and step.dialog.isVisible())
    step.dialog.path.setText(str(incoming / "heart-*.csv"))
    wait_until(app, lambda: True)
    save(step.dialog, "automate_new.png")
    step.dialog.reject()
    window.close()
    project.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
