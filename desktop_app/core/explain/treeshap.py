"""Exact per-row contributions of tree models: path-dependent TreeSHAP, vectorised over rows.

The algorithm is Lundberg, Erion & Lee's (2018, "Consistent individualized feature attribution for
tree ensembles", Algorithm 2), as the `shap` package implements it for trees (`tree_path_dependent`).
It is written here because `shap` reads scikit-learn's HistGradientBoosting trees without their
categorical splits and their missing-value directions, and then its values do not add up to the
model's output; the trees are read here as scikit-learn itself walks them.

A tree is walked once for all rows: which nodes, features and covers a path holds is the same for
every row; what depends on a row is only which child its values send it to (the hot child). So the
path's "one fractions" and weights are arrays over the rows, and each step of the algorithm is a few
array operations. The contributions of a tree add up, for every row, to the tree's output for that
row minus its cover-weighted mean output (`expected`), exactly (up to floating point).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Tree:
    """One tree in arrays indexed by node: children (-1 at a leaf), split feature, cover (training
    weight reaching the node) and output (at leaves)."""

    left: np.ndarray
    right: np.ndarray
    feature: np.ndarray
    cover: np.ndarray
    value: np.ndarray

    def expected(self) -> float:
        """The tree's mean output over its training rows (the cover-weighted mean of its leaves)."""
        leaves = self.left < 0
        return float((self.cover[leaves] * self.value[leaves]).sum() / self.cover[0])


def contributions(tree: Tree, goes_left: np.ndarray, n_features: int) -> np.ndarray:
    """(rows × n_features) contributions of `tree`; `goes_left[node]` says, per row, whether the row goes to
    the node's left child (rows of nodes that are leaves are ignored)."""
    rows = goes_left.shape[1]
    phi = np.zeros((rows, n_features))
    path = _Path(rows)
    _recurse(tree, goes_left, phi, 0, path, 1.0, np.ones(rows), -1)
    return phi


class _Path:
    """The features on the way down: per element its feature, zero fraction (a scalar), one fraction
    (per row) and permutation weight (per row)."""

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self.feature: list[int] = []
        self.zero: list[float] = []
        self.one: list[np.ndarray] = []
        self.weight: list[np.ndarray] = []

    def copy(self) -> _Path:
        other = _Path(self.rows)
        other.feature, other.zero = list(self.feature), list(self.zero)
        other.one, other.weight = list(self.one), [w.copy() for w in self.weight]
        return other

    def extend(self, zero: float, one: np.ndarray, feature: int) -> None:
        depth = len(self.feature)
        self.feature.append(feature)
        self.zero.append(zero)
        self.one.append(one)
        self.weight.append(np.ones(self.rows) if depth == 0 else np.zeros(self.rows))
        for i in range(depth - 1, -1, -1):
            self.weight[i + 1] = self.weight[i + 1] + one * self.weight[i] * (i + 1) / (depth + 1)
            self.weight[i] = zero * self.weight[i] * (depth - i) / (depth + 1)

    def unwind(self, index: int) -> None:
        """Take element `index` out of the path (a feature split on again lower down)."""
        depth = len(self.feature) - 1
        one, zero = self.one[index], self.zero[index]
        hot = one != 0
        safe_one = np.where(hot, one, 1.0)
        carry = self.weight[depth]
        for i in range(depth - 1, -1, -1):
            kept = self.weight[i]
            if_hot = carry * (depth + 1) / ((i + 1) * safe_one)
            if_cold = kept * (depth + 1) / (zero * (depth - i)) if zero else np.zeros(self.rows)
            self.weight[i] = np.where(hot, if_hot, if_cold)
            carry = np.where(hot, kept - self.weight[i] * zero * (depth - i) / (depth + 1), carry)
        for name in ("feature", "zero", "one"):
            del getattr(self, name)[index]
        del self.weight[depth]

    def unwound_sum(self, index: int) -> np.ndarray:
        """The total permutation weight of the path without element `index` (it is not taken out)."""
        depth = len(self.feature) - 1
        one, zero = self.one[index], self.zero[index]
        hot = one != 0
        safe_one = np.where(hot, one, 1.0)
        carry = self.weight[depth]
        total = np.zeros(self.rows)
        for i in range(depth - 1, -1, -1):
            if_hot = carry * (depth + 1) / ((i + 1) * safe_one)
            if_cold = self.weight[i] / zero * (depth + 1) / (depth - i) if zero else np.zeros(self.rows)
            total += np.where(hot, if_hot, if_cold)
            carry = np.where(hot, self.weight[i] - if_hot * zero * (depth - i) / (depth + 1), carry)
        return total


def _recurse(tree: Tree, goes_left: np.ndarray, phi: np.ndarray, node: int, parent: _Path, zero: float,
             one: np.ndarray, feature: int) -> None:
    path = parent.copy()
    path.extend(zero, one, feature)
    if tree.left[node] < 0:   # a leaf: every feature on the path gets its share of the leaf's output
        for i in range(1, len(path.feature)):
            weight = path.unwound_sum(i)
            phi[:, path.feature[i]] += weight * (path.one[i] - path.zero[i]) * tree.value[node]
        return
    split = int(tree.feature[node])
    left, right = int(tree.left[node]), int(tree.right[node])
    incoming_zero, incoming_one = 1.0, np.ones(path.rows)
    if split in path.feature[1:]:   # split on before: undo that split so that this one counts instead
        index = path.feature.index(split, 1)
        incoming_zero, incoming_one = path.zero[index], path.one[index]
        path.unwind(index)
    to_left = goes_left[node]
    cover = tree.cover[node]
    _recurse(tree, goes_left, phi, left, path, incoming_zero * tree.cover[left] / cover,
             incoming_one * to_left, split)
    _recurse(tree, goes_left, phi, right, path, incoming_zero * tree.cover[right] / cover,
             incoming_one * ~to_left, split)
