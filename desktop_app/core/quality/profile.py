"""One pass over the table that every check reuses.

Each column is factorised once: integer codes per row (-1 = missing), its distinct
values and how many rows hold each. That single pass answers missing counts,
distinct counts, the most common value, rare values, row duplicates (by combining
codes) and the class table of a target. Numeric columns also keep a float copy.
Expensive checks read a seeded sample of row positions (`sample_index`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.progress import ProgressCallback, no_progress
from desktop_app.core.quality.distinct import all_distinct
from desktop_app.core.quality.thresholds import Thresholds

NUMBER, BOOL, DATETIME, TEXT, OTHER = "number", "bool", "datetime", "text", "other"


def dtype_family(series: pd.Series) -> str:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return BOOL
    if pd.api.types.is_numeric_dtype(dtype):
        return NUMBER
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return DATETIME
    if pd.api.types.is_object_dtype(dtype):
        # Python objects: Arrow dates and nullable booleans arrive like this; judge by the first values.
        inferred = pd.api.types.infer_dtype(series.iloc[:1000].dropna(), skipna=True)
        if inferred in ("date", "datetime", "datetime64"):
            return DATETIME
        if inferred == "boolean":
            return BOOL
        return TEXT
    if pd.api.types.is_string_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return TEXT
    return OTHER


def fallback_kind(family: str) -> ColumnKind:
    return {NUMBER: ColumnKind.NUMERIC, BOOL: ColumnKind.BOOLEAN, DATETIME: ColumnKind.DATETIME}.get(
        family, ColumnKind.CATEGORICAL
    )


FACTORIZE_PIECE = 1_000_000  # rows hashed in one call: pandas holds the GIL for the whole call


def factorize(series: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes (int32, -1 = missing) and distinct values of `series`, in order of first appearance.

    A long column is factorized a million rows at a time, then the pieces' distinct values together:
    first appearance in the pieces is first appearance in the whole, so the result is the same as
    one call's. One call on 10 million rows held the GIL for 200 ms, stalling the window's GUI
    thread while the checks ran on its worker thread. A column whose first million values are all
    different is first tried as an id (`distinct.all_distinct`), which needs no hash table.
    """
    if len(series) <= 2 * FACTORIZE_PIECE or isinstance(series.dtype, pd.CategoricalDtype):
        return _factorize_whole(series)
    first = _factorize_whole(series.iloc[:FACTORIZE_PIECE])
    if len(first[1]) and len(first[1]) == int((first[0] >= 0).sum()):   # a million values, all different: an id?
        distinct = all_distinct(series)
        if distinct is not None:
            return distinct
    pieces = [(0, *first)] + [(start, *_factorize_whole(series.iloc[start:start + FACTORIZE_PIECE]))
                              for start in range(FACTORIZE_PIECE, len(series), FACTORIZE_PIECE)]
    found = [p[2] for p in pieces if len(p[2])] or [pieces[0][2]]  # an all-missing piece adds nothing
    joined = found[0].append(found[1:])
    dtypes = {u.dtype for u in found}
    if len(dtypes) == 1 and joined.dtype not in dtypes:  # append infers: object booleans would turn bool
        joined = joined.astype(dtypes.pop())
    where, uniques = _factorize_whole(joined)
    codes = np.empty(len(series), dtype=np.int32)
    seen = 0
    for start, piece_codes, piece_uniques in pieces:
        mapping = np.append(where[seen:seen + len(piece_uniques)], np.int32(-1))  # code -1 (missing) stays -1
        codes[start:start + len(piece_codes)] = mapping[piece_codes]
        seen += len(piece_uniques)
    return codes, uniques


def _factorize_whole(series: pd.Series | pd.Index) -> tuple[np.ndarray, pd.Index]:
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists, dicts): compare them by their text
        codes, uniques = pd.factorize(series.map(lambda v: v if pd.api.types.is_scalar(v) else repr(v)))
    return codes.astype(np.int32, copy=False), pd.Index(uniques)


@dataclass
class ColumnProfile:
    name: str
    kind: ColumnKind
    family: str
    series: pd.Series = field(repr=False)
    codes: np.ndarray = field(repr=False)
    uniques: pd.Index = field(repr=False)
    counts: np.ndarray = field(repr=False)

    @classmethod
    def build(cls, name: str, series: pd.Series, kind: ColumnKind | None) -> ColumnProfile:
        family = dtype_family(series)
        codes, uniques = factorize(series)
        counts = np.bincount(codes + 1, minlength=len(uniques) + 1)[1:].astype(np.int64)
        return cls(name, kind or fallback_kind(family), family, series, codes, uniques, counts)

    @property
    def rows(self) -> int:
        return len(self.codes)

    @property
    def present(self) -> int:
        return int(self.counts.sum())

    @property
    def missing(self) -> int:
        return self.rows - self.present

    @property
    def n_unique(self) -> int:
        return len(self.uniques)

    @cached_property
    def order(self) -> np.ndarray:
        """Indexes into `uniques`, most common first (ties: first seen first)."""
        return np.argsort(-self.counts, kind="stable")

    @property
    def top_count(self) -> int:
        return int(self.counts[self.order[0]]) if self.n_unique else 0

    @property
    def top_value(self):
        return self.uniques[self.order[0]] if self.n_unique else None

    @property
    def is_numeric(self) -> bool:
        """Numbers stored as numbers (not booleans)."""
        return self.family == NUMBER

    @cached_property
    def numbers(self) -> np.ndarray:
        """Float copy of a numeric column (NaN = missing); empty for other columns."""
        if not self.is_numeric:
            return np.empty(0)
        return self.series.to_numpy(dtype=np.float64, na_value=np.nan)

    @cached_property
    def integer_valued(self) -> bool:
        if not self.is_numeric:
            return False
        if pd.api.types.is_integer_dtype(self.series.dtype):
            return True
        values = np.asarray(self.uniques, dtype=np.float64)
        values = values[np.isfinite(values)]
        return bool(values.size) and bool(np.all(values == np.round(values)))

    def positions_of(self, unique_mask: np.ndarray, limit: int = 20) -> tuple[int, ...]:
        """Row positions (up to `limit`) whose value is one of the distinct values flagged in `unique_mask`."""
        if not unique_mask.any():
            return ()
        lookup = np.append(np.asarray(unique_mask, dtype=bool), False)  # code -1 -> last slot -> False
        return first_positions(lookup[self.codes], limit)


_FNV_OFFSET = np.uint64(14695981039346656037)
_FNV_PRIME = np.uint64(1099511628211)


def duplicated_rows(codes: list[np.ndarray], unique_per_row: bool = False) -> np.ndarray:
    """Positions of rows equal to an earlier row, given each column's codes (missing equals missing).

    Rows are hashed from their codes; only rows whose hash repeats are then compared
    exactly, so a hash collision can never produce a false duplicate.
    `unique_per_row` says that some column is known to differ in every row.
    """
    rows = len(codes[0]) if codes else 0
    if rows < 2 or unique_per_row:
        return np.empty(0, dtype=np.int64)
    h = np.full(rows, _FNV_OFFSET, dtype=np.uint64)
    for c in codes:
        h ^= (c.astype(np.int64) + 1).astype(np.uint64)
        h *= _FNV_PRIME
    candidates = np.flatnonzero(pd.Series(h).duplicated(keep=False).to_numpy())
    if candidates.size == 0:
        return candidates
    exact = pd.DataFrame({i: c[candidates] for i, c in enumerate(codes)}).duplicated(keep="first")
    return candidates[exact.to_numpy()]


def first_positions(mask: np.ndarray, limit: int = 20) -> tuple[int, ...]:
    return tuple(int(i) for i in np.flatnonzero(mask)[:limit])


@dataclass
class TableProfile:
    frame: pd.DataFrame = field(repr=False)
    columns: dict[str, ColumnProfile]
    rows: int
    sample_index: np.ndarray | None  # sorted row positions, or None when every row is used

    @property
    def sampled(self) -> bool:
        return self.sample_index is not None

    @property
    def sample_size(self) -> int:
        return self.rows if self.sample_index is None else len(self.sample_index)

    def sample(self, values: np.ndarray) -> np.ndarray:
        return values if self.sample_index is None else values[self.sample_index]


def build_profile(
    frame: pd.DataFrame,
    kinds: dict[str, ColumnKind],
    thresholds: Thresholds,
    progress: ProgressCallback = no_progress,
) -> TableProfile:
    rows = len(frame)
    columns: dict[str, ColumnProfile] = {}
    total = max(frame.shape[1], 1)
    for i, name in enumerate(frame.columns):
        if i % 10 == 0:
            progress(i / total, "Reading the columns")
        kind = kinds.get(name)
        columns[name] = ColumnProfile.build(name, frame[name], ColumnKind(kind) if kind else None)
    sample_index = None
    if rows > thresholds.sample_rows:
        rng = np.random.default_rng(thresholds.sample_seed)
        sample_index = np.sort(rng.choice(rows, size=thresholds.sample_rows, replace=False))
    return TableProfile(frame, columns, rows, sample_index)
