"""The Quality step's report settings and its export: the thresholds the checks compare against, and
the report on screen saved as one HTML file.

A mixin of `QualityStep` (panel.py). The thresholds dialog only changes what the next run uses; the
export runs `project.quality.export_html` in the step's `work` slot "export".
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QFileDialog

from desktop_app.ui.steps.quality.text import changed_thresholds
from desktop_app.ui.text.rich_text import escape
from desktop_app.ui.widgets.errors import show_error

if TYPE_CHECKING:
    from desktop_app.core.quality.thresholds import Thresholds
    from desktop_app.ui.steps.quality.panel import QualityStep
    from desktop_app.ui.steps.quality.thresholds_dialog import ThresholdsDialog
    from desktop_app.ui.work.tasks import Task


class ReportActions:
    """Change the thresholds of the next run; export the report on screen."""

    def current_thresholds(self: QualityStep) -> Thresholds:
        if self.thresholds is None:
            from desktop_app.core.quality import Thresholds

            return Thresholds()
        return self.thresholds

    def open_thresholds(self: QualityStep) -> ThresholdsDialog:
        from desktop_app.ui.steps.quality.thresholds_dialog import ThresholdsDialog

        if self.thresholds_dialog is not None:
            self.thresholds_dialog.deleteLater()
        dialog = ThresholdsDialog(self.current_thresholds(), self.window())
        dialog.accepted.connect(lambda d=dialog: self.set_thresholds(d.thresholds()))
        self.thresholds_dialog = dialog
        dialog.open()
        return dialog

    def set_thresholds(self: QualityStep, thresholds: Thresholds) -> None:
        before = self.current_thresholds()
        self.thresholds = thresholds
        self._update_thresholds_button()
        if thresholds != before and self.stored is not None:
            self._show_notice("Thresholds changed — run the checks again to apply them.")

    def _update_thresholds_button(self: QualityStep) -> None:
        changed = changed_thresholds(self.thresholds) if self.thresholds is not None else []
        self.thresholds_button.setText(f"Th&resholds… ({len(changed)} changed)" if changed else "Th&resholds…")

    def export_report(self: QualityStep) -> Task | None:
        stored = self.stored
        if stored is None or self.project is None:
            return None
        name = f"{stored.version.dataset_name}-v{stored.version.number}-quality.html"
        start = str(Path(self.project.path) / "exports" / name)
        path, _ = QFileDialog.getSaveFileName(self, "Export the quality report", start, "HTML report (*.html)")
        if not path:
            return None
        path = path if path.lower().endswith((".html", ".htm")) else path + ".html"
        quality = self.project.quality

        def work(progress):
            progress(0.1, "Writing the report")
            return quality.export_html(stored, path)

        task = self.work.start("export", f"Exporting the report of {stored.version.label}", work,
                               done=self._exported, failed=self._export_failed,
                               ended=lambda: self.export_button.setEnabled(self.stored is not None))
        self.export_button.setEnabled(False)
        return task

    def _exported(self: QualityStep, path: Path) -> None:
        url = QUrl.fromLocalFile(str(path)).toString()
        folder = QUrl.fromLocalFile(str(Path(path).parent)).toString()
        self._show_notice(f"Report saved to <a href=\"{escape(url, quote=True)}\">{escape(path)}</a> · "
                          f"<a href=\"{escape(folder, quote=True)}\">open the folder</a>")

    def _export_failed(self: QualityStep, error: BaseException) -> None:
        show_error(self, "Could not export the report", error)
