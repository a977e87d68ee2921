"""Grab the user guide's window (Help → User guide, a step's "?") offscreen into docs/screenshots/.

    python docs/screenshots/make_guide_screenshots.py [--size 1024x700] [--out DIR]

The sample project with a plain and a balanced run, the Train step in view, its "?" pressed: the guide
opens beside the window at the Train section.

  help_guide.png          the guide's window at 1440×900 (this script's default size), at "4. Train"
  help_window.png         the main window at the same size (where each step's "?" sits)

At 1024×700 (--size 1024x700) they are help_guide_small.png and help_window_small.png (see shots.py).

The shared set-up (offscreen app, window, sample project, saving) is in shots.py.
"""

from __future__ import annotations

import shutil

import shots
from shots import heart_project, open_window, options, plain_and_balanced, save, start, wait_until

DEFAULT_SIZE = (1440, 900)


def main() -> None:
    options(__doc__, default=DEFAULT_SIZE)
    app, work = start("mldesk-guide-shots-")
    try:
        project, version = heart_project(work / "heart")
        plain_and_balanced(project, version)
        window = open_window(app, project)
        window.navigator.select("train")
        wait_until(app, lambda: not window.runner.tasks)
        window.train_step.help_button.click()
        guide = window.guide_window
        guide.resize(*shots.SIZE)
        wait_until(app, lambda: guide.isVisible() and not guide._fit_timer.isActive())
        save(guide, "help_guide.png")
        save(window, "help_window.png")
        window.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
