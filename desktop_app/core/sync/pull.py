"""Receiving the team's changes: each workstation's batches in sequence, one batch per transaction.

For every other workstation in the journal, starting after its cursor: read the next batch
(whole, or it waits), check that it follows the one before (`prev`), that its format and
schema are ones this MLDesk reads, that every object it names is in the shared folder and
matches its hash; copy those objects in (verified); then apply the batch and move the cursor
in one local transaction. Workstations are visited again while any made progress, because one
workstation's batch may need another's (a run trained on a colleague's dataset version).

Whatever stops a workstation's stream is reported as a `WaitingItem` with a sentence, and the
stream resumes there at the next sync.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.core.errors import MLDeskError
from desktop_app.core.progress import ProgressCallback, no_progress
from desktop_app.core.store.database import Database
from desktop_app.core.store.models import SyncCursorRow, utcnow
from desktop_app.core.store.objects import ObjectStore
from desktop_app.core.store.sqlite_file import known_revisions
from desktop_app.core.sync.apply import Waiting, apply_batch
from desktop_app.core.sync.batch import GENESIS, Batch, read_batch
from desktop_app.core.sync.folder import FORMAT, SharedFolder

RECEIVING_THREADS = 2


@dataclass(frozen=True)
class WaitingItem:
    workstation: str
    batch: int
    reason: str

    def sentence(self) -> str:
        return f"Batch {self.batch} of workstation {self.workstation[:8]} waits: {self.reason}."

    def to_dict(self) -> dict[str, Any]:
        return {"workstation": self.workstation, "batch": self.batch, "reason": self.reason,
                "message": self.sentence()}


@dataclass
class Pulled:
    records: int = 0
    batches: int = 0
    objects_received: int = 0
    waiting: list[WaitingItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def pull(db: Database, objects: ObjectStore, shared: SharedFolder, project_id: str,
         progress: ProgressCallback = no_progress) -> Pulled:
    done = Pulled()
    blocked: dict[str, WaitingItem] = {}
    moved = True
    while moved:
        moved = False
        for workstation in shared.workstations():
            if workstation == db.origin:
                continue
            while True:
                outcome = _next_batch(db, objects, shared, project_id, workstation, done, progress)
                if isinstance(outcome, WaitingItem):
                    blocked[workstation] = outcome
                    break
                if outcome is None:
                    blocked.pop(workstation, None)
                    break
                blocked.pop(workstation, None)
                moved = True
    done.waiting = sorted(blocked.values(), key=lambda w: (w.workstation, w.batch))
    return done


def _receive(objects: ObjectStore, source: Path, sha: str) -> bool:
    try:
        objects.adopt_copy(source, sha)
    except (MLDeskError, OSError):
        return False
    return True


def _cursor(db: Database, workstation: str) -> tuple[int, str]:
    with db.read() as session:
        row = session.get(SyncCursorRow, workstation)
        return (row.applied_batch, row.applied_hash) if row is not None else (0, GENESIS)


def _next_batch(db: Database, objects: ObjectStore, shared: SharedFolder, project_id: str, workstation: str,
                done: Pulled, progress: ProgressCallback) -> WaitingItem | bool | None:
    """Apply the workstation's next batch: True when applied, None when there is none, else why it waits."""
    applied, last_hash = _cursor(db, workstation)
    number = applied + 1
    files = shared.batches(workstation)
    path = files.get(number)
    if path is None:
        later = [n for n in files if n > number]
        return WaitingItem(workstation, number, "it has not arrived yet (later ones have)") if later else None

    def waiting(reason: str) -> WaitingItem:
        return WaitingItem(workstation, number, reason)

    try:
        data = path.read_bytes()
    except OSError as exc:
        return waiting(f"it cannot be read ({exc.strerror or exc})")
    batch = read_batch(data)
    if not isinstance(batch, Batch):
        return waiting(f"the file is {batch.reason}")
    header = batch.header
    if header.format > FORMAT or header.schema not in known_revisions():
        return waiting("it was written by a newer MLDesk; upgrade MLDesk to receive it")
    if header.project != project_id:
        return waiting("it belongs to another project")
    if header.workstation != workstation or header.seq != number:
        return waiting("its header names another place in the journal (the file was moved or renamed)")
    if header.prev != last_hash:
        return waiting("it does not follow the batch applied before it (that workstation's history was replaced); "
                       "ask its owner to run `mldesk doctor`")
    needed = sorted({sha for record in batch.records for sha in record.get("objects", ())})
    missing = [sha for sha in needed if not objects.exists(sha)]
    for sha in missing:
        if not shared.object_path(sha).is_file():
            return waiting(f"the stored file {sha[:12]}… it needs is not delivered yet")
    progress(0.0, f"Receiving {len(missing):,} stored file(s)")
    # Copied on two threads (reading, hashing and writing release the GIL); each is verified as it is
    # copied, and a damaged or half-delivered one is refused and not stored.
    with ThreadPoolExecutor(max_workers=RECEIVING_THREADS) as pool:
        refused = [sha for sha, ok in zip(missing, pool.map(
            lambda sha: _receive(objects, shared.object_path(sha), sha), missing)) if not ok]
    done.objects_received += len(missing) - len(refused)
    if refused:
        return waiting(f"the stored file {refused[0][:12]}… it needs is damaged in the shared folder (or still "
                       "being copied)")
    try:
        with db.session() as session:
            applied_now = apply_batch(session, batch, db.origin)
            cursor = session.get(SyncCursorRow, workstation)
            if cursor is None:
                cursor = SyncCursorRow(workstation_id=workstation)
                session.add(cursor)
            cursor.applied_batch, cursor.applied_hash, cursor.applied_at = number, batch.sha256, utcnow()
    except Waiting as exc:
        return waiting(str(exc))
    done.records += applied_now.records
    done.batches += 1
    done.notes += applied_now.notes
    progress(0.0, f"Received {done.records:,} change(s)")
    return True
