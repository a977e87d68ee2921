"""A column whose present values are all different (an id), factorised without a hash table.

Factorising hashes every value into a table as large as the column's distinct values. For ten
million ids that table no longer fits the processor's caches, and the profile's one pass took
30–60 times its time at a million rows (issue 15). When a column's first million values are
all different, `all_distinct` tries a cheaper way: one 64-bit key per present value (the value's
bits for numbers and times, a hash of the bytes for text), sorted; if no two keys are equal,
no two values are, and the factorisation is known without hashing — each present row its own
code, in order. Any two equal keys (a repeated value, or a rare collision of two different
texts) answer None, and the caller factorises the usual way: the result is always exact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PIECE_ROWS = 1_000_000   # text is hashed this many rows at a time (bounded temporary memory)
MAX_TEXT_BYTES = 64      # longer texts are no ids: left to the usual way
_MULTIPLIER = np.uint64(0x100000001B3)   # FNV-1a's prime
_MIX_1, _MIX_2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)   # splitmix64's finaliser


def all_distinct(series: pd.Series) -> tuple[np.ndarray, pd.Index] | None:
    """Codes (int32, -1 = missing) and distinct values of `series`, as `pandas.factorize` gives them,
    when its present values are all different; None when they are not, or it cannot tell cheaply."""
    found = _keys(series)
    if found is None:
        return None
    keys, present = found
    keys.sort()
    if keys.size > 1 and bool((keys[1:] == keys[:-1]).any()):
        return None
    codes = np.full(len(series), -1, dtype=np.int32)
    codes[present] = np.arange(int(present.sum()), dtype=np.int32)
    return codes, pd.Index(series.array[present])


def _keys(series: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """One uint64 per present value (equal values, equal keys) and the mask of present rows."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        values = series.to_numpy()
        return values.astype(np.int64, copy=True).view(np.uint64), np.ones(len(values), dtype=bool)
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = series.to_numpy()
        present = ~np.isnan(values)
        # + 0.0 turns -0.0 into 0.0, which factorising counts as the same value
        return (values[present].astype(np.float64) + 0.0).view(np.uint64), present
    if isinstance(dtype, np.dtype) and dtype.kind == "M":
        values = series.to_numpy()
        present = ~np.isnat(values)
        return values[present].view(np.int64).view(np.uint64), present
    if isinstance(dtype, pd.StringDtype) and hasattr(series.array, "__arrow_array__"):
        return _text_keys(series.array.__arrow_array__())
    return None


def _text_keys(column) -> tuple[np.ndarray, np.ndarray] | None:
    """A 64-bit hash of each present text's bytes (and length), a million rows at a time."""
    import pyarrow as pa

    keys, masks = [], []
    for chunk in column.chunks:
        for start in range(0, len(chunk), PIECE_ROWS):
            piece = chunk.slice(start, PIECE_ROWS)
            if not pa.types.is_large_string(piece.type):
                piece = piece.cast(pa.large_string())
            present = piece.is_valid().to_numpy(zero_copy_only=False)
            _, offset_buffer, data_buffer = piece.buffers()
            offsets = np.frombuffer(offset_buffer, dtype=np.int64)[piece.offset:piece.offset + len(piece) + 1]
            data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(1, np.uint8)
            starts, lengths = offsets[:-1][present], np.diff(offsets)[present]
            if lengths.size and int(lengths.max()) > MAX_TEXT_BYTES:
                return None
            keys.append(_hash_bytes(data, starts, lengths))
            masks.append(present)
    if not masks:
        return np.empty(0, dtype=np.uint64), np.zeros(0, dtype=bool)
    return np.concatenate(keys), np.concatenate(masks)


def _hash_bytes(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """FNV-1a over each text's bytes, its length first, then splitmix64's finaliser (all arithmetic mod 2**64)."""
    key = lengths.astype(np.uint64)
    last = max(len(data) - 1, 0)
    for position in range(int(lengths.max()) if lengths.size else 0):
        inside = lengths > position
        byte = np.where(inside, data[np.minimum(starts + position, last)], 0).astype(np.uint64)
        key = np.where(inside, (key ^ byte) * _MULTIPLIER, key)
    key ^= key >> np.uint64(30)
    key *= _MIX_1
    key ^= key >> np.uint64(27)
    key *= _MIX_2
    key ^= key >> np.uint64(31)
    return key
