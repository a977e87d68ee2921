"""The Registry step's changes: description and tags, the KPI gate, aliases, archive and restore.

A mixin of `RegistryStep` (panel.py), which lists the models and shows the selected one. Every change
asks first where it matters (`ConfirmDialog`, or `MoveAliasDialog` with its comparison on held-out
data), takes the reason for the audit trail, runs with the step's `work.run` (a change is never
replaced or dropped: it finishes and is recorded) and then reloads the models, keeping the selection.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop_app.ui.steps.registry.confirm import ConfirmDialog
from desktop_app.ui.steps.registry.move_alias import MoveAliasDialog
from desktop_app.ui.widgets.errors import show_error, user_message

if TYPE_CHECKING:
    from desktop_app.core.registry.entities import ModelVersion
    from desktop_app.core.registry.service import RegistryService
    from desktop_app.ui.steps.registry.panel import RegistryStep
    from desktop_app.ui.work.tasks import Task


class RegistryChanges:
    """Change a registered model or version, after asking, with the reason recorded."""

    def _change(self: RegistryStep, title: str, work: Callable[[RegistryService], object], error_title: str,
                select: tuple[str, int | None] | None = None,
                on_error: Callable[[str], object] | None = None) -> Task | None:
        """Run one registry change on a worker, then reload (keeping or moving the selection)."""
        if self.project is None:
            return None
        registry = self.project.registry

        def done(_result: object) -> None:
            self.refresh(select=select)
            self.models_changed.emit()

        def failed(error: BaseException) -> None:
            if on_error is not None:
                on_error(user_message(error))
            else:
                show_error(self, error_title, error)

        return self.work.run(title, lambda _p: work(registry), done=done, failed=failed)

    def _describe(self: RegistryStep, number: Any, description: str, tags: dict) -> None:
        model = self.tree.current_model()
        if model is None:
            return
        name = model.name
        self._change(f"Saving the description of {name}" + (f" v{number}" if number else ""),
                     lambda reg: reg.describe(name, number=number, description=description, tags=tags),
                     "Could not save the description", select=(name, number),
                     on_error=self.details.overview.show_edit_error)

    def _save_gate(self: RegistryStep, rules: list[str], reason: str) -> None:
        model = self.tree.current_model()
        if model is None:
            return
        name, number = model.name, getattr(self.tree.current_version(), "number", None)
        self._change(f"Saving the KPI gate of {name}", lambda reg: reg.set_kpi_gate(name, rules, reason=reason),
                     "Could not save the KPI gate", select=(name, number), on_error=self.details.gate.show_error)

    def move_alias(self: RegistryStep, alias: str = "", target: int | None = None) -> MoveAliasDialog | None:
        """The move-alias dialog for the selected model (alias and target version preselected if given)."""
        model = self.tree.current_model()
        if model is None or self.project is None:
            return None
        if target is None:
            version = self.tree.current_version()
            holder = model.aliases.get(alias) if alias else None
            if version is not None and not version.archived and version.number != holder:
                target = version.number
        if self.alias_dialog is not None:
            if self.alias_dialog.isVisible():
                self.alias_dialog.reject()
            self.alias_dialog.deleteLater()
        self.alias_dialog = MoveAliasDialog(self.runner, self.project, model, alias, target,
                                            parent=self.window())
        self.alias_dialog.moved.connect(self._alias_moved)
        self.alias_dialog.open()
        return self.alias_dialog

    def _alias_moved(self: RegistryStep, version: ModelVersion) -> None:
        self.history.pop(version.model_name, None)
        self.refresh(select=(version.model_name, version.number))
        self.models_changed.emit()

    def remove_alias(self: RegistryStep, alias: str) -> ConfirmDialog | None:
        model = self.tree.current_model()
        if model is None or alias not in model.aliases:
            return None
        number, name = model.aliases[alias], model.name
        dialog = self._confirm(
            f"Remove the alias {alias}", f"Remove '{alias}' from {name} v{number}?",
            f"<b>{name}@{alias}</b> will name no version any more: scripts, exports and monitoring that use it "
            f"will stop finding a model until the alias is given again. v{number} itself stays as it is.",
            f"Remove {alias}", reason_required=True, placeholder="e.g. rolled back to manual review")
        dialog.accepted.connect(lambda d=dialog: self._change(
            f"Removing {name}@{alias}", lambda reg: reg.remove_alias(name, alias, d.reason()),
            "Could not remove the alias", select=(name, number)))
        return dialog

    def archive_selected(self: RegistryStep) -> ConfirmDialog | None:
        """Ask, then archive the selected version (Del)."""
        model, version = self.selected()
        if version is None or version.archived or self.project is None:
            return None
        if version.aliases:
            names = ", ".join(f"'{a}'" for a in version.aliases)
            self.notice = _inform(self, f"{version.model_name} v{version.number} holds an alias",
                                  f"{version.model_name} v{version.number} holds the alias {names}; move that alias "
                                  "to another version first (Aliases tab, Move alias…), then archive it.")
            return None
        name, number = version.model_name, version.number
        latest = model.latest_version == number
        resolves = " and the name alone" if latest else ""
        others = [v.number for v in model.versions if not v.archived and v.number != number]
        after = f"<b>{name}</b> will then mean v{max(others)}." if latest and others else (
            f"<b>{name}</b> alone will then name no version (every version archived)." if latest else "")
        dialog = self._confirm(
            f"Archive {name} v{number}", f"Archive {name} v{number}?",
            f"It stays in the history and can be restored, but it can take no alias{resolves} will no longer "
            f"resolve to it. {after}".strip(),
            "Archive", placeholder="e.g. superseded by v2")
        dialog.accepted.connect(lambda d=dialog: self._change(
            f"Archiving {name} v{number}", lambda reg: reg.archive(name, number, d.reason()),
            "Could not archive the version", select=(name, number)))
        return dialog

    def restore_selected(self: RegistryStep) -> ConfirmDialog | None:
        _model, version = self.selected()
        if version is None or not version.archived:
            return None
        name, number = version.model_name, version.number
        dialog = self._confirm(
            f"Restore {name} v{number}", f"Restore {name} v{number}?",
            f"It becomes active again: it can take an alias, and <b>{name}</b> alone resolves to it if it is the "
            "newest active version.", "Restore", placeholder="e.g. needed again for a comparison")
        dialog.accepted.connect(lambda d=dialog: self._change(
            f"Restoring {name} v{number}", lambda reg: reg.restore(name, number, d.reason()),
            "Could not restore the version", select=(name, number)))
        return dialog

    def _confirm(self: RegistryStep, title: str, heading: str, changes: str, ok_text: str, **kwargs) -> ConfirmDialog:
        if self.confirm is not None:
            if self.confirm.isVisible():
                self.confirm.reject()
            self.confirm.deleteLater()
        self.confirm = ConfirmDialog(title, heading, changes, ok_text, parent=self.window(), **kwargs)
        self.confirm.open()
        return self.confirm


def _inform(parent: QWidget, title: str, text: str) -> QMessageBox:
    """A short, non-blocking notice (window-modal), e.g. why an action cannot be done yet."""
    box = QMessageBox(parent)
    box.setObjectName("registryNotice")
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle(title)
    box.setText(text)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
