"""The Registry step's views of a version beyond its record: Explain, Fairness, and the compliance dossier.

A mixin of `RegistryStep` (panel.py). What the tabs show is read on a worker when a tab shows (once per
version: a version never changes), explanations of a file's rows when the user picks one, and the dossier
is written (HTML, and the PDF beside it) on a worker with progress and Cancel in the task bar. Curves and
explanations that first need a large model's training rows re-created run in a separate process
(`ui.work.separate_process`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFileDialog

from desktop_app.ui.widgets.errors import show_error, user_message
from desktop_app.ui.work import separate_process

if TYPE_CHECKING:
    from desktop_app.core.registry.entities import ModelVersion
    from desktop_app.ui.steps.registry.panel import RegistryStep
    from desktop_app.ui.work.tasks import Task

EXPLAINED_ROWS = 200
DATA_FILES = "Data files (*.csv *.tsv *.txt *.xlsx *.xls *.parquet);;All files (*)"


class RegistryInsight:
    """Explain and Fairness tabs, and "Compliance dossier…"."""

    def _load_insight(self: RegistryStep) -> None:
        version = self.tree.current_version()
        tabs = self.details.tabs
        if self.project is None:
            return
        if tabs.currentWidget() is self.details.explain:
            self._load_explain(version)
        elif tabs.currentWidget() is self.details.fairness:
            self._load_fairness(version)

    def _load_explain(self: RegistryStep, version: ModelVersion | None) -> None:
        tab = self.details.explain
        if version is None:
            tab.show_message("Select a version to see what drives its answers.")
            return
        if version.id in self.explained:
            tab.show_global(*self.explained[version.id])
            return
        tab.show_message(f"Reading what drives {version.label}…")
        project = self.project

        def work(progress) -> tuple[list, str | None, dict]:
            run = project.runs.get(version.run_id)
            curves = separate_process.call(project, "explain.dependence", version,
                                           needs=project.monitor.reference_bytes(version), progress=progress)
            return list(run.summary.get("feature_importance") or []), run.summary.get("importance_metric"), curves

        def done(found: tuple[list, str | None, dict]) -> None:
            self.explained[version.id] = found
            current = self.tree.current_version()
            if current is not None and current.id == version.id:
                tab.show_global(*found)

        self.work.start("explain", f"Explaining {version.label}", work, visible=False, done=done,
                        failed=lambda error: tab.show_message(f"Could not explain it: {user_message(error)}"))

    def _load_fairness(self: RegistryStep, version: ModelVersion | None) -> None:
        tab = self.details.fairness
        if version is None:
            tab.show_message("Select a version to see how it works for each group.")
            return
        runs = self.project.runs

        def done(run: Any) -> None:
            current = self.tree.current_version()
            if current is None or current.id != version.id:
                return
            groups = run.summary.get("groups") or {}
            if not groups:
                tab.show_message(f"{version.label} was not audited for fairness. Train it again with a fairness "
                                 "column (Train step → Fairness, or `mldesk train … --sensitive COLUMN`) to see its "
                                 "metrics for each group and the gaps between them.")
                return
            column, per_group = next(iter(groups.items()))
            from desktop_app.core.training.fairness import is_gap_metric

            tab.show_groups(column, per_group, {k: v for k, v in run.metrics.items() if is_gap_metric(k)},
                            bool(run.options.get("use_sensitive")))

        self.work.start("fairness", f"Reading the fairness audit of {version.label}",
                        lambda _p: runs.get(version.run_id), visible=False, done=done,
                        failed=lambda error: tab.show_message(f"Could not read it: {user_message(error)}"))

    def explain_rows(self: RegistryStep, path: str | None = None) -> Task | None:
        """Explain the first rows of a file (asked for when not given) with the selected version."""
        version = self.tree.current_version()
        if version is None or self.project is None:
            return None
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, f"Rows to explain with {version.label}", "", DATA_FILES)
            if not path:
                return None
        project = self.project
        return self.work.start("explain-rows", f"Explaining rows of {Path(path).name}",
                               lambda progress: separate_process.call(
                                   project, "explain.explain", version, path, rows=EXPLAINED_ROWS,
                                   needs=project.monitor.reference_bytes(version), progress=progress),
                               done=self.details.explain.show_rows,
                               failed=lambda error: show_error(self, "Could not explain these rows", error))

    def make_dossier(self: RegistryStep, path: str | None = None) -> Task | None:
        """Write the selected version's compliance dossier: the HTML file chosen, and its PDF beside it."""
        version = self.tree.current_version()
        if version is None or self.project is None:
            return None
        if path is None:
            suggested = str(Path.home() / f"{version.model_name}-v{version.number}-dossier.html")
            path, _ = QFileDialog.getSaveFileName(self, f"Save the dossier of {version.label}", suggested,
                                                  "HTML documents (*.html)")
            if not path:
                return None
        html_path = Path(path).with_suffix(".html")
        dossier = self.project.dossier

        def work(progress) -> tuple[Path, Path, int]:
            from desktop_app.ui.dossier_pdf import write_pdf

            html = dossier.html(version, progress=progress)
            html_path.write_text(html, encoding="utf-8")
            pdf_path = html_path.with_suffix(".pdf")
            return html_path, pdf_path, write_pdf(html, pdf_path)

        def done(written: tuple[Path, Path, int]) -> None:
            self.details.lineage.dossier_note.setText(
                f"Dossier written to {written[0]} and {written[1].name} ({written[2]} pages).")

        return self.work.start("dossier", f"Writing the dossier of {version.label}", work, done=done,
                               failed=lambda error: show_error(self, "Could not write the dossier", error))
