"""Grab the Train and Compare steps offscreen at 1280×800 into docs/screenshots/.

    python docs/screenshots/make_training_screenshots.py

The sample data (heart.csv) is imported into a throw-away project, checked with target
heart_disease, and logistic regression is trained twice from the Train step — without and
with balanced class weights — in real worker processes. The Compare step then shows the
two runs side by side, where the jump in recall (≈0.08 → ≈0.74) is the story.
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
SAMPLE = REPO / "resources" / "sample_data" / "heart.csv"
SIZE = (1280, 800)

from make_screenshots import save, wait_until  # noqa: E402 - the same helpers as the other screens


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="mldesk-train-shots-"))
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "settings"))
    app = QApplication.instance() or QApplication([])
    from desktop_app.core.project import Project
    from desktop_app.ui.app import configure_application
    from desktop_app.ui.main_window import MainWindow

    configure_application(app)
    QSettings().clear()

    project = Project.create(work / "Heart study", "Heart study")
    version = project.datasets.import_file(SAMPLE, name="heart").version
    project.quality.check(version, "heart_disease")

    window = MainWindow()
    train, compare = window.train_step, window.compare_step
    window.resize(*SIZE)
    window.show()
    wait_until(app, window.isVisible)
    window.set_project(project)
    wait_until(app, lambda: not window.runner.tasks)
    window.navigator.select("train")
    wait_until(app, lambda: window.current_step() is train and train.info is not None)

    # Logistic regression, plain and with balanced class weights (the imbalance hint's link).
    train.models.add_balanced_variants()
    train.start_training()
    wait_until(app, lambda: train.batch and not train.run_queue.busy and train.leaderboard.isVisible()
               and not window.runner.tasks, timeout=180)
    train.setup_scroll.verticalScrollBar().setValue(0)
    wait_until(app, lambda: True)
    save(window, "train_step.png")

    # Next: Compare runs → the batch selected, the Summary tab.
    train.next_button.click()
    wait_until(app, lambda: window.current_step() is compare and not compare.loading
               and len(compare.table.selected_ids()) == 2 and not window.runner.tasks)
    compare.panel.tabs.setCurrentIndex(0)
    wait_until(app, lambda: True)
    save(window, "compare_step.png")

    train.shutdown()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
