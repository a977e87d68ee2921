"""Start-up: the window module stays light, `main()` opens a project or the welcome page, a machine
where the window cannot start gets one sentence, and an unexpected error is one sentence and a log file."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.ui import system_check

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
heavy = [m for m in ("numpy", "pandas", "pyqtgraph", "pyarrow", "sqlalchemy", "desktop_app.core.data.readers")
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
    from tests.figures import record

    record("startup_s", report["seconds"])  # the 2 s goal: tests/benchmarks/bench_responsiveness.py


def _main_window(qtbot, monkeypatch, project_path=None):
    """The window `main()` shows (its event loop left to the test)."""
    from desktop_app.ui import app as ui_app

    windows = []
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # main() installs the window's hook; undone after
    monkeypatch.setattr(ui_app, "_run", lambda app, window: windows.append(window) or 0)
    assert ui_app.main([], project_path=project_path) == 0
    qtbot.addWidget(windows[0])
    return windows[0]


def test_main_opens_the_given_project(qtbot, monkeypatch, tmp_path):
    from desktop_app.core.project import Project

    Project.create(tmp_path / "given", "Given").close()
    window = _main_window(qtbot, monkeypatch, tmp_path / "given")
    assert window.isVisible()
    qtbot.waitUntil(lambda: window.project is not None, timeout=20_000)
    assert window.project.name == "Given"
    window.close()


def test_a_project_given_to_main_opens_after_the_chart_warm_up_begins(qtbot, monkeypatch, tmp_path):
    # Opening imports SQLAlchemy and the project's modules on a worker: beside the warm-up's last import
    # the window held 250-330 ms, so the worker first waits for the warm-up under way.
    import threading

    from desktop_app.core.project import Project
    from desktop_app.ui import main_window
    from desktop_app.ui.work import chart_warmup

    Project.create(tmp_path / "given", "Given").close()
    events = []
    warm_up = chart_warmup.warm_up_charts
    monkeypatch.setattr(chart_warmup, "warm_up_charts", lambda parent: events.append("warm-up") or warm_up(parent))
    monkeypatch.setattr(main_window, "wait_for_charts",
                        lambda: events.append(("waited", threading.current_thread() is threading.main_thread())))
    window = _main_window(qtbot, monkeypatch, tmp_path / "given")
    qtbot.waitUntil(lambda: window.project is not None, timeout=20_000)
    assert events[:2] == ["warm-up", ("waited", False)]   # begun first, then waited for off the GUI thread
    window.close()


def test_main_without_a_project_shows_the_welcome_page(qtbot, monkeypatch):
    window = _main_window(qtbot, monkeypatch)
    assert window.pages.currentWidget() is window.welcome
    window.close()


# -- the window cannot start here: one sentence, before Qt can abort (issue 10, item 0b) -------------------

def _mldesk_command() -> list[str]:
    """`.venv/bin/mldesk` as the README runs it (the module when the script is not installed next to python)."""
    script = Path(sys.executable).with_name("mldesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "desktop_app.cli"]


@pytest.mark.parametrize("args", [[], ["gui"]])
def test_mldesk_without_a_display_says_so_in_one_sentence(tmp_path, args):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["XDG_CONFIG_HOME"] = str(tmp_path)
    done = subprocess.run([*_mldesk_command(), *args], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1, done.stderr  # not 134: Qt never got to abort
    assert done.stdout == ""
    assert done.stderr == f"mldesk: {system_check.NO_DISPLAY}\n"


def _all_load(soname: str) -> bool:
    return True


def test_a_missing_xcb_library_is_named_with_the_package_that_installs_it():
    problem = system_check.window_problem({"DISPLAY": ":0"}, "linux",
                                          finder=lambda soname: soname != "libxcb-icccm.so.4",
                                          reachable=lambda display: True)
    assert problem is not None and "\n" not in problem and problem.endswith(".")
    assert "libxcb-icccm.so.4" in problem and "sudo apt-get install libxcb-icccm4 " in problem
    assert "libxcb-keysyms" not in problem  # only what is missing


def test_missing_libraries_are_listed_once_per_package():
    missing = {"libxcb-keysyms.so.1", "libglib-2.0.so.0", "libgthread-2.0.so.0"}
    problem = system_check.window_problem({"DISPLAY": ":1"}, "linux", finder=lambda s: s not in missing,
                                          reachable=lambda display: True)
    assert "libglib-2.0.so.0, libgthread-2.0.so.0, libxcb-keysyms.so.1" in problem
    assert "sudo apt-get install libglib2.0-0 libxcb-keysyms1 (" in problem


@pytest.mark.parametrize(
    "environ, platform, expected",
    [
        ({}, "linux", system_check.NO_DISPLAY),
        ({"QT_QPA_PLATFORM": "xcb"}, "linux", system_check.NO_DISPLAY),
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux", None),              # headless screenshots
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", None),             # a Wayland session
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland"}, "linux", None),
        ({"QT_QPA_PLATFORM": "wayland"}, "linux", None),
        ({}, "darwin", None),
        ({}, "win32", None),
    ],
)
def test_only_an_x11_start_needs_a_display_and_the_xcb_libraries(environ, platform, expected):
    nothing_loads = lambda soname: soname in system_check.QT_GUI_LIBRARIES  # noqa: E731 — no xcb library at all
    assert system_check.window_problem(environ, platform, finder=nothing_loads,
                                       reachable=lambda display: True) == expected


def test_an_unreachable_x_display_is_one_sentence():
    problem = system_check.window_problem({"DISPLAY": ":42"}, "linux", finder=_all_load,
                                          reachable=lambda display: False)
    assert problem.startswith("cannot connect to the display :42 (DISPLAY)") and problem.endswith(".")
    assert system_check.window_problem({"DISPLAY": ":42"}, "linux", finder=_all_load,
                                       reachable=lambda display: True) is None


def _needed(path: Path) -> list[str]:
    """The DT_NEEDED entries of an ELF64 little-endian shared library (what `readelf -d` lists)."""
    data = path.read_bytes()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1
    (section_offset,) = struct.unpack_from("<Q", data, 0x28)
    entry_size, count = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, section_offset + i * entry_size) for i in range(count)]
    dynamic = next(s for s in sections if s[1] == 6)   # SHT_DYNAMIC
    strings = sections[dynamic[6]]                      # its sh_link: .dynstr
    names = []
    for offset in range(dynamic[4], dynamic[4] + dynamic[5], 16):
        tag, value = struct.unpack_from("<qQ", data, offset)
        if tag == 0:
            break
        if tag == 1:  # DT_NEEDED
            start = strings[4] + value
            names.append(data[start:data.index(b"\0", start)].decode())
    return names


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin exists on Linux only")
def test_the_checked_libraries_are_what_the_installed_qt_links_against():
    import PySide6

    qt = Path(PySide6.__file__).parent / "Qt"
    shipped_or_runtime = re.compile(r"^(libQt6|libicu|libc\.|libm\.|libstdc\+\+|libgcc_s|ld-linux|libpthread|libdl)")

    def system(path: Path) -> set[str]:
        return {name for name in _needed(path) if not shipped_or_runtime.match(name)}

    gui = system(qt / "lib" / "libQt6Gui.so.6") | system(qt / "lib" / "libQt6Core.so.6") \
        | system(qt / "lib" / "libQt6DBus.so.6")
    xcb = system(qt / "plugins" / "platforms" / "libqxcb.so") | system(qt / "lib" / "libQt6XcbQpa.so.6")
    assert gui <= set(system_check.QT_GUI_LIBRARIES)
    assert xcb <= set(system_check.QT_GUI_LIBRARIES) | set(system_check.XCB_LIBRARIES)
    assert set(system_check.XCB_LIBRARIES) <= xcb  # nothing checked that Qt does not need


def test_the_readme_install_line_names_every_package_the_check_knows():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    line = next(text.strip() for text in readme.splitlines() if text.strip().startswith("sudo apt-get install"))
    wanted = system_check.apt_packages([*system_check.QT_GUI_LIBRARIES, *system_check.XCB_LIBRARIES])
    assert line.split()[3:] == wanted


def test_main_stops_before_qt_when_the_window_cannot_start(monkeypatch, capsys):
    from desktop_app.ui import app as ui_app

    monkeypatch.setattr(ui_app, "startup_problem", lambda: "no display: test.")
    monkeypatch.setattr(ui_app, "_run", lambda app, window: pytest.fail("the window started"))
    assert ui_app.main([]) == 1
    assert capsys.readouterr().err == "mldesk: no display: test.\n"


# -- unexpected errors in the window: one sentence, a log file named, the traceback one click away ------------

def _raised(error: BaseException) -> BaseException:
    try:
        raise error
    except BaseException as caught:  # noqa: BLE001 — a real traceback, as a task hands it over
        return caught


def test_an_unexpected_error_box_names_its_log_and_keeps_the_traceback_behind_details(qtbot, crash_logs):
    from desktop_app.ui.widgets.errors import crash_log_of, show_error

    error = _raised(ValueError("columns overlap"))
    box = show_error(None, "Could not open the project", error)
    qtbot.addWidget(box)
    text = box.informativeText()
    log = crash_log_of(error)
    assert log is not None and log.parent == crash_logs and log.exists()
    assert "Something unexpected went wrong (ValueError: columns overlap)" in text and str(log) in text
    assert "Traceback" not in text
    assert "Traceback (most recent call last)" in box.detailedText()
    assert "columns overlap" in log.read_text(encoding="utf-8")
    assert "what was running: Could not open the project" in log.read_text(encoding="utf-8")
    again = show_error(None, "Again", error)  # shown twice: still one file, the same name
    qtbot.addWidget(again)
    assert crash_log_of(error) == log and str(log) in again.informativeText()


def test_a_users_mistake_is_its_own_sentence_and_writes_no_log(qtbot, crash_logs):
    from desktop_app.core.errors import ProjectError
    from desktop_app.ui.widgets.errors import crash_log_of, show_error

    before = set(crash_logs.iterdir())
    error = _raised(ProjectError("The folder is not an MLDesk project; choose a project folder."))
    box = show_error(None, "Could not open the project", error)
    qtbot.addWidget(box)
    assert box.informativeText() == "<p>The folder is not an MLDesk project; choose a project folder.</p>"
    assert crash_log_of(error) is None and set(crash_logs.iterdir()) == before


def test_a_failing_task_in_the_window_shows_one_sentence_and_a_log(window, qtbot, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    from desktop_app.core.project import Project

    def broken_open(path, *args, **kwargs):
        raise KeyError("project_id")

    monkeypatch.setattr(Project, "open", broken_open)
    window.open_project(tmp_path)
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "errorBox") is not None, timeout=20_000)
    text = window.findChild(QMessageBox, "errorBox").informativeText()
    log = Path(re.search(r"written to (\S+\.log)", text).group(1))
    assert "KeyError: 'project_id'" in text and log.exists()
    assert "broken_open" in log.read_text(encoding="utf-8")


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_becomes_the_error_dialog(qtbot, monkeypatch, capsys):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop_app.ui.widgets import errors

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    errors.install_excepthook()
    errors.install_excepthook()  # idempotent: one hook, not a chain of two
    hook = sys.excepthook
    assert isinstance(hook, errors._SlotErrors) and not isinstance(hook.previous, errors._SlotErrors)

    def slot():
        raise ZeroDivisionError("share of an empty batch")

    QTimer.singleShot(0, slot)
    qtbot.waitUntil(lambda: hook.box is not None, timeout=10_000)
    box = hook.box  # closed (and deleted) by the test itself below
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "ZeroDivisionError: share of an empty batch" in box.informativeText()
    assert "Traceback (most recent call last)" in box.detailedText() and "in slot" in box.detailedText()
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("mldesk: Something unexpected went wrong")

    QTimer.singleShot(0, slot)  # a second failure while the box is open: logged, no second box
    qtbot.wait(100)
    assert hook.box is box
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert boxes == [box]
    assert capsys.readouterr().err.startswith("mldesk: Something unexpected went wrong")
    box.done(0)
    qtbot.waitUntil(lambda: hook.box is None, timeout=5_000)


def test_main_installs_the_slot_exception_hook(qtbot, monkeypatch):
    from desktop_app.ui.widgets import errors

    monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)
    window = _main_window(qtbot, monkeypatch)
    assert isinstance(sys.excepthook, errors._SlotErrors)
    window.close()
