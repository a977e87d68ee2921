"""Reading numbers and dates that are stored as text.

Used twice with the same rules: by the checks, to spot such columns and learn their
format, and by the recipe, to convert a column with the learned format. Work is done
on a column's distinct values, not on every row, which keeps large files fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

# Most common first; on a tie the earlier format wins ("1,234" reads as 1234, not 1.234).
_NUMBER_FORMATS: tuple[tuple[str | None, str], ...] = (
    (None, "."), (",", "."), (".", ","), (" ", "."), (" ", ","), ("'", "."), (None, ","),
)
_CURRENCY = "$€£¥"
_UNIT = r"[A-Za-zµ°%][^\d]{0,15}"
DETECT_LIMIT = 2000  # distinct values looked at to detect a format


@dataclass(frozen=True)
class NumberFormat:
    thousands: str | None = None
    decimal: str = "."
    unit: str | None = None  # one trailing unit that may follow the number ("kg", "%")

    def to_params(self) -> dict[str, Any]:
        return {"thousands": self.thousands, "decimal": self.decimal, "unit": self.unit}

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> NumberFormat:
        return cls(params.get("thousands"), params.get("decimal") or ".", params.get("unit"))


def _number_regex(thousands: str | None, decimal: str) -> str:
    d = re.escape(decimal)
    whole = rf"(?:\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+|\d+)" if thousands else r"\d+"
    exponent = r"(?P<exp>[eE][+-]?\d+)?" if decimal == "." else r"(?P<exp>(?!))?"
    return (
        rf"^\s*(?P<sign>[+-]?)\s*[{_CURRENCY}]?\s*(?P<num>{whole}(?:{d}\d+)?|{d}\d+){exponent}"
        rf"\s*(?P<unit>{_UNIT})?\s*$"
    )


def _as_text(values: Any) -> pd.Series:
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if series.dtype == object:
        series = series.map(lambda v: v if isinstance(v, str) or v is None else str(v))
    return series.astype("str").reset_index(drop=True)


def _extract(texts: pd.Series, thousands: str | None, decimal: str) -> pd.DataFrame:
    return texts.str.extract(_number_regex(thousands, decimal))


def _numbers_from_parts(parts: pd.DataFrame, thousands: str | None, decimal: str) -> np.ndarray:
    num = parts["num"]
    if thousands:
        num = num.str.replace(thousands, "", regex=False)
    if decimal != ".":
        num = num.str.replace(decimal, ".", regex=False)
    text = parts["sign"].fillna("") + num + parts["exp"].fillna("")
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan).copy()


def _unit_ok(parts: pd.DataFrame, unit: str | None) -> np.ndarray:
    units = parts["unit"].str.strip().str.lower()
    ok = units.isna().to_numpy().copy()
    if unit is not None:
        ok |= (units == unit.lower()).fillna(False).to_numpy(dtype=bool)
    return ok


def parse_numbers(values: Any, fmt: NumberFormat) -> np.ndarray:
    """Float values of `values` (text) read with `fmt`; NaN where a value does not read."""
    texts = _as_text(values)
    if len(texts) == 0:
        return np.empty(0, dtype=np.float64)
    parts = _extract(texts, fmt.thousands, fmt.decimal)
    numbers = _numbers_from_parts(parts, fmt.thousands, fmt.decimal)
    numbers[~_unit_ok(parts, fmt.unit)] = np.nan
    return numbers


def _detection_sample(uniques: pd.Series, weights: np.ndarray, seed: int) -> tuple[pd.Series, np.ndarray]:
    present = uniques.notna().to_numpy()
    if not present.all():
        uniques, weights = uniques[present].reset_index(drop=True), np.asarray(weights)[present]
    if len(uniques) <= DETECT_LIMIT:
        return uniques.reset_index(drop=True), np.asarray(weights, dtype=np.float64)
    pick = np.sort(np.random.default_rng(seed).choice(len(uniques), DETECT_LIMIT, replace=False))
    return uniques.iloc[pick].reset_index(drop=True), np.asarray(weights, dtype=np.float64)[pick]


def detect_number_format(uniques: Any, weights: np.ndarray, seed: int = 0) -> tuple[NumberFormat, float]:
    """The format that reads the largest (weighted) share of `uniques`, and that share.

    `uniques` are a column's distinct values, `weights` how many rows hold each.
    Above DETECT_LIMIT distinct values a seeded sample of them is used.
    """
    texts, w = _detection_sample(_as_text(uniques), weights, seed)
    total = float(w.sum())
    if total <= 0:
        return NumberFormat(), 0.0
    best, best_share = NumberFormat(), 0.0
    for thousands, decimal in _NUMBER_FORMATS:
        parts = _extract(texts, thousands, decimal)
        matched = parts["num"].notna().to_numpy()
        if not matched.any():
            continue
        units = parts["unit"].str.strip().str.lower()
        unit_weights = pd.Series(w[matched & units.notna().to_numpy()]).groupby(
            units[matched & units.notna().to_numpy()].to_numpy()).sum()
        unit = str(unit_weights.idxmax()) if len(unit_weights) else None
        ok = matched & _unit_ok(parts, unit)
        share = float(w[ok].sum()) / total
        if share > best_share + 1e-12:
            best, best_share = NumberFormat(thousands, decimal, unit), share
    return best, best_share


# Dates --------------------------------------------------------------------------------

_DATE_LIKE = re.compile(
    r"^\s*(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
    r"|\d{1,2}\s+[A-Za-z]{3,9}\.?,?\s+\d{4}|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4})"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?)?\s*$"
)
# Tried in this order; on a tie the earlier wins (day-first before month-first).
DATE_FORMATS: tuple[str, ...] = (
    "ISO8601", "%Y/%m/%d", "%Y.%m.%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%m-%d-%Y",
    "%d/%m/%y", "%m/%d/%y", "%d.%m.%y", "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y",
)


def parse_dates(values: Any, fmt: str) -> pd.Series:
    """Datetimes of `values` (text) read with `fmt` (a strptime format or "ISO8601"); NaT where not."""
    texts = _as_text(values)
    if len(texts) == 0:
        return pd.Series(pd.to_datetime(pd.Series([], dtype="str")))
    like = texts.str.match(_DATE_LIKE.pattern).fillna(False).to_numpy(dtype=bool)
    parsed = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[us]")
    if like.any():
        got = pd.to_datetime(texts[like].str.strip(), format=fmt, errors="coerce")
        if getattr(got.dt, "tz", None) is not None:
            got = got.dt.tz_convert("UTC").dt.tz_localize(None)
        parsed[like] = got.astype("datetime64[us]")
    return parsed


def detect_date_format(uniques: Any, weights: np.ndarray, seed: int = 0) -> tuple[str | None, float, bool]:
    """(format, share read, ambiguous): the date format reading most of `uniques`, weighted by rows.

    Ambiguous is True when a day-first and a month-first reading fit equally well.
    """
    texts, w = _detection_sample(_as_text(uniques), weights, seed)
    total = float(w.sum())
    if total <= 0:
        return None, 0.0, False
    like = texts.str.match(_DATE_LIKE.pattern).fillna(False).to_numpy(dtype=bool)
    if float(w[like].sum()) / total < 0.5:
        return None, 0.0, False
    shares: dict[str, float] = {}
    for fmt in DATE_FORMATS:
        parsed = parse_dates(texts, fmt)
        shares[fmt] = float(w[parsed.notna().to_numpy()].sum()) / total
    best = max(DATE_FORMATS, key=lambda f: (shares[f], -DATE_FORMATS.index(f)))
    if shares[best] == 0:
        return None, 0.0, False
    twin = {"%d/%m/%Y": "%m/%d/%Y", "%d-%m-%Y": "%m-%d-%Y", "%d/%m/%y": "%m/%d/%y"}.get(best)
    ambiguous = twin is not None and abs(shares[twin] - shares[best]) < 1e-12
    return best, shares[best], ambiguous


def through_uniques(series: pd.Series, func: Callable[[pd.Series], Any], fill: Any = np.nan) -> Any:
    """`func` applied to the distinct values of `series` and spread back to every row."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = func(pd.Series(uniques))
    mapped = mapped.to_numpy() if isinstance(mapped, pd.Series) else np.asarray(mapped)
    if len(mapped) == 0:
        return np.full(len(series), fill, dtype=mapped.dtype if mapped.dtype != object else object)
    out = mapped[np.where(codes < 0, 0, codes)]
    if (codes < 0).any():
        out = out.copy()
        out[codes < 0] = fill
    return out
