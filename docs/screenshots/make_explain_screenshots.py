"""Grab the Registry's Explain and Fairness tabs offscreen into docs/screenshots/.

    python docs/screenshots/make_explain_screenshots.py [--size 1024x700] [--out DIR]

The sample project with heart-risk@1: logistic regression with balanced class weights, audited on gender (left
out of its features), alias production.

  registry_explain.png          Explain: permutation importance with its spread, partial dependence (ICE in grey)
  registry_explain_rows.png     the sample file's rows explained, the fourth picked: its waterfall
  registry_fairness.png         Fairness: the groups of gender on the held-out rows, and the gaps
  compare_fairness.png          Compare: that run's groups beside a run trained without the audit (its row says so)
  compare_explain.png           Compare: what drives the audited run
"""

from __future__ import annotations

from shots import MODEL, SAMPLE, heart_project, open_window, options, save, start, train_heart, wait_until


def main() -> int:
    options(__doc__)
    app, work = start("mldesk-explain-shots-")
    from PySide6.QtWidgets import QScrollArea

    project, version = heart_project(work / "Heart study")
    plain = train_heart(project, version, "logistic_regression")
    run = train_heart(project, version, "logistic_regression", class_weight="balanced", sensitive="gender")
    project.registry.register(run.id, MODEL, alias="production", reason="first model for the pilot")
    window = open_window(app, project)
    window.navigator.select("registry")
    step = window.registry_step
    wait_until(app, lambda: step.tree.item_for(MODEL, 1) is not None and not window.runner.tasks)
    step.tree.select(MODEL, 1)
    step.details.tabs.setCurrentWidget(step.details.explain)
    wait_until(app, lambda: not window.runner.tasks and step.details.explain.charts.count() > 1)
    save(window, "registry_explain.png")
    step.explain_rows(str(SAMPLE))
    wait_until(app, lambda: not window.runner.tasks and step.details.explain.rows.isVisible())
    step.details.explain.rows.selectRow(3)
    scroller = step.details.explain.findChild(QScrollArea)
    scroller.verticalScrollBar().setValue(scroller.verticalScrollBar().maximum())
    wait_until(app, lambda: True)
    save(window, "registry_explain_rows.png")
    step.details.tabs.setCurrentWidget(step.details.fairness)
    wait_until(app, lambda: not window.runner.tasks and step.details.fairness.table.isVisible())
    save(window, "registry_fairness.png")
    from desktop_app.ui.steps.compare.comparison import FAIRNESS

    window.navigator.select("compare")
    compare = window.compare_step
    wait_until(app, lambda: not compare.loading and compare.table.model.rowCount() == 2)
    compare.select_runs([plain.id, run.id])
    wait_until(app, lambda: len(compare.panel.runs) == 2 and not window.runner.tasks)
    compare.panel.tabs.setCurrentIndex(FAIRNESS)
    wait_until(app, lambda: True)
    save(window, "compare_fairness.png")
    from desktop_app.ui.steps.compare.comparison import EXPLAIN

    compare.panel.tabs.setCurrentIndex(EXPLAIN)
    explain = compare.panel.explain
    explain.picker.setCurrentIndex(explain.picker.findData(run.id))
    wait_until(app, lambda: run.id in explain.curves and not window.runner.tasks)
    save(window, "compare_explain.png")
    window.close()
    project.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
