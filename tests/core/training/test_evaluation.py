"""train_and_evaluate: the same numbers as a plain scikit-learn script, determinism, tasks, options."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_diabetes, load_iris, load_wine
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from desktop_app.core.errors import Cancelled
from desktop_app.core.training.errors import TrainingError
from desktop_app.core.training.evaluation import train_and_evaluate
from desktop_app.core.training.metrics import BINARY_METRICS, MULTICLASS_METRICS, REGRESSION_METRICS
from desktop_app.core.training.model_io import load_model, save_model
from tests.sklearn_reference import binary_metrics

from .conftest import CATEGORICAL, HEART_KINDS, NUMERIC, TARGET


def plain_script(heart: pd.DataFrame, class_weight: str | None, seed: int) -> dict[str, float]:
    """What an analyst would write by hand: same split, preprocessing and model, sklearn only."""
    features = heart.drop(columns=TARGET).astype({c: object for c in CATEGORICAL})
    y = heart[TARGET].to_numpy(dtype=object)
    x_train, x_test, y_train, y_test = train_test_split(features, y, test_size=0.25, stratify=y, random_state=seed)
    prep = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), NUMERIC),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")),
         CATEGORICAL),
    ])
    model = make_pipeline(prep, LogisticRegression(max_iter=1000, class_weight=class_weight)).fit(x_train, y_train)
    return binary_metrics(y_test, model.predict(x_test), model.predict_proba(x_test), model.classes_)


@pytest.mark.parametrize("class_weight", [None, "balanced"])
def test_metrics_equal_a_plain_sklearn_script(heart, class_weight):
    expected = plain_script(heart, class_weight, seed=42)
    result = train_and_evaluate(heart, HEART_KINDS, TARGET, "logistic_regression", seed=42,
                                class_weight=class_weight, importance=False)
    assert result.positive_label == "Yes"  # the minority class
    assert list(result.metrics) == list(BINARY_METRICS)
    for name, value in expected.items():
        assert result.metrics[name] == pytest.approx(value, abs=1e-12), name


def test_balanced_class_weight_finds_the_rare_class(heart):
    plain = train_and_evaluate(heart, HEART_KINDS, TARGET, "logistic_regression", seed=42, importance=False)
    balanced = train_and_evaluate(heart, HEART_KINDS, TARGET, "logistic_regression", seed=42,
                                  class_weight="balanced", importance=False)
    assert plain.metrics["recall"] < 0.15
    assert 0.65 < balanced.metrics["recall"] < 0.85
    # The shipped generator's own check gives the same story with the same numbers.
    import importlib.util

    from .conftest import REPO
    spec = importlib.util.spec_from_file_location("mhs", REPO / "resources/sample_data/make_heart_sample.py")
    mhs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mhs)
    story = mhs.check(heart, seed=42)
    assert plain.metrics["recall"] == pytest.approx(story["recall_plain"], abs=1e-12)
    assert balanced.metrics["recall"] == pytest.approx(story["recall_balanced"], abs=1e-12)
    assert balanced.metrics["roc_auc"] == pytest.approx(story["auc_balanced"], abs=1e-12)


@pytest.mark.parametrize("name, params", [
    ("logistic_regression", None),
    ("hist_gradient_boosting", {"max_iter": 30, "early_stopping": "on"}),
    ("random_forest", {"n_estimators": 20, "max_depth": 6}),
])
def test_same_data_and_seed_give_identical_results(heart, name, params):
    runs = [train_and_evaluate(heart, HEART_KINDS, TARGET, name, params, seed=7, cv_folds=3) for _ in range(2)]
    assert runs[0].metrics == runs[1].metrics
    assert runs[0].cv_metrics == runs[1].cv_metrics
    assert runs[0].feature_importance == runs[1].feature_importance
    assert runs[0].curves == runs[1].curves
    other = train_and_evaluate(heart, HEART_KINDS, TARGET, name, params, seed=8, importance=False)
    assert other.metrics != runs[0].metrics


def test_result_is_complete_and_json_ready(heart):
    result = train_and_evaluate(heart, None, TARGET, "logistic_regression", {"C": "0.5"}, seed=1, cv_folds=3)
    assert result.task == "classification" and result.classes == ["No", "Yes"]
    # scikit-learn's rule for a 0.25 test share: ceil(0.25 · rows) test rows.
    assert result.n_train + result.n_test == len(heart) and result.n_test == math.ceil(0.25 * len(heart))
    assert result.params == {"C": 0.5, "l1_ratio": 0.0, "max_iter": 1000}
    assert result.estimator_params["C"] == 0.5 and result.estimator_params["solver"] == "lbfgs"
    assert set(result.cv_metrics) == {f"cv_{m}_{s}" for m in BINARY_METRICS for s in ("mean", "std")}
    assert {"fit_seconds", "predict_seconds", "total_seconds"} <= set(result.timings)
    assert result.pipeline_steps[-1] == "Logistic regression (C=0.5)"
    assert result.features == [c for c in heart.columns if c != TARGET]
    curves = result.curves
    for name in ("roc", "pr"):
        lengths = {len(v) for v in curves[name].values()}
        assert len(lengths) == 1 and 2 <= lengths.pop() <= 200
    assert len(curves["calibration"]["count"]) <= 10 and sum(curves["calibration"]["count"]) == result.n_test
    assert curves["confusion_matrix"]["labels"] == ["No", "Yes"]
    assert np.sum(curves["confusion_matrix"]["matrix"]) == result.n_test
    assert [r["label"] for r in curves["per_class"]] == ["No", "Yes"]
    assert [f for f, _, _ in result.feature_importance][0] == "age"  # the generator's strongest factor
    assert len(result.feature_importance) == heart.shape[1] - 1 and result.importance_metric == "roc_auc"
    json.dumps(result.to_dict(), allow_nan=False)


def test_rows_without_a_target_are_dropped_and_counted(heart):
    frame = heart.copy()
    frame.loc[[3, 30, 300], TARGET] = np.nan
    result = train_and_evaluate(frame, HEART_KINDS, TARGET, "naive_bayes", importance=False)
    assert result.dropped_missing_target == 3
    assert result.n_train + result.n_test == len(heart) - 3
    assert "3 row(s) without a value" in result.notes[0]


def test_tuned_threshold_is_applied_by_the_saved_model(heart):
    result = train_and_evaluate(heart, HEART_KINDS, TARGET, "logistic_regression", seed=42, tune_threshold=True,
                                importance=False)
    t = result.threshold
    assert 0 < t < 0.5  # the rare class needs a low bar
    info = result.curves["threshold"]
    # The threshold is chosen on a validation quarter of the training rows (ceil, as scikit-learn splits).
    assert info["value"] == t and info["chosen_on"] == "validation"
    assert info["rows"] == math.ceil(0.25 * result.n_train)
    assert result.metrics["recall"] > info["metrics_at_default"]["recall"]
    assert result.metrics["roc_auc"] == info["metrics_at_default"]["roc_auc"]
    assert result.pipeline_steps[-1].startswith("Predict 'Yes' when its probability is at least")
    loaded = load_model(save_model(result.pipeline))
    rows = heart.drop(columns=TARGET).sample(400, random_state=0)
    p_yes = loaded.predict_proba(rows)[:, 1]
    np.testing.assert_array_equal(loaded.predict(rows), np.where(p_yes >= t, "Yes", "No"))


def test_threshold_from_cross_validation(heart):
    result = train_and_evaluate(heart, HEART_KINDS, TARGET, "naive_bayes", seed=0, cv_folds=3,
                                tune_threshold=True, importance=False)
    assert result.curves["threshold"]["chosen_on"] == "cross-validation"
    assert result.curves["threshold"]["rows"] == result.n_train


def test_positive_label_can_be_chosen(heart):
    result = train_and_evaluate(heart, HEART_KINDS, TARGET, "logistic_regression", positive_label="no",
                                importance=False)
    assert result.positive_label == "No"
    assert result.metrics["recall"] > 0.95
    with pytest.raises(TrainingError, match="not a value of the target"):
        train_and_evaluate(heart, HEART_KINDS, TARGET, "logistic_regression", positive_label="maybe")


def test_time_ordered_split_tests_on_the_latest_rows():
    rng = np.random.default_rng(0)
    n = 400
    frame = pd.DataFrame({"when": pd.date_range("2024-01-01", periods=n, freq="D")[rng.permutation(n)],
                          "x": rng.normal(size=n)})
    frame["y"] = np.where(frame["x"] + rng.normal(0, 0.5, n) > 0, "up", "down")
    result = train_and_evaluate(frame, None, "y", "logistic_regression", time_column="when", cv_folds=3,
                                importance=False)
    assert result.n_test == 100
    # The pipeline saw dates: the test rows are the last 100 days.
    assert result.cv_metrics["cv_accuracy_mean"] > 0.7


def test_regression_on_diabetes_matches_plain_sklearn():
    data = load_diabetes(as_frame=True).frame
    result = train_and_evaluate(data, None, "target", "ridge", {"alpha": 1.0}, seed=0, cv_folds=3)
    assert result.task == "regression"
    x_train, x_test, y_train, y_test = train_test_split(data.drop(columns="target"), data["target"],
                                                        test_size=0.25, random_state=0)
    model = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), Ridge(alpha=1.0)).fit(x_train, y_train)
    pred = model.predict(x_test)
    assert result.metrics["r2"] == pytest.approx(skm.r2_score(y_test, pred), abs=1e-12)
    assert result.metrics["rmse"] == pytest.approx(skm.root_mean_squared_error(y_test, pred), abs=1e-12)
    assert result.metrics["mae"] == pytest.approx(skm.mean_absolute_error(y_test, pred), abs=1e-12)
    assert list(result.metrics) == list(REGRESSION_METRICS) and 0.3 < result.metrics["r2"] < 0.6
    assert set(result.cv_metrics) == {f"cv_{m}_{s}" for m in REGRESSION_METRICS for s in ("mean", "std")}
    residuals = result.curves["residuals"]
    assert len(residuals["actual"]) == len(residuals["predicted"]) == result.n_test
    assert result.importance_metric == "r2" and result.feature_importance[0][0] in ("bmi", "s5")


@pytest.mark.parametrize("loader, name, params", [
    (load_iris, "logistic_regression", None),
    (load_wine, "random_forest", {"n_estimators": 25}),
    (load_wine, "hist_gradient_boosting", {"max_iter": 20}),
])
def test_multiclass(loader, name, params):
    bunch = loader(as_frame=True)
    frame = bunch.frame.assign(target=np.asarray(bunch.target_names)[bunch.target])
    result = train_and_evaluate(frame, None, "target", name, params, seed=0, cv_folds=3)
    assert list(result.metrics) == list(MULTICLASS_METRICS)
    assert result.metrics["accuracy"] > 0.85 and result.positive_label is None
    assert result.classes == sorted(bunch.target_names)
    matrix = np.array(result.curves["confusion_matrix"]["matrix"])
    assert matrix.shape == (3, 3) and matrix.sum() == result.n_test
    assert set(result.curves["roc_ovr"]) == set(bunch.target_names)
    assert set(result.curves["pr_ovr"]) == set(bunch.target_names)
    assert result.importance_metric == "f1_macro"
    json.dumps(result.to_dict(), allow_nan=False)


def test_multiclass_curves_one_vs_rest_per_class():
    """ROC and precision–recall curves per class, thinned like the two-class ones, with exact per-class scores."""
    bunch = load_wine(as_frame=True)
    frame = bunch.frame.assign(target=np.asarray(bunch.target_names)[bunch.target])
    result = train_and_evaluate(frame, None, "target", "logistic_regression", {"C": "0.05"}, seed=0,
                                importance=False)
    curves = result.curves
    assert {"roc_ovr", "pr_ovr", "ovr_scores", "confusion_matrix", "per_class"} <= set(curves)
    assert "roc" not in curves and "pr" not in curves      # the two-class keys stay two-class
    x_test, y_test = train_test_split(frame.drop(columns="target"), frame["target"], test_size=0.25,
                                      stratify=frame["target"], random_state=0)[1::2]
    model = result.pipeline
    proba = model.predict_proba(x_test)
    for k, label in enumerate(model.classes_):
        is_class = (y_test == label).to_numpy()
        pr, roc, scores = curves["pr_ovr"][label], curves["roc_ovr"][label], curves["ovr_scores"][label]
        assert len({len(v) for v in pr.values()}) == 1 and 2 <= len(pr["recall"]) <= 200
        assert len({len(v) for v in roc.values()}) == 1 and 2 <= len(roc["fpr"]) <= 200
        assert pr["recall"][0] == 1.0 and np.all(np.diff(pr["recall"]) <= 0)   # from every row found to few
        assert scores["roc_auc"] == pytest.approx(skm.roc_auc_score(is_class, proba[:, k]), abs=1e-12)
        assert scores["average_precision"] == pytest.approx(
            skm.average_precision_score(is_class, proba[:, k]), abs=1e-12)
        assert scores["prevalence"] == pytest.approx(is_class.mean()) and scores["support"] == is_class.sum()
    # The macro one-vs-rest AUC is the mean of the per-class ones.
    macro = np.mean([s["roc_auc"] for s in curves["ovr_scores"].values()])
    assert result.metrics["roc_auc_ovr"] == pytest.approx(macro, abs=1e-12)


def test_thinned_precision_recall_curves_keep_both_ends():
    from desktop_app.core.training.metrics import CURVE_POINTS, multiclass_pr

    rng = np.random.default_rng(0)
    codes = rng.integers(0, 3, 5000)
    proba = rng.dirichlet(np.ones(3), 5000)
    curves = multiclass_pr(codes, proba, ["a", "b", "c"])
    for k, label in enumerate("abc"):
        recall, thresholds = curves[label]["recall"], curves[label]["thresholds"]
        assert len(recall) == len(thresholds) == CURVE_POINTS
        # Thinned, but still from the lowest threshold (every row found) to the highest.
        assert recall[0] == 1.0 and recall[-1] < 0.01
        assert thresholds[-1] == pytest.approx(proba[codes == k, k].max())
    only_two = multiclass_pr(np.array([0, 1, 0, 1]), np.full((4, 3), 1 / 3), ["a", "b", "c"])
    assert set(only_two) == {"a", "b"}                      # a class absent from the rows has no curve


def test_progress_is_reported_and_cancel_passes_through(heart):
    seen = []
    train_and_evaluate(heart, HEART_KINDS, TARGET, "naive_bayes", cv_folds=3,
                       progress=lambda f, msg: seen.append((f, msg)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert any("fold 2 of 3" in msg for _, msg in seen) and any("Importance of age" in m for _, m in seen)

    def cancel_at_fit(fraction, message):
        if message.startswith("Fitting"):
            raise Cancelled()

    with pytest.raises(Cancelled):
        train_and_evaluate(heart, HEART_KINDS, TARGET, "naive_bayes", progress=cancel_at_fit)


@pytest.mark.parametrize("kwargs, words", [
    ({"target": "nope"}, "no column 'nope'"),
    ({"test_size": 1.5}, "between 0 and 1"),
    ({"algorithm_name": "ridge"}, "'ridge' is a regression model"),
    ({"tune_threshold": True, "target": "cholesterol"}, "exactly two classes"),
    ({"class_weight": "balanced", "algorithm_name": "k_neighbors"}, "cannot weight classes"),
    ({"cv_folds": 1}, "at least 2 folds"),
])
def test_user_mistakes_are_clear_errors(heart, kwargs, words):
    args = {"target": TARGET, "algorithm_name": "logistic_regression", **kwargs}
    with pytest.raises(TrainingError, match=words):
        train_and_evaluate(heart, HEART_KINDS, args.pop("target"), args.pop("algorithm_name"), **args)
