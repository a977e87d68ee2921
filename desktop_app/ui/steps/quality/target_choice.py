"""The target the Quality step preselects for a version nobody has checked yet.

A newcomer opening the sample saw "No target", ran the checks, and missed the class-imbalance
warning that the whole story hangs on. So: the target this dataset was last checked or trained
with (any of its versions), else the last column when it is yes/no — where tables usually keep
the outcome, and what the Train step proposes too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop_app.core.data.entities import DatasetVersionInfo
    from desktop_app.core.project import Project


def likely_target(project: Project, version: DatasetVersionInfo,
                  versions: list[DatasetVersionInfo]) -> tuple[str | None, str]:
    """(column or None, why in a few words) for `version`; `versions` are the project's versions."""
    columns = {c.name for c in version.columns}
    used = _last_used(project, [v for v in versions if v.dataset_id == version.dataset_id] or [version], columns)
    if used is not None:
        return used
    last = version.columns[-1] if version.columns else None
    if last is not None and str(last.kind) == "boolean":
        return last.name, "guessed: the last yes/no column"
    return None, ""


def _last_used(project: Project, versions: list[DatasetVersionInfo],
               columns: set[str]) -> tuple[str, str] | None:
    """The newest target among this dataset's quality reports and runs that `columns` still holds."""
    ids = {v.id for v in versions}
    found = []   # (when, target, why)
    try:
        run = next((r for r in project.runs.list() if r.dataset_version_id in ids and r.target in columns), None)
        if run is not None:
            found.append((run.created_at, run.target, "as in the last run"))
        for other in versions:
            report = next((s for s in project.quality.reports(other) if s.report.target in columns), None)
            if report is not None:
                found.append((report.created_at, report.report.target, f"as checked on {other.label}"))
    except Exception:  # noqa: BLE001 - a guess only: without it the user picks the target
        return None
    if not found:
        return None
    _when, target, why = max(found, key=lambda f: _naive(f[0]))
    return target, why


def _naive(when):
    """Times from the store may or may not carry a zone: compare them as UTC wall clock."""
    return when.replace(tzinfo=None) if getattr(when, "tzinfo", None) is not None else when
