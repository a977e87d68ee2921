"""What every check receives, and the few helpers their messages share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.quality.findings import Finding
from desktop_app.core.quality.profile import ColumnProfile, TableProfile
from desktop_app.core.quality.thresholds import Thresholds

# Marks a check leaves on a column so that later checks do not report the same cause twice.
EMPTY, CONSTANT, NUMBERS_AS_TEXT, DATES_AS_TEXT, ID_LIKE, HIGH_CARDINALITY = (
    "empty", "constant", "numbers_as_text", "dates_as_text", "id_like", "high_cardinality",
)
CATEGORY_KINDS = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)
EVIDENCE = 20


@dataclass
class CheckContext:
    profile: TableProfile
    target: str | None
    thresholds: Thresholds
    marks: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # Positions of rows that copy an earlier row, found once by the duplicate check and
    # reused by the id check (an id repeats on a copied row).
    duplicates: np.ndarray | None = None

    @property
    def rows(self) -> int:
        return self.profile.rows

    @property
    def frame(self) -> pd.DataFrame:
        return self.profile.frame

    @property
    def sampled(self) -> bool:
        return self.profile.sampled

    @property
    def target_profile(self) -> ColumnProfile | None:
        return self.profile.columns[self.target] if self.target is not None else None

    def columns(self) -> Iterator[ColumnProfile]:
        return iter(self.profile.columns.values())

    def features(self, *skip_marks: str) -> Iterator[ColumnProfile]:
        """Every column except the target and those carrying any of `skip_marks`."""
        for col in self.profile.columns.values():
            if col.name != self.target and not (self.marks[col.name] & set(skip_marks)):
                yield col

    def mark(self, column: str, mark: str) -> None:
        self.marks[column].add(mark)

    def sample_note(self) -> str:
        return f" (estimated on a random sample of {count(self.profile.sample_size)} rows)" if self.sampled else ""


def count(n: int | float) -> str:
    return f"{int(n):,}"


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{count(n)} {word if n == 1 else (many or word + 's')}"


def share(x: float) -> str:
    """A share as a percentage with sensible precision: 8.1%, 0.05%, 100%."""
    pct = 100.0 * float(x)
    if pct == 0 or pct == 100:
        return f"{pct:.0f}%"
    if pct < 0.1 or pct > 99.9:
        return f"{pct:.2g}%" if pct < 0.1 else f"{pct:.2f}%"
    return f"{pct:.1f}%"


def quote(value: Any, width: int = 40) -> str:
    text = str(value)
    if len(text) > width:
        text = text[: width - 1] + "…"
    return f"'{text}'"


def number(x: float) -> str:
    """A number as a person would write it: 54, 54.5, 0.0031, 1.2e+07."""
    x = float(x)
    if x == int(x) and abs(x) < 1e12:
        return f"{int(x):,}"
    if abs(x) >= 1e6 or abs(x) < 1e-3:
        return f"{x:.3g}"
    return f"{x:,.4g}" if abs(x) < 1000 else f"{x:,.1f}"


def plain(value: Any) -> Any:
    """A cell value as a JSON-friendly Python value."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def top_values(col: ColumnProfile, indexes: np.ndarray, limit: int = 10) -> dict[str, int]:
    """{value: rows} for the distinct values at `indexes` (most common first), up to `limit`."""
    indexes = indexes[np.argsort(-col.counts[indexes], kind="stable")][:limit]
    return {str(col.uniques[i]): int(col.counts[i]) for i in indexes}


Findings = list[Finding]
