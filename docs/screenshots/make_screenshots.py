"""Grab the main screens offscreen at 1280×800 into docs/screenshots/.

    python docs/screenshots/make_screenshots.py

Uses a throw-away settings folder and project, so your own recent projects are untouched.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))
SAMPLE = REPO / "resources" / "sample_data" / "heart.csv"
SIZE = (1280, 800)

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def wait_until(app: QApplication, condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not reach the expected state")
        app.processEvents()
        time.sleep(0.01)
    for _ in range(5):
        app.processEvents()


def save(widget, name: str) -> None:
    path = HERE / name
    widget.grab().save(str(path))
    print(f"wrote {path.relative_to(REPO)}")


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="mldesk-shots-"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "settings"))
    app = QApplication.instance() or QApplication([])
    from desktop_app.ui import recent
    from desktop_app.ui.app import configure_application
    from desktop_app.ui.main_window import MainWindow

    configure_application(app)
    QSettings().clear()

    # A realistic recent list: two projects, one of them moved away.
    from desktop_app.core.project import Project

    Project.create(work / "Churn 2024", "Churn 2024").close()
    recent.remember(work / "Churn 2024", "Churn 2024")
    recent.remember(work / "Old pilot", "Old pilot")

    window = MainWindow()
    window.resize(*SIZE)
    window.show()
    wait_until(app, window.isVisible)
    window.welcome.refresh()
    wait_until(app, lambda: True)
    save(window, "welcome.png")

    # A new project; the import wizard on its preview page, over the window.
    window.create_project(work / "Heart study", "Heart study")
    wait_until(app, lambda: window.project is not None and not window.runner.tasks)
    wizard = window.data_step.open_import_wizard(SAMPLE)
    wizard.resize(900, 660)
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
