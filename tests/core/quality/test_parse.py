"""Reading numbers and dates stored as text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.quality.parse import (
    NumberFormat,
    detect_date_format,
    detect_number_format,
    parse_dates,
    parse_numbers,
    through_uniques,
)


def _detect(values):
    values = pd.Series(values, dtype="str")
    return detect_number_format(values, np.ones(len(values)))


@pytest.mark.parametrize(("values", "fmt", "expected"), [
    (["12", "3.5", "-7e3", ".5"], NumberFormat(), [12, 3.5, -7000, 0.5]),
    (["1,234", "1,000,000.5", "12"], NumberFormat(",", "."), [1234, 1000000.5, 12]),
    (["1.234,5", "12,25", "7"], NumberFormat(".", ","), [1234.5, 12.25, 7]),
    (["45 kg", "70kg", "80.5 KG"], NumberFormat(None, ".", "kg"), [45, 70, 80.5]),
    (["45%", "12.5%", "3"], NumberFormat(None, ".", "%"), [45, 12.5, 3]),
    (["$1,200", "€ 30", "-5"], NumberFormat(",", "."), [1200, 30, -5]),
])
def test_formats_are_detected_and_read(values, fmt, expected):
    found, share = _detect(values)
    assert found == fmt and share == 1.0
    assert parse_numbers(pd.Series(values), found).tolist() == expected


def test_values_that_are_not_numbers_read_as_missing():
    fmt, share = _detect(["1", "2", "unknown", "3 lb", "4 kg", "5 kg"])
    assert fmt.unit == "kg" and share == pytest.approx(4 / 6)
    assert np.isnan(parse_numbers(pd.Series(["unknown", "3 lb", "1,2,3", ""]), fmt)).all()


def test_a_bad_thousands_grouping_is_not_a_number():
    assert np.isnan(parse_numbers(pd.Series(["1,23", "12,3456"]), NumberFormat(",", "."))).all()


def test_dates():
    fmt, share, ambiguous = detect_date_format(pd.Series(["2024-01-05", "2024-02-29 10:30", "x"]), np.array([5, 4, 1]))
    assert (fmt, share, ambiguous) == ("ISO8601", 0.9, False)
    parsed = parse_dates(pd.Series(["2024-01-05", "2024-02-29 10:30", "x", None]), "ISO8601")
    assert parsed.tolist()[:2] == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-02-29 10:30")]
    assert parsed.isna().tolist() == [False, False, True, True]
    assert detect_date_format(pd.Series(["Jan 5, 2024", "Mar 30, 2023"]), np.ones(2))[0] == "%b %d, %Y"


def test_numbers_and_codes_are_not_dates():
    assert detect_date_format(pd.Series(["2019", "2020", "20240105"]), np.ones(3))[0] is None
    assert detect_date_format(pd.Series(["1.5", "2.25"]), np.ones(2))[0] is None


def test_through_uniques_spreads_results_back_to_rows():
    series = pd.Series(["1", "2", None, "1"], dtype="str")
    assert through_uniques(series, lambda u: parse_numbers(u, NumberFormat())).tolist()[:2] == [1.0, 2.0]
    assert np.isnan(through_uniques(series, lambda u: parse_numbers(u, NumberFormat()))[2])
