"""Publishing this workstation's changes: objects first, then batches, then the local cursor.

Its own audit events after the last published one become records (`sync.records`), up to
BATCH_RECORDS per batch. For each batch, every object its records name is copied into the
shared `objects/` and verified there *before* the batch is written (a reader never finds a
record whose object was not published); then the batch is written once; then the local
cursor moves. A crash before the cursor moves leaves a published batch the next run
recognises as its own (its first record is the next event to publish) and adopts.

If the journal holds a batch under this workstation's id that this workstation did not write,
the project folder was copied (or restored from a backup) and another copy publishes under the
same id: this one takes a new id (`take_new_identity`) and publishes what it had not yet
published under it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from desktop_app.core.errors import IntegrityError
from desktop_app.core.progress import ProgressCallback, no_progress
from desktop_app.core.store import changes
from desktop_app.core.store.audit_chain import GENESIS as CHAIN_GENESIS
from desktop_app.core.store.audit_chain import event_hash
from desktop_app.core.store.database import Database
from desktop_app.core.store.models import AuditEventRow, SyncCursorRow, SyncStateRow, WorkstationRow, new_id, utcnow
from desktop_app.core.store.objects import ObjectStore
from desktop_app.core.sync.batch import Batch, BatchHeader, batch_name, encode_batch, read_batch
from desktop_app.core.sync.folder import FORMAT, SharedFolder
from desktop_app.core.sync.records import build_record

BATCH_RECORDS = 500


@dataclass
class Published:
    records: int = 0
    batches: int = 0
    objects_sent: int = 0
    new_identity: str | None = None      # the id this workstation took, when its old one was reused


def publish(db: Database, objects: ObjectStore, shared: SharedFolder, project_id: str, schema: str,
            progress: ProgressCallback = no_progress) -> Published:
    """Publish every own event not published yet (see the module doc)."""
    done = Published()
    while True:
        first = _unpublished(db, limit=1)
        if not first:
            return done
        if _identity_reused(db, shared, first[0]) is not None:
            done.new_identity = take_new_identity(db)
            continue
        with db.read() as session:    # again: an adopted batch may have moved the cursor
            events = _unpublished(db, limit=BATCH_RECORDS, session=session)
            records = [build_record(session, event) for event in events]
        if not events:
            return done
        for sha in sorted({sha for record in records for sha in record["objects"]}):
            progress(0.0, f"Sending stored file {sha[:12]}…")
            if shared.publish_object(objects.path(sha), sha):
                done.objects_sent += 1
        with db.read() as session:
            state = session.get_one(SyncStateRow, "local")
            header = BatchHeader(FORMAT, schema, project_id, db.origin, state.published_batch + 1,
                                 state.published_hash, utcnow().isoformat())
        data = encode_batch(header, records)
        try:   # written outside any local transaction: a slow share never holds up local work
            shared.write_once(shared.journal / db.origin / batch_name(header.seq), data)
        except IntegrityError:
            continue   # another sync of this project wrote that batch a moment ago: adopt it (above)
        batch = read_batch(data)
        assert isinstance(batch, Batch)
        with db.session() as session:
            state = session.get_one(SyncStateRow, "local")
            if state.published_batch == header.seq - 1:
                state.published_batch, state.published_hash = header.seq, batch.sha256
                state.published_seq = events[-1].seq
        done.records += len(records)
        done.batches += 1
        progress(0.0, f"Published {done.records:,} change(s)")


def _unpublished(db: Database, limit: int, session: Session | None = None) -> list[AuditEventRow]:
    """This workstation's events not published yet, oldest first."""
    if session is None:
        with db.read() as own:
            return _unpublished(db, limit, own)
    published_seq = session.get_one(SyncStateRow, "local").published_seq
    return list(session.scalars(select(AuditEventRow).where(
        AuditEventRow.origin == db.origin, AuditEventRow.seq > published_seq).order_by(AuditEventRow.seq).limit(limit)))


def _identity_reused(db: Database, shared: SharedFolder, first_event: AuditEventRow) -> str | None:
    """Why the journal under this workstation's id is not only this workstation's, or None.

    A batch beyond the last one published here whose first record is the next event to
    publish was written here before a crash: it is adopted (the cursor moves) and None returned.
    """
    with db.read() as session:
        state = session.get_one(SyncStateRow, "local")
        published_batch, published_hash = state.published_batch, state.published_hash
    files = shared.batches(db.origin)
    if published_batch and published_batch in files:
        written = read_batch(files[published_batch].read_bytes())
        if isinstance(written, Batch) and written.sha256 != published_hash:
            return f"batch {published_batch} under this workstation's id is not the one it wrote"
    following = files.get(published_batch + 1)
    if following is None:
        return None
    written = read_batch(following.read_bytes())
    if not isinstance(written, Batch):
        return f"batch {published_batch + 1} under this workstation's id was written elsewhere"
    first = written.records[0]["event"]["id"] if written.records else None
    if first != first_event.id or written.header.prev != published_hash:
        return f"batch {published_batch + 1} under this workstation's id holds changes it did not make"
    last_seq = written.records[-1]["event"]["seq"]
    with db.session() as session:                       # ours, written before a crash: adopt it
        state = changes.state(session)
        state.published_batch, state.published_hash, state.published_seq = \
            written.header.seq, written.sha256, last_seq
    return None


def take_new_identity(db: Database) -> str:
    """This folder is a copy: it becomes a new workstation; its unpublished events move to the new id.

    What it published under the old id stays there (the other copy holds the same); the old id
    becomes another workstation whose journal is applied from where this one stopped writing it.
    """
    new = new_id()
    old = db.origin
    with db.session() as session:
        state = changes.state(session)
        unpublished = list(session.scalars(select(AuditEventRow).where(
            AuditEventRow.origin == old, AuditEventRow.seq > state.published_seq).order_by(AuditEventRow.seq)))
        fields = [{name: getattr(e, name) for name in (
            "id", "at", "user", "host", "action", "entity_type", "entity_id", "before", "after", "reason")}
            for e in unpublished]
        session.execute(delete(AuditEventRow).where(AuditEventRow.id.in_([e.id for e in unpublished])))
        old_row = session.get_one(WorkstationRow, old)
        old_row.is_local = False
        session.add(WorkstationRow(id=new, host=old_row.host, is_local=True))
        session.add(SyncCursorRow(workstation_id=old, applied_batch=state.published_batch,
                                  applied_hash=state.published_hash))
        previous = CHAIN_GENESIS
        for seq, event in enumerate(fields, start=1):
            event.update(origin=new, seq=seq, prev_hash=previous)
            previous = event_hash(event)
            session.add(AuditEventRow(**event, hash=previous))
        state.published_seq, state.published_batch, state.published_hash = 0, 0, "0" * 64
        session.flush()
    db.origin = new
    return new
