"""Grab the main screens offscreen (the window at 1280×800, or --size WxH) into docs/screenshots/.

    python docs/screenshots/make_screenshots.py [--size 1024x700] [--out DIR]

  welcome.png        the welcome page with two recent projects, one of them moved away
  import_wizard.png  the import wizard on its preview page (900×660, no larger than the window)
  data_step.png      the Data step: the sample imported, the weight column selected
  quality_step.png   the Quality step: checks run for heart_disease, a finding and its evidence

At 1024×700 each is named <name>_small.png (see shots.py).

Uses a throw-away settings folder and project, so your own recent projects are untouched.
The shared set-up (offscreen app, window, sample project, saving) is in shots.py.
"""

from __future__ import annotations

from shots import SAMPLE, fit, open_window, options, save, start, wait_until


def main() -> int:
    options(__doc__)
    app, work = start("mldesk-shots-")
    from desktop_app.core.project import Project
    from desktop_app.ui.shell import recent

    # A realistic recent list: two projects, one of them moved away.
    Project.create(work / "Churn 2024", "Churn 2024").close()
    recent.remember(work / "Churn 2024", "Churn 2024")
    recent.remember(work / "Old pilot", "Old pilot")

    window = open_window(app)
    window.welcome.refresh()
    wait_until(app, lambda: True)
    save(window, "welcome.png")

    # A new project; the import wizard on its preview page, over the window.
    window.create_project(work / "Heart study", "Heart study")
    wait_until(app, lambda: window.project is not None and not window.runner.tasks)
    wizard = window.data_step.open_import_wizard(SAMPLE)
    wizard.resize(*fit((900, 660)))
    wait_until(app, lambda: wizard.settings_page.isComplete())
    save(wizard, "import_wizard.png")
    wizard.reject()

    # The data step with the sample imported and a column selected.
    result = window.project.datasets.import_file(SAMPLE, name="heart")
    window.data_step.refresh(select_version_id=result.version.id)
    wait_until(app, lambda: window.data_step.model is not None and not window.runner.tasks)
    column = window.data_step.model.frame.columns.get_loc("weight")
    window.data_step.view.select_column(column)
    wait_until(app, lambda: window.data_step.summary.summary is not None and not window.runner.tasks)
    save(window, "data_step.png")

    # The quality step: target heart_disease, checks run, a finding with its evidence selected.
    window.data_step.next_button.click()
    step = window.quality_step
    step.set_target("heart_disease")
    step.run_checks()
    wait_until(app, lambda: step.stored is not None and not window.runner.tasks)
    weight = next(f for f in step.stored.report.findings if f.check == "missing_values" and f.column == "weight")
    step.findings.select_finding(weight)
    wait_until(app, lambda: step.detail.evidence is not None and not window.runner.tasks)
    save(window, "quality_step.png")

    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
