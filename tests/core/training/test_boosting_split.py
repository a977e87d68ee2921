"""Hist gradient boosting handed its own early-stopping split fits the very model `pipeline.fit` fits."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.training import boosting_split
from desktop_app.core.training.boosting_split import fit_on_own_split
from desktop_app.core.training.evaluation import evaluate_prepared
from desktop_app.core.training.pipeline import fit_pipeline
from desktop_app.core.training.prepare import prepare
from tests.core.training.conftest import mixed_frame

ROWS = 16_000   # early stopping is on ('auto') above 10,000 training rows, after the split


@pytest.fixture(scope="module")
def table():
    frame, kinds = mixed_frame(n=ROWS, seed=8)
    rng = np.random.default_rng(8)
    frame["plan"] = pd.array(rng.choice(["basic", "plus", "pro"], ROWS, p=[0.6, 0.3, 0.1]), dtype="str")
    return frame, {**kinds, "plan": ColumnKind.CATEGORICAL}


def _both(prep, params=None, class_weight=None, seed=3):
    X, y = prep.features(prep.train), prep.y[prep.train]
    plain = prep.pipeline(params, class_weight, seed)
    plain.fit(X, y)
    lean = prep.pipeline(params, class_weight, seed)
    return plain, lean, fit_on_own_split(lean, X, y)


@pytest.mark.parametrize(("target", "params"), [("churn", {"max_iter": 40}), ("plan", {"max_iter": 25}),
                                                 ("age", {"max_iter": 30, "learning_rate": 0.2}),
                                                 ("churn", {"max_iter": 15, "early_stopping": "on"})],
                         ids=["two classes", "three classes", "regression", "early stopping asked for"])
def test_the_same_model_to_the_byte(table, target, params):
    frame, kinds = table
    prep = prepare(frame, kinds, target, "hist_gradient_boosting", seed=3)
    plain, lean, used = _both(prep, params)
    assert used
    assert pickle.dumps(lean) == pickle.dumps(plain)
    X_test = prep.features(prep.test)
    output = "predict_proba" if target != "age" else "predict"
    np.testing.assert_array_equal(getattr(lean, output)(X_test), getattr(plain, output)(X_test))


def test_a_whole_evaluation_is_unchanged(table, monkeypatch):
    frame, kinds = table
    prep = prepare(frame, kinds, "churn", "hist_gradient_boosting", seed=1).in_training_order()
    lean = evaluate_prepared(prep, {"max_iter": 20}, seed=1, cv_folds=2, importance=False)
    from desktop_app.core.training import pipeline as pipeline_module

    monkeypatch.setattr(pipeline_module, "fit_on_own_split", lambda *args: False)   # the usual fit everywhere
    plain = evaluate_prepared(prep, {"max_iter": 20}, seed=1, cv_folds=2, importance=False)
    assert lean.metrics == plain.metrics and lean.cv_metrics == plain.cv_metrics and lean.curves == plain.curves
    assert pickle.dumps(lean.pipeline) == pickle.dumps(plain.pipeline)


@pytest.mark.parametrize(("params", "class_weight"), [({"early_stopping": "off"}, None), ({}, "balanced")],
                         ids=["no early stopping", "class weights"])
def test_other_settings_are_left_to_the_usual_fit(table, params, class_weight):
    frame, kinds = table
    prep = prepare(frame, kinds, "churn", "hist_gradient_boosting", seed=2)
    plain, lean, used = _both(prep, {"max_iter": 10, **params}, class_weight)
    assert not used and not hasattr(lean.steps[-1][1], "n_iter_")   # nothing fitted: the caller fits it
    fit_pipeline(lean, prep.features(prep.train), prep.y[prep.train])
    assert pickle.dumps(lean) == pickle.dumps(plain)


def test_too_few_rows_for_early_stopping_on_the_training_part(table):
    frame, kinds = table
    prep = prepare(frame.head(14_000), kinds, "churn", "hist_gradient_boosting", seed=2)   # 10,500 × 0.9 ≤ 10,000
    assert not _both(prep, {"max_iter": 5})[2]


def test_a_category_only_in_the_validation_rows_is_left_to_the_usual_fit():
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(categorical_features=[False, True])
    train = np.array([[0.5, 0.0], [1.5, 1.0], [2.5, np.nan]])
    assert boosting_split._categories_known(model, train, np.array([[0.1, 1.0], [0.2, np.nan]]))
    assert not boosting_split._categories_known(model, train, np.array([[0.1, 2.0]]))
    assert not boosting_split._categories_known(model, train, np.array([[0.1, 0.5]]))   # not a code: no guess
