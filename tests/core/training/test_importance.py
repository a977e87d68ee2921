"""Permutation importance: the fast way (shuffle prepared blocks) equals the plain way (re-run the pipeline)."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_app.core.quality.recipe import make_step
from desktop_app.core.training import evaluation
from desktop_app.core.training.evaluation import train_and_evaluate
from desktop_app.core.training.importance import column_blocks

from .conftest import mixed_frame


def _data():
    frame, kinds = mixed_frame(n=1200, seed=5)
    rng = np.random.default_rng(5)
    zips = [f"Z{v}" for v in rng.zipf(1.6, len(frame)) % 300]  # many rare values: merged at one-hot time
    frame = frame.assign(zip=zips, amount=rng.normal(size=len(frame)))
    kinds = {**kinds, "zip": "categorical", "amount": "numeric"}
    recipe = [make_step(frame, kinds, "cap_outliers", column="amount", k=1.0),
              make_step(frame, kinds, "merge_rare", column="city", max_keep=2)]
    return frame, kinds, recipe


@pytest.mark.parametrize("name, params", [
    ("logistic_regression", None),
    ("hist_gradient_boosting", {"max_iter": 20}),
    ("k_neighbors", None),
])
def test_fast_importance_equals_the_plain_way(monkeypatch, name, params):
    frame, kinds, recipe = _data()
    fast = train_and_evaluate(frame, kinds, "churn", name, params, recipe_steps=recipe, seed=2, curves=False)
    assert column_blocks(fast.pipeline) is not None
    monkeypatch.setattr(evaluation, "column_blocks", lambda pipeline: None)
    plain = train_and_evaluate(frame, kinds, "churn", name, params, recipe_steps=recipe, seed=2, curves=False)
    assert fast.feature_importance == plain.feature_importance
    assert {f for f, _, _ in fast.feature_importance} == {"age", "city", "member", "joined", "zip", "amount"}


def test_blocks_cover_the_prepared_matrix():
    frame, kinds, recipe = _data()
    result = train_and_evaluate(frame, kinds, "churn", "logistic_regression", recipe_steps=recipe, importance=False,
                                curves=False, cv_folds=None)
    blocks = column_blocks(result.pipeline)
    encoder = result.pipeline.named_steps["prepare"].named_transformers_["many_categories"].named_steps["encode"]
    assert encoder.infrequent_categories_[0] is not None  # rare zips merged: the block is narrower
    assert blocks["zip"][1] - blocks["zip"][0] == len(encoder.get_feature_names_out())
    width = result.pipeline[:-1].transform(frame.head(5)).shape[1]
    spans = sorted(blocks.values())
    assert spans[0][0] == 0 and spans[-1][1] == width
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    assert blocks["joined"][1] - blocks["joined"][0] == 3
