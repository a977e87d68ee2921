"""scikit-learn's tree models read as `treeshap.Tree`s, with each row's way down them decided as
scikit-learn decides it (categorical splits and missing values included).

    explained = tree_contributions(estimator, Z, output)   # Z: the prepared rows the estimator reads

`output` is the index of the class whose raw score is explained (0 for a regression or a binary
gradient boosting's one score). Gradient boosting is explained in its raw space (log-odds for a
binary classifier), forests and single trees in theirs (a classifier's class probability).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from desktop_app.core.explain.treeshap import Tree, contributions
from desktop_app.core.progress import ProgressCallback, no_progress

TREE_CLASSES = ("HistGradientBoostingClassifier", "HistGradientBoostingRegressor", "RandomForestClassifier",
                "RandomForestRegressor", "ExtraTreesClassifier", "ExtraTreesRegressor", "DecisionTreeClassifier",
                "DecisionTreeRegressor")


# Nodes walked per second, at worst (deep forests: each leaf costs its depth squared); a model whose rows would
# take longer than MAX_SECONDS to explain is refused before any work, with the estimate.
NODES_PER_SECOND = 1500
MAX_SECONDS = 600


def is_tree_model(estimator: Any) -> bool:
    return type(estimator).__name__ in TREE_CLASSES


def node_count(estimator: Any) -> int:
    """The nodes of every tree of a tree model (what explaining it costs)."""
    if hasattr(estimator, "_predictors"):
        return sum(len(predictor.nodes) for iteration in estimator._predictors for predictor in iteration)
    trees = estimator.estimators_ if hasattr(estimator, "estimators_") else [estimator]
    return sum(int(fitted.tree_.node_count) for fitted in trees)


def tree_contributions(estimator: Any, Z: np.ndarray, output: int,
                       progress: ProgressCallback = no_progress) -> tuple[float, np.ndarray, np.ndarray]:
    """(base value, outputs (rows), contributions (rows × prepared columns)) of a tree model on rows `Z`;
    base value + the contributions of a row = its output. `progress` hears of every tree (and may cancel)."""
    Z = np.asarray(Z, dtype=float)
    if type(estimator).__name__.startswith("HistGradientBoosting"):
        return _boosting(estimator, Z, output, progress)
    trees = estimator.estimators_ if hasattr(estimator, "estimators_") else [estimator]
    base, phi, outputs = 0.0, np.zeros(Z.shape), np.zeros(len(Z))
    for i, fitted in enumerate(trees):
        progress(i / len(trees), f"Tree {i + 1:,} of {len(trees):,}")
        tree = _sklearn_tree(fitted.tree_, output, classifier=hasattr(fitted, "classes_"))
        goes_left = _sklearn_directions(fitted.tree_, Z)
        phi += contributions(tree, goes_left, Z.shape[1])
        base += tree.expected()
        outputs += tree.value[fitted.tree_.apply(Z.astype(np.float32))]
    count = len(trees)
    return base / count, outputs / count, phi / count


def _boosting(estimator: Any, Z: np.ndarray, output: int,
              progress: ProgressCallback) -> tuple[float, np.ndarray, np.ndarray]:
    known = estimator._bin_mapper.make_known_categories_bitsets() if estimator.is_categorical_ is not None else None
    order = np.arange(Z.shape[1])
    preprocessor = getattr(estimator, "_preprocessor", None)
    if preprocessor is not None:   # categorical features were encoded and moved first: the trees read that order
        order = np.concatenate([np.flatnonzero(np.asarray(columns)) for _, _, columns in preprocessor.transformers_
                                if not isinstance(columns, str)])
        Z = np.asarray(preprocessor.transform(Z), dtype=float)
    base = float(np.ravel(estimator._baseline_prediction)[output])
    phi, outputs = np.zeros(Z.shape), np.full(len(Z), base)
    for i, iteration in enumerate(estimator._predictors):
        progress(i / len(estimator._predictors), f"Tree {i + 1:,} of {len(estimator._predictors):,}")
        predictor = iteration[output]
        nodes = predictor.nodes
        leaf = nodes["is_leaf"].astype(bool)
        tree = Tree(left=np.where(leaf, -1, nodes["left"].astype(np.int64)),
                    right=np.where(leaf, -1, nodes["right"].astype(np.int64)),
                    feature=nodes["feature_idx"].astype(int), cover=nodes["count"].astype(float),
                    value=nodes["value"].astype(float))
        goes_left = _boosting_directions(nodes, predictor.raw_left_cat_bitsets, known, Z)
        phi += contributions(tree, goes_left, Z.shape[1])
        base += tree.expected()
        outputs += _leaf_values(tree, goes_left)
    original = np.zeros_like(phi)
    original[:, order] = phi
    return base, outputs, original


def _leaf_values(tree: Tree, goes_left: np.ndarray) -> np.ndarray:
    """Each row's leaf output, walking the tree by the same directions the contributions used."""
    node = np.zeros(goes_left.shape[1], dtype=int)
    rows = np.arange(len(node))
    while True:
        inner = tree.left[node] >= 0
        if not inner.any():
            return tree.value[node]
        left = goes_left[node, rows]
        node = np.where(inner, np.where(left, tree.left[node], tree.right[node]), node)


def _in_bitset(bitsets: np.ndarray, index: int, values: np.ndarray) -> np.ndarray:
    """Whether each category code of `values` is in bitset `index` (256 bits as eight 32-bit words)."""
    codes = np.clip(values, 0, 255).astype(np.int64)
    words = bitsets[index][codes // 32].astype(np.int64)
    return ((words >> (codes % 32)) & 1).astype(bool) & (values >= 0) & (values <= 255)


def _boosting_directions(nodes: np.ndarray, left_bitsets: np.ndarray, known: tuple | None,
                         Z: np.ndarray) -> np.ndarray:
    """(nodes × rows): whether each row goes left, as HistGradientBoosting's predictor decides."""
    goes_left = np.zeros((len(nodes), len(Z)), dtype=bool)
    known_bitsets, feature_map = known if known is not None else (None, None)
    for node in np.flatnonzero(~nodes["is_leaf"].astype(bool)):
        feature = int(nodes["feature_idx"][node])
        values = Z[:, feature]
        missing = np.isnan(values)
        if nodes["is_categorical"][node]:
            missing |= ~_in_bitset(known_bitsets, int(feature_map[feature]), np.nan_to_num(values, nan=-1.0))
            decided = _in_bitset(left_bitsets, int(nodes["bitset_idx"][node]), np.nan_to_num(values, nan=-1.0))
        else:
            decided = values <= nodes["num_threshold"][node]
        goes_left[node] = np.where(missing, bool(nodes["missing_go_to_left"][node]), decided)
    return goes_left


def _sklearn_tree(tree: Any, output: int, classifier: bool) -> Tree:
    value = tree.value[:, 0, :]
    if classifier:
        value = value / np.maximum(value.sum(axis=1, keepdims=True), 1e-300)
    return Tree(left=tree.children_left.astype(int), right=tree.children_right.astype(int),
                feature=tree.feature.astype(int), cover=tree.weighted_n_node_samples.astype(float),
                value=value[:, output].astype(float))


def _sklearn_directions(tree: Any, Z: np.ndarray) -> np.ndarray:
    goes_left = np.zeros((tree.node_count, len(Z)), dtype=bool)
    Z32 = Z.astype(np.float32)   # scikit-learn's trees compare float32 values with their thresholds
    missing_left = getattr(tree, "missing_go_to_left", None)
    for node in np.flatnonzero(tree.children_left >= 0):
        values = Z32[:, tree.feature[node]]
        decided = values <= tree.threshold[node]
        if missing_left is not None:
            decided = np.where(np.isnan(values), bool(missing_left[node]), decided)
        goes_left[node] = decided
    return goes_left
