"""The audit trail: who changed what, where, when, from what to what, and why.

Events are written in the same unit of work as the change they describe, and chained
(`audit_chain`): each workstation's events are numbered and each carries the hash of the
one before, so `verify` finds an event that was edited, removed or inserted later.
They are read back as `AuditEvent` (defined in `core.audit_entities`, re-exported here).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.core.audit_entities import AuditEvent  # re-exported: core callers name it audit.AuditEvent
from desktop_app.core.identity import current_host, current_user
from desktop_app.core.store.audit_chain import GENESIS, ChainReport, event_hash, plain, verify_events
from desktop_app.core.store.models import AuditEventRow, WorkstationRow, new_id, utcnow


def record(
    session: Session,
    action: str,
    entity_type: str,
    entity_id: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> str:
    """Add an audit event to the caller's unit of work (committed with the change itself); its id.

    The event extends this workstation's chain: the chain's row is locked first (a no-op on
    SQLite, whose write transactions are serialised already) so that two processes never
    take the same sequence number.
    """
    origin = session.info.get("origin")
    if not origin:
        raise RuntimeError("audit.record needs a session from Database.session() of an open project")
    session.execute(select(WorkstationRow.id).where(WorkstationRow.id == origin).with_for_update())
    last = session.execute(
        select(AuditEventRow.seq, AuditEventRow.hash)
        .where(AuditEventRow.origin == origin).order_by(AuditEventRow.seq.desc()).limit(1)
    ).first()
    fields = {
        "id": new_id(), "origin": origin, "seq": (last.seq + 1) if last else 1, "at": utcnow(),
        "user": current_user(), "host": current_host(), "action": action, "entity_type": entity_type,
        "entity_id": entity_id, "before": plain(before), "after": plain(after), "reason": reason or "",
        "prev_hash": last.hash if last else GENESIS,
    }
    session.add(AuditEventRow(**fields, hash=event_hash(fields)))
    session.flush()  # the next event of this unit of work reads this one as its predecessor
    return fields["id"]


def list_events(
    session: Session, entity_id: str | None = None, limit: int = 1000, *, entity_ids: Iterable[str] | None = None,
    action: str | None = None,
) -> list[AuditEvent]:
    """Events, newest first: of one entity (`entity_id`), of any of `entity_ids`, or all; of one `action` only
    when it is given."""
    query = select(AuditEventRow).order_by(AuditEventRow.at.desc(), AuditEventRow.seq.desc()).limit(limit)
    if entity_id is not None:
        query = query.where(AuditEventRow.entity_id == entity_id)
    if entity_ids is not None:
        query = query.where(AuditEventRow.entity_id.in_(list(entity_ids)))
    if action is not None:
        query = query.where(AuditEventRow.action == action)
    return [
        AuditEvent(
            id=r.id, at=r.at, user=r.user, host=r.host, action=r.action, entity_type=r.entity_type,
            entity_id=r.entity_id, before=r.before, after=r.after, reason=r.reason,
        )
        for r in session.scalars(query)
    ]


def verify(session: Session) -> ChainReport:
    """Walk every chain in the trail and report where it breaks (read in batches: trails grow long)."""
    columns = [getattr(AuditEventRow, name) for name in (
        "id", "origin", "seq", "at", "user", "host", "action", "entity_type", "entity_id", "before", "after",
        "reason", "prev_hash", "hash")]
    rows = session.execute(
        select(*columns).order_by(AuditEventRow.origin, AuditEventRow.seq).execution_options(yield_per=2000))
    return verify_events(row._asdict() for row in rows)
