"""Training with less memory changes nothing it computes: rows in training order, stacking in slices.

`Prepared.in_training_order` lets the service drop the loaded table before fitting, and
`stacking.stacked_in_slices` builds the preparation's sparse matrix without SciPy's COO
intermediate (docs/benchmarks.md, "Ten million rows"). Both must give the very same model,
metrics, curves and importances as before — to the last bit.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.training import stacking
from desktop_app.core.training.evaluation import evaluate_prepared
from desktop_app.core.training.pipeline import fit_pipeline
from desktop_app.core.training.prepare import prepare
from tests.core.training.conftest import HEART_KINDS, TARGET, mixed_frame


def _plain_hstack(Xs, *, n_samples):
    return sparse.hstack(Xs).tocsr()


def test_stacking_in_slices_gives_the_same_matrix():
    rng = np.random.default_rng(0)
    n = 203
    dense = rng.normal(size=(n, 4))
    dense[rng.random((n, 4)) < 0.3] = 0.0
    dense[rng.random((n, 4)) < 0.05] = np.nan
    empty_rows = sparse.csr_matrix((n, 3))
    one_hot = sparse.csr_matrix((np.ones(n), rng.integers(0, 5, n), np.arange(n + 1)), shape=(n, 5))
    blocks = [dense, one_hot, empty_rows, dense[:, :1].copy()]

    expected = sparse.hstack(blocks).tocsr()
    for slice_rows in (1, 7, 64, n, 10 * n):
        got = stacking.stack_rows(blocks, n, _plain_hstack, slice_rows)
        assert type(got) is type(expected) and got.shape == expected.shape
        np.testing.assert_array_equal(got.indptr, expected.indptr)
        np.testing.assert_array_equal(got.indices, expected.indices)
        np.testing.assert_array_equal(got.data, expected.data)  # NaN where NaN


@pytest.mark.parametrize("algorithm", ["logistic_regression", "k_neighbors"])
def test_a_pipeline_fitted_with_slices_equals_one_fitted_without(monkeypatch, algorithm):
    frame, kinds = mixed_frame(n=900)
    # Thirty shops make the prepared matrix sparse enough to be stacked as one (density < 0.3).
    frame["shop"] = pd.array([f"shop {i % 30}" for i in range(len(frame))], dtype="str")
    prep = prepare(frame, {**kinds, "shop": ColumnKind.CATEGORICAL}, "churn", algorithm, seed=2)
    X, y = prep.X.iloc[prep.train], prep.y[prep.train]

    plain = prep.pipeline(None, None, 2)
    plain.fit(X, y)
    monkeypatch.setattr(stacking, "SLICE_ROWS", 50)  # many slices, and a stacked output (900 rows > 50)
    lean = prep.pipeline(None, None, 2)
    fit_pipeline(lean, X, y)

    assert lean.named_steps["prepare"].sparse_output_
    assert "_hstack" not in vars(lean.named_steps["prepare"])  # nothing of it stays on the model
    X_test = prep.X.iloc[prep.test]
    np.testing.assert_array_equal(lean.predict_proba(X_test), plain.predict_proba(X_test))
    assert pickle.dumps(lean) == pickle.dumps(plain)  # the same fitted state, byte for byte (test only)


def test_training_order_changes_no_result(heart):
    prep = prepare(heart, HEART_KINDS, TARGET, "logistic_regression", seed=5)
    ordered = prep.in_training_order()

    assert len(ordered.X) == len(prep.X)
    age = ordered.features(ordered.train)["age"].to_numpy()
    assert np.shares_memory(age, ordered.X["age"].to_numpy())  # the training rows are a view, not a copy
    np.testing.assert_array_equal(age, prep.X["age"].to_numpy()[prep.train])

    for options in ({"cv_folds": 3}, {"tune_threshold": True}, {}):
        before = evaluate_prepared(prep, {"C": "0.5"}, seed=5, **options)
        after = evaluate_prepared(ordered, {"C": "0.5"}, seed=5, **options)
        assert after.metrics == before.metrics
        assert after.cv_metrics == before.cv_metrics
        assert after.curves == before.curves
        assert after.feature_importance == before.feature_importance
        assert after.threshold == before.threshold
        assert pickle.dumps(after.pipeline) == pickle.dumps(before.pipeline)


def test_training_order_keeps_a_time_ordered_split(heart):
    frame = heart.assign(visit=np.datetime64("2021-01-01") + np.arange(len(heart)).astype("timedelta64[h]"))
    kinds = {**HEART_KINDS, "visit": "datetime"}
    prep = prepare(frame, kinds, TARGET, "hist_gradient_boosting", time_column="visit")
    ordered = prep.in_training_order()
    before = evaluate_prepared(prep, {"max_iter": 20}, cv_folds=3, importance=False)
    after = evaluate_prepared(ordered, {"max_iter": 20}, cv_folds=3, importance=False)
    assert after.metrics == before.metrics and after.cv_metrics == before.cv_metrics


def test_training_order_keeps_only_the_columns_training_reads():
    """The id and the free text go (no model learns from them); the sensitive column stays for the audit."""
    frame, kinds = mixed_frame(n=600)
    prep = prepare(frame, kinds, "churn", "logistic_regression", seed=4, sensitive="member")
    ordered = prep.in_training_order()
    assert list(prep.X.columns) == ["customer_id", "age", "city", "member", "joined", "notes"]
    assert list(ordered.X.columns) == ["age", "city", "member", "joined"]

    options = {"cv_folds": 3, "tune_threshold": True}
    before = evaluate_prepared(prep, {"C": "0.5"}, seed=4, **options)
    after = evaluate_prepared(ordered, {"C": "0.5"}, seed=4, **options)
    assert after.metrics == before.metrics and after.cv_metrics == before.cv_metrics
    assert after.curves == before.curves and after.feature_importance == before.feature_importance
    assert after.groups == before.groups and after.groups   # the fairness audit by 'member'
    assert pickle.dumps(after.pipeline) == pickle.dumps(before.pipeline)
    assert after.pipeline.predict_proba(frame).shape == (600, 2)   # new rows still come with every column


def test_a_column_a_prediction_step_names_stays():
    frame, kinds = mixed_frame(n=300)
    step = {"op": "drop_column", "params": {"column": "notes"}, "at_prediction": True}
    prep = prepare(frame, kinds, "churn", "logistic_regression", recipe_steps=[step])
    assert list(prep.in_training_order().X.columns) == ["age", "city", "member", "joined", "notes"]


def test_text_categories_are_held_as_categoricals_unless_a_step_or_the_audit_reads_them():
    frame, kinds = mixed_frame(n=300)
    frame["plan"] = pd.array(np.where(np.arange(300) % 3 == 0, "gold", "basic"), dtype="str")
    kinds = {**kinds, "plan": ColumnKind.CATEGORICAL}
    ordered = prepare(frame, kinds, "churn", "logistic_regression").in_training_order()
    assert isinstance(ordered.X["city"].dtype, pd.CategoricalDtype)   # text: one byte a cell
    assert ordered.X["member"].dtype == object                        # not text: as it came
    assert ordered.X["city"].isna().sum() == frame["city"].isna().sum()

    step = {"op": "drop_column", "params": {"column": "notes"}, "at_prediction": True}
    rename = {"op": "merge_rare", "params": {"column": "city", "keep": ["North", "South", "East"], "other": "Other"},
              "at_prediction": True}
    kept = prepare(frame, kinds, "churn", "logistic_regression", recipe_steps=[step, rename],
                   sensitive="plan").in_training_order()
    assert isinstance(kept.X["city"].dtype, pd.StringDtype)           # a prediction-time step reads it
    assert isinstance(kept.X["plan"].dtype, pd.StringDtype)           # the fairness audit reads it


def test_scoring_stacks_in_slices_with_the_same_results(monkeypatch):
    frame, kinds = mixed_frame(n=900)
    frame["shop"] = pd.array([f"shop {i % 30}" for i in range(len(frame))], dtype="str")
    prep = prepare(frame, {**kinds, "shop": ColumnKind.CATEGORICAL}, "churn", "logistic_regression", seed=2)
    monkeypatch.setattr(stacking, "SLICE_ROWS", 10**9)   # one slice: scikit-learn's own stacking
    plain = evaluate_prepared(prep, None, seed=2, cv_folds=3)
    calls, original = [], stacking.stack_rows
    monkeypatch.setattr(stacking, "SLICE_ROWS", 40)      # test rows, folds and importance samples in slices
    monkeypatch.setattr(stacking, "stack_rows", lambda *a, **k: calls.append(a[1]) or original(*a, **k))
    sliced = evaluate_prepared(prep, None, seed=2, cv_folds=3)
    assert len(prep.test) in calls                        # the test rows were stacked in slices
    assert sliced.metrics == plain.metrics and sliced.cv_metrics == plain.cv_metrics
    assert sliced.curves == plain.curves and sliced.feature_importance == plain.feature_importance
    assert "_hstack" not in vars(sliced.pipeline.named_steps["prepare"])

