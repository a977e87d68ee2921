"""The audit trail's plain object, `AuditEvent`: what the services hand out when asked for history.

It lives outside `core.store` (which keeps the rows, the chain and the writing) so that the front
ends can name the type: the window never imports `core.store`. `core.store.audit` re-exports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class AuditEvent:
    """One change in the trail: when, who@host, what (`action` on `entity_type` `entity_id`),
    the state before and after (JSON, None when there was none), and the reason given."""

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
