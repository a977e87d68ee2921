"""Grab the Monitor step offscreen (the window at 1280×800, or --size WxH) into docs/screenshots/.

    python docs/screenshots/make_monitor_screenshots.py [--size 1024x700] [--out DIR]

Builds a throw-away project: the heart sample, a logistic regression registered as
heart-risk@production with a KPI gate, and five monthly batches cut from the sample — two as
they are, one with a small shift, one with a broken feed (dataset drift), one without labels.
Writes monitor_step.png (drift map, a drifted batch and feature selected), monitor_over_time.png
and monitor_settings.png (1000×620, no larger than the window); at 1024×700 each is named
<name>_small.png (see shots.py). Uses its own settings folder, so your recent projects are untouched.
The shared set-up (offscreen app, window, sample project, saving) is in shots.py.
"""

from __future__ import annotations

from pathlib import Path

from shots import MODEL, SAMPLE, TARGET, fit, heart_project, open_window, options, save, start, train_heart, wait_until


def monthly_batches(folder: Path) -> list[Path]:
    """Five files of 700 rows each, cut from the sample."""
    import numpy as np
    import pandas as pd

    frame = pd.read_csv(SAMPLE)
    rng = np.random.default_rng(7)
    files = []

    def cut(seed: int):
        return frame.sample(700, random_state=seed).reset_index(drop=True)

    def write(name: str, rows) -> None:
        path = folder / name
        rows.to_csv(path, index=False)
        files.append(path)

    write("january.csv", cut(1))
    write("february.csv", cut(2))
    march = cut(3)
    march["weight"] = march["weight"] + 6                        # heavier patients: one feature moves
    write("march.csv", march)
    april = cut(4)                                               # a broken feed: many features move
    april["age"] = april["age"] + 15
    april["weight"] = april["weight"] + 9
    april["sys_bp"] = april["sys_bp"] + 18
    april["dia_bp"] = april["dia_bp"] + 10
    april.loc[rng.random(len(april)) < 0.15, "cholesterol"] = "extreme"
    april.loc[rng.random(len(april)) < 0.35, "smoke"] = "Yes"
    write("april.csv", april)
    may = cut(5).drop(columns=[TARGET])                          # outcomes not known yet
    may["age"] = may["age"] + 4
    write("may.csv", may)
    return files


def main() -> int:
    options(__doc__)
    app, work = start("mldesk-monitor-shots-")
    project, version = heart_project(work / "Heart study")
    run = train_heart(project, version, class_weight="balanced")
    project.registry.register(run.id, MODEL, alias="production")
    project.registry.set_kpi_gate(MODEL, ["roc_auc>=0.78"], reason="screenshots")
    files = monthly_batches(work)

    window = open_window(app, project)
    window.navigator.select("monitor")
    step = window.monitor_step
    wait_until(app, lambda: step.version is not None and not window.runner.tasks)
    for path in files:   # as the user adds them, one at a time
        step.add_batch_file(path)
        wait_until(app, lambda: not window.runner.tasks, timeout=120)
    wait_until(app, lambda: len(step.batches) == len(files) and not window.runner.tasks)

    april = next(b for b in step.batches if b.name == "april.csv")
    step.batch_list.select(april.id)
    step.panel.select(april.id, "age")
    step.panel.draw_all()
    wait_until(app, lambda: step.panel.distribution.showing_chart and not window.runner.tasks)
    save(window, "monitor_step.png")

    step.panel.tabs.setCurrentIndex(1)
    step.panel.draw_all()
    wait_until(app, lambda: step.panel.share.showing_chart)
    save(window, "monitor_over_time.png")

    dialog = step.open_settings()
    dialog.resize(*fit((1000, 620)))
    wait_until(app, dialog.isVisible)
    save(dialog, "monitor_settings.png")
    dialog.reject()

    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
