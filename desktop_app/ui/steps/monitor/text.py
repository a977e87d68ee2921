"""Words, numbers and colours for drift results, shared by the Monitor step's widgets (no Qt).

A column's drift is shown as its *severity*: the test statistic relative to its threshold,
so that every test reads on one scale — 1 is the threshold, above 1 has drifted:
  distances (Wasserstein, Jensen–Shannon)  statistic ÷ threshold
  p-values (KS, chi-squared)               log p ÷ log threshold (p = threshold → 1; p = 0.05² → 2)
Severity is shown in four bands, one colour each, the same in the heat map, the table and the legend.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.ui.text.formatting import exact_time, format_float, format_percent, relative_time, shorten

if TYPE_CHECKING:
    from desktop_app.core.monitor.entities import ColumnDriftResult, MonitoringBatch

TEST_NAMES = {"ks": "Kolmogorov–Smirnov", "wasserstein": "Wasserstein (÷ std)", "chi_squared": "chi-squared",
              "jensen_shannon": "Jensen–Shannon"}
# Severity bands: (label, fill colour); index = band.
UNTESTED = -1
BANDS = (
    ("below ½ threshold", "#e3f1e6"),
    ("≥ ½ threshold", "#fbe7a6"),
    ("drifted", "#f39a54"),
    ("drifted, ≥ 2× threshold", "#c9302c"),
)
UNTESTED_COLOR = "#e6e8eb"
DRIFT_OUTLINE = "#5c0a0a"
MAX_SEVERITY = 10.0
REFERENCE_COLOR = "#7f93b0"   # the training data (reference), in every chart of the step
BATCH_COLOR = "#f28e2b"       # the batch
ALERT_COLOR = "#c62828"
OK_COLOR = "#2e7d32"


def severity(column: ColumnDriftResult) -> float | None:
    """The statistic relative to its threshold (1 = at the threshold); None when untested."""
    test, threshold = column.test, column.threshold
    if test is None or threshold is None or not _finite(threshold) or threshold <= 0:
        return None
    p = column.p_value
    if p is not None:
        if threshold >= 1:
            return None
        p = max(float(p), 1e-300)
        return min(MAX_SEVERITY, max(0.0, math.log(p) / math.log(threshold))) if p < 1 else 0.0
    statistic = column.statistic
    if statistic is None:      # stored as null when infinite
        return MAX_SEVERITY
    return min(MAX_SEVERITY, max(0.0, float(statistic) / float(threshold)))


def band(column: ColumnDriftResult) -> int:
    """0–3 (see BANDS), or UNTESTED. A drifted column is always in a drifted band (≥ 2)."""
    s = severity(column)
    if column.drifted:
        return 3 if s is not None and s >= 2 else 2
    if s is None:
        return UNTESTED
    return 1 if s >= 0.5 else 0


def band_color(value: int) -> str:
    return UNTESTED_COLOR if value == UNTESTED else BANDS[value][1]


def test_name(test: str | None) -> str:
    return TEST_NAMES.get(test or "", test or "not tested")


def format_stat(value: Any) -> str:
    """A statistic or threshold: 4 significant digits; None (infinite) as ∞."""
    if value is None:
        return "∞"
    return format_float(float(value))


def format_p(value: Any) -> str:
    if value is None:
        return "—"
    value = float(value)
    if value < 1e-4:
        return "< 0.0001" if value > 0 else "≈ 0"
    return f"{value:.4f}".rstrip("0").rstrip(".") if value < 0.1 else f"{value:.3f}"


def verdict(column: ColumnDriftResult) -> str:
    """'Wasserstein (÷ std) 1.2 ≥ 0.1' / 'chi-squared p = 0.0003 < 0.05' / '… (missing values moved)'."""
    test, threshold = column.test, column.threshold
    if test is None:
        words = column.note or "not tested"
    elif column.p_value is not None:
        sign = "<" if column.p_value < threshold else "≥"
        words = f"{test_name(test)} p = {format_p(column.p_value)} {sign} {format_stat(threshold)}"
    else:
        statistic = column.statistic
        sign = "≥" if statistic is None or statistic >= threshold else "<"
        words = f"{test_name(test)} {format_stat(statistic)} {sign} {format_stat(threshold)}"
    if column.missing_drifted:
        words += f"; missing values {missing_text(column)}"
    return words


def format_share(value: Any) -> str:
    if value is None:
        return "—"
    return format_percent(float(value), is_fraction=True)


def missing_text(column: ColumnDriftResult) -> str:
    return f"{format_share(column.missing_ref)} → {format_share(column.missing_batch)}"


def new_categories_text(column: ColumnDriftResult, limit: int = 3) -> str:
    names = list(column.new_categories)
    if not names:
        return ""
    shown = ", ".join(names[:limit]) + (f" +{len(names) - limit}" if len(names) > limit else "")
    share = column.new_category_share or 0.0
    return f"{shown} ({format_share(share)} of rows)" if share else shown


def psi_text(column: ColumnDriftResult) -> str:
    psi = column.psi
    if psi is None:
        return "—"
    band_word = column.psi_band or ""
    value = f"{float(psi):.3g}" if abs(float(psi)) >= 0.001 else format_float(float(psi))
    return f"{value} ({band_word})" if band_word else value


def tested(batch: MonitoringBatch) -> list[ColumnDriftResult]:
    return [c for c in batch.result.columns if c.test is not None or c.drifted]


def share_sentence(batch: MonitoringBatch) -> str:
    """'6 of 11 features drifted (55%; dataset drift at ≥ 50%)'."""
    columns = tested(batch)
    threshold = batch.result.drift_share
    limit = f"; dataset drift at ≥ {format_share(threshold)}" if threshold is not None else ""
    return (f"{len(batch.drifted_columns)} of {len(columns)} features drifted "
            f"({format_share(batch.share_drifted)}{limit})")


def batch_when(batch: MonitoringBatch) -> tuple[str, str]:
    """(relative time, exact time) of when the batch was added."""
    if batch.created_at is None:
        return "—", ""
    return relative_time(batch.created_at), exact_time(batch.created_at)


def short_name(name: str, limit: int = 16) -> str:
    stem = Path(name).stem if Path(name).suffix.lower() in (".csv", ".parquet", ".xlsx", ".xls", ".txt") else name
    return shorten(stem, limit)


def batch_labels(batches: Sequence[MonitoringBatch], limit: int = 16) -> list[str]:
    """Short, distinct labels for batches (oldest first): the file's stem without the words every name
    ends with ('week 07 of production data' → 'week 07'), numbered when names repeat."""
    stems = [short_name(b.name, 500) for b in batches]
    suffix = _common_suffix(stems) if len(stems) > 1 else ""
    if suffix:
        stems = [s[: len(s) - len(suffix)] for s in stems]
    names = [shorten(s, limit) for s in stems]
    seen: dict[str, int] = {}
    for n in names:
        seen[n] = seen.get(n, 0) + 1
    return [n if seen[n] == 1 else f"{n} ({i + 1})" for i, n in enumerate(names)]


def _common_suffix(names: Sequence[str]) -> str:
    """The words (after a space, '_' or '-') every name ends with, leaving something of each name."""
    shortest = min(names, key=len)
    n = 0
    while n < len(shortest) and len({s[len(s) - n - 1] for s in names}) == 1:
        n += 1
    suffix = shortest[len(shortest) - n:] if n else ""
    while suffix and suffix[0] not in " _-":      # cut at a word boundary
        suffix = suffix[1:]
    return "" if any(len(s) == len(suffix) for s in names) else suffix


def thin_ticks(labels: Sequence[str], room_per_item: float, widest: float) -> list[tuple[int, str]]:
    """(index, label) for every k-th item, k the smallest step at which the labels do not overlap."""
    if not labels:
        return []
    step = max(1, math.ceil((widest + 10) / max(room_per_item, 1.0)))
    last = len(labels) - 1
    picked = list(range(last, -1, -step))[::-1]   # always label the newest
    return [(i, labels[i]) for i in picked]


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False
