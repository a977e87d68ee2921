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
    """Codes (int32, -1 = missing) and distinct values of `series`, in order of first appearance."""
    codes, uniques, _ = factorize_counted(series)
    return codes, uniques


def factorize_counted(series: pd.Series, narrow: bool = False) -> tuple[np.ndarray, pd.Index, np.ndarray]:
    """`factorize`, and how many rows hold each distinct value (int64); with `narrow`, the codes in the
    smallest integer type that holds them (int8 for up to 127 distinct values).

    A long column is factorized a million rows at a time, then the pieces' distinct values together:
    first appearance in the pieces is first appearance in the whole, so the result is the same as
    one call's. One call on 10 million rows held the GIL for 200 ms, stalling the window's GUI
    thread while the checks ran on its worker thread. Each piece is counted while its codes are at
    hand (a count over all ten million codes at once cost more than the pieces' hashing on the
    benchmark machine). A column whose first million values are all different is first tried as an
    id (`distinct.all_distinct`), which needs no hash table. Narrow codes are what the profile keeps of
    every column: a quarter of the memory, which at ten million rows is also time (fresh pages).
    """
    if len(series) <= 2 * FACTORIZE_PIECE or isinstance(series.dtype, pd.CategoricalDtype):
        codes, uniques = _factorize_whole(series)
        counts = _counts(codes, len(uniques))
        return (codes.astype(_code_type(len(uniques)), copy=False) if narrow else codes), uniques, counts
    first = _factorize_whole(series.iloc[:FACTORIZE_PIECE])
    if len(first[1]) and len(first[1]) == int((first[0] >= 0).sum()):   # a million values, all different: an id?
        distinct = all_distinct(series)
        if distinct is not None:
            codes, uniques = distinct
            return (codes.astype(_code_type(len(uniques)), copy=False) if narrow else codes), uniques, \
                np.ones(len(uniques), dtype=np.int64)
    pieces = [(0, *first)] + [(start, *_factorize_whole(series.iloc[start:start + FACTORIZE_PIECE]))
                              for start in range(FACTORIZE_PIECE, len(series), FACTORIZE_PIECE)]
    found = [p[2] for p in pieces if len(p[2])] or [pieces[0][2]]  # an all-missing piece adds nothing
    joined = found[0].append(found[1:])
    dtypes = {u.dtype for u in found}
    if len(dtypes) == 1 and joined.dtype not in dtypes:  # append infers: object booleans would turn bool
        joined = joined.astype(dtypes.pop())
    where, uniques = _factorize_whole(joined)
    codes = np.empty(len(series), dtype=_code_type(len(uniques)) if narrow else np.int32)
    counts = np.zeros(len(uniques), dtype=np.int64)
    seen = 0
    for start, piece_codes, piece_uniques in pieces:
        into = where[seen:seen + len(piece_uniques)]   # a piece's distinct values: distinct codes of the whole
        codes[start:start + len(piece_codes)] = np.append(into, np.int32(-1))[piece_codes]  # -1 (missing) stays
        counts[into] += _counts(piece_codes, len(piece_uniques))
        seen += len(piece_uniques)
    return codes, uniques, counts


def _code_type(n_unique: int) -> type[np.signedinteger]:
    """The smallest signed integer type holding the codes -1 … n_unique - 1."""
    return np.int8 if n_unique <= 127 else np.int16 if n_unique <= 32_767 else np.int32


def _counts(codes: np.ndarray, n_unique: int) -> np.ndarray:
    """How many of `codes` are 0, 1, … n_unique - 1 (missing, -1, not counted)."""
    return np.bincount(codes + 1, minlength=n_unique + 1)[1:].astype(np.int64)


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
        codes, uniques, counts = factorize_counted(series, narrow=True)
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
    def unique_numbers(self) -> np.ndarray:
        """A numeric column's distinct values as floats, then NaN for code -1: `unique_numbers[codes]` are its
        rows' values (NaN = missing). Empty for other columns."""
        if not self.is_numeric:
            return np.empty(0)
        return np.append(self.uniques.to_numpy(dtype=np.float64, na_value=np.nan), np.nan)

    def numbers_at(self, rows: np.ndarray | None = None) -> np.ndarray:
        """A numeric column's values at positions `rows` (every row when None) as floats, NaN = missing; empty
        for other columns. Read through the codes: a check needs no float copy of a ten-million-row column."""
        if not self.is_numeric:
            return np.empty(0)
        return self.unique_numbers[self.codes if rows is None else self.codes[rows]]

    @cached_property
    def finite_uniques(self) -> np.ndarray:
        """Which distinct values are finite numbers (all False for other columns)."""
        if not self.is_numeric:
            return np.zeros(self.n_unique, dtype=bool)
        return np.isfinite(self.unique_numbers[:-1])

    def finite_median(self) -> float | None:
        """`np.median` of the finite values (None when there are none), from the distinct values and their
        counts: no sort of every row."""
        values, counts = self.unique_numbers[:-1][self.finite_uniques], self.counts[self.finite_uniques]
        n = int(counts.sum())
        if n == 0:
            return None
        order = np.argsort(values)
        values, cumulative = values[order], np.cumsum(counts[order])
        middle = values[np.searchsorted(cumulative, [(n - 1) // 2, n // 2], side="right")]  # the sorted rows' middle
        return float(np.mean(middle[:1] if n % 2 else middle))   # one value, or the mean of two as np.median takes it

    def rows_of(self, unique_mask: np.ndarray) -> np.ndarray:
        """Per row, whether its value is one of the distinct values flagged in `unique_mask` (missing: False)."""
        return np.append(np.asarray(unique_mask, dtype=bool), False)[self.codes]

    @cached_property
    def integer_valued(self) -> bool:
        if not self.is_numeric:
            return False
        if pd.api.types.is_integer_dtype(self.series.dtype):
            return True
        values = self.unique_numbers[:-1][self.finite_uniques]
        return bool(values.size) and bool(np.all(values == np.round(values)))

    def positions_of(self, unique_mask: np.ndarray, limit: int = 20) -> tuple[int, ...]:
        """Row positions (up to `limit`) whose value is one of the distinct values flagged in `unique_mask`."""
        if not unique_mask.any():
            return ()
        return first_positions(self.rows_of(unique_mask), limit)


_FNV_OFFSET = np.uint64(14695981039346656037)
_FNV_PRIME = np.uint64(1099511628211)
HASH_SLICE = 1 << 16   # rows hashed at a time: the temporaries stay in the processor's caches


def duplicated_rows(codes: list[np.ndarray], unique_per_row: bool = False) -> np.ndarray:
    """Positions of rows equal to an earlier row, given each column's codes (missing equals missing).

    Rows are hashed from their codes; only rows whose hash repeats are then compared
    exactly, so a hash collision can never produce a false duplicate.
    `unique_per_row` says that some column is known to differ in every row.
    """
    rows = len(codes[0]) if codes else 0
    if rows < 2 or unique_per_row:
        return np.empty(0, dtype=np.int64)
    candidates = np.flatnonzero(_repeated(_row_hashes(codes)))
    if candidates.size == 0:
        return candidates
    exact = pd.DataFrame({i: c[candidates] for i, c in enumerate(codes)}).duplicated(keep="first")
    return candidates[exact.to_numpy()]


def _row_hashes(codes: list[np.ndarray]) -> np.ndarray:
    """FNV-1a over each row's codes + 1 (missing, -1, is 0), a slice of rows at a time: over whole columns,
    two ten-million-row temporaries per column cost six to nine times as long (issue 15)."""
    rows = len(codes[0])
    hashes = np.full(rows, _FNV_OFFSET, dtype=np.uint64)
    step = np.empty(min(rows, HASH_SLICE), dtype=np.uint64)
    for start in range(0, rows, HASH_SLICE):
        part = hashes[start:start + HASH_SLICE]
        code = step[:len(part)]
        for column in codes:
            np.add(column[start:start + len(part)], 1, out=code, dtype=np.int64, casting="unsafe")
            part ^= code
            part *= _FNV_PRIME
    return hashes


def _repeated(hashes: np.ndarray) -> np.ndarray:
    """Per row, whether its hash occurs in another row too (sorting: faster than a hash table of every row)."""
    ordered = np.sort(hashes)
    repeats = ordered[1:][ordered[1:] == ordered[:-1]]
    if repeats.size == 0:
        return np.zeros(len(hashes), dtype=bool)
    return np.isin(hashes, np.unique(repeats))


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
