"""The audit trail: who changed what, where, when, from what to what, and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.core.identity import current_host, current_user
from desktop_app.core.store.models import AuditEventRow


@dataclass(frozen=True)
class AuditEvent:
    id: str
    at: datetime
    user: str
    host: str
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str


def record(
    session: Session,
    action: str,
    entity_type: str,
    entity_id: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> None:
    """Add an audit event to the caller's unit of work (committed with the change itself)."""
    session.add(
        AuditEventRow(
            user=current_user(),
            host=current_host(),
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            before=before,
            after=after,
            reason=reason,
        )
    )


def list_events(
    session: Session, entity_id: str | None = None, limit: int = 1000, *, entity_ids: Iterable[str] | None = None
) -> list[AuditEvent]:
    """Events, newest first: of one entity (`entity_id`), of any of `entity_ids`, or all."""
    query = select(AuditEventRow).order_by(AuditEventRow.at.desc()).limit(limit)
    if entity_id is not None:
        query = query.where(AuditEventRow.entity_id == entity_id)
    if entity_ids is not None:
        query = query.where(AuditEventRow.entity_id.in_(list(entity_ids)))
    return [
        AuditEvent(
            id=r.id, at=r.at, user=r.user, host=r.host, action=r.action, entity_type=r.entity_type,
            entity_id=r.entity_id, before=r.before, after=r.after, reason=r.reason,
        )
        for r in session.scalars(query)
    ]
