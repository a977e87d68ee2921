"""`mldesk doctor`: check a project through and through, and clear what crashes left behind.

Opening a project already clears what stopped processes left (`recovery`). `examine` adds what
takes longer or reads further: SQLite's own integrity check (read-only, before opening), every
stored object against its hash, the audit chain, and unfinished exports in every folder the
audit trail records an export to. What it cannot repair — a damaged database page, a missing or
damaged object, an altered audit trail — it reports with what to do.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.core.errors import MLDeskError, ProjectError
from desktop_app.core.progress import ProgressCallback, no_progress
from desktop_app.core.recovery import count, exports_cleared, owner_gone

if TYPE_CHECKING:
    from desktop_app.core.project import Project


@dataclass(frozen=True)
class DoctorReport:
    """What was repaired, what is still wrong (with what to do), and what was checked and found sound."""

    repaired: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    checked: tuple[str, ...] = ()

    @property
    def healthy(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"healthy": self.healthy, "repaired": list(self.repaired), "problems": list(self.problems),
                "checked": list(self.checked)}


def examine(path: str | os.PathLike, *, repair: bool = True, progress: ProgressCallback = no_progress,
            ) -> DoctorReport:
    """Check the project at `path` through and through; with `repair`, clear what can be cleared."""
    from desktop_app.core.project import DB_FILE, Project

    folder = Path(path).expanduser()
    database = folder / DB_FILE
    checked: list[str] = []
    progress(0.0, "Checking the database file")
    if database.is_file():
        damage = _sqlite_damage(database)
        if damage:
            return DoctorReport(problems=(damage,))
        checked.append("The database passed SQLite's integrity check.")
    problems: list[str] = []
    with Project.open(folder, recover=repair) as project:
        repaired = list(project.recovered)
        if repair:
            progress(0.1, "Looking for unfinished exports")
            repaired += _all_export_folders(project)
        else:
            pending = [run for run in project.runs.unfinished() if owner_gone(run.owner)]
            if pending:
                problems.append(f"{count(len(pending), 'run')} left queued or running by a process that "
                                "stopped; run `mldesk doctor` without --no-repair to mark them interrupted.")
        progress(0.3, "Checking stored files")
        checked.append(_objects_check(project, problems, progress))
        progress(0.95, "Checking the audit trail")
        checked.append(_audit_check(project, problems))
    progress(1.0, "Done")
    return DoctorReport(tuple(repaired), tuple(problems), tuple(c for c in checked if c))


def _all_export_folders(project: Project) -> list[str]:
    from desktop_app.core.bundles.service import remove_stale_exports

    removed: list[Path] = []
    for folder in project.bundles.export_folders():
        if folder == project.bundles.default_folder:
            continue  # cleared on open already
        try:
            removed += remove_stale_exports(folder)
        except MLDeskError:
            continue  # a network folder that is not reachable now: nothing to clear there today
    return exports_cleared(removed)


# -- checks --------------------------------------------------------------------------------------


def _sqlite_damage(database: Path) -> str | None:
    """SQLite's own verdict on the file, read-only; a sentence when it is damaged."""
    from desktop_app.core.store.sqlite_file import inspect_sqlite_file

    try:
        inspect_sqlite_file(database)
        con = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
        try:
            found = [row[0] for row in con.execute("PRAGMA integrity_check(5)")]
        finally:
            con.close()
    except ProjectError as exc:
        return str(exc)
    except sqlite3.DatabaseError as exc:
        found = [str(exc)]
    if found == ["ok"]:
        return None
    return (f"The project database {database} is damaged (SQLite: {'; '.join(found)}); MLDesk cannot repair it — "
            "restore mldesk.db from a backup or the shared folder (objects/ can stay as it is).")


def _objects_check(project: Project, problems: list[str], progress: ProgressCallback) -> str:
    from sqlalchemy import select

    from desktop_app.core.errors import IntegrityError, NotFoundError
    from desktop_app.core.store.models import DatasetVersionRow, ModelVersionRow, MonitorReferenceRow, RunRow

    wanted: dict[str, str] = {}
    with project.db.read() as session:
        for sha, label in session.execute(select(DatasetVersionRow.sha256, DatasetVersionRow.id)):
            wanted.setdefault(sha, f"dataset version {label[:8]}")
        for model, curves, run_id in session.execute(select(RunRow.model_sha256, RunRow.curves_sha256, RunRow.id)):
            for run_sha, what in ((model, "model"), (curves, "curves")):
                if run_sha:
                    wanted.setdefault(run_sha, f"the {what} of run {run_id[:8]}")
        for sha, number in session.execute(select(ModelVersionRow.model_sha256, ModelVersionRow.number)):
            wanted.setdefault(sha, f"model version {number}")
        for (sha,) in session.execute(select(MonitorReferenceRow.stats_sha256)):
            wanted.setdefault(sha, "drift reference statistics")
    bad = []
    for i, (sha, what) in enumerate(sorted(wanted.items())):
        progress(0.3 + 0.65 * i / max(1, len(wanted)), f"Checking stored file {i + 1:,} of {len(wanted):,}")
        try:
            project.objects.verify(sha)
        except (NotFoundError, IntegrityError) as exc:
            bad.append(f"{what}: {exc}")
    if bad:
        problems.append(f"{count(len(bad), 'stored file')} of {len(wanted):,} missing or damaged — "
                        + " ".join(bad[:5]) + (f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""))
        return ""
    if len(wanted) == 1:
        return "The one stored file is present and matches its hash."
    return f"All {len(wanted):,} stored files are present and match their hashes."


def _audit_check(project: Project, problems: list[str]) -> str:
    from desktop_app.core.store import audit

    with project.db.read() as session:
        report = audit.verify(session)
    if not report.intact:
        problems.append(report.summary() + " The trail is kept as it is: this is evidence; find out who changed it.")
        return ""
    return report.summary()


