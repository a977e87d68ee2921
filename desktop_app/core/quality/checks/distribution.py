"""Checks on the spread of values: outliers, strong skew, rare categories."""

from __future__ import annotations

import math

import numpy as np

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.quality.checks._common import (
    CATEGORY_KINDS,
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
    top_values,
)
from desktop_app.core.quality.findings import Finding, Fix, Severity
from desktop_app.core.quality.profile import ColumnProfile

_MIN_VALUES = 8  # fewer finite values than this: no judgement on spread
MERGED = "Other"  # the value rare categories are merged into


def _numeric_features(ctx: CheckContext):
    for col in ctx.features(EMPTY, CONSTANT, ID_LIKE):
        if col.is_numeric and col.kind == ColumnKind.NUMERIC and col.n_unique >= 3:
            yield col


def _finite_sample(ctx: CheckContext, col: ColumnProfile) -> np.ndarray:
    values = col.numbers_at(ctx.profile.sample_index)
    return values[np.isfinite(values)]


def _most_extreme(col: ColumnProfile, mask: np.ndarray, centre: float, limit: int = EVIDENCE) -> tuple[int, ...]:
    """Up to `limit` rows of `mask` whose values lie farthest from `centre`, in row order."""
    rows = np.flatnonzero(mask)
    if rows.size > limit:
        distance = np.abs(col.numbers_at(rows) - centre)
        rows = np.sort(rows[np.argpartition(-distance, limit - 1)[:limit]])
    return tuple(int(i) for i in rows)


def outliers(ctx: CheckContext) -> Findings:
    """Tukey's fences: below Q1 − k·IQR or above Q3 + k·IQR (k = 3 by default, 'far out').

    The counts and caps are read from the distinct values and their counts (each row holds one of
    them), not from every row: at ten million rows the rows' temporary copies cost more than the rest
    of the check.
    """
    t = ctx.thresholds
    k = t.outlier_iqr_factor
    out: Findings = []
    for col in _numeric_features(ctx):
        sample = _finite_sample(ctx, col)
        if sample.size < _MIN_VALUES:
            continue
        q1, median, q3 = (float(v) for v in np.quantile(sample, [0.25, 0.5, 0.75]))
        iqr = q3 - q1
        if iqr <= 0:
            continue
        lower, upper = q1 - k * iqr, q3 + k * iqr
        if col.integer_valued:
            lower, upper = float(math.floor(lower)), float(math.ceil(upper))
        values = col.unique_numbers[:-1]   # distinct values, in order of first appearance
        with np.errstate(invalid="ignore"):
            below, above = col.finite_uniques & (values < lower), col.finite_uniques & (values > upper)
        low_n, high_n = int(col.counts[below].sum()), int(col.counts[above].sum())
        n = low_n + high_n
        if n == 0:
            continue
        outside = below | above
        flagged = values[outside]
        # Capping moves an outlier to the most extreme ordinary value on its side (the whisker end),
        # so a capped column stays clear of the fences when they are estimated again.
        inside = values[col.finite_uniques & ~outside]
        cap_low, cap_high = (float(inside.min()), float(inside.max())) if inside.size else (lower, upper)
        # the first value seen at the greatest distance, as the first such row's value
        extreme = float(flagged[np.argmax(np.abs(flagged - median))])
        sides = " or ".join(
            part for part, present in ((f"below {number(lower)}", low_n), (f"above {number(upper)}", high_n)) if present
        )
        caps = " and ".join(number(v) for v, present in ((cap_low, low_n), (cap_high, high_n)) if present)
        note = (f" The limits come from a random sample of {count(ctx.profile.sample_size)} rows; the count is over "
                "all rows.") if ctx.sampled else ""
        severity = Severity.WARNING if n / col.present >= t.outlier_warning_share else Severity.INFO
        out.append(Finding(
            "outliers", severity, col.name,
            f"Column '{col.name}' has {plural(n, 'value')} ({share(n / col.present)}) far outside its usual range: "
            f"{sides} (more than {number(k)} × the interquartile range beyond the quartiles); the most extreme is "
            f"{number(extreme)}. Check that they are real. Capping sets them to the most extreme ordinary value "
            f"({caps}), so that they cannot dominate linear and distance-based models.{note}",
            {"rows": n, "share": n / col.present, "below": low_n, "above": high_n, "lower": lower, "upper": upper,
             "cap_lower": cap_low, "cap_upper": cap_high, "q1": q1, "median": median, "q3": q3, "iqr": iqr, "k": k,
             "most_extreme": extreme, "rule": "tukey_iqr"},
            Fix("cap_outliers", {"column": col.name, "lower": cap_low, "upper": cap_high},
                f"Cap {plural(n, 'outlier')} of '{col.name}' ({sides})"),
            _most_extreme(col, col.rows_of(outside), median),
            ctx.sampled,
        ))
    return out


def skewness(values: np.ndarray) -> float:
    """Fisher–Pearson skewness (the 'g1' of scipy.stats.skew with bias=True)."""
    centred = values - values.mean()
    m2 = float(np.mean(centred * centred))
    if m2 <= 0:
        return 0.0
    return float(np.mean(centred * centred * centred)) / m2 ** 1.5


def skewed_columns(ctx: CheckContext) -> Findings:
    t = ctx.thresholds
    out: Findings = []
    for col in _numeric_features(ctx):
        if col.n_unique < t.skew_min_distinct:
            continue
        sample = _finite_sample(ctx, col)
        if sample.size < _MIN_VALUES:
            continue
        g1 = skewness(sample)
        if abs(g1) <= t.skew_threshold:
            continue
        # Skew that a few outliers alone create is the outlier check's business: the bulk of the
        # values (inside Tukey's fences) must be skewed too, at half the threshold.
        q1, q3 = np.quantile(sample, [0.25, 0.75])
        k = t.outlier_iqr_factor * (q3 - q1)
        bulk = sample[(sample >= q1 - k) & (sample <= q3 + k)]
        bulk_g1 = skewness(bulk) if bulk.size >= _MIN_VALUES else 0.0
        if abs(bulk_g1) <= t.skew_threshold / 2 or np.sign(bulk_g1) != np.sign(g1):
            continue
        right = g1 > 0
        shape = ("most values are small and a few are very large" if right
                 else "most values are large and a few are very small")
        remedy = ("a log transform" if right and float(sample.min()) > 0
                  else "a power transform (such as Yeo-Johnson)")
        out.append(Finding(
            "skewed_column", Severity.INFO, col.name,
            f"Column '{col.name}' is strongly skewed to the {'right' if right else 'left'} (skewness "
            f"{g1:.1f}): {shape}. Linear and distance-based models work better after {remedy}; tree-based models "
            f"do not mind.{ctx.sample_note()}",
            {"skewness": g1, "skewness_without_outliers": bulk_g1, "mean": float(sample.mean()),
             "median": float(np.median(sample)),
             "min": float(sample.min()), "max": float(sample.max())},
            None, (), ctx.sampled,
        ))
    return out


def rare_categories(ctx: CheckContext) -> Findings:
    t = ctx.thresholds
    out: Findings = []
    for col in ctx.features(EMPTY, CONSTANT, ID_LIKE, HIGH_CARDINALITY, NUMBERS_AS_TEXT, DATES_AS_TEXT):
        if col.kind not in CATEGORY_KINDS or col.n_unique < 3:
            continue
        rare = col.counts < t.rare_share * col.present
        rare &= np.asarray(col.uniques.astype(str) != MERGED, dtype=bool)  # what merging made: leave it be
        if not rare.any() or rare.all():
            continue
        rare_idx = np.flatnonzero(rare)
        rare_rows = int(col.counts[rare].sum())
        listed = top_values(col, rare_idx, 10)
        shown = ", ".join(f"{quote(v)} in {plural(n, 'row')}" for v, n in list(listed.items())[:3])
        more = f", and {len(rare_idx) - 3} more" if len(rare_idx) > 3 else ""
        total = f"; {plural(rare_rows, 'row')} in all" if len(rare_idx) > 1 else ""
        keep = [plain(col.uniques[i]) for i in col.order if not rare[i]]
        out.append(Finding(
            "rare_categories", Severity.INFO, col.name,
            f"Column '{col.name}' has {plural(len(rare_idx), 'rare value')} seen in fewer than "
            f"{share(t.rare_share)} of rows ({shown}{more}{total}). A model cannot learn much from so few rows — "
            "merge them into one 'Other' value.",
            {"rare_values": listed, "rare_count": len(rare_idx), "rare_rows": rare_rows,
             "limit_share": t.rare_share},
            Fix("merge_rare", {"column": col.name, "keep": keep, "other": MERGED},
                f"Merge {plural(len(rare_idx), 'rare value')} of '{col.name}' into 'Other'"),
            col.positions_of(rare, EVIDENCE),
        ))
    return out
