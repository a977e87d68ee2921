"""Checks on how values are stored: numbers or dates kept as text, infinite numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.quality.checks._common import (
    DATES_AS_TEXT,
    EMPTY,
    EVIDENCE,
    NUMBERS_AS_TEXT,
    CheckContext,
    Findings,
    plural,
    quote,
    share,
    top_values,
)
from desktop_app.core.quality.findings import Finding, Fix, Severity
from desktop_app.core.quality.parse import (
    DETECT_LIMIT,
    NumberFormat,
    detect_date_format,
    detect_number_format,
    parse_dates,
    parse_numbers,
)
from desktop_app.core.quality.profile import TEXT, ColumnProfile

_MARGIN = 0.05  # a format detected on a sample of distinct values may miss the threshold by this much


def _text_columns(ctx: CheckContext, *skip: str):
    for col in ctx.columns():
        if col.family == TEXT and col.present and col.kind not in (ColumnKind.ID, ColumnKind.BOOLEAN) \
                and not (ctx.marks[col.name] & {EMPTY, *skip}):
            yield col


def _digit_share(col: ColumnProfile) -> float:
    """Share of rows (estimated on up to DETECT_LIMIT distinct values) whose value contains a digit."""
    idx = col.order[:DETECT_LIMIT]
    texts = pd.Series(col.uniques[idx]).astype("str")
    has_digit = texts.str.contains(r"\d", regex=True).fillna(False).to_numpy(dtype=bool)
    weights = col.counts[idx]
    return float(weights[has_digit].sum()) / max(float(weights.sum()), 1.0)


def _format_note(fmt: NumberFormat) -> str:
    notes = []
    if fmt.thousands:
        notes.append(f"{quote(fmt.thousands)} between thousands")
    if fmt.decimal != ".":
        notes.append(f"{quote(fmt.decimal)} as the decimal mark")
    if fmt.unit:
        notes.append(f"the unit {quote(fmt.unit)}")
    return f" (written with {' and '.join(notes)})" if notes else ""


def numbers_as_text(ctx: CheckContext) -> Findings:
    """Mixed types: a text column that mostly holds numbers, with the values that are not."""
    t = ctx.thresholds
    out: Findings = []
    for col in _text_columns(ctx):
        if _digit_share(col) < t.numeric_text_share - _MARGIN:
            continue
        uniques = pd.Series(col.uniques)
        fmt, estimate = detect_number_format(uniques, col.counts, t.sample_seed)
        if estimate < t.numeric_text_share - (_MARGIN if col.n_unique > DETECT_LIMIT else 0):
            continue
        ok = ~np.isnan(parse_numbers(uniques, fmt))
        numeric_share = float(col.counts[ok].sum()) / col.present
        if numeric_share < t.numeric_text_share:
            continue
        ctx.mark(col.name, NUMBERS_AS_TEXT)
        bad = ~ok
        text_rows = int(col.counts[bad].sum())
        examples = top_values(col, np.flatnonzero(bad), 10)
        name = col.name
        if text_rows:
            shown = ", ".join(quote(v) for v in list(examples)[:3])
            message = (
                f"Column '{name}' has text values such as {shown} in {plural(text_rows, 'row')}; the other "
                f"{share(numeric_share)} of its values are numbers{_format_note(fmt)}. Convert it to numbers — "
                "those text values then become missing cells — or correct them at the source."
            )
        else:
            message = (
                f"Column '{name}' holds numbers stored as text{_format_note(fmt)}. As text, a model treats each "
                "number as an unrelated category — convert it to numbers."
            )
        label = f"Convert '{name}' to numbers" + (f" ({plural(text_rows, 'cell')} become empty)" if text_rows else "")
        out.append(Finding(
            "mixed_types", Severity.WARNING, name, message,
            {"numeric_share": numeric_share, "text_rows": text_rows, "text_values": examples,
             "format": fmt.to_params()},
            Fix("convert_to_numbers", {"column": name, **fmt.to_params()}, label),
            col.positions_of(bad, EVIDENCE),
        ))
    return out


def dates_as_text(ctx: CheckContext) -> Findings:
    t = ctx.thresholds
    out: Findings = []
    for col in _text_columns(ctx, NUMBERS_AS_TEXT):
        if col.name == ctx.target or _digit_share(col) < t.date_text_share - _MARGIN:
            continue
        uniques = pd.Series(col.uniques)
        fmt, estimate, ambiguous = detect_date_format(uniques, col.counts, t.sample_seed)
        if fmt is None or estimate < t.date_text_share - (_MARGIN if col.n_unique > DETECT_LIMIT else 0):
            continue
        parsed = parse_dates(uniques, fmt)
        ok = parsed.notna().to_numpy()
        date_share = float(col.counts[ok].sum()) / col.present
        if date_share < t.date_text_share:
            continue
        ctx.mark(col.name, DATES_AS_TEXT)
        bad = ~ok
        not_dates = top_values(col, np.flatnonzero(bad), 10)
        name = col.name
        example = quote(col.uniques[col.order[0]])
        extra = ""
        if not_dates:
            n_bad = int(col.counts[bad].sum())
            extra = (f" {plural(n_bad, 'row')} {'holds' if n_bad == 1 else 'hold'} something else, such as "
                     f"{', '.join(quote(v) for v in list(not_dates)[:3])}; they would become missing.")
        if ambiguous:
            extra += " The dates read as day/month/year, but month/day/year fits too — check which one is meant."
        first, last = parsed[ok].min(), parsed[ok].max()
        out.append(Finding(
            "dates_as_text", Severity.WARNING, name,
            f"Column '{name}' holds dates stored as text (such as {example}, from {first:%Y-%m-%d} to "
            f"{last:%Y-%m-%d}). As text, each date is an unrelated category — mark the column as a date so that it "
            f"can be used (for example as year, month or days since).{extra}",
            {"date_share": date_share, "format": fmt, "ambiguous": ambiguous, "not_dates": not_dates,
             "first": first.isoformat(), "last": last.isoformat()},
            Fix("set_kind", {"column": name, "kind": str(ColumnKind.DATETIME), "format": fmt},
                f"Mark '{name}' as a date"),
            col.positions_of(bad, EVIDENCE),
        ))
    return out


def infinite_values(ctx: CheckContext) -> Findings:
    out: Findings = []
    for col in ctx.columns():
        if not col.is_numeric or pd.api.types.is_integer_dtype(col.series.dtype):
            continue
        infinite = np.isinf(col.unique_numbers[:-1])   # distinct values first: most columns have none
        n = int(col.counts[infinite].sum())
        if n == 0:
            continue
        positive = int(col.counts[np.isposinf(col.unique_numbers[:-1])].sum())
        out.append(Finding(
            "infinite_values", Severity.ERROR, col.name,
            f"Column '{col.name}' has infinite values in {plural(n, 'row')} ({share(n / ctx.rows)}), often the "
            "result of a division by zero. Most models refuse them — turn them into missing values (and fill "
            "those), or fix the calculation at the source.",
            {"rows": n, "positive": positive, "negative": n - positive, "share": n / ctx.rows},
            Fix("infinite_to_missing", {"column": col.name}, f"Make {plural(n, 'infinite value')} missing"),
            col.positions_of(infinite, EVIDENCE),
        ))
    return out


