"""Checks on the table as a whole: too few rows, duplicate rows."""

from __future__ import annotations

import numpy as np

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.quality.checks._common import EVIDENCE, CheckContext, Findings, count, plural, share
from desktop_app.core.quality.findings import Finding, Fix, Severity
from desktop_app.core.quality.profile import duplicated_rows


def too_few_rows(ctx: CheckContext) -> Findings:
    rows, minimum = ctx.rows, ctx.thresholds.min_rows
    if rows >= minimum:
        return []
    if rows < 2:
        message = (f"The table has {plural(rows, 'row')}. A model needs many rows to learn from — "
                   "load the full data set.")
        severity = Severity.ERROR
    else:
        message = (f"The table has only {plural(rows, 'row')}. A model learned from fewer than "
                   f"{count(minimum)} rows is unreliable and its test scores say little — add rows if you can.")
        severity = Severity.WARNING
    return [Finding("too_few_rows", severity, None, message, {"rows": rows, "minimum": minimum})]


def id_kind_columns(ctx: CheckContext) -> list[str]:
    return [c.name for c in ctx.columns() if c.kind == ColumnKind.ID]


def duplicate_row_positions(ctx: CheckContext) -> np.ndarray:
    """Positions of rows equal to an earlier row in every column except the id-kind ones (found once per run)."""
    if ctx.duplicates is None:
        ignore = id_kind_columns(ctx)
        cols = [c for c in ctx.columns() if c.name not in ignore]
        unique = any(c.missing == 0 and c.n_unique == ctx.rows for c in cols)
        ctx.duplicates = duplicated_rows([c.codes for c in cols], unique_per_row=unique)
    return ctx.duplicates


def duplicate_rows(ctx: CheckContext) -> Findings:
    ignore = id_kind_columns(ctx)
    dups = duplicate_row_positions(ctx)
    n = int(dups.size)
    if n == 0:
        return []
    besides = ""
    if ignore:
        besides = f" (ignoring the id column{'s' if len(ignore) > 1 else ''} {', '.join(repr(c) for c in ignore)})"
    message = (
        f"{plural(n, 'row')} ({share(n / ctx.rows)}) {'is an exact copy' if n == 1 else 'are exact copies'} "
        f"of an earlier row{besides}. Copies make a model look better than it is when the same row lands in both "
        "the training and the test part — drop them, unless repeated rows are real, separate events."
    )
    return [Finding(
        "duplicate_rows", Severity.WARNING, None, message,
        {"rows": n, "share": n / ctx.rows, "ignored_columns": ignore},
        Fix("drop_duplicates", {"ignore": ignore}, f"Drop {plural(n, 'duplicate row')}"),
        tuple(int(i) for i in dups[:EVIDENCE]),
    )]
