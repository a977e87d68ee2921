"""Words, colours and icons for quality findings, shared by the Quality step and (later) Train.

Severities arrive from the core as `Severity` (a str enum: "error", "warning", "info"); this
module compares them as plain strings so that it never has to import the core (pandas).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QIcon, QPainter, QPen

from desktop_app.ui.icons import crisp_icon
from desktop_app.ui.text.formatting import exact_time, plural, relative_time

if TYPE_CHECKING:
    from desktop_app.core.data.entities import DatasetVersionInfo
    from desktop_app.core.quality.service import StoredReport
    from desktop_app.core.quality.thresholds import Thresholds

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
SEVERITY_NAME = {"error": "Error", "warning": "Warning", "info": "Note"}
SEVERITY_PLURAL = {"error": "Errors", "warning": "Warnings", "info": "Notes"}
SEVERITY_COLOR = {"error": "#c62828", "warning": "#d08400", "info": "#2f6fcf"}
SEVERITY_MEANING = {
    "error": "Fix before training: training would fail or the model would mislead.",
    "warning": "Likely to hurt a model or its evaluation; worth a look.",
    "info": "Good to know; often fine as it is.",
}

CHECK_TITLES = {
    "too_few_rows": "Too few rows",
    "empty_column": "Empty column",
    "missing_values": "Missing values",
    "missing_target": "Missing target",
    "duplicate_rows": "Duplicate rows",
    "constant_column": "Constant column",
    "near_constant_column": "Nearly constant",
    "id_like_column": "Looks like an id",
    "high_cardinality": "Many categories",
    "mixed_types": "Numbers stored as text",
    "dates_as_text": "Dates stored as text",
    "infinite_values": "Infinite values",
    "outliers": "Outliers",
    "skewed_column": "Skewed values",
    "rare_categories": "Rare categories",
    "single_class_target": "Only one class",
    "class_imbalance": "Class imbalance",
    "target_leakage": "Possible leakage",
    "correlated_features": "Highly correlated",
}

TARGET_CHECKS_TEXT = "missing target, single class, class imbalance and leakage"


def severity_key(severity: Any) -> str:
    """'error' / 'warning' / 'info' for a core Severity or a string."""
    text = str(getattr(severity, "value", severity))
    return text if text in SEVERITY_RANK else "info"


def check_title(check: str) -> str:
    return CHECK_TITLES.get(check, check.replace("_", " ").capitalize())


_ICONS: dict[tuple[str, int], QIcon] = {}


def severity_icon(severity: Any, size: int = 12) -> QIcon:
    """A filled circle in the severity's colour, drawn at 1x and 2x (crisp at 200% scaling)."""
    key = (severity_key(severity), size)
    if key in _ICONS:
        return _ICONS[key]
    color = QColor(SEVERITY_COLOR[key[0]])

    def paint(painter: QPainter) -> None:
        painter.setPen(QPen(color.darker(115), 1.0))
        painter.setBrush(color)
        painter.drawEllipse(QRectF(1.5, 1.5, size - 3, size - 3))

    icon = _ICONS[key] = crisp_icon(size, paint)
    return icon


def counts_text(summary: dict[str, Any]) -> str:
    """'0 errors, 1 warning, 3 notes' from `QualityReport.summary()`."""
    return (f"{plural(int(summary['errors']), 'error')}, {plural(int(summary['warnings']), 'warning')}, "
            f"{plural(int(summary['info']), 'note')}")


def worst_severity(summary: dict[str, Any]) -> str | None:
    for severity, key in (("error", "errors"), ("warning", "warnings"), ("info", "info")):
        if int(summary.get(key, 0)):
            return severity
    return None


def target_text(target: str | None) -> str:
    return f"target {target}" if target else "no target: target checks skipped"


def report_line(stored: StoredReport, now: datetime | None = None) -> str:
    """'0 errors, 1 warning, 3 notes — checked 2 min ago on heart@1 (target heart_disease)'.

    `stored` is a core StoredReport. The Train step shows this line before training.
    """
    report = stored.report
    return (f"{counts_text(report.summary())} — checked {relative_time(stored.created_at, now)} "
            f"on {stored.version.label} ({target_text(report.target)})")


def changed_thresholds(thresholds: Thresholds) -> list[str]:
    """'name = value' for each threshold that differs from its default (a core Thresholds)."""
    defaults = {name: value for name, value, _ in type(thresholds)().describe()}
    return [f"{name} = {value:g}" if isinstance(value, float) else f"{name} = {value}"
            for name, value, _ in thresholds.describe() if defaults.get(name) != value]


def version_text(version: DatasetVersionInfo) -> str:
    """A version as the version picker lists it: 'heart@2 · 5,000 rows · fixed'."""
    made = " · fixed" if version.parent_id else ""
    return f"{version.label} · {plural(version.rows, 'row')}{made}"


def version_tip(version: DatasetVersionInfo, versions: Sequence[DatasetVersionInfo]) -> str:
    """The picker's tooltip of a version: its size, who made it when, and for a fixed one, from what."""
    lines = [f"{version.label}: {plural(version.rows, 'row')}, {plural(version.n_columns, 'column')}",
             f"Made {exact_time(version.created_at)} by {version.created_by}"]
    if version.parent_id:
        parent = next((v.label for v in versions if v.id == version.parent_id), "an earlier version")
        steps = plural(len(version.recipe or []), 'step')
        lines.append(f"Made from {parent} by fixes (its recipe from the imported file: {steps})")
    return "\n".join(lines)
