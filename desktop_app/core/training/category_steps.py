"""The category group's imputer and encoders: scikit-learn's, with the text counted in C.

After `AsCategories`, a category column is an object array of text (one shared string per
category) with NaN for a gap. scikit-learn's most-frequent imputer counts such a column with a
Python `Counter`, and its encoders find, count and look up each cell in Python dictionaries
(`sklearn.utils._encode`). Here the same work goes through pandas' hash tables: the boosting's
fit on 7.5M rows took 160 s instead of 184 s, on 750k rows 11.6 s instead of 14.5 s
(docs/benchmarks.md, "Ten million rows").

- MostFrequentImputer: SimpleImputer(strategy="most_frequent") whose fit on a block of text
  counts each column with `pandas.factorize`; ties go to the smallest value, as scikit-learn's.
- TextOrdinalEncoder, TextOneHotEncoder: OrdinalEncoder and OneHotEncoder whose fit reads each
  text column's distinct values once, with their counts when a frequency rule needs them (the
  parent fits on the distinct values alone, then groups the rare ones by those counts), and
  whose coding looks each distinct value up once; what the parent does with the codes (unknown
  values, infrequent groups, the one-hot matrix) is its own. With the pipelines' rules, a column
  of 4,000 distinct values in 1M rows fits in 0.2 s instead of 1.1 s
  (tests/benchmarks/bench_category_steps.py).

Each learns and gives exactly what its scikit-learn parent does (tests compare the fitted
attributes and the output); any input or setting outside the text case — numbers, None, NaN
among the categories, categories given, an unknown value that must raise or warn — is left to
the parent unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and np.isnan(value)


def _all_text(values: np.ndarray) -> bool:
    """Every value a str (pandas' C type check; no NaN, None or number among them)."""
    return pd.api.types.infer_dtype(values, skipna=False) in ("string", "empty")


def _text_columns(X: Any) -> list[np.ndarray] | None:
    """The columns of a 2-D object array holding only text, else None."""
    if not (isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype == object):
        return None
    columns = [X[:, j] for j in range(X.shape[1])]
    return columns if all(_all_text(c) for c in columns) else None


class MostFrequentImputer(SimpleImputer):
    """SimpleImputer(strategy="most_frequent") counting text with pandas' hash table."""

    def _dense_fit(self, X: Any, strategy: Any, missing_values: Any, fill_value: Any) -> np.ndarray:
        if not (strategy == "most_frequent" and _is_nan(missing_values) and isinstance(X, np.ndarray)
                and X.ndim == 2 and X.dtype == object):
            return super()._dense_fit(X, strategy, missing_values, fill_value)
        found = []
        for j in range(X.shape[1]):
            codes, uniques = pd.factorize(X[:, j])   # NaN, and None, get code -1
            gaps = np.flatnonzero(codes < 0)
            # scikit-learn's mask of a gap in an object array is X != X: NaN only, None is a value
            if not _all_text(uniques) or not np.not_equal(X[gaps, j], X[gaps, j]).all():
                return super()._dense_fit(X, strategy, missing_values, fill_value)
            found.append((uniques, np.bincount(codes + 1, minlength=len(uniques) + 1)[1:]))
        self._fit_indicator(np.not_equal(X, X) if self.add_indicator else None)
        statistics = np.empty(X.shape[1], dtype=object)
        for j, (uniques, counts) in enumerate(found):
            if len(uniques):
                statistics[j] = min(uniques[counts == counts.max()])   # ties: the smallest, as scikit-learn
            else:
                statistics[j] = 0 if self.keep_empty_features else np.nan
        return statistics


class _TextCategories:
    """The fit and the coding of scikit-learn's encoders, done for columns of text with pandas' hash tables."""

    categories: Any
    min_frequency: Any
    max_categories: Any

    def _fit(self, X: Any, handle_unknown: str = "error", ensure_all_finite: Any = True, return_counts: bool = False,
             return_and_ignore_missing_for_infrequent: bool = False) -> dict[str, Any]:
        parent_fit = super()._fit  # type: ignore[misc]
        columns = _text_columns(X)
        if not columns or not isinstance(self.categories, str) or not len(X):
            return parent_fit(X, handle_unknown, ensure_all_finite, return_counts,
                              return_and_ignore_missing_for_infrequent)
        self._check_infrequent_enabled()  # type: ignore[attr-defined]
        counting = return_counts or self._infrequent_enabled  # type: ignore[attr-defined]
        # What the parent learns from the rows is each column's sorted set of values and, with a frequency rule,
        # which of them are rare by their counts: it fits on the distinct values alone (one row each), and the
        # rare ones are then grouped by the counts made here (it counted each cell in Python).
        found = [pd.Series(column, copy=False).value_counts(sort=False) if counting else pd.unique(column)
                 for column in columns]
        distinct = [np.asarray(f.index if counting else f, dtype=object) for f in found]
        values = np.empty((max(len(d) for d in distinct), len(columns)), dtype=object)
        for j, d in enumerate(distinct):
            values[:, j] = d[0]
            values[: len(d), j] = d
        output = parent_fit(values, handle_unknown, ensure_all_finite, return_counts,
                            return_and_ignore_missing_for_infrequent)
        output["n_samples"] = len(X)
        if counting:
            counts = [f.to_numpy()[pd.Index(d, dtype=object).get_indexer(categories)]
                      for f, d, categories in zip(found, distinct, self.categories_, strict=True)]  # type: ignore[attr-defined]
            if return_counts:
                output["category_counts"] = counts
            if self._infrequent_enabled:  # type: ignore[attr-defined]
                self._fit_infrequent_category_mapping(  # type: ignore[attr-defined]
                    len(X), counts, output.get("missing_indices", {}))
        return output

    def _transform(self, X: Any, handle_unknown: str = "error", warn_on_unknown: bool = False,
                   ignore_category_indices: Any = None, **checks: Any) -> tuple[np.ndarray, np.ndarray]:
        columns = _text_columns(X)
        known = self.categories_  # type: ignore[attr-defined]
        if (columns is None or len(columns) != self.n_features_in_  # type: ignore[attr-defined]
                or hasattr(self, "feature_names_in_") or not all(_all_text(c) for c in known)):
            return super()._transform(X, handle_unknown=handle_unknown, warn_on_unknown=warn_on_unknown,  # type: ignore[misc]
                                      ignore_category_indices=ignore_category_indices, **checks)
        X_int = np.zeros((len(X), len(columns)), dtype=int)
        X_mask = np.ones((len(X), len(columns)), dtype=bool)
        for j, (column, categories) in enumerate(zip(columns, known, strict=True)):
            # each distinct value is looked up once: a column holds few, shared by many cells
            codes, uniques = pd.factorize(column)
            found = pd.Index(categories, dtype=object).get_indexer(pd.Index(uniques, dtype=object))[codes]
            unknown = found < 0
            if unknown.any():
                if handle_unknown == "error" or warn_on_unknown:   # the parent's message, or its warning
                    return super()._transform(X, handle_unknown=handle_unknown,  # type: ignore[misc]
                                              warn_on_unknown=warn_on_unknown,
                                              ignore_category_indices=ignore_category_indices, **checks)
                X_mask[:, j] = ~unknown
                found[unknown] = 0   # as the parent codes them before masking them out
            X_int[:, j] = found
        self._map_infrequent_categories(X_int, X_mask, ignore_category_indices)  # type: ignore[attr-defined]
        return X_int, X_mask


class TextOrdinalEncoder(_TextCategories, OrdinalEncoder):
    """OrdinalEncoder that finds and codes text categories with pandas' hash tables."""


class TextOneHotEncoder(_TextCategories, OneHotEncoder):
    """OneHotEncoder that finds and codes text categories with pandas' hash tables."""
