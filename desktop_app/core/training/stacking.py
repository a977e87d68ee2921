"""Stacking a ColumnTransformer's sparse output a slice of rows at a time, while training fits and scores it.

scikit-learn's `ColumnTransformer` joins its groups' outputs with `scipy.sparse.hstack(...).tocsr()`
when the result is sparse. Given dense blocks (the numbers) beside sparse ones (one-hot
categories), SciPy builds the whole matrix as COO first and converts it: for a moment about
twice the final matrix, the largest allocation of a whole training run (1M rows × 20 columns:
+1.3× the table on top of everything else). `stacked_in_slices` builds the same CSR matrix — the
same values, column indices and row pointers, as a test checks — into arrays sized once, from
slices of `SLICE_ROWS` rows stacked the usual way. It replaces the transformer's `_hstack`, the
hook scikit-learn keeps for "subclasses to control the stacking behavior", on that one instance
and only during the fit (`pipeline.fit_pipeline`) and training's predictions on the test rows, folds
and importance samples (`evaluation.predict_output`): nothing of it is saved with the model, and a
saved model predicts as scikit-learn does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.compose import ColumnTransformer
from sklearn.utils import check_array

SLICE_ROWS = 16_384  # a slice of 20 entries a row: ~10 MB of temporaries beside the matrix


@contextmanager
def stacked_in_slices(transformer: Any) -> Iterator[None]:
    """While the block runs, `transformer` (a ColumnTransformer; anything else is left alone) stacks in slices."""
    if not isinstance(transformer, ColumnTransformer):
        yield
        return
    plain = transformer._hstack

    def hstack(Xs: list, *, n_samples: int) -> Any:
        if not transformer.sparse_output_ or n_samples <= SLICE_ROWS:
            return plain(Xs, n_samples=n_samples)
        return stack_rows(Xs, n_samples, plain, SLICE_ROWS)

    transformer._hstack = hstack
    try:
        yield
    finally:
        del transformer._hstack


def stack_rows(Xs: list, n_samples: int, plain: Callable[..., Any], slice_rows: int) -> Any:
    """`plain(Xs)` (hstack + tocsr) built from slices of rows, without the whole COO intermediate."""
    blocks = [X.tocsr() if sparse.issparse(X) else check_array(X, ensure_all_finite=False) for X in Xs]
    stored = np.zeros(n_samples, dtype=np.int64)  # entries per row, as the stacked matrix will store them
    for block in blocks:
        if sparse.issparse(block):
            stored += np.diff(block.indptr)
        else:
            for start in range(0, n_samples, slice_rows):
                stored[start:start + slice_rows] += np.count_nonzero(block[start:start + slice_rows], axis=1)
    n_columns = sum(block.shape[1] for block in blocks)
    total = int(stored.sum())
    index_dtype = np.int32 if max(total, n_columns) <= np.iinfo(np.int32).max else np.int64
    indptr = np.zeros(n_samples + 1, dtype=index_dtype)  # in its final type at once: no copy beside the matrix
    np.cumsum(stored, out=indptr[1:])
    del stored
    data: Any = None  # allocated at the first slice, which tells the values' type
    indices: Any = None
    kind: Any = None
    for start in range(0, n_samples, slice_rows):
        stop = min(n_samples, start + slice_rows)
        piece = plain([block[start:stop] for block in blocks], n_samples=stop - start)
        begin, end = int(indptr[start]), int(indptr[stop])
        if piece.nnz != end - begin:
            raise RuntimeError("A slice of the stacked matrix holds another number of entries than counted.")
        if data is None:
            data, indices, kind = np.empty(total, dtype=piece.dtype), np.empty(total, dtype=index_dtype), type(piece)
        data[begin:end] = piece.data
        indices[begin:end] = piece.indices
    return kind((data, indices, indptr), shape=(n_samples, n_columns))
