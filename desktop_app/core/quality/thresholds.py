"""Every number a check compares against, with its default and what it means.

The window shows `Thresholds().describe()` as an editable table; a changed set is
stored with the report (`to_dict`) so that the figures can be explained later.
docs/quality_checks.md gives the reasoning behind each default.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any


def _t(default: Any, meaning: str) -> Any:
    return field(default=default, metadata={"meaning": meaning})


@dataclass(frozen=True)
class Thresholds:
    # Size and sampling
    min_rows: int = _t(30, "Fewer rows than this gives a warning: a model learned from so few rows is unreliable.")
    sample_rows: int = _t(
        100_000, "Above this many rows, correlation, leakage, outlier limits and skew use a random sample of this size."
    )
    sample_seed: int = _t(0, "Seed of that random sample, so the same data always gives the same report.")
    # Missing values
    missing_warning_share: float = _t(
        0.05, "A column with at least this share of empty cells gives a warning (below: a note)."
    )
    missing_drop_share: float = _t(
        0.6, "A column with at least this share of empty cells is suggested for dropping, not filling."
    )
    # Column content
    near_constant_share: float = _t(
        0.99, "A column whose most common value fills at least this share of rows is near-constant."
    )
    id_unique_share: float = _t(
        0.99, "A text or whole-number column with at least this share of distinct values is id-like."
    )
    id_min_rows: int = _t(20, "Id-like columns are only looked for in tables with at least this many rows.")
    high_cardinality_max: int = _t(50, "A category column with more distinct values than this has high cardinality.")
    merge_keep_max: int = _t(20, "Merging categories keeps at most this many of the most common values.")
    rare_share: float = _t(0.01, "A category seen in fewer than this share of rows is rare.")
    # Types
    numeric_text_share: float = _t(
        0.8, "A text column in which at least this share of values read as numbers holds numbers stored as text."
    )
    date_text_share: float = _t(
        0.9, "A text column in which at least this share of values read as dates holds dates stored as text."
    )
    # Distributions
    outlier_iqr_factor: float = _t(
        3.0, "Outliers lie below Q1 − k·IQR or above Q3 + k·IQR (Tukey's 'far out' fences); this is k."
    )
    outlier_warning_share: float = _t(0.05, "Outliers in at least this share of rows give a warning (below: a note).")
    skew_threshold: float = _t(
        2.0,
        "A numeric column whose skewness is beyond ±this value (and beyond half of it without its outliers) "
        "is strongly skewed.",
    )
    skew_min_distinct: int = _t(10, "Skew is only judged for columns with at least this many distinct values.")
    # Target
    imbalance_share: float = _t(
        0.2, "A class target whose smallest class has less than this share of rows is imbalanced."
    )
    classification_max_classes: int = _t(
        20, "A numeric target with at most this many distinct whole-number values is treated as classes."
    )
    leakage_score: float = _t(
        0.9,
        "A single column scoring at least this on held-out rows (accuracy gain over guessing, or R² of the "
        "target or of its ranks) predicts the target suspiciously well.",
    )
    # Relations between columns
    correlation: float = _t(
        0.95, "Two numeric columns whose correlation is at least this (in absolute value) are highly correlated."
    )

    def __post_init__(self) -> None:
        from desktop_app.core.quality.errors import QualityError

        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.endswith("_share") or f.name in ("leakage_score", "correlation"):
                if not 0.0 <= float(value) <= 1.0:
                    raise QualityError(f"The threshold '{f.name}' must be between 0 and 1, not {value}.")
            elif f.name != "sample_seed" and float(value) <= 0:
                raise QualityError(f"The threshold '{f.name}' must be above 0, not {value}.")

    def describe(self) -> list[tuple[str, Any, str]]:
        """(name, value, meaning) for each threshold, in a stable order."""
        return [(f.name, getattr(self, f.name), f.metadata["meaning"]) for f in fields(self)]

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Thresholds:
        """A Thresholds from stored values; unknown names are ignored, missing ones keep their default."""
        values: dict[str, Any] = {}
        defaults = cls()
        for f in fields(cls):
            if data and f.name in data and data[f.name] is not None:
                values[f.name] = type(getattr(defaults, f.name))(data[f.name])
        return cls(**values)

    def with_changes(self, **changes: Any) -> Thresholds:
        return replace(self, **changes)
