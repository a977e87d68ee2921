"""Opening a project imports what its steps' first loads need before the window shows it.

Each case runs in a fresh interpreter (this one has imported everything already): the real window opens the
project through `open_project`, and the child reports which modules were imported after `set_project` began,
until the steps had loaded. With data in the project that must be nothing of pandas, pyarrow or the app: the
wave of imports belongs to the opening worker (`StepPanel.first_imports`), not to the window's thread or four
loading workers beside it, which held the window 117-137 ms as `mldesk gui PROJECT` started.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.core.project import Project
from tests.ui.helpers import train_plain_and_balanced
from tests.ui.test_compare_stall import CHILD_ENV, REPO

CHILD = """
import json, sys, tempfile
from pathlib import Path
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

QSettings.setDefaultFormat(QSettings.Format.IniFormat)
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
app = QApplication([])
from desktop_app.ui.main_window import MainWindow

shown = {}
window = MainWindow()
original = window.set_project
def set_project(project, **kwargs):
    shown["modules"] = set(sys.modules)
    original(project, **kwargs)
window.set_project = set_project
window.open_project(sys.argv[1])
def settled():
    app.processEvents()
    return "modules" in shown and not window.runner.tasks
import time
end = time.monotonic() + 60
while not settled() and time.monotonic() < end:
    time.sleep(0.01)
print(json.dumps({"opened": window.project is not None, "pandas_at_show": "pandas" in shown.get("modules", ()),
                  "after": sorted(set(sys.modules) - shown.get("modules", set(sys.modules)))}))
"""


def _open_in_child(folder: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(folder)], cwd=REPO, env=CHILD_ENV, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["opened"]
    return seen


@pytest.mark.timeout(240)
def test_a_project_with_data_is_shown_with_its_steps_imports_done(tmp_path):
    with Project.create(tmp_path / "proj", "Heart study") as project:
        train_plain_and_balanced(project)
    seen = _open_in_child(tmp_path / "proj")
    assert seen["pandas_at_show"]
    late = [name for name in seen["after"] if name.split(".")[0] in ("pandas", "desktop_app")]
    assert late == []   # a step that imports something new on its first load lists it in `first_imports`
    assert len(seen["after"]) < 20, seen["after"]


@pytest.mark.timeout(240)
def test_an_empty_project_opens_without_pandas(tmp_path):
    Project.create(tmp_path / "empty", "Nothing yet").close()
    seen = _open_in_child(tmp_path / "empty")
    assert not seen["pandas_at_show"]
    assert "pandas" not in seen["after"]
