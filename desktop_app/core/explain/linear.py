"""Exact per-row contributions of linear models: each prepared column's weight times its distance from
the background mean.

    contribution_j = w_j · (z_j − mean_j)        base value = w · mean + b

which is what `shap.LinearExplainer` computes with independent features ("interventional"): the
contributions add up to the model's output (its decision function: log-odds for a logistic
regression) minus its output at the background mean, for every row.
"""

from __future__ import annotations

from typing import Any

import numpy as np

LINEAR_CLASSES = ("LogisticRegression", "LinearRegression", "Ridge", "Lasso", "ElasticNet")


def is_linear_model(estimator: Any) -> bool:
    return type(estimator).__name__ in LINEAR_CLASSES


def linear_contributions(estimator: Any, Z: np.ndarray, background: np.ndarray,
                         output: int) -> tuple[float, np.ndarray, np.ndarray]:
    """(base value, outputs (rows), contributions (rows × prepared columns)) for output `output` (a class's
    row of the coefficients; 0 for a regression or a binary classifier)."""
    coef = np.atleast_2d(np.asarray(estimator.coef_, dtype=float))[output]
    intercept = float(np.ravel(np.atleast_1d(estimator.intercept_))[output])
    mean = np.asarray(background, dtype=float).mean(axis=0)
    phi = (np.asarray(Z, dtype=float) - mean) * coef
    base = float(mean @ coef + intercept)
    return base, np.asarray(Z, dtype=float) @ coef + intercept, phi
