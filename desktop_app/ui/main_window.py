"""The main window: welcome page or an open project (top bar, step navigator, step panels), task bar.

It builds the seven steps and the Team place, wires what one step tells another (the version in
focus, a version made by fixes, runs to compare, a run to register, a version to export, changes
received from the team) and opens, joins and closes projects — syncing them with the team's folder
on opening and, briefly, on closing (`work.team_sync`). A project in a team database is created or
joined from the New-project dialog, upgraded only when the analyst agrees (`shell.upgrade_question`),
and watched while it is open: when its server cannot be reached the notice bar says so while
`work.team_database_watch` retries, and the step in view reloads once it is back.

Steps follow the project as it changes (`work.changes`): what a step changed reloads the step in view
if it shows that kind of thing and marks the others stale until they are shown; a change made elsewhere
(the CLI, a worker, a teammate) is noticed when the window regains focus or a step is shown.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
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

from desktop_app.core.errors import SchemaUpgradeNeeded
from desktop_app.ui.shell import recent
from desktop_app.ui.shell.guide_files import STEP_SECTIONS, GuideMissing, guide_path
from desktop_app.ui.shell.guide_window import GuideWindow
from desktop_app.ui.shell.join_team_dialog import JoinTeamDialog
from desktop_app.ui.shell.navigator import StepNavigator
from desktop_app.ui.shell.new_project_dialog import NewProjectDialog
from desktop_app.ui.shell.notice_bar import NoticeBar
from desktop_app.ui.shell.sync_badge import SyncBadge
from desktop_app.ui.shell.task_bar import TaskBar
from desktop_app.ui.shell.top_bar import TopBar
from desktop_app.ui.shell.upgrade_question import ask_to_upgrade
from desktop_app.ui.shell.welcome import WelcomePage
from desktop_app.ui.steps.automate import AutomateStep
from desktop_app.ui.steps.base import StepPanel
from desktop_app.ui.steps.compare import CompareStep
from desktop_app.ui.steps.data import DataStep
from desktop_app.ui.steps.export import ExportStep
from desktop_app.ui.steps.monitor import MonitorStep
from desktop_app.ui.steps.quality import QualityStep
from desktop_app.ui.steps.registry import RegistryStep
from desktop_app.ui.steps.team import TeamStep
from desktop_app.ui.steps.train import TrainStep
from desktop_app.ui.widgets.errors import show_error, user_message
from desktop_app.ui.work import heap
from desktop_app.ui.work.background import BackgroundWork
from desktop_app.ui.work.changes import EVERYTHING, AuditWatch, Change
from desktop_app.ui.work.chart_warmup import wait_for_charts, warm_up_charts
from desktop_app.ui.work.run_queue_bridge import RunQueueBridge
from desktop_app.ui.work.tasks import Task, TaskRunner
from desktop_app.ui.work.team_database_watch import TeamDatabaseWatch, unreachable
from desktop_app.ui.work.team_sync import TeamSync

if TYPE_CHECKING:
    from desktop_app.core.progress import ProgressCallback
    from desktop_app.core.project import Project

DEFAULT_SIZE = (1280, 800)
BACK_NOTICE_MS = 8_000     # how long "the team database is reachable again" stays


# Below this a step scrolls; above it a step fills the window.
STEP_MINIMUM_SIZE = (860, 560)


class MainWindow(QMainWindow):
    def __init__(self, runner: TaskRunner | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("MLDesk")
        self.runner = runner or TaskRunner(parent=self)
        self.work = BackgroundWork(self.runner)   # slot "opening": the project being opened or created
        self.project: Project | None = None
        self.new_dialog: NewProjectDialog | None = None
        self.join_dialog: JoinTeamDialog | None = None
        self.team_sync = TeamSync(self.runner, parent=self)   # the open project's sync with its team's folder
        self.database_watch = TeamDatabaseWatch(self.runner, parent=self)   # its team database's server, if any
        self.audit_watch = AuditWatch(self.runner, parent=self)   # changes made outside this window
        self.audit_watch.moved.connect(self._changed_elsewhere)
        self.upgrade_question: QMessageBox | None = None
        self.guide_window: GuideWindow | None = None   # Help → User guide, made when first asked for
        self.about_dialog: QDialog | None = None   # Help → About
        self._closing = False          # the window's last sync ran (or is running): the next close is for real
        self._stale: list[StepPanel] = []   # steps to reload when shown: the project changed since they loaded
        self._retired: list[Project] = []  # projects closed once their tasks end
        self._build_actions()

        # Welcome page and project page share the window; the task bar sits below both.
        self.welcome = WelcomePage()
        self.welcome.new_requested.connect(self.new_project)
        self.welcome.open_requested.connect(self.choose_project)
        self.welcome.sample_requested.connect(self.open_sample_project)
        self.welcome.recent_activated.connect(self.open_project)
        self.welcome.join_requested.connect(self.join_team)

        self.sync_badge = SyncBadge(self.team_sync, self.database_watch)
        self.top_bar = TopBar(self.project_menu, self.sync_badge)
        self.navigator = StepNavigator()
        self.step_stack = QStackedWidget()
        self.steps: dict[str, StepPanel] = {}
        self._scrollers: dict[str, QScrollArea] = {}
        project_page = QWidget()
        project_layout = QVBoxLayout(project_page)
        project_layout.setContentsMargins(0, 0, 0, 0)
        project_layout.setSpacing(0)
        project_layout.addWidget(self.top_bar)
        project_layout.addWidget(_line())
        self.notice = NoticeBar()
        project_layout.addWidget(self.notice)
        self._back_timer = QTimer(self)
        self._back_timer.setSingleShot(True)
        self._back_timer.timeout.connect(self.notice.hide)
        self._unreachable_dismissed = False   # "Dismiss" on the unreachable notice: the top bar still says it
        self.notice.close_button.clicked.connect(
            lambda: setattr(self, "_unreachable_dismissed", not self.database_watch.reachable))
        self.database_watch.lost.connect(self._database_lost)
        self.database_watch.changed.connect(self._database_changed)
        self.database_watch.back.connect(self._database_back)
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

        # The steps go in last, into a frame already in the window: under the app's style sheet Qt restyles a
        # widget and all it holds each time it changes parent, so filling the frame first and placing it
        # after would restyle the steps' ~1,450 widgets once per level (0.3 s of the launch).
        #
        # Training runs in worker processes behind one queue shared by Train and Compare;
        # running runs also show in the task bar with Cancel.
        self.run_queue = RunQueueBridge(runner=self.runner, parent=self)
        self.data_step = DataStep(self.runner)
        self.quality_step = QualityStep(self.runner)
        self.train_step = TrainStep(self.runner, run_queue=self.run_queue)
        self.compare_step = CompareStep(self.runner, run_queue=self.run_queue)
        self.registry_step = RegistryStep(self.runner)
        self.export_step = ExportStep(self.runner)    # bundles and batch scoring of a registered version
        self.monitor_step = MonitorStep(self.runner)  # the last step: drift of registered models
        for step in (self.data_step, self.quality_step, self.train_step, self.compare_step, self.registry_step,
                     self.export_step, self.monitor_step):
            self._add_step(step)
        self.navigator.add_separator()
        self.automate_step = AutomateStep(self.runner)   # not a workflow step: it replays the workflow
        self._add_step(self.automate_step)
        self.team_step = TeamStep(self.runner, self.team_sync)   # not a workflow step: sharing with the team
        self._add_step(self.team_step)
        self._connect_steps()
        self.navigator.step_selected.connect(self._show_step)

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
        self.join_action = self._action("&Join a team from a shared folder…", self.join_team,
                                        tip="Copy a project a colleague shares through a folder onto this computer")
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
        self.guide_action = self._action("&User guide", lambda: self.show_guide(), ["F1"],
                                         "The user guide shipped with MLDesk (no network needed)")
        self.about_action = self._action("&About MLDesk", self._about)

        menu_bar = self.menuBar()
        file_menu = menu_bar.addMenu("&File")
        file_menu.addActions([self.new_action, self.open_action])
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addAction(self.sample_action)
        file_menu.addAction(self.join_action)
        file_menu.addSeparator()
        file_menu.addAction(self.close_project_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        data_menu = menu_bar.addMenu("&Data")
        data_menu.addAction(self.import_action)
        view_menu = menu_bar.addMenu("&View")
        view_menu.addAction(self.refresh_action)
        help_menu = menu_bar.addMenu("&Help")
        help_menu.addAction(self.guide_action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)

        self.project_menu = QMenu(self)
        self.project_menu.addActions([self.new_action, self.open_action, self.sample_action, self.join_action])
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
        busy = self.work.running("opening")
        for action in (self.import_action, self.close_project_action, self.primary_action):
            action.setEnabled(has_project and not busy)
        for action in (self.new_action, self.open_action, self.sample_action, self.join_action):
            action.setEnabled(not busy)
        for button in (self.welcome.new_button, self.welcome.open_button, self.welcome.sample_button,
                       self.welcome.join_button):
            button.setEnabled(not busy)

    # -- steps --------------------------------------------------------------------------------
    def _connect_steps(self) -> None:
        """What one step tells another; a step asking for another step goes through the navigator."""
        data, quality, train, compare = self.data_step, self.quality_step, self.train_step, self.compare_step
        registry, export, monitor = self.registry_step, self.export_step, self.monitor_step
        for step in self.steps.values():
            step.go_to_step.connect(self.navigator.select)
            step.project_changed.connect(lambda kinds, s=step: self._follow_change(kinds, s))
        # One version in focus: the Quality and Train steps follow the Data step, Data follows Quality.
        data.focus_changed.connect(self.top_bar.set_dataset)
        data.focus_changed.connect(quality.set_focus)
        data.focus_changed.connect(train.set_focus_version)
        quality.focus_requested.connect(data.tree.select_version)
        quality.version_created.connect(lambda v: data.refresh(select_version_id=v.id))
        quality.target_chosen.connect(train.follow_target)   # one target in focus too
        train.go_to_compare.connect(compare.select_runs)
        # Train and Compare follow the run queue themselves; what its workers wrote is not news elsewhere.
        self.run_queue.run_ended.connect(lambda _run_id, _status: self.audit_watch.settle())
        # "Register…" in Compare opens the dialog in the Registry step.
        compare.register_requested.connect(
            lambda run_id: (self.navigator.select("registry"), registry.register_run(run_id)))
        registry.focus_changed.connect(self.top_bar.set_model)
        registry.go_to_export.connect(export.select_version)  # the Export step opens on the version picked there
        # "Save as pipeline…" on a version's lineage opens New pipeline in the Automate place on that version.
        registry.pipeline_requested.connect(
            lambda label: (self.navigator.select("automate"), self.automate_step.new_pipeline(version=label)))
        monitor.focus_changed.connect(self.top_bar.set_model)
        # The team: a conflict settled in one place clears its mark in the other; the badge opens the Team place;
        # a change made here waits to be sent (the count in the top bar, `_follow_change`); changes received
        # reach every step.
        team, sync = self.team_step, self.team_sync
        team.conflict_resolved.connect(lambda: registry.refresh())
        self.sync_badge.clicked.connect(lambda: self.navigator.select("team"))
        sync.received.connect(self._follow_the_team)

    def _add_step(self, step: StepPanel) -> None:
        # Each step scrolls rather than forcing its minimum size on the window, so the
        # window still fits small screens and 200% scaling.
        # An explicit minimum stops the layout from imposing its own (which would make the
        # scroll area grow the step past the window instead of fitting it).
        step.setMinimumSize(*STEP_MINIMUM_SIZE)
        scroller = QScrollArea()
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.step_stack.addWidget(scroller)   # before it holds the step: the step is restyled once, not twice
        scroller.setWidget(step)
        self.steps[step.key] = step
        step.help_button.clicked.connect(lambda _c=False, k=step.key: self.show_guide(STEP_SECTIONS[k]))
        self._scrollers[step.key] = scroller
        self.navigator.add_step(step.key, step.title_label.text())
        step.state_changed.connect(lambda state, detail, k=step.key: self.navigator.set_state(k, state, detail))

    def _show_step(self, key: str) -> None:
        self.step_stack.setCurrentWidget(self._scrollers[key])
        step = self.steps[key]
        if step in self._stale:       # the project changed since it loaded
            self._stale.remove(step)
            step.refresh()
        self.audit_watch.check()

    def _follow_change(self, kinds: frozenset[Change], source: StepPanel | None = None) -> None:
        """A change made in `source` (None: outside this window) reaches every other step that shows it:
        the step in view reloads now, keeping its selection; the others when they are shown."""
        if self.project is None:
            return
        current = self.current_step()
        for step in self.steps.values():
            if step is source or not step.shows & kinds:
                continue
            if step is current:
                step.refresh()
            elif step not in self._stale:
                self._stale.append(step)
        if source is not None:
            self.audit_watch.settle()   # what this window wrote is not news on the next check
        self.team_sync.status_soon()    # a change made here waits to be sent (the count in the top bar)

    def _changed_elsewhere(self) -> None:
        self._follow_change(EVERYTHING)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt name
        super().changeEvent(event)
        # Back from another program (a terminal running mldesk, say): look for what changed meanwhile.
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow() and self.project is not None:
            self.audit_watch.check()

    def _follow_the_team(self, _report: object) -> None:
        """Changes received from the team reach every step, as a local change would: the step in view
        reloads now, the others one per turn of the event loop (no single long pause)."""
        current = self.current_step()
        self._stale = [s for s in self.steps.values() if s is not current and s is not self.team_step]
        current.refresh()
        self.audit_watch.settle()
        QTimer.singleShot(0, self._refresh_next_stale)

    def _refresh_next_stale(self) -> None:
        if self._stale and self.project is not None:
            self._stale.pop(0).refresh()
            QTimer.singleShot(0, self._refresh_next_stale)

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
        if self.work.running("opening"):
            return
        self.new_dialog = NewProjectDialog(self)
        self.new_dialog.accepted.connect(
            lambda d=self.new_dialog: None if d.in_team_database() else self.create_project(d.project_path(),
                                                                                             d.project_name())
        )
        self.new_dialog.team_requested.connect(
            lambda d=self.new_dialog: self.create_team_project(d.project_path(), d.project_name(), d.database_url(),
                                                               d.objects_folder(), dialog=d))
        self.new_dialog.open()

    def choose_project(self) -> None:
        start = str(Path(self.project.path).parent) if self.project is not None else ""
        folder = QFileDialog.getExistingDirectory(self, "Open an MLDesk project folder", start)
        if folder:
            self.open_project(folder)

    def create_project(self, path: str | Path, name: str) -> Task:
        def work(_progress: ProgressCallback) -> Project:
            from desktop_app.core.project import Project

            return Project.create(path, name)

        return self._start_opening(f"Creating project {name}", work, "Could not create the project")

    def create_team_project(self, path: str | Path, name: str, url: str, objects: str | None, *,
                            upgrade: bool = False, dialog: NewProjectDialog | None = None) -> Task:
        """A project in the team database at `url`: new in an empty database, joined when it holds one.

        The dialog (when given) waits, shows a failure as its sentence and closes on success; the notice
        bar then says whether the project was created or joined."""
        def work(_progress: ProgressCallback) -> tuple[Project, bool]:
            from desktop_app.core.project import Project

            project = Project.create(path, name, team_database=url, objects=objects, upgrade=upgrade)
            return project, project.joined

        def done(outcome: tuple[Project, bool]) -> None:
            project, attached = outcome
            if dialog is not None:
                dialog.succeeded()
            self.set_project(project)
            self._tell_where_it_lives(project, attached)

        def failed(error: BaseException) -> None:
            if isinstance(error, SchemaUpgradeNeeded):
                asking = dialog if dialog is not None and dialog.isVisible() else None
                self.upgrade_question = ask_to_upgrade(
                    asking or self, error,
                    lambda: self.create_team_project(path, name, url, objects, upgrade=True, dialog=asking),
                    otherwise=(lambda: asking.show_failure(str(error))) if asking is not None else None)
            elif dialog is not None and dialog.isVisible():
                dialog.show_failure(user_message(error, context="Creating a project in a team database"))
            else:
                show_error(self, "Could not create or join the project", error)

        task = self.work.start("opening", "Connecting to the team database", work, done=done, failed=failed,
                               ended=self._update_actions)
        self._update_actions()
        return task

    def open_project(self, path: str | Path, *, upgrade: bool = False) -> Task:
        """Open the project folder `path`; a team database of an older schema is upgraded only after asking."""
        def work(_progress: ProgressCallback) -> Project:
            from desktop_app.core.project import Project

            return Project.open(path, upgrade=upgrade)

        def failed(error: BaseException) -> None:
            if isinstance(error, SchemaUpgradeNeeded):
                self.upgrade_question = ask_to_upgrade(self, error, lambda: self.open_project(path, upgrade=True))
            else:
                show_error(self, "Could not open the project", error)

        return self._start_opening(f"Opening {Path(path).name}", work, failed=failed)

    def open_sample_project(self) -> Task:
        def work(progress: ProgressCallback) -> Project:
            from desktop_app.core.sample import create_sample_project, default_sample_location

            return create_sample_project(default_sample_location(), progress=progress)

        return self._start_opening("Preparing the sample project", work, "Could not open the sample project")

    def join_team(self) -> JoinTeamDialog | None:
        """Ask for the team's shared folder and a new local folder, then copy the project there and open it."""
        if self.work.running("opening"):
            return None
        self.join_dialog = JoinTeamDialog(self)
        self.join_dialog.accepted.connect(
            lambda d=self.join_dialog: self.clone_project(d.shared_folder(), d.project_path()))
        self.join_dialog.open()
        return self.join_dialog

    def clone_project(self, shared_folder: str | Path, path: str | Path) -> Task:
        """A new local project joined to the team's folder (`Project.clone`), then opened."""
        def work(progress: ProgressCallback) -> Project:
            from desktop_app.core.project import Project

            return Project.clone(shared_folder, path, progress)

        return self._start_opening(f"Joining the team: copying the project from {Path(shared_folder).name}", work,
                                   "Could not join the team", synced=True)

    def _start_opening(self, title: str, work: Callable[[ProgressCallback], Project], error_title: str = "",
                       synced: bool = False, failed: Callable[[BaseException], object] | None = None) -> Task:
        first_imports = sorted({name for step in self.steps.values() for name in step.first_imports})

        def opening(progress: ProgressCallback) -> Project:
            # Opening imports SQLAlchemy and the project's modules: not beside the chart warm-up's last import
            # (a project opened as the window starts, `mldesk gui PROJECT`: the window held 250-330 ms).
            wait_for_charts()
            project = work(progress)
            # What the steps' first loads import (pandas, pyarrow: ~370 modules), here rather than on their
            # four loading workers at once beside the window's thread as it shows the project (117-137 ms held).
            if project.datasets.list():
                with heap.importing():
                    for name in first_imports:
                        importlib.import_module(name)
            return project

        task = self.work.start("opening", title, opening, done=lambda p: self.set_project(p, sync=not synced),
                               failed=failed or (lambda error: show_error(self, error_title, error)),
                               ended=self._update_actions)
        self._update_actions()
        return task

    def _tell_what_was_recovered(self, project: Project) -> None:
        cleared = list(project.recovered)
        if not cleared:
            self.notice.hide()
            return
        self.notice.show_notice(
            "A session on this project stopped before it finished its work (closed, killed or a power cut); "
            f"MLDesk tidied up after it: {len(cleared)} thing{'s' if len(cleared) != 1 else ''} cleared, "
            "nothing that was saved is lost.", cleared)

    def _tell_where_it_lives(self, project: Project, attached: bool) -> None:
        where = project.team_database
        if attached:
            text = f"Joined '{project.name}' in the team database {where}."
        else:
            text = (f"Created '{project.name}' in the team database {where}; colleagues join it with New project "
                    "▸ Team database and the same URL.")
        self.notice.show_notice(text, [])

    # -- the team database's server -------------------------------------------------------------
    def takes_error(self, error: BaseException) -> bool:
        """An error a step shows (`widgets.errors.show_error`): the team database out of reach is the notice
        bar's, which says so while the watch retries — no error box for it; anything else gets its box."""
        self.database_watch.report(error)
        return unreachable(error) and not self.database_watch.reachable

    def _database_lost(self, error: BaseException) -> None:
        self._back_timer.stop()
        self._unreachable_dismissed = False
        self._database_changed()

    def _database_changed(self) -> None:
        watch = self.database_watch
        if watch.reachable or self._unreachable_dismissed:
            return
        seconds = round(watch.next_delay_ms / 1000)
        self.notice.show_notice(f"Team database unreachable — retrying… (next try in {seconds} s)",
                                [user_message(watch.error), "Nothing is lost: what did not reach the database was "
                                 "not saved, and can be done again once it is back."])

    def _database_back(self) -> None:
        self.notice.show_notice(f"The team database {self.database_watch.where} is reachable again; "
                                "this step was reloaded.", [])
        self._back_timer.start(BACK_NOTICE_MS)
        self._follow_the_team(None)

    def set_project(self, project: Project | None, *, sync: bool = True) -> None:
        """Show `project` (already open) and sync it with its team's folder if it is linked (in the background;
        not with `sync=False`, e.g. just cloned); the previous one is synced a last time, then closed."""
        self._retire(self.project)
        self._stale = []
        self.project = project
        self.team_sync.set_project(project, sync=sync)
        self.database_watch.set_project(project)
        self.audit_watch.set_project(project)
        self._back_timer.stop()
        if project is None:
            self.setWindowTitle("MLDesk")
            self.top_bar.set_project(None)
            self._show_in_steps(None)
            self.welcome.refresh()
            self.pages.setCurrentWidget(self.welcome)
        else:
            recent.remember(project.path, project.name)
            # Charts come in most steps: prepare the chart library now, in slices, while the
            # project loads, rather than while the first training runs (see work/chart_warmup).
            warm_up_charts(self)
            self.setWindowTitle(f"{project.name} — MLDesk")
            self.top_bar.set_project(project.name, str(project.path))
            self._tell_what_was_recovered(project)
            self._show_in_steps(project)
            self.navigator.select("data")
            self.pages.setCurrentWidget(self.project_page)
        self._update_actions()

    def _show_in_steps(self, project: Project | None) -> None:
        # The Data step last: it announces the version in focus, which the Quality and Train steps follow.
        for step in sorted(self.steps.values(), key=lambda s: s is self.data_step):
            step.set_project(project)

    def close_project(self) -> None:
        self.set_project(None)

    def _retire(self, project: Project | None) -> None:
        """Close a project once no task still works on it."""
        if project is None:
            return
        self.run_queue.cancel_all()
        self.team_sync.close_project(project)   # a last sync, bounded; it is let finish
        for task in self.runner.tasks:
            if not self.team_sync.owns(task):
                task.cancel()
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
    def show_guide(self, section: str = "") -> None:
        """The user guide in its own window, at the heading `section` (a slug) or at the top."""
        if self.guide_window is None:
            try:
                self.guide_window = GuideWindow(guide_path(), parent=self)
            except GuideMissing as error:
                show_error(self, "The user guide cannot be shown", error)
                return
        self.guide_window.show_section(section)

    def _about(self) -> None:
        from desktop_app.ui.shell.about_dialog import AboutDialog

        self.about_dialog = AboutDialog(self)
        self.about_dialog.open()   # window-modal, without a nested event loop

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
        for step in self.steps.values():
            step.save_state()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt name
        if self.project is not None and not self._closing:
            # A last sync first, bounded (team_sync.CLOSE_BOUND_MS); the window stays live meanwhile, and
            # closing it again does not wait any more.
            self._closing = True
            self.run_queue.cancel_all()
            if self.team_sync.close_project(self.project, then=lambda: QTimer.singleShot(0, self.close)):
                event.ignore()
                return
        self.save_settings()
        self.team_sync.set_project(None)   # nothing more to read or sync
        self.audit_watch.set_project(None)
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
