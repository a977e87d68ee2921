"""Numbers, sizes and times formatted for people (no Qt, no pandas)."""

from __future__ import annotations

import math
from datetime import UTC, datetime


def format_int(value: int) -> str:
    """5000 -> '5,000'."""
    return f"{int(value):,}"


def format_float(value: float) -> str:
    """4 significant digits; large values with thousands separators instead of an exponent."""
    if math.isnan(value):
        return ""
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    magnitude = abs(value)
    if magnitude == 0:
        return "0"
    if 1e4 <= magnitude < 1e15:
        return f"{value:,.0f}"
    if magnitude < 1e-4:
        return f"{value:.3e}"
    text = f"{value:.4g}"
    return text


def format_score(value: float) -> str:
    """A metric for tables and labels, the same on every screen: 3 decimals below 10 ('0.078', '0.820'),
    4 significant digits above (errors in the target's units: '1,234', '12.35')."""
    if math.isnan(value) or math.isinf(value):
        return format_float(value)
    return f"{value:.3f}" if -10 < value < 10 else format_float(value)


def format_score_change(value: float) -> str:
    """A difference of two metrics, signed, on the same rule ('+0.657')."""
    return ("+" if value >= 0 else "") + format_score(value) if -10 < value < 10 else f"{value:+,.4g}"


def format_exact_score(value: float) -> str:
    """A metric in a tooltip: more digits than on screen, for whoever wants them ('0.0784')."""
    return f"{value:.4f}" if -10 < value < 10 else f"{value:,.2f}"


def format_number(value: object) -> str:
    """Format an int or float; anything else with str()."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return format_int(value)
    if isinstance(value, float):
        return format_float(value)
    try:  # numpy scalars
        import numbers

        if isinstance(value, numbers.Integral):
            return format_int(int(value))
        if isinstance(value, numbers.Real):
            return format_float(float(value))
    except Exception:  # pragma: no cover - defensive
        pass
    return str(value)


def format_percent(fraction_or_pct: float, *, is_fraction: bool = False) -> str:
    """12.345 -> '12.3%'; small non-zero values stay visible ('<0.1%')."""
    pct = fraction_or_pct * 100 if is_fraction else fraction_or_pct
    if pct == 0:
        return "0%"
    if 0 < pct < 0.1:
        return "<0.1%"
    if pct >= 10:
        return f"{pct:.0f}%"
    return f"{pct:.1f}%"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """plural(1, 'row') -> '1 row'; plural(5000, 'row') -> '5,000 rows'."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{format_int(count)} {word}"


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending with "…" when cut ('distribution' → 'distri…')."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def relative_time(when: datetime, now: datetime | None = None) -> str:
    """'just now', '2 min ago', '3 h ago', 'yesterday', '5 days ago', or the date."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    seconds = (now - when).total_seconds()
    if seconds < 0:
        seconds = 0
    if seconds < 45:
        return "just now"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min ago"
    hours = round(seconds / 3600)
    if hours < 24:
        return f"{hours} h ago"
    days = round(seconds / 86400)
    if days == 1:
        return "yesterday"
    if days < 30:
        return f"{days} days ago"
    return local_time(when).strftime("%d %b %Y")


def local_time(when: datetime) -> datetime:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone()


def exact_time(when: datetime) -> str:
    """The exact local time with its zone, for tooltips."""
    return local_time(when).strftime("%Y-%m-%d %H:%M:%S %Z").strip()
