"""Start-up: the window module stays light, and `main()` opens a project or the welcome page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


REPO = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys, time
start = time.perf_counter()
from PySide6.QtWidgets import QApplication
from desktop_app.ui.app import configure_application
from desktop_app.ui.main_window import MainWindow
app = QApplication([])
configure_application(app)
window = MainWindow()
window.show()
app.processEvents()
heavy = [m for m in ("pandas", "pyqtgraph", "pyarrow", "sqlalchemy", "desktop_app.core.data.readers")
         if m in sys.modules]
print(json.dumps({"seconds": time.perf_counter() - start, "heavy": heavy}))
window.close()
"""


def test_window_shows_without_heavy_imports(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=60, check=True)
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["heavy"] == []
    assert report["seconds"] < 2.0


def test_main_opens_the_given_project(qtbot, monkeypatch, tmp_path):
    from desktop_app.core.project import Project
    from desktop_app.ui import app as ui_app

    Project.create(tmp_path / "given", "Given").close()
    windows = []
    monkeypatch.setattr(ui_app, "_run", lambda app, window: windows.append(window) or 0)
    assert ui_app.main([], project_path=tmp_path / "given") == 0
    window = windows[0]
    qtbot.addWidget(window)
    assert window.isVisible()
    qtbot.waitUntil(lambda: window.project is not None, timeout=20_000)
    assert window.project.name == "Given"
    window.close()


def test_main_without_a_project_shows_the_welcome_page(qtbot, monkeypatch):
    from desktop_app.ui import app as ui_app

    windows = []
    monkeypatch.setattr(ui_app, "_run", lambda app, window: windows.append(window) or 0)
    assert ui_app.main([]) == 0
    qtbot.addWidget(windows[0])
    assert windows[0].pages.currentWidget() is windows[0].welcome
    windows[0].close()
