"""How the model's answer moves with one column: partial dependence and ICE curves (`sklearn.inspection`).

    curves = dependence(pipeline, rows, ["age", "cholesterol"], positive="Yes")
    curves["age"] = {"kind": "numeric", "grid": [...], "average": [...], "individual": [[...], ...]}

On a seeded sample of the rows (SAMPLE_ROWS, so it stays fast on a large table), each column is set to
every value of a grid (20 quantiles of a number, or each category) in every sampled row; the model's
answer is averaged (partial dependence) and kept per row for ICE_ROWS rows (individual conditional
expectation). The answer is a classifier's probability of its positive class, or a regression's prediction.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

SAMPLE_ROWS = 500
ICE_ROWS = 50
GRID_POINTS = 20


def dependence(pipeline: Any, rows: pd.DataFrame, features: list[str], positive: Any = None,
               seed: int = 0) -> dict[str, dict[str, Any]]:
    from sklearn.inspection import partial_dependence

    from desktop_app.core.training.pipeline import estimator_of

    sample = rows.sample(n=min(SAMPLE_ROWS, len(rows)), random_state=seed) if len(rows) > SAMPLE_ROWS else rows
    sample = sample.reset_index(drop=True)
    classes = list(getattr(estimator_of(pipeline), "classes_", []))
    flip = len(classes) == 2 and positive is not None and _plain(positive) == _plain(classes[0])
    ice = np.random.default_rng(seed).choice(len(sample), size=min(ICE_ROWS, len(sample)), replace=False)
    curves: dict[str, dict[str, Any]] = {}
    for feature in features:
        numeric = pd.api.types.is_numeric_dtype(sample[feature]) and not pd.api.types.is_bool_dtype(sample[feature])
        column = sample[feature]
        # Every row's own value of the column is replaced by each grid value, so filling its missing values (the
        # grid is made of the values present) changes nothing; integers go in as floats, as scikit-learn asks.
        if numeric:
            filled = column.astype(float).fillna(column.astype(float).median())
        else:
            filled = column.astype(object).where(column.notna(), column.mode(dropna=True).iloc[0])
        frame = sample.assign(**{feature: filled})
        result = partial_dependence(pipeline, frame, [feature], kind="both", grid_resolution=GRID_POINTS,
                                    categorical_features=None if numeric else [feature],
                                    response_method="auto" if not classes else "predict_proba")
        average, individual = np.asarray(result["average"])[0], np.asarray(result["individual"])[0]
        if flip:
            average, individual = 1 - average, 1 - individual
        grid = [_plain(v) for v in result["grid_values"][0]]
        curves[feature] = {"kind": "numeric" if numeric else "categorical", "grid": grid,
                           "average": [float(v) for v in average],
                           "individual": [[float(v) for v in individual[i]] for i in ice]}
    return curves


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
