"""What a drift chart needs: reference and batch on the same bins, or the same categories.

Numbers: BINS equal-width bins over the middle of both samples (0.5 % to 99.5 %, so a few
extreme values do not squash the rest); values beyond fall in the outer bins and are counted
in `below` / `above`. The reference side comes from its stored sorted values (exact counts,
no training data read). Categories: the TOP_CATEGORIES with the largest share on either side,
the rest pooled as "(other)". Shares, not counts, so sides of different sizes compare.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from desktop_app.core.data.bins import are_whole, whole_number_edges
from desktop_app.core.monitor.reference import NUMERIC, OTHER, ColumnReference, category_counts, numbers

BINS = 30
TOP_CATEGORIES = 15
_TAIL = 0.005


def _quantile(ref: ColumnReference, level: float) -> float:
    """The reference's `level` quantile from its sorted distinct values and counts."""
    k = min(int(level * ref.numeric.n), ref.numeric.n - 1)
    return float(ref.numeric.values[np.searchsorted(ref.numeric.cum[1:], k, side="right")])


def distribution(ref: ColumnReference, batch: pd.Series) -> dict[str, Any]:
    """{"kind", "column", and either edges + shares per bin or categories + shares}."""
    if ref.kind == NUMERIC:
        return _numeric(ref, batch)
    return _categorical(ref, batch)


def _numeric(ref: ColumnReference, batch: pd.Series) -> dict[str, Any]:
    values = numbers(batch)
    values = np.sort(values[~np.isnan(values)])
    lows, highs = [], []
    if ref.numeric.n:
        lows.append(_quantile(ref, _TAIL))
        highs.append(_quantile(ref, 1 - _TAIL))
    if values.size:
        lows.append(float(np.quantile(values, _TAIL)))
        highs.append(float(np.quantile(values, 1 - _TAIL)))
    if not lows:
        return {"kind": NUMERIC, "column": ref.column, "edges": [], "reference": [], "batch": []}
    lo, hi = min(lows), max(highs)
    if _whole(ref, values):
        edges = whole_number_edges(math.floor(lo), math.ceil(hi), BINS)  # ages: no comb of 1- and 2-age bars
        lo, hi = float(edges[0]), float(edges[-1])
    else:
        if hi <= lo:
            lo, hi = lo - 0.5, hi + 0.5
        edges = np.linspace(lo, hi, BINS + 1)
    inner = edges[1:-1]
    # bin i holds edges[i] ≤ x < edges[i+1]; the outer bins also take everything beyond
    ref_le = ref.numeric.count_lt(inner) if ref.numeric.n else np.zeros(inner.size, dtype=np.int64)
    ref_counts = np.diff(np.r_[0, ref_le, ref.numeric.n])
    batch_counts = np.diff(np.r_[0, np.searchsorted(values, inner, side="left"), values.size])
    return {
        "kind": NUMERIC, "column": ref.column, "edges": edges.tolist(),
        "reference": _shares(ref_counts), "batch": _shares(batch_counts),
        "reference_rows": int(ref.numeric.n), "batch_rows": int(values.size),
        "below": {"reference": int(ref.numeric.count_lt(np.array([lo]))[0]) if ref.numeric.n else 0,
                  "batch": int(np.searchsorted(values, lo, side="left"))},
        "above": {"reference": int(ref.numeric.n - ref.numeric.count_le(np.array([hi]))[0]) if ref.numeric.n else 0,
                  "batch": int(values.size - np.searchsorted(values, hi, side="right"))},
        "missing": {"reference": ref.missing_share,
                    "batch": float(1 - values.size / len(batch)) if len(batch) else 0.0},
    }


def _whole(ref: ColumnReference, batch: np.ndarray) -> bool:
    """Both sides hold whole numbers only (an empty side does not count against)."""
    sides = [side for side in (ref.numeric.values if ref.numeric.n else np.array([]), batch) if side.size]
    return bool(sides) and all(are_whole(np.asarray(side, dtype="float64")) for side in sides)


def _categorical(ref: ColumnReference, batch: pd.Series) -> dict[str, Any]:
    ref_counts = pd.Series(np.asarray(ref.counts, dtype=np.int64), index=pd.Index(ref.categories, dtype=object))
    if ref.other:
        ref_counts[OTHER] = ref.other
    batch_counts = category_counts(batch)
    keys = ref_counts.index.union(batch_counts.index, sort=False)
    ref_share = ref_counts.reindex(keys, fill_value=0) / max(int(ref_counts.sum()), 1)
    batch_share = batch_counts.reindex(keys, fill_value=0) / max(int(batch_counts.sum()), 1)
    order = np.maximum(ref_share.to_numpy(), batch_share.to_numpy()).argsort(kind="stable")[::-1]
    top = [keys[i] for i in order[:TOP_CATEGORIES]]
    rest = [keys[i] for i in order[TOP_CATEGORIES:]]
    categories = list(top) + ([OTHER] if rest and OTHER not in top else [])
    ref_values = [float(ref_share[k]) for k in top]
    batch_values = [float(batch_share[k]) for k in top]
    if rest and OTHER not in top:
        ref_values.append(float(ref_share[rest].sum()))
        batch_values.append(float(batch_share[rest].sum()))
    new = set(batch_counts.index) - set(ref_counts.index)
    return {"kind": "categorical", "column": ref.column, "categories": [str(c) for c in categories],
            "reference": ref_values, "batch": batch_values, "new": [str(c) for c in categories if c in new],
            "reference_rows": int(ref_counts.sum()), "batch_rows": int(batch_counts.sum()),
            "missing": {"reference": ref.missing_share,
                        "batch": float(batch.isna().mean()) if len(batch) else 0.0}}


def _shares(counts: np.ndarray) -> list[float]:
    total = counts.sum()
    return (counts / total).tolist() if total else [0.0] * len(counts)
