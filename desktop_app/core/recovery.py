"""Clearing what processes that stopped mid-work left behind: done on every open of a project.

A process killed mid-work (kill -9, power cut, a frozen machine restarted) cannot clean up
after itself. What it leaves carries its owner (`owners`), so another process can tell
leftovers from work still going on:
- runs left `queued` or `running` by a process that is gone become `interrupted` (audited);
- staging files in `objects/tmp` and unfinished exports (`.mldesk-export-…`) of dead
  processes are removed.
Cheap (one indexed query and two folder listings), so `Project.open` runs it every time;
`doctor` checks and clears further.
"""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.bundles.service import remove_stale_exports
from desktop_app.core.owners import Owner
from desktop_app.core.store.objects import ObjectStore
from desktop_app.core.tracking.service import RunService


def recover(runs: RunService, objects: ObjectStore, exports: Path) -> tuple[str, ...]:
    """Clear what processes that are gone left in the project; one sentence per thing cleared."""
    cleared = list(_interrupt_orphaned_runs(runs))
    sizes = [size for path in objects.stale_staging_files() if (size := _remove_file(path)) is not None]
    if sizes:
        cleared.append(f"Removed {count(len(sizes), 'unfinished stored file')} ({_megabytes(sum(sizes))}) that a "
                       "stopped process left in objects/tmp.")
    cleared += exports_cleared(remove_stale_exports(exports))
    return tuple(cleared)


def owner_gone(owner: dict | None) -> bool:
    parsed = Owner.from_dict(owner)
    # A run without an owner was queued by an MLDesk that recorded none: its process is long gone.
    return parsed is None or parsed.alive() is False


def _interrupt_orphaned_runs(runs: RunService) -> list[str]:
    from desktop_app.core.tracking.entities import RunStatus

    cleared = []
    for run in runs.unfinished():
        if not owner_gone(run.owner):
            continue
        owner = Owner.from_dict(run.owner)
        who = f"process {owner.pid} on {owner.host}" if owner else "an earlier MLDesk"
        ended = runs.mark_ended(
            run.id, RunStatus.INTERRUPTED,
            f"The {who} that held this run stopped before it ended (closed, killed or a power cut); "
            "nothing of it was kept — run it again (Re-run).")
        if ended.status == RunStatus.INTERRUPTED:
            cleared.append(f"Run {run.short_id} ({run.algorithm} on {run.dataset_label}) was left {run.status.value} "
                           f"by a process that stopped; it is now marked interrupted.")
    return cleared


def _remove_file(path: Path) -> int | None:
    """Remove a leftover file; its size, or None when it is gone already or cannot be removed."""
    try:
        size = path.stat().st_size
        path.unlink()
    except OSError:
        return None
    return size


def exports_cleared(removed: list[Path]) -> list[str]:
    if not removed:
        return []
    where = sorted({str(p.parent) for p in removed})
    return [f"Removed {count(len(removed), 'unfinished export')} that a stopped process left in "
            f"{', '.join(where)}."]


def count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB" if size >= 100_000 else f"{size / 1e3:,.0f} kB"
