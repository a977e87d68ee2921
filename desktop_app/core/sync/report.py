"""What a sync did: sent, received, waiting, in conflict, left alone (`SyncService.sync`, `sync.idle`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class SyncReport:
    folder: str
    published: int = 0
    applied: int = 0
    objects_sent: int = 0
    objects_received: int = 0
    waiting: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    strays: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"folder": self.folder, "published": self.published, "applied": self.applied,
                "objects_sent": self.objects_sent, "objects_received": self.objects_received,
                "waiting": self.waiting, "conflicts": self.conflicts, "strays": self.strays, "notes": self.notes}
