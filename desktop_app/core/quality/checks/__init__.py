"""Run every data-quality check over a table: `run_checks(frame, kinds, target, thresholds, progress)`.

Each check is a small function `check(ctx) -> list[Finding]` (see the modules of this
package); they share one profile of the table (`quality.profile`) so that the data
is read once. Checks run in the order of `CHECKS`: the ones that find a column's
cause (empty, constant, numbers or dates stored as text, id-like) run first and mark
the column so that later checks do not report the same cause again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pandas as pd

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.progress import ProgressCallback, no_progress
from desktop_app.core.quality.checks import columns, distribution, relations, table, target, types
from desktop_app.core.quality.checks._common import CheckContext
from desktop_app.core.quality.errors import QualityError
from desktop_app.core.quality.findings import Finding
from desktop_app.core.quality.profile import build_profile
from desktop_app.core.quality.report import QualityReport
from desktop_app.core.quality.thresholds import Thresholds

Check = Callable[[CheckContext], list[Finding]]

# (check ids it may report, what the progress message says, the function)
CHECKS: tuple[tuple[tuple[str, ...], str, Check], ...] = (
    (("too_few_rows",), "Counting rows", table.too_few_rows),
    (("empty_column", "missing_values"), "Looking for missing values", columns.missing_values),
    (("missing_target",), "Looking for rows without a target", target.missing_target),
    (("duplicate_rows",), "Looking for duplicate rows", table.duplicate_rows),
    (("constant_column", "near_constant_column"), "Looking for constant columns", columns.constant_columns),
    (("mixed_types",), "Looking for numbers stored as text", types.numbers_as_text),
    (("dates_as_text",), "Looking for dates stored as text", types.dates_as_text),
    (("id_like_column",), "Looking for id columns", columns.id_like_columns),
    (("high_cardinality",), "Counting categories", columns.high_cardinality),
    (("rare_categories",), "Looking for rare categories", distribution.rare_categories),
    (("infinite_values",), "Looking for infinite values", types.infinite_values),
    (("outliers",), "Looking for outliers", distribution.outliers),
    (("skewed_column",), "Measuring skew", distribution.skewed_columns),
    (("single_class_target", "class_imbalance"), "Counting target classes", target.target_classes),
    (("target_leakage",), "Looking for target leakage", target.target_leakage),
    (("correlated_features",), "Measuring correlations", relations.correlated_features),
)

TARGET_CHECKS = frozenset({"missing_target", "single_class_target", "class_imbalance", "target_leakage"})
CHECK_IDS: tuple[str, ...] = tuple(check_id for ids, _, _ in CHECKS for check_id in ids)

_PROFILE_SHARE = 0.35  # of the progress bar


def run_checks(
    frame: pd.DataFrame,
    kinds: dict[str, ColumnKind],
    target: str | None = None,
    thresholds: Thresholds = Thresholds(),
    progress: ProgressCallback = no_progress,
) -> QualityReport:
    """Check `frame` and return the findings, most severe first.

    `kinds` gives each column's kind (a column without one gets a kind from its
    dtype); with `target` None the target checks are skipped. `progress` is called
    between steps and may raise `Cancelled`. The frame is never changed.
    """
    started = time.perf_counter()
    if not frame.columns.is_unique:
        repeated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise QualityError(f"The table has more than one column named {', '.join(repr(c) for c in repeated)}; "
                           "rename them so that each name is used once.")
    if any(not isinstance(c, str) for c in frame.columns):
        frame = frame.rename(columns=str)
    if target is not None and target not in frame.columns:
        raise QualityError(f"The target '{target}' is not a column of this table; choose one of its columns.")
    progress(0.0, "Reading the columns")
    profile = build_profile(frame, {str(k): v for k, v in (kinds or {}).items()}, thresholds,
                            lambda f, m: progress(_PROFILE_SHARE * f, m))
    ctx = CheckContext(profile, target, thresholds)
    findings: list[Finding] = []
    for i, (_, message, check) in enumerate(CHECKS):
        progress(_PROFILE_SHARE + (1 - _PROFILE_SHARE) * i / len(CHECKS), message)
        findings.extend(check(ctx))
        if profile.rows == 0:
            break  # an empty table: "too few rows" says it all
    findings.sort(key=lambda f: f.sort_key)
    progress(1.0, "Checks done")
    return QualityReport(
        findings=findings,
        target=target,
        thresholds=thresholds,
        rows=profile.rows,
        columns=frame.shape[1],
        sample_rows=profile.sample_size if profile.sampled else None,
        seconds=time.perf_counter() - started,
    )


__all__ = ["CHECKS", "CHECK_IDS", "TARGET_CHECKS", "QualityReport", "run_checks"]
