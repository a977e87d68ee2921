"""The Quality step's fixes: which can be applied now, the preview before, and the new version after.

A mixin of `QualityStep` (panel.py): the step finds and shows problems; this module turns the ones
the user agrees with into a new dataset version. A fix (or several, from selected findings) is first
previewed in `FixPreviewDialog`; Apply runs `project.quality.apply_fixes` in the step's `work` slot
"apply", then the step checks the new version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_app.ui.text.formatting import plural
from desktop_app.ui.text.rich_text import escape
from desktop_app.ui.widgets.errors import show_error, user_message

if TYPE_CHECKING:
    from desktop_app.core.data.entities import DatasetVersionInfo, ImportResult
    from desktop_app.core.quality.findings import Finding
    from desktop_app.core.quality.recipe import RecipeStep
    from desktop_app.ui.steps.quality.fix_preview_dialog import FixPreviewDialog
    from desktop_app.ui.steps.quality.panel import QualityStep
    from desktop_app.ui.work.tasks import Task


class FixActions:
    """Preview and apply the fixes of findings (one, or several selected)."""

    def _fix_block_reason(self: QualityStep) -> str:
        if self.work.running("apply"):
            return "Fixes are being applied; wait for the new version."
        if self.is_checking():
            return "The checks are running; fix once they are done."
        return ""

    def _update_fix_buttons(self: QualityStep) -> None:
        self.detail.set_fix_note(self._fix_block_reason())
        self._on_selection_changed(self.findings.selected())

    def _on_selection_changed(self: QualityStep, findings: list[Finding]) -> None:
        fixable = [f for f in findings if f.fix is not None]
        if fixable:
            from desktop_app.core.quality.plan import plan_fixes

            count = len(plan_fixes(fixable).applied)
            self.apply_selected_button.setText(f"Apply {plural(count, 'selected fix', 'selected fixes')}…")
        else:
            self.apply_selected_button.setText("Apply selected fixes…")
        # One fixable finding is enough: the button is where a newcomer looks after selecting a row.
        blocked = self._fix_block_reason()
        enabled = bool(fixable) and not blocked
        self.apply_selected_button.setEnabled(enabled)
        self.apply_selected_button.setToolTip(
            "Preview the fixes of every selected finding, then apply them in one new version" if enabled
            else blocked or "Select findings that have a fix (Ctrl+click to select several)"
        )

    def open_fix_preview(self: QualityStep, findings: list[Finding]) -> FixPreviewDialog | None:
        """Show what the fixes of `findings` would change; Apply makes the new version."""
        if self.project is None or self.version is None or not findings or self._fix_block_reason():
            return None
        from desktop_app.core.quality.plan import plan_fixes
        from desktop_app.ui.steps.quality.fix_preview_dialog import FixPreviewDialog

        if self.fix_dialog is not None:
            self.fix_dialog.deleteLater()
        version, datasets = self.version, self.project.datasets

        def load_frame(progress):  # the whole table: a fix may drop or change any row
            return datasets.load(version, progress)

        plan = plan_fixes(findings)
        dialog = FixPreviewDialog(plan, version, self._next_label(version), self.runner, load_frame, self.window())
        dialog.accepted.connect(lambda p=plan, v=version: self.apply_fixes(v, p.steps))
        self.fix_dialog = dialog
        dialog.open()
        return dialog

    def _next_label(self: QualityStep, version: DatasetVersionInfo) -> str:
        numbers = [v.number for v in self.versions if v.dataset_id == version.dataset_id]
        return f"{version.dataset_name}@{max(numbers, default=version.number) + 1}"

    def apply_fixes(self: QualityStep, version: DatasetVersionInfo, steps: list[RecipeStep]) -> Task | None:
        if self.project is None or not steps or self.work.running("apply"):
            return None
        quality = self.project.quality
        title = f"Applying {plural(len(steps), 'fix', 'fixes')} to {version.label}"
        task = self.work.start("apply", title, lambda progress: quality.apply_fixes(version, steps, progress),
                               done=lambda result: self._fixes_applied(version, len(steps), result),
                               failed=self._fixes_failed, cancelled=self._fixes_cancelled)
        self._show_notice(f"{escape(title)}…")
        self._show_running(self.is_checking())
        return task

    def _fixes_applied(self: QualityStep, parent: DatasetVersionInfo, count: int, result: ImportResult) -> None:
        new = result.version
        if result.created:
            self._fix_notice = (f"Made <b>{escape(new.label)}</b> from {escape(parent.label)} with "
                                f"{plural(count, 'fix', 'fixes')}; {escape(parent.label)} is unchanged.")
        else:
            self._fix_notice = (f"These fixes give the same data as <b>{escape(new.label)}</b>, which already "
                                "exists; showing it.")
        self._show_notice(f"{self._fix_notice} Checking it now…")
        self._recheck_version_id = new.id  # _select_version runs the checks on it
        self.refresh(select_version_id=new.id)
        self._show_running(self.is_checking())
        self.version_created.emit(new)

    def _fixes_failed(self: QualityStep, error: BaseException) -> None:
        self._show_running(self.is_checking())
        self._show_notice(f"The fixes were not applied: {escape(user_message(error))}", error=True)
        show_error(self, "Could not apply the fixes", error)

    def _fixes_cancelled(self: QualityStep) -> None:
        self._show_running(self.is_checking())
        self._show_notice("Fixes cancelled; no new version was made.")
