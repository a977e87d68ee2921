"""Grab the user guide's window (Help → User guide, a step's "?") offscreen into docs/screenshots/.

    python docs/screenshots/make_guide_screenshots.py

The sample project with a plain and a balanced run, the Train step in view, its "?" pressed: the guide
opens beside the window at the Train section.

  help_guide.png          the guide's window at 1440×900, at "4. Train"
  help_guide_small.png    the same at 1024×700
  help_window_small.png   the main window at 1024×700 (where each step's "?" sits)

The shared set-up (offscreen app, window, sample project, saving) is in shots.py.
"""

from __future__ import annotations

import shutil

from shots import heart_project, open_window, plain_and_balanced, save, start, wait_until

SIZES = {"": (1440, 900), "_small": (1024, 700)}


def main() -> None:
    app, work = start("mldesk-guide-shots-")
    try:
        project, version = heart_project(work / "heart")
        plain_and_balanced(project, version)
        window = open_window(app, project)
        window.navigator.select("train")
        wait_until(app, lambda: not window.runner.tasks)
        for suffix, size in SIZES.items():
            window.resize(*size)
            window.train_step.help_button.click()
            guide = window.guide_window
            guide.resize(*size)
            wait_until(app, lambda g=guide: g.isVisible() and not g._fit_timer.isActive())
            save(guide, f"help_guide{suffix}.png")
        save(window, "help_window_small.png")
        window.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
