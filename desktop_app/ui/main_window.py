"""The main window: welcome page or an open project (top bar, step navigator, step panels), task bar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app import __version__
from desktop_app.ui.shell import recent
from desktop_app.ui.work.chart_warmup import warm_up_charts
from desktop_app.ui.widgets.errors import show_error
from desktop_app.ui.shell.navigator import StepNavigator
from desktop_app.ui.shell.new_project_dialog import NewProjectDialog
from desktop_app.ui.work.run_queue_bridge import RunQueueBridge
from desktop_app.ui.steps.base import StepPanel
from desktop_app.ui.steps.data import DataStep
from desktop_app.ui.steps.compare import CompareStep
from desktop_app.ui.steps.export import ExportStep
from desktop_app.ui.steps.monitor import MonitorStep
from desktop_app.ui.steps.quality import QualityStep
from desktop_app.ui.steps.registry import RegistryStep
from desktop_app.ui.steps.train import TrainStep
from desktop_app.ui.shell.task_bar import TaskBar
from desktop_app.ui.work.tasks import Task, TaskRunner
from desktop_app.ui.shell.notice_bar import NoticeBar
from desktop_app.ui.shell.top_bar import TopBar
from desktop_app.ui.shell.welcome import WelcomePage

DEFAULT_SIZE = (1280, 800)


# Below this a step scrolls; above it a step fills the window.
STEP_MINIMUM_SIZE = (860, 560)


class MainWindow(QMainWindow):
    def __init__(self, runner: TaskRunner | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("MLDesk")
        self.runner = runner or TaskRunner(parent=self)
        self.project: Any = None
        self.new_dialog: NewProjectDialog | None = None
        self._opening: Task | None = None
        self._retired: list[Any] = []  # projects closed once their tasks end
        self._build_actions()

        # Welcome page and project page share the window; the task bar sits below both.
        self.welcome = WelcomePage()
        self.welcome.new_requested.connect(self.new_project)
        self.welcome.open_requested.connect(self.choose_project)
        self.welcome.sample_requested.connect(self.open_sample_project)
        self.welcome.recent_activated.connect(self.open_project)

        self.top_bar = TopBar(self.project_menu)
        self.navigator = StepNavigator()
        self.step_stack = QStackedWidget()
        self.steps: dict[str, StepPanel] = {}
        self._scrollers: dict[str, QScrollArea] = {}
        self.data_step = DataStep(self.runner)
        self.data_step.focus_changed.connect(self.top_bar.set_dataset)
        self._add_step(self.data_step, "Data")
        self.quality_step = QualityStep(self.runner)
        self._add_step(self.quality_step, "Quality")
        # One version in focus: the Quality step follows the Data step, and the other way round.
        self.data_step.focus_changed.connect(self.quality_step.set_focus)
        self.quality_step.focus_requested.connect(self.data_step.tree.select_version)
        self.quality_step.version_created.connect(lambda v: self.data_step.refresh(select_version_id=v.id))
        # Training runs in worker processes behind one queue shared by Train and Compare;
        # running runs also show in the task bar with Cancel.
        self.run_queue = RunQueueBridge(runner=self.runner, parent=self)
        self.train_step = TrainStep(self.runner, run_queue=self.run_queue)
        self._add_step(self.train_step, "Train")
        self.compare_step = CompareStep(self.runner, run_queue=self.run_queue)
        self._add_step(self.compare_step, "Compare")
        self.registry_step = RegistryStep(self.runner)
        self._add_step(self.registry_step, "Registry")
        self.registry_step.focus_changed.connect(self.top_bar.set_model)
        self.registry_step.go_to_step.connect(self.navigator.select)
        self.export_step = ExportStep(self.runner)  # bundles and batch scoring of a registered version
        self._add_step(self.export_step, "Export")
        self.export_step.go_to_registry.connect(lambda: self.navigator.select("registry"))
        self.registry_step.go_to_export.connect(lambda _version_id: self.navigator.select("export"))
        if hasattr(self.registry_step, "models_changed"):  # registered, archived, re-aliased: list them again
            self.registry_step.models_changed.connect(self.export_step.refresh)
        if hasattr(self, "export_step"):  # the Export step opens on the version picked here
            self.registry_step.go_to_export.connect(self.export_step.select_version)
        if hasattr(self.compare_step, "register_requested"):  # "Register…" in Compare opens the dialog here
            self.compare_step.register_requested.connect(
                lambda run_id: (self.navigator.select("registry"), self.registry_step.register_run(run_id)))
        self.monitor_step = MonitorStep(self.runner)  # the last step: drift of registered models
        self._add_step(self.monitor_step, "Monitor")
        self.monitor_step.go_to_step.connect(self.navigator.select)
        self.monitor_step.focus_changed.connect(self.top_bar.set_model)
        if hasattr(self, "registry_step"):
            self.monitor_step.go_to_registry.connect(lambda: self.navigator.select("registry"))
        if hasattr(self, "monitor_step"):
            self.export_step.go_to_monitor.connect(lambda: self.navigator.select("monitor"))
        self.data_step.focus_changed.connect(self.train_step.set_focus_version)
        self.train_step.go_to_compare.connect(self.compare_step.select_runs)
        self.quality_step.version_created.connect(lambda _v: self.train_step.refresh())
        for step in (self.data_step, self.quality_step, self.train_step, self.compare_step):
            step.go_to_step.connect(self.navigator.select)
        self.navigator.step_selected.connect(self._show_step)

        project_page = QWidget()
        project_layout = QVBoxLayout(project_page)
        project_layout.setContentsMargins(0, 0, 0, 0)
        project_layout.setSpacing(0)
        project_layout.addWidget(self.top_bar)
        project_layout.addWidget(_line())
        self.notice = NoticeBar()
        project_layout.addWidget(self.notice)
        body = QHBoxLayout()
        body.setSpacing(0)
        body.addWidget(self.navigator)
        body.addWidget(_line(vertical=True))
        body.addWidget(self.step_stack, 1)
        project_layout.addLayout(body, 1)
        self.project_page = project_page

        self.pages = QStackedWidget()
        self.pages.addWidget(self.welcome)
        self.pages.addWidget(project_page)
        self.task_bar = TaskBar(self.runner)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.pages, 1)
        layout.addWidget(_line())
        layout.addWidget(self.task_bar)
        self.setCentralWidget(central)
        self._restore_geometry()
        self._update_actions()

    # -- actions and menus --------------------------------------------------------------
    def _action(self, text: str, slot, shortcuts=(), tip: str = "") -> QAction:
        action = QAction(text, self)
        action.triggered.connect(lambda _checked=False: slot())
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        self.addAction(action)  # shortcuts work even when the menu bar is hidden
        return action

    def _build_actions(self) -> None:
        self.new_action = self._action("&New project…", self.new_project, [QKeySequence.StandardKey.New])
        self.open_action = self._action("&Open project…", self.choose_project, [QKeySequence.StandardKey.Open])
        self.sample_action = self._action("Open the &sample project", self.open_sample_project)
        self.close_project_action = self._action("&Close project", self.close_project)
        self.quit_action = self._action("&Quit", self.close, [QKeySequence.StandardKey.Quit])
        self.import_action = self._action(
            "&Import data…", lambda: self.data_step.open_import_wizard() and None, ["Ctrl+I"],
            "Import a CSV, Excel or Parquet file",
        )
        self.primary_action = self._action(
            "Run the step's main action", self._trigger_primary, ["Ctrl+Return", "Ctrl+Enter"]
        )
        self.refresh_action = self._action("&Refresh", self.refresh, ["F5"])
        self.about_action = self._action("&About MLDesk", self._about)

        menu_bar = self.menuBar()
        file_menu = menu_bar.addMenu("&File")
        file_menu.addActions([self.new_action, self.open_action])
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addAction(self.sample_action)
        file_menu.addSeparator()
        file_menu.addAction(self.close_project_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        data_menu = menu_bar.addMenu("&Data")
        data_menu.addAction(self.import_action)
        view_menu = menu_bar.addMenu("&View")
        view_menu.addAction(self.refresh_action)
        help_menu = menu_bar.addMenu("&Help")
        help_menu.addAction(self.about_action)

        self.project_menu = QMenu(self)
        self.project_menu.addActions([self.new_action, self.open_action, self.sample_action])
        self.project_menu.addSeparator()
        self.project_menu.addAction(self.close_project_action)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        items = recent.load_recent()
        for item in items:
            action = self.recent_menu.addAction(f"{item.name} — {item.path}")
            action.setEnabled(item.exists)
            action.triggered.connect(lambda _c=False, p=item.path: self.open_project(p))
        if not items:
            self.recent_menu.addAction("No recent projects").setEnabled(False)

    def _update_actions(self) -> None:
        has_project = self.project is not None
        busy = self._opening is not None
        for action in (self.import_action, self.close_project_action, self.primary_action):
            action.setEnabled(has_project and not busy)
        for action in (self.new_action, self.open_action, self.sample_action):
            action.setEnabled(not busy)
        for button in (self.welcome.new_button, self.welcome.open_button, self.welcome.sample_button):
            button.setEnabled(not busy)

    # -- steps --------------------------------------------------------------------------------
    def _add_step(self, step: StepPanel, title: str) -> None:
        # Each step scrolls rather than forcing its minimum size on the window, so the
        # window still fits small screens and 200% scaling.
        # An explicit minimum stops the layout from imposing its own (which would make the
        # scroll area grow the step past the window instead of fitting it).
        step.setMinimumSize(*STEP_MINIMUM_SIZE)
        scroller = QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidget(step)
        self.steps[step.key] = step
        self._scrollers[step.key] = scroller
        self.step_stack.addWidget(scroller)
        self.navigator.add_step(step.key, title)
        step.state_changed.connect(lambda state, detail, k=step.key: self.navigator.set_state(k, state, detail))

    def _show_step(self, key: str) -> None:
        self.step_stack.setCurrentWidget(self._scrollers[key])

    def current_step(self) -> StepPanel:
        return self.step_stack.currentWidget().widget()

    def _trigger_primary(self) -> None:
        if self.project is not None and self.pages.currentWidget() is self.project_page:
            self.current_step().trigger_primary()

    def refresh(self) -> None:
        if self.project is None:
            self.welcome.refresh()
        else:
            self.current_step().refresh()

    # -- projects -----------------------------------------------------------------------------
    def new_project(self) -> None:
        if self._opening is not None:
            return
        self.new_dialog = NewProjectDialog(self)
        self.new_dialog.accepted.connect(
            lambda d=self.new_dialog: self.create_project(d.project_path(), d.project_name())
        )
        self.new_dialog.open()

    def choose_project(self) -> None:
        start = str(Path(self.project.path).parent) if self.project is not None else ""
        folder = QFileDialog.getExistingDirectory(self, "Open an MLDesk project folder", start)
        if folder:
            self.open_project(folder)

    def create_project(self, path: str | Path, name: str) -> Task:
        def work(_progress):
            from desktop_app.core.project import Project

            return Project.create(path, name)

        return self._start_opening(f"Creating project {name}", work, "Could not create the project")

    def open_project(self, path: str | Path) -> Task:
        def work(_progress):
            from desktop_app.core.project import Project

            return Project.open(path)

        return self._start_opening(f"Opening {Path(path).name}", work, "Could not open the project")

    def open_sample_project(self) -> Task:
        def work(progress):
            from desktop_app.core.sample import create_sample_project, default_sample_location

            return create_sample_project(default_sample_location(), progress=progress)

        return self._start_opening("Preparing the sample project", work, "Could not open the sample project")

    def _start_opening(self, title: str, work, error_title: str) -> Task:
        task = self.runner.submit(title, work)
        self._opening = task
        self._update_actions()

        def finished(project: Any) -> None:
            self._opening = None
            self.set_project(project)

        def failed(error: BaseException) -> None:
            self._opening = None
            self._update_actions()
            show_error(self, error_title, error)

        def cancelled() -> None:
            self._opening = None
            self._update_actions()

        task.finished.connect(finished)
        task.failed.connect(failed)
        task.cancelled.connect(cancelled)
        return task

    def _tell_what_was_recovered(self, project: Any) -> None:
        cleared = list(project.recovered)
        if not cleared:
            self.notice.hide()
            return
        self.notice.show_notice(
            "A session on this project stopped before it finished its work (closed, killed or a power cut); "
            f"MLDesk tidied up after it: {len(cleared)} thing{'s' if len(cleared) != 1 else ''} cleared, "
            "nothing that was saved is lost.", cleared)

    def set_project(self, project: Any) -> None:
        """Show `project` (already open); the previous one is closed."""
        self._retire(self.project)
        self.project = project
        if project is None:
            self.setWindowTitle("MLDesk")
            self.top_bar.set_project(None)
            self.train_step.set_project(None)
            self.compare_step.set_project(None)
            self.registry_step.set_project(None)
            self.export_step.set_project(None)
            self.monitor_step.set_project(None)
            self.quality_step.set_project(None)
            self.data_step.set_project(None)
            self.welcome.refresh()
            self.pages.setCurrentWidget(self.welcome)
        else:
            recent.remember(project.path, project.name)
            # Charts come in most steps: prepare the chart library now, in slices, while the
            # project loads, rather than while the first training runs (see chart_warmup).
            warm_up_charts(self)
            self.setWindowTitle(f"{project.name} — MLDesk")
            self.top_bar.set_project(project.name, str(project.path))
            self._tell_what_was_recovered(project)
            self.quality_step.set_project(project)  # first: it then follows the Data step's focus
            self.train_step.set_project(project)
            self.compare_step.set_project(project)
            self.registry_step.set_project(project)
            self.export_step.set_project(project)
            self.monitor_step.set_project(project)
            self.data_step.set_project(project)
            self.navigator.select("data")
            self.pages.setCurrentWidget(self.project_page)
        self._update_actions()

    def close_project(self) -> None:
        self.set_project(None)

    def _retire(self, project: Any) -> None:
        """Close a project once no task still works on it."""
        if project is None:
            return
        self.run_queue.cancel_all()
        self.runner.cancel_all()
        if not self.runner.has_running():
            project.close()
            return
        self._retired.append(project)

        def close_when_idle(_task=None) -> None:
            if not self.runner.has_running():
                self.runner.task_ended.disconnect(close_when_idle)
                while self._retired:
                    self._retired.pop().close()

        self.runner.task_ended.connect(close_when_idle)

    # -- window ---------------------------------------------------------------------------------
    def _about(self) -> None:
        QMessageBox.about(
            self, "About MLDesk",
            f"<b>MLDesk {__version__}</b><p>Take tabular models from data to deployment on this computer.</p>",
        )

    def _restore_geometry(self) -> None:
        settings = QSettings()
        geometry = settings.value("mainWindow/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(*DEFAULT_SIZE)
        state = settings.value("mainWindow/state")
        if state is not None:
            self.restoreState(state)

    def save_settings(self) -> None:
        settings = QSettings()
        settings.setValue("mainWindow/geometry", self.saveGeometry())
        settings.setValue("mainWindow/state", self.saveState())
        self.data_step.save_state()
        self.quality_step.save_state()
        self.train_step.save_state()
        self.compare_step.save_state()
        self.registry_step.save_state()
        self.export_step.save_state()
        self.monitor_step.save_state()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt name
        self.save_settings()
        self.train_step.shutdown()  # stops the worker processes of runs still going
        self.runner.shutdown(wait=True)
        if self.project is not None:
            self.project.close()
            self.project = None
        while self._retired:
            self._retired.pop().close()
        super().closeEvent(event)


def _line(vertical: bool = False) -> QFrame:
    line = QFrame()
    line.setObjectName("separator")
    line.setFrameShape(QFrame.Shape.VLine if vertical else QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Plain)
    return line
