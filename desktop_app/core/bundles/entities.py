"""Plain objects the bundle service hands out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class VerificationResult:
    """Whether the bundle's predict.py, run in its own process, predicts exactly as the app does."""

    ok: bool
    reason: str                                  # one sentence: why it passed, failed or was skipped
    rows_checked: int = 0
    checks: tuple[dict[str, Any], ...] = ()      # per input: name, rows, labels_equal, max_abs_diff
    skipped: bool = False
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "skipped": self.skipped, "reason": self.reason, "rows_checked": self.rows_checked,
                "checks": [dict(c) for c in self.checks], "seconds": round(self.seconds, 3)}


@dataclass(frozen=True)
class ExportResult:
    model: str                       # "heart-risk@3" or "run 1a2b3c4d"
    path: Path                       # the bundle folder, or the zip file
    zipped: bool
    files: tuple[str, ...]           # paths inside the bundle, as SHA256SUMS lists them (and SHA256SUMS)
    size_bytes: int
    model_sha256: str
    sums_sha256: str                 # hash of SHA256SUMS itself: check a copy of the bundle against it
    verification: VerificationResult | None = None
    seconds: float = 0.0
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "path": str(self.path), "zipped": self.zipped, "files": list(self.files),
                "size_bytes": self.size_bytes, "model_sha256": self.model_sha256, "sums_sha256": self.sums_sha256,
                "verification": self.verification.to_dict() if self.verification else None,
                "seconds": round(self.seconds, 3), "notes": list(self.notes)}
