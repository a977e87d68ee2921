"""TreeSHAP as written here equals the Shapley values of the path-dependent value function, enumerated by hand
over every coalition, and adds up to scikit-learn's own output — categorical splits and missing values
of HistGradientBoosting included (which `shap` reads wrongly)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from sklearn.ensemble import (
    ExtraTreesClassifier,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestRegressor,
)
from sklearn.tree import DecisionTreeRegressor

from desktop_app.core.explain.trees import _sklearn_directions, _sklearn_tree, tree_contributions
from desktop_app.core.explain.treeshap import contributions


def table(rows=2000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 4))
    X[:, 3] = rng.integers(0, 5, rows)                        # a categorical code
    X[rng.random(rows) < 0.05, 1] = np.nan                     # missing values
    signal = X[:, 0] + np.where(X[:, 3] == 2, 2.0, 0.0) + np.nan_to_num(X[:, 1], nan=1.5)
    return X, signal


def brute_force(tree, goes_left, row, features):
    """Shapley values of E[f(x) | x_S] computed by walking the tree with the covers (Algorithm 1)."""
    def expected(node, known):
        if tree.left[node] < 0:
            return tree.value[node]
        if tree.feature[node] in known:
            return expected(tree.left[node] if goes_left[node, row] else tree.right[node], known)
        left, right = tree.left[node], tree.right[node]
        return (tree.cover[left] * expected(left, known) + tree.cover[right] * expected(right, known)) / \
            tree.cover[node]

    values = np.zeros(features)
    for i in range(features):
        others = [j for j in range(features) if j != i]
        for size in range(features):
            for subset in itertools.combinations(others, size):
                weight = math.factorial(size) * math.factorial(features - size - 1) / math.factorial(features)
                values[i] += weight * (expected(0, set(subset) | {i}) - expected(0, set(subset)))
    return values


def test_equal_to_the_shapley_values_enumerated_over_every_coalition():
    X, signal = table()
    Z = np.nan_to_num(X)
    model = DecisionTreeRegressor(max_depth=5, random_state=0).fit(Z, signal)
    tree = _sklearn_tree(model.tree_, 0, classifier=False)
    goes_left = _sklearn_directions(model.tree_, Z[:25])
    phi = contributions(tree, goes_left, 4)
    for row in range(25):
        np.testing.assert_allclose(phi[row], brute_force(tree, goes_left, row, 4), atol=1e-12)


@pytest.mark.parametrize("model", [
    HistGradientBoostingClassifier(max_iter=40, categorical_features=[3], random_state=0),
    HistGradientBoostingRegressor(max_iter=40, categorical_features=[3], random_state=0),
    HistGradientBoostingClassifier(max_iter=20, random_state=0),
])
def test_gradient_boosting_contributions_add_up_to_its_raw_output(model):
    X, signal = table()
    y = (signal > 0.5).astype(int) if hasattr(model, "predict_proba") else signal
    model.fit(X, y)
    rows = X[:800]
    rows[0, 3] = 9                                             # a category never seen: treated as missing
    base, outputs, phi = tree_contributions(model, rows, 0)
    raw = model._raw_predict(rows).ravel()
    np.testing.assert_allclose(outputs, raw, atol=1e-9)
    np.testing.assert_allclose(base + phi.sum(axis=1), raw, atol=1e-9)
    assert np.abs(phi[:, 2]).mean() < 0.2 * np.abs(phi[:, 0]).mean()   # column 2 is noise


def test_forest_contributions_add_up_to_its_probability():
    X, signal = table(rows=600)
    Z = np.nan_to_num(X)
    forest = ExtraTreesClassifier(n_estimators=5, max_depth=6, random_state=0).fit(Z, signal > 0.5)
    base, outputs, phi = tree_contributions(forest, Z[:100], 1)
    np.testing.assert_allclose(outputs, forest.predict_proba(Z[:100])[:, 1], atol=1e-12)
    np.testing.assert_allclose(base + phi.sum(axis=1), outputs, atol=1e-12)
    regression = RandomForestRegressor(n_estimators=4, max_depth=5, random_state=0).fit(Z, signal)
    base, outputs, phi = tree_contributions(regression, Z[:100], 0)
    np.testing.assert_allclose(base + phi.sum(axis=1), regression.predict(Z[:100]), atol=1e-9)
