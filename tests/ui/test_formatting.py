"""Numbers and times formatted for people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from desktop_app.ui.text.formatting import format_float, format_int, format_percent, plural, relative_time

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def test_numbers():
    assert format_int(5000) == "5,000"
    assert format_float(0.123456) == "0.1235"
    assert format_float(124.83) == "124.8"
    assert format_float(123456.7) == "123,457"
    assert format_float(float("nan")) == ""
    assert format_percent(1.62) == "1.6%"
    assert format_percent(0.01) == "<0.1%"
    assert plural(1, "row") == "1 row"
    assert plural(5000, "row") == "5,000 rows"


def test_relative_times():
    assert relative_time(NOW - timedelta(seconds=10), NOW) == "just now"
    assert relative_time(NOW - timedelta(minutes=2), NOW) == "2 min ago"
    assert relative_time(NOW - timedelta(hours=3), NOW) == "3 h ago"
    assert relative_time(NOW - timedelta(days=1), NOW) == "yesterday"
    assert relative_time(NOW - timedelta(days=5), NOW) == "5 days ago"
