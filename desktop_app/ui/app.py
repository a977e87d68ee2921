"""Start the window: `main(argv=None, project_path=None) -> int`.

Only Qt and the window's own modules load here; pandas, pyqtgraph and the core readers
load when first used, so the window shows quickly. Qt itself loads inside the functions:
`main` first asks `system_check` whether the window can start on this machine (a display,
the system libraries Qt needs), because Qt's own answer to a missing library is an abort.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

EXIT_CANNOT_START = 1

ORGANIZATION = "MLDesk"
APPLICATION = "MLDesk"

STYLESHEET = """
QWidget#welcomePage, QWidget#dataStep { background: #ffffff; }
QLabel#pageTitle { font-size: 17pt; font-weight: 600; color: #1d2733; }
QLabel#sectionTitle { font-size: 11.5pt; font-weight: 600; color: #1d2733; }
QLabel#subTitle { font-weight: 600; color: #1d2733; }
QLabel#purpose { color: #4a5563; font-size: 10pt; }
QLabel#hint { color: #6b7480; }
QLabel#errorText { color: #b3261e; }
QLabel#warningText { color: #8a5a00; }
QLabel#emptyMessage { font-size: 13pt; color: #3b4654; }
QLabel#focusLabel { color: #3b4654; }
QLabel#dropZone {
    border: 2px dashed #b8c2cc; border-radius: 8px; color: #5b6573; font-size: 11pt; background: #fafbfc;
}
QFrame#card { border: 1px solid #dde3e9; border-radius: 8px; background: #fbfcfd; }
QFrame#separator { color: #dde3e9; }
QPushButton { padding: 5px 14px; }
QPushButton#primaryButton {
    background: #1f6feb; color: white; border: 1px solid #1a5fcc; border-radius: 4px;
    padding: 6px 16px; font-weight: 600;
}
QPushButton#primaryButton:hover { background: #1a63d6; }
QPushButton#primaryButton:disabled { background: #9dbcf0; border-color: #9dbcf0; }
QToolButton#projectButton { font-size: 11.5pt; font-weight: 600; border: none; padding: 4px 6px; }
QToolButton#projectButton:hover { background: #eef2f6; border-radius: 4px; }
QToolButton#projectButton::menu-indicator { image: none; width: 0; }
QToolButton#helpButton { border: 1px solid #c5ccd6; border-radius: 11px; min-width: 20px; min-height: 20px;
                         max-width: 20px; max-height: 20px; color: #4a5563; font-weight: 600; }
QToolButton#helpButton:hover { background: #eef2f6; border-color: #1a63d6; color: #1a63d6; }
QWidget#topBar { background: #f6f8fa; }
QWidget#taskBar { background: #f6f8fa; }
QLabel#taskCaption { font-weight: 600; color: #3b4654; }
QListWidget#navigator { background: #f6f8fa; border: none; padding-top: 8px; font-size: 10.5pt; }
QListWidget#navigator::item { padding-left: 10px; border: none; }
QListWidget#navigator::item:selected { background: #e1ebf8; color: #10243e; border-left: 3px solid #1f6feb; }
QListWidget#recentList::item { padding: 6px 4px; }
QTableView { gridline-color: #e6e9ed; selection-background-color: #cfe0fa; selection-color: #10243e; }
QHeaderView::section { background: #f3f5f7; border: none; border-right: 1px solid #e1e5ea;
                       border-bottom: 1px solid #d5dbe1; padding: 3px 6px; }
"""


def configure_application(app: QApplication) -> None:
    """Names for QSettings, the light Fusion style and the app's stylesheet, and PySide6's look at each new
    module made quick (also used by tests and benchmarks, which build the window without `main`)."""
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QStyleFactory

    from desktop_app.ui import pyside_import_check

    pyside_import_check.speed_up()
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QGuiApplication.setApplicationDisplayName(APPLICATION)
    if app.property("mldeskConfigured"):
        return  # restyling re-polishes every live widget; once is enough
    app.setProperty("mldeskConfigured", True)
    app.setStyle(QStyleFactory.create("Fusion"))
    QGuiApplication.styleHints().setColorScheme(Qt.ColorScheme.Light)
    app.setPalette(_light_palette())
    app.setStyleSheet(STYLESHEET)


def _light_palette() -> QPalette:
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    palette = QApplication.style().standardPalette()
    palette.setColor(QPalette.ColorRole.Window, "#f6f8fa")
    palette.setColor(QPalette.ColorRole.Base, "#ffffff")
    palette.setColor(QPalette.ColorRole.AlternateBase, "#f6f8fa")
    palette.setColor(QPalette.ColorRole.Highlight, "#1f6feb")
    palette.setColor(QPalette.ColorRole.PlaceholderText, "#8a929c")
    return palette


def main(argv: Sequence[str] | None = None, project_path: str | Path | None = None) -> int:
    """Show the window; open `project_path` if given, else the welcome page. Returns the exit code.

    When the window cannot start here (no display, a missing system library) it says so in
    one sentence on stderr and returns 1 before Qt is loaded.
    """
    problem = startup_problem()
    if problem is not None:
        print(f"mldesk: {problem}", file=sys.stderr)
        return EXIT_CANNOT_START
    from desktop_app.ui import pyside_import_check

    pyside_import_check.speed_up()   # before the window's own modules are imported
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.widgets.errors import install_excepthook
    from desktop_app.ui.work import heap
    from desktop_app.ui.work.chart_warmup import warm_up_charts

    app = QApplication.instance() or QApplication(list(argv) if argv is not None else sys.argv[:1])
    configure_application(app)
    install_excepthook()  # an exception in a slot becomes the error dialog, not a traceback on a terminal
    window = MainWindow()
    window.show()
    # What start-up made lives as long as the window: keep it out of the full garbage
    # collections, whose time grows with the heap and lands as a stall anywhere.
    heap.freeze()

    def after_first_paint() -> None:
        # numpy on a thread and the chart library in slices, while the analyst reads the welcome page. Left
        # until a project opens, the chart library's import met the project's loading workers and froze the
        # window for 120-215 ms; a project given here waits for it (`wait_for_charts` in its opening worker).
        warm_up_charts(window)
        if project_path is not None:
            window.open_project(project_path)

    QTimer.singleShot(0, window, after_first_paint)
    return _run(app, window)


def startup_problem() -> str | None:
    """Why a new window cannot start here, or None; a running application (tests) is not asked again."""
    widgets = sys.modules.get("PySide6.QtWidgets")
    if widgets is not None and widgets.QApplication.instance() is not None:
        return None
    from desktop_app.ui.system_check import window_problem

    return window_problem()


def _run(app: QApplication, window) -> int:
    """The event loop (a seam for tests, which must not run a second application loop)."""
    return app.exec()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv))
