"""Quality checks and fixes on stored dataset versions; reached as `project.quality`.

Each run of the checks is saved for its dataset version. Applying fixes makes a new
version whose parent and recipe are recorded, so the same steps can be replayed on
a new file of the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from desktop_app.core import memory
from desktop_app.core.data.entities import DatasetVersionInfo, ImportResult
from desktop_app.core.identity import current_host, current_user
from desktop_app.core.progress import ProgressCallback, no_progress, scaled
from desktop_app.core.store import audit
from desktop_app.core.store.models import QualityReportRow

if TYPE_CHECKING:
    from desktop_app.core.data.service import DatasetService
    from desktop_app.core.quality.recipe import RecipeStep
    from desktop_app.core.quality.report import QualityReport
    from desktop_app.core.quality.thresholds import Thresholds
    from desktop_app.core.store.database import Database


@dataclass(frozen=True)
class StoredReport:
    id: str
    version: DatasetVersionInfo
    report: QualityReport
    created_at: datetime
    created_by: str


class QualityService:
    def __init__(self, db: Database, datasets: DatasetService) -> None:
        self._db = db
        self._datasets = datasets

    def _version(self, version: DatasetVersionInfo | str) -> DatasetVersionInfo:
        return self._datasets.get_version(version) if isinstance(version, str) else version

    def memory_needed(self, version: DatasetVersionInfo | str) -> int:
        """Peak memory of `check(version)` (an estimate, nothing loaded)."""
        return memory.step_bytes("check", self._datasets.table_bytes(self._version(version))) or 0

    def check(
        self,
        version: DatasetVersionInfo | str,
        target: str | None = None,
        thresholds: Thresholds | None = None,
        progress: ProgressCallback = no_progress,
    ) -> StoredReport:
        """Run every check on a dataset version and save the report."""
        from desktop_app.core.quality.checks import run_checks
        from desktop_app.core.quality.thresholds import Thresholds

        version = self._version(version)
        memory.ensure_fits(f"Checking {version.label}", self.memory_needed(version))
        progress(0.0, f"Loading {version.label}")
        frame = self._datasets.load(version)
        report = run_checks(frame, version.kinds, target, thresholds or Thresholds(), scaled(progress, 0.1, 0.97))
        memory.let_go(frame)   # now, a column at a time: not all at once in whichever thread drops it last
        del frame
        counts = report.summary()
        with self._db.session() as session:
            row = QualityReportRow(
                dataset_version_id=version.id, target=target, errors=counts["errors"], warnings=counts["warnings"],
                infos=counts["info"], report=report.to_dict(), created_by=current_user(), host=current_host(),
            )
            session.add(row)
            session.flush()
            audit.record(session, "quality.report", "quality_report", row.id, after={
                "dataset": version.label, "dataset_sha256": version.sha256, "target": target,
                "errors": counts["errors"], "warnings": counts["warnings"], "info": counts["info"],
                "checks": sorted({f.check for f in report.findings})})
            stored = StoredReport(row.id, version, report, row.created_at, row.created_by)
        progress(1.0, counts["text"])
        return stored

    def reports(self, version: DatasetVersionInfo | str) -> list[StoredReport]:
        """Saved reports of a version, newest first."""
        from desktop_app.core.quality.report import QualityReport

        version = self._version(version)
        with self._db.read() as session:
            rows = session.scalars(
                select(QualityReportRow)
                .where(QualityReportRow.dataset_version_id == version.id)
                .order_by(QualityReportRow.created_at.desc())
            ).all()
            return [
                StoredReport(r.id, version, QualityReport.from_dict(r.report), r.created_at, r.created_by) for r in rows
            ]

    def latest(self, version: DatasetVersionInfo | str, target: str | None = None) -> StoredReport | None:
        """The newest saved report of a version (for a given target, when one is named)."""
        for stored in self.reports(version):
            if target is None or stored.report.target == target:
                return stored
        return None

    def apply_fixes(
        self, version: DatasetVersionInfo | str, steps: list[RecipeStep], progress: ProgressCallback = no_progress
    ) -> ImportResult:
        """Apply `steps` to a version and store the result as the next version of its dataset."""
        from desktop_app.core.quality.recipe import apply_recipe, recipe_to_list

        version = self._version(version)
        progress(0.0, f"Loading {version.label}")
        frame = self._datasets.load(version)
        fixed, kinds = apply_recipe(frame, version.kinds, steps, scaled(progress, 0.1, 0.6))
        recipe = list(version.recipe or []) + recipe_to_list(steps)

        def record_fix(session, row) -> None:  # in the new version's own transaction
            audit.record(
                session, "quality.fix", "dataset_version", row.id,
                before={"version": version.label, "rows": version.rows, "columns": version.n_columns},
                after={"version": f"{version.dataset_name}@{row.number}", "rows": row.rows,
                       "columns": row.n_columns, "steps": recipe_to_list(steps)},
            )

        return self._datasets.derive(version, fixed, kinds, recipe, scaled(progress, 0.6, 1.0),
                                             also_record=(record_fix,))

    def replay_recipe(
        self, recipe_from: DatasetVersionInfo | str, onto: DatasetVersionInfo | str,
        progress: ProgressCallback = no_progress,
    ) -> ImportResult:
        """Apply the whole recipe that made `recipe_from` to another version (e.g. a new file of the same shape)."""
        from desktop_app.core.quality.recipe import recipe_from_list

        source = self._version(recipe_from)
        return self.apply_fixes(onto, recipe_from_list(source.recipe), progress)

    def export_html(self, stored: StoredReport, path: str | Path) -> Path:
        """Write a self-contained HTML report (charts embedded) that can be mailed as one file."""
        from desktop_app.core.quality.report_html import render_html

        frame = self._datasets.load(stored.version)
        path = Path(path)
        path.write_text(render_html(stored.report, frame, stored.version.label), encoding="utf-8")
        return path
