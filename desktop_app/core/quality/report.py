"""The result of one run of the checks, as stored and shown."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from desktop_app.core.quality.findings import Finding, Severity
from desktop_app.core.quality.thresholds import Thresholds

FORMAT_VERSION = 1


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@dataclass
class QualityReport:
    findings: list[Finding]
    target: str | None
    thresholds: Thresholds = field(default_factory=Thresholds)
    rows: int = 0
    columns: int = 0
    sample_rows: int | None = None  # size of the random sample the expensive checks used; None: all rows
    seconds: float = 0.0

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def summary(self) -> dict[str, Any]:
        counts = Counter(f.severity for f in self.findings)
        errors, warnings, info = counts[Severity.ERROR], counts[Severity.WARNING], counts[Severity.INFO]
        return {
            "errors": errors,
            "warnings": warnings,
            "info": info,
            "text": f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}",
        }

    def by_severity(self) -> dict[Severity, list[Finding]]:
        return {s: [f for f in self.findings if f.severity == s] for s in Severity}

    def for_column(self, column: str) -> list[Finding]:
        return [f for f in self.findings if f.column == column]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "target": self.target,
            "rows": self.rows,
            "columns": self.columns,
            "sample_rows": self.sample_rows,
            "seconds": round(float(self.seconds), 4),
            "thresholds": self.thresholds.to_dict(),
            "summary": self.summary(),
            "findings": [f.to_dict() for f in self.findings],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QualityReport:
        return cls(
            findings=[Finding.from_dict(f) for f in data.get("findings", [])],
            target=data.get("target"),
            thresholds=Thresholds.from_dict(data.get("thresholds")),
            rows=int(data.get("rows", 0)),
            columns=int(data.get("columns", 0)),
            sample_rows=data.get("sample_rows"),
            seconds=float(data.get("seconds", 0.0)),
        )
