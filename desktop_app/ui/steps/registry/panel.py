"""The Registry step: registered models, their numbered versions and aliases, KPI gates, history.

Left, the models with their versions (aliases as badges, archived versions greyed); right,
the selected model or version in tabs (Overview, Aliases, KPI gate, Lineage, History).
"Register a run…" (Ctrl+Enter) opens a short dialog; `register_run(run_id)` opens it with
that run picked (for the Compare step). Aliases move through a dialog that wants a reason
and first offers a comparison with the current holder on held-out data; an alias badge can
also be dragged onto another version, which opens the same dialog. Del archives the
selected version after asking. An alias moved on two workstations at once (a sync conflict) marks
its model in the tree and the Aliases tab; `resolve_conflict(model, alias)` opens the dialog that
settles it (shared with the Team place).

Every registry call runs on a worker thread (TaskRunner); after a change the models reload
and the selection stays. The model in focus is announced by `focus_changed(label)` for the
top bar ("heart-risk@production", or "heart-risk@3"); "Next: Export a bundle →" emits
`go_to_export(version_id)`.

Window wiring:
    registry = RegistryStep(runner)
    registry.focus_changed.connect(top_bar.set_model)
    registry.go_to_step.connect(navigator.select)      # "compare", "export" (go_to_export chains into it)
    registry.go_to_export.connect(export.select_version)
    registry.pipeline_requested.connect(…)             # "Save as pipeline…": Automate's New pipeline on it
    registry.set_project(project) with the other steps; registry.save_state() on close
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from desktop_app.ui.steps.base import StepPanel, StepState
from desktop_app.ui.steps.registry.changes import RegistryChanges
from desktop_app.ui.steps.registry.confirm import ConfirmDialog
from desktop_app.ui.steps.registry.details import RegistryDetails
from desktop_app.ui.steps.registry.insight import RegistryInsight
from desktop_app.ui.steps.registry.lineage import load_lineage
from desktop_app.ui.steps.registry.move_alias import MoveAliasDialog
from desktop_app.ui.steps.registry.register import RegisterDialog
from desktop_app.ui.steps.registry.text import focus_label, gate_failures
from desktop_app.ui.steps.registry.tree import ModelTree
from desktop_app.ui.text.formatting import plural
from desktop_app.ui.widgets.conflict_dialog import ConflictDialog
from desktop_app.ui.widgets.empty_state import EmptyState
from desktop_app.ui.widgets.errors import show_error, user_message
from desktop_app.ui.work.changes import Change

if TYPE_CHECKING:
    from desktop_app.core.project import Project
    from desktop_app.core.registry.entities import ModelVersion, RegisteredModel
    from desktop_app.core.sync.service import Conflict
    from desktop_app.ui.work.tasks import Task, TaskRunner

PURPOSE = (
    "Give the runs you trust a name and a version number, point aliases such as production at the one in use, "
    "and keep every change — who, when and why — on record."
)
STYLE = """
QWidget#registryStep, QWidget#registryDetails, QWidget#registryOverviewContent { background: #ffffff; }
QTabWidget#registryTabs::pane { border: none; border-top: 1px solid #dde3e9; }
QTreeWidget#modelTree { border: 1px solid #dde3e9; }
QTreeWidget#modelTree::item { padding: 3px 0; }
QLabel#treeHint { color: #6b7480; padding: 2px 2px 0 2px; }
"""


class RegistryStep(RegistryChanges, RegistryInsight, StepPanel):
    """The step: the models, the selected one in tabs, registering a run. Changes to a model or a version
    are in changes.py (a mixin)."""

    key = "registry"
    shows = frozenset({Change.REGISTRY, Change.BUNDLES})
    go_to_export = Signal(str)        # the selected version's id (go_to_step("export") follows)
    pipeline_requested = Signal(str)  # "Save as pipeline…" on a lineage: the version's label (Automate opens)
    focus_changed = Signal(object)    # "heart-risk@production", "heart-risk@2", or None
    models_changed = Signal()         # after a change made here

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, "Registry", PURPOSE, "Register a run…", parent)
        self.setObjectName("registryStep")
        self.setStyleSheet(STYLE)
        self.go_to_export.connect(lambda _version_id: self.go_to_step.emit("export"))
        self.models_changed.connect(lambda: self.announce(Change.REGISTRY))
        self.models: list[RegisteredModel] = []
        self.conflicts: list[Conflict] = []               # settings changed on two workstations at once (sync)
        self.conflict_dialog: ConflictDialog | None = None
        self.history: dict[str, list[Any]] = {}         # model name → audit events (newest first)
        self.lineages: dict[str, dict[str, Any]] = {}   # version id → lineage (immutable)
        self.explained: dict[str, tuple] = {}             # version id → (importance, its metric, dependence curves)
        self.dialog: RegisterDialog | None = None
        self.alias_dialog: MoveAliasDialog | None = None
        self.confirm: ConfirmDialog | None = None
        self.notice: QMessageBox | None = None
        self._pending_select: tuple[str, int | None] | None = None
        self.primary_button.setToolTip("Register a finished run as a new version of a model (Ctrl+Enter)")
        self.primary_button.clicked.connect(lambda: self.open_register_dialog())
        self.next_button.clicked.connect(self._go_export)

        self.empty = EmptyState(
            "No registered models yet — register a finished run",
            "Register a run…",
            "Pick the run you trust (compare runs first if you are unsure); it becomes version 1 of a model.",
        )
        self.empty.button.clicked.connect(lambda: self.open_register_dialog())
        self.empty_compare = QPushButton("Compare runs first")
        self.empty_compare.setObjectName("emptyCompareButton")
        self.empty_compare.setToolTip("Open the Compare step to see which run scores best")
        self.empty_compare.clicked.connect(lambda: self.go_to_step.emit("compare"))
        empty_layout = self.empty.layout()
        empty_layout.insertWidget(empty_layout.indexOf(self.empty.button) + 1, self.empty_compare, 0,
                                  Qt.AlignmentFlag.AlignHCenter)

        self.tree = ModelTree()
        self.tree.selection_changed.connect(self._on_selection)
        self.tree.alias_dropped.connect(lambda name, alias, number: self.move_alias(alias, number))
        self.tree.delete_pressed.connect(self.archive_selected)
        tree_hint = QLabel("Drag an alias badge onto another version to move it. Del archives a version.")
        tree_hint.setObjectName("treeHint")
        tree_hint.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(2)
        left_layout.addWidget(self.tree, 1)
        left_layout.addWidget(tree_hint)

        self.details = RegistryDetails()
        self.details.lineage.pipeline_requested.connect(self.pipeline_requested)
        self.details.overview.save_requested.connect(self._describe)
        self.details.overview.archive_requested.connect(self.archive_selected)
        self.details.overview.restore_requested.connect(self.restore_selected)
        self.details.aliases.move_requested.connect(lambda alias: self.move_alias(alias))
        self.details.aliases.remove_requested.connect(self.remove_alias)
        self.details.aliases.resolve_requested.connect(self._resolve_selected)
        self.details.resolve_requested.connect(self._resolve_selected)
        self.details.gate.save_requested.connect(self._save_gate)
        self.details.tabs.currentChanged.connect(lambda _i: (self._load_lineage(), self._load_insight()))
        self.details.explain.rows_requested.connect(lambda: self.explain_rows())
        self.details.lineage.dossier_requested.connect(lambda: self.make_dossier())

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("registrySplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([470, 620])
        self.splitter.setChildrenCollapsible(False)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.splitter)
        self.body.addWidget(self.pages)
        self.remember_splitters(self.splitter)

    # -- project and models ------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        self.work.drop()       # registry changes (run, not slots) still finish and are recorded
        for dialog in (self.dialog, self.alias_dialog, self.confirm, self.conflict_dialog):
            if dialog is not None and dialog.isVisible():
                dialog.reject()       # it belongs to the previous project
        self.project = project
        self.models, self.conflicts = [], []
        self.history, self.lineages, self.explained = {}, {}, {}
        self.tree.set_models([])
        self.pages.setCurrentWidget(self.empty)
        self.primary_button.setVisible(False)
        self.next_button.setVisible(False)
        self.focus_changed.emit(None)
        self.refresh()

    def refresh(self, select: tuple[str, int | None] | None = None) -> Task | None:
        """Reload the models (worker thread); keep the selection, or select `(name, number)` (F5)."""
        if self.project is None:
            self._set_state(StepState.NOT_STARTED, "no project")
            return None
        if select is not None:
            self._pending_select = select
        project = self.project
        return self.work.start("models", "Loading registered models",
                               lambda _p: (project.registry.models(), project.sync.conflicts()), visible=False,
                               done=lambda found: self.show_models(*found),
                               failed=lambda error: show_error(self, "Could not list the registered models", error))

    @property
    def loading(self) -> bool:
        return self.work.running("models")

    @property
    def busy(self) -> bool:
        """True while anything of this step runs in the background."""
        return self.work.running()

    def show_models(self, models: list[RegisteredModel], conflicts: list[Conflict] = ()) -> None:
        self.models, self.conflicts = list(models), list(conflicts)
        has = bool(self.models)
        self.pages.setCurrentWidget(self.splitter if has else self.empty)
        self.primary_button.setVisible(has)
        select, self._pending_select = self._pending_select, None
        self.history.clear()     # a change may have come from elsewhere (CLI, sync): read it again
        self.tree.set_models(self.models, select, self.conflicts)
        if not has:
            self.next_button.setVisible(False)
            self.next_note.setVisible(False)
            self.focus_changed.emit(None)
        self._update_state()

    def _update_state(self) -> None:
        if not self.models:
            self._set_state(StepState.NOT_STARTED, "no registered model yet")
            return
        failing, aliased = [], []
        for model in self.models:
            for alias, number in model.aliases.items():
                holder = next((v for v in model.versions if v.number == number), None)
                aliased.append(f"{model.name}@{alias}")
                if holder is not None and gate_failures(model.kpi_gate, holder.metrics):
                    failing.append(f"{model.name}@{alias}")
        disputed = [f"{c.model}@{c.alias}" if c.alias else f"{c.model} ({c.kind})" for c in self.conflicts]
        if disputed:
            self._set_state(StepState.ATTENTION, f"{', '.join(disputed)} changed on two workstations at once")
        elif failing:
            self._set_state(StepState.ATTENTION, f"{', '.join(failing)} fails its KPI gate")
        elif not aliased:
            self._set_state(StepState.ATTENTION, f"{plural(len(self.models), 'model')}, no alias yet — give the "
                                                 "version you trust the alias production")
        else:
            self._set_state(StepState.DONE, f"{plural(len(self.models), 'model')}; {', '.join(aliased[:3])}")

    def model_named(self, name: str) -> RegisteredModel | None:
        return next((m for m in self.models if m.name == name), None)

    # -- selection -------------------------------------------------------------------------------------
    def _on_selection(self, model: RegisteredModel | None, version: ModelVersion | None) -> None:
        if model is None:
            self.details.show_nothing()
            self.next_button.setVisible(False)
            self.next_note.setVisible(False)
            return
        self.details.show_item(model, version, self.history.get(model.name),
                               [c for c in self.conflicts if c.model == model.name])
        self.focus_changed.emit(focus_label(model, version))
        self._update_next(model, version)
        if model.name not in self.history:
            self._load_history(model.name)
        self._load_lineage()
        self._load_insight()

    def _update_next(self, model: RegisteredModel, version: ModelVersion | None) -> None:
        target = version
        if target is None and model.latest_version is not None:
            target = next((v for v in model.versions if v.number == model.latest_version), None)
        if target is None or target.archived:
            self.set_next("Next: Export a bundle →", enabled=False,
                          note="Pick an active version to export" if target is not None else "",
                          tooltip="An archived version is kept for the record; restore it to export it")
        else:
            self.set_next("Next: Export a bundle →", enabled=True,
                          tooltip=f"Export {target.model_name} v{target.number} as a bundle that runs without MLDesk")

    def selected(self) -> tuple[RegisteredModel | None, ModelVersion | None]:
        return self.tree.current_model(), self.tree.current_version()

    def _load_history(self, name: str) -> None:
        if self.project is None:
            return
        project = self.project
        self.work.start("history", f"Reading the history of {name}",
                        lambda _p: (project.registry.history(name), project.verify_audit()), visible=False,
                        done=lambda found: self._history_loaded(name, *found),
                        failed=lambda error: show_error(self, "Could not read the history", error))

    def _history_loaded(self, name: str, events: list[Any], trail: Any) -> None:
        self.history[name] = list(events)
        self.details.history.show_trail(trail)
        model = self.tree.current_model()
        if model is not None and model.name == name:
            self.details.show_history(self.history[name])

    def _load_lineage(self) -> None:
        """Read the selected version's lineage when the Lineage tab shows (once per version)."""
        version = self.tree.current_version()
        if version is None or self.project is None or self.details.tabs.currentWidget() is not self.details.lineage:
            return
        if version.id in self.lineages:
            self.details.lineage.show_lineage(self.lineages[version.id])
            return
        self.details.lineage.show_message(f"Reading where {version.model_name} v{version.number} comes from…")
        registry = self.project.registry
        self.work.start("lineage", f"Reading the lineage of {version.label}",
                        lambda _p, v=version.id: load_lineage(registry, v), visible=False,
                        done=lambda data: self._lineage_loaded(version, data),
                        failed=lambda error: self.details.lineage.show_message(
                            f"Could not read the lineage: {user_message(error)}"))

    def _lineage_loaded(self, version: ModelVersion, data: dict[str, Any]) -> None:
        self.lineages[version.id] = data
        current = self.tree.current_version()
        if current is not None and current.id == version.id:
            self.details.lineage.show_lineage(data)

    # -- registering -----------------------------------------------------------------------------------
    def open_register_dialog(self, run_id: str | None = None) -> RegisterDialog | None:
        """The "Register a run…" dialog (run `run_id` picked, if given)."""
        if self.project is None:
            return None
        if self.dialog is not None and self.dialog.isVisible():
            if run_id:
                self.dialog.select_run(run_id)
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        if self.dialog is not None:
            self.dialog.deleteLater()
        model = self.tree.current_model()
        self.dialog = RegisterDialog(self.runner, self.project, self.models, run_id=run_id,
                                     model_name=model.name if model is not None else "", parent=self.window())
        self.dialog.registered.connect(self._registered)
        self.dialog.open()
        return self.dialog

    def register_run(self, run_id: str) -> RegisterDialog | None:
        """Open the register dialog with `run_id` picked (e.g. from the Compare step)."""
        return self.open_register_dialog(run_id)

    def _registered(self, version: ModelVersion) -> None:
        self.history.pop(version.model_name, None)
        self.refresh(select=(version.model_name, version.number))
        self.models_changed.emit()

    # -- sync conflicts ----------------------------------------------------------------------------------
    def resolve_conflict(self, model: str, alias: str) -> ConflictDialog | None:
        """The dialog that settles the conflict over `model`@`alias` (both moves side by side)."""
        conflict = next((c for c in self.conflicts if (c.model, c.alias) == (model, alias)), None)
        if conflict is None or self.project is None:
            return None
        if self.conflict_dialog is not None:
            if self.conflict_dialog.isVisible():
                self.conflict_dialog.reject()
            self.conflict_dialog.deleteLater()
        self.conflict_dialog = ConflictDialog(self.runner, self.project.registry, conflict, parent=self.window())
        self.conflict_dialog.resolved.connect(self._alias_moved)
        self.conflict_dialog.open()
        return self.conflict_dialog

    def _resolve_selected(self, alias: str) -> None:
        model = self.tree.current_model()
        if model is not None:
            self.resolve_conflict(model.name, alias)

    # -- next ----------------------------------------------------------------------------------------------
    def _go_export(self) -> None:
        model, version = self.selected()
        if version is None and model is not None and model.latest_version is not None:
            version = next((v for v in model.versions if v.number == model.latest_version), None)
        if version is None:
            return
        self.go_to_export.emit(version.id)   # go_to_step("export") follows
