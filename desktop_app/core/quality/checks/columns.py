"""Checks on what one column holds: gaps, a single value, ids, too many categories."""

from __future__ import annotations

import numpy as np

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.quality.checks._common import (
    CONSTANT,
    DATES_AS_TEXT,
    EMPTY,
    EVIDENCE,
    HIGH_CARDINALITY,
    ID_LIKE,
    NUMBERS_AS_TEXT,
    CheckContext,
    Findings,
    count,
    number,
    plain,
    plural,
    quote,
    share,
)
from desktop_app.core.quality.checks.table import duplicate_row_positions
from desktop_app.core.quality.findings import Finding, Fix, Severity
from desktop_app.core.quality.profile import ColumnProfile, first_positions


def drop_fix(column: str) -> Fix:
    return Fix("drop_column", {"column": column}, f"Drop column '{column}'")


def impute_fix(col: ColumnProfile) -> Fix | None:
    """Fill with the median (numbers) or the most common value (categories), learned now."""
    if col.present == 0 or col.kind in (ColumnKind.ID, ColumnKind.TEXT, ColumnKind.DATETIME):
        return None
    if col.is_numeric and col.kind == ColumnKind.NUMERIC:
        median = col.finite_median()
        if median is None:
            return None
        return Fix("impute", {"column": col.name, "strategy": "median", "value": median},
                   f"Fill {plural(col.missing, 'empty cell')} with the median ({number(median)})")
    top = plain(col.top_value)
    return Fix("impute", {"column": col.name, "strategy": "most_frequent", "value": top},
               f"Fill {plural(col.missing, 'empty cell')} with the most common value ({quote(top)})")


def missing_values(ctx: CheckContext) -> Findings:
    out: Findings = []
    t = ctx.thresholds
    for col in ctx.features():
        if col.missing == 0:
            continue
        name, rows, missing = col.name, ctx.rows, col.missing
        figures = {"missing": missing, "rows": rows, "share": missing / rows}
        if col.present == 0:
            ctx.mark(name, EMPTY)
            out.append(Finding(
                "empty_column", Severity.WARNING, name,
                f"Column '{name}' is empty: none of its {plural(rows, 'row')} has a value. It carries no "
                "information — drop it.",
                figures, drop_fix(name),
            ))
            continue
        evidence = first_positions(col.codes < 0, EVIDENCE)
        part = f"Column '{name}' is empty in {share(missing / rows)} of rows ({count(missing)} of {count(rows)})."
        if missing / rows >= t.missing_drop_share:
            out.append(Finding(
                "missing_values", Severity.WARNING, name,
                f"{part} Filling so many gaps would mostly invent data — drop the column, unless the rows "
                "that have a value matter a lot.",
                figures, drop_fix(name), evidence,
            ))
            continue
        fix = impute_fix(col)
        how = "Most models need a value in every cell — fill the gaps"
        if fix is None:
            how += " or leave the column out."
        elif fix.params["strategy"] == "median":
            how += f" with the median ({number(fix.params['value'])})."
        else:
            how += f" with the most common value ({quote(fix.params['value'])})."
        severity = Severity.WARNING if missing / rows >= t.missing_warning_share else Severity.INFO
        out.append(Finding("missing_values", severity, name, f"{part} {how}", figures, fix, evidence))
    return out


def constant_columns(ctx: CheckContext) -> Findings:
    if ctx.rows < 2:
        return []
    out: Findings = []
    for col in ctx.features(EMPTY):
        name = col.name
        if col.n_unique == 1:
            ctx.mark(name, CONSTANT)
            gaps = f" (the other {plural(col.missing, 'row')} are empty)" if col.missing else ""
            out.append(Finding(
                "constant_column", Severity.WARNING, name,
                f"Column '{name}' has the same value ({quote(plain(col.top_value))}) in every row{gaps}. "
                "It cannot help a model tell rows apart — drop it.",
                {"value": plain(col.top_value), "rows": col.present, "missing": col.missing},
                drop_fix(name),
            ))
            continue
        top_share = col.top_count / col.present
        if top_share >= ctx.thresholds.near_constant_share:
            ctx.mark(name, CONSTANT)
            others = col.present - col.top_count
            lookup = np.ones(col.n_unique, dtype=bool)
            lookup[col.order[0]] = False
            out.append(Finding(
                "near_constant_column", Severity.INFO, name,
                f"Column '{name}' is {quote(plain(col.top_value))} in {share(top_share)} of rows; its other "
                f"values appear in only {plural(others, 'row')}. It tells a model very little — consider "
                "dropping it.",
                {"value": plain(col.top_value), "share": top_share, "other_rows": others,
                 "distinct": col.n_unique},
                drop_fix(name), col.positions_of(lookup, EVIDENCE),
            ))
    return out


def _copies(col: ColumnProfile, ctx: CheckContext) -> int:
    """Rows that copy an earlier row and hold a value in `col`: an id repeats on them, so they do not count."""
    dups = duplicate_row_positions(ctx)
    return int((col.codes[dups] >= 0).sum()) if dups.size else 0


def _looks_like_id(col: ColumnProfile, ctx: CheckContext, rows: int) -> bool:
    """`rows`: the rows holding a value, copies of earlier rows left out."""
    t = ctx.thresholds
    if rows < t.id_min_rows or col.n_unique < t.id_unique_share * rows:
        return False
    if col.kind in (ColumnKind.ID, ColumnKind.TEXT, ColumnKind.DATETIME, ColumnKind.BOOLEAN):
        return False  # ids already known, free text and dates are unique by nature
    if col.family == "text":
        return True
    if col.is_numeric and col.integer_valued:
        values = col.unique_numbers[:-1][col.finite_uniques]
        span = float(values.max() - values.min()) + 1 if values.size else 0.0
        return span <= 10 * col.present  # a dense run of whole numbers, as ids are; amounts are spread out
    return False


def id_like_columns(ctx: CheckContext) -> Findings:
    """Columns with a different value in (almost) every row.

    Distinct values are counted against the rows that are not copies of an earlier row:
    a table with 4% duplicate rows repeats 4% of its ids too, and that must not hide them.
    """
    if ctx.rows < ctx.thresholds.id_min_rows:
        return []
    out: Findings = []
    for col in ctx.features(EMPTY, CONSTANT, NUMBERS_AS_TEXT, DATES_AS_TEXT):
        copies = _copies(col, ctx) if col.n_unique < col.present else 0
        rows = col.present - copies
        if not _looks_like_id(col, ctx, rows):
            continue
        ctx.mark(col.name, ID_LIKE)
        every = "every" if col.n_unique == rows else "almost every"
        besides = f", not counting {plural(copies, 'copy', 'copies')} of earlier rows" if copies else ""
        out.append(Finding(
            "id_like_column", Severity.WARNING, col.name,
            f"Column '{col.name}' has a different value in {every} "
            f"row ({count(col.n_unique)} distinct values in {count(rows)} rows{besides}), like an id. A model could "
            "memorise rows through it instead of learning — mark it as an id so that training leaves it out.",
            {"distinct": col.n_unique, "rows": rows, "share": col.n_unique / rows, "copied_rows": copies},
            Fix("set_kind", {"column": col.name, "kind": str(ColumnKind.ID)}, f"Mark '{col.name}' as an id"),
        ))
    return out


def high_cardinality(ctx: CheckContext) -> Findings:
    t = ctx.thresholds
    out: Findings = []
    for col in ctx.features(EMPTY, CONSTANT, ID_LIKE, NUMBERS_AS_TEXT, DATES_AS_TEXT):
        if col.kind != ColumnKind.CATEGORICAL or col.n_unique <= t.high_cardinality_max:
            continue
        ctx.mark(col.name, HIGH_CARDINALITY)
        keep_idx = col.order[: t.merge_keep_max]
        covered = int(col.counts[keep_idx].sum()) / col.present
        keep = [plain(col.uniques[i]) for i in keep_idx]
        out.append(Finding(
            "high_cardinality", Severity.WARNING, col.name,
            f"Column '{col.name}' has {count(col.n_unique)} different values. One-hot encoding would turn it into "
            f"{count(col.n_unique)} columns, most of them almost always zero — keep the {len(keep)} most common "
            f"values (they cover {share(covered)} of rows) and merge the rest into 'Other'.",
            {"distinct": col.n_unique, "kept": len(keep), "covered_share": covered,
             "top_values": {str(col.uniques[i]): int(col.counts[i]) for i in col.order[:10]}},
            Fix("merge_rare", {"column": col.name, "keep": keep, "other": "Other"},
                f"Keep the {len(keep)} most common values of '{col.name}', merge the rest"),
        ))
    return out
