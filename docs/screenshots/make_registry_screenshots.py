"""Grab the Registry step offscreen (the window at 1280×800, or --size WxH) into docs/screenshots/.

    python docs/screenshots/make_registry_screenshots.py [--size 1024x700] [--out DIR]

A throw-away project gets the sample data (heart.csv) and a derived version of it (outliers
of weight capped, the alcohol column dropped), four runs trained in this process, and two
registered models:

  heart-risk       v1 plain logistic regression (archived), v2 balanced logistic regression
                   (production, moved there from v1 with a reason), v3 balanced random forest
                   (staging); KPI gate recall>=0.6
  heart-risk-lite  v1 balanced logistic regression on the derived version, no alias yet

  registry_step.png        the step with heart-risk v2 selected, its Overview tab
  registry_move_alias.png  "Move alias" for production v2 → v3, compared on held-out data

At 1024×700 each is named <name>_small.png (see shots.py).
The shared set-up (offscreen app, window, sample project, saving) is in shots.py.
"""

from __future__ import annotations

import os

from shots import (
    MODEL,
    heart_project,
    hide_caret,
    open_window,
    options,
    plain_and_balanced,
    save,
    start,
    train_heart,
    wait_until,
)


def build_project(path):
    from desktop_app.core.quality.recipe import make_step

    project, v1 = heart_project(path)
    frame = project.datasets.load(v1)
    v2 = project.quality.apply_fixes(v1, [make_step(frame, v1.kinds, "cap_outliers", column="weight", k=1.5)]).version
    v3 = project.quality.apply_fixes(v2, [make_step(frame, v2.kinds, "drop_column", column="alcohol")]).version
    plain, balanced = plain_and_balanced(project, v1)
    forest = train_heart(project, v1, "random_forest", class_weight="balanced",
                         params={"n_estimators": 200, "min_samples_leaf": 20})
    lite = train_heart(project, v3, class_weight="balanced")

    reg = project.registry
    reg.register(plain.id, MODEL, alias="production", description="First baseline",
                 reason="first model for the pilot")
    reg.describe(MODEL, description="Flags patients at risk of heart disease for a follow-up call.",
                 tags={"team": "cardio", "owner": "ana"})
    reg.register(balanced.id, MODEL, description="Balanced class weights: finds 3 in 4 of the sick",
                 tags={"reviewed": "yes"})
    reg.set_kpi_gate(MODEL, ["recall>=0.6"], reason="clinical minimum: find most of the sick")
    reg.set_alias(MODEL, "production", 2, reason="v1 finds 8% of the sick; v2 finds 74% on the same rows")
    reg.register(forest.id, MODEL, alias="staging", description="Random forest candidate")
    reg.archive(MODEL, 1, reason="fails the clinical gate; superseded by v2")
    reg.register(lite.id, "heart-risk-lite", description="Without the alcohol column (not asked in the app)")
    return project


def main() -> int:
    options(__doc__)
    app, work = start("mldesk-registry-shots-")
    project = build_project(work / "Heart study")

    window = open_window(app, project)
    step = window.registry_step
    wait_until(app, lambda: not window.runner.tasks and bool(step.models))
    window.navigator.select("registry")
    step.tree.select(MODEL, 2)
    step.details.tabs.setCurrentWidget(step.details.overview)
    wait_until(app, lambda: not window.runner.tasks and MODEL in step.history)
    save(window, "registry_step.png")

    # Move production v2 → v3, with the comparison on held-out data.
    step.details.tabs.setCurrentWidget(step.details.aliases)
    step.details.aliases.select_alias("production")
    dialog = step.move_alias("production", 3)
    dialog.compare()
    wait_until(app, lambda: dialog.comparison is not None and not window.runner.tasks, timeout=60)
    comparison = dialog.comparison
    better = [m for m in comparison.metric_names if comparison.better(m) == "candidate"]
    dialog.reason.setText(f"v3 better on {len(better)} of {len(comparison.metric_names)} metrics on the same "
                          "held-out rows")
    hide_caret(app, dialog)
    save(dialog, "registry_move_alias.png")
    dialog.reject()

    # Not in the guide, but looked at: the other tabs (MLDESK_SHOTS_ALL=1 writes them to a temp folder).
    if os.environ.get("MLDESK_SHOTS_ALL"):
        for tab in (step.details.aliases, step.details.gate, step.details.lineage, step.details.history):
            step.details.tabs.setCurrentWidget(tab)
            wait_until(app, lambda: not window.runner.tasks)
            if tab is step.details.history:
                tab.table.selectRow(3)
            save(window, f"registry_{tab.objectName()}.png", work)
        window.registry_step.open_register_dialog()
        wait_until(app, lambda: not step.dialog.loading)
        step.dialog.name.setCurrentText(MODEL)
        wait_until(app, lambda: True)
        save(step.dialog, "registry_register.png", work)
        step.dialog.reject()

    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
