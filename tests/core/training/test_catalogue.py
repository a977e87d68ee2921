"""The model catalogue and parameter validation."""

from __future__ import annotations

import pytest

from desktop_app.core.errors import MLDeskError, NotFoundError
from desktop_app.core.training.catalogue import (
    ALGORITHMS,
    algorithms_for,
    get_algorithm,
    parse_param_strings,
    validate_class_weight,
    validate_params,
)
from desktop_app.core.training.errors import ParamError, UnknownAlgorithmError

CLASSIFIERS = ["logistic_regression", "random_forest", "extra_trees", "hist_gradient_boosting", "decision_tree",
               "k_neighbors", "naive_bayes", "linear_svm"]
REGRESSORS = ["linear_regression", "ridge", "lasso", "elastic_net", "random_forest", "hist_gradient_boosting",
              "k_neighbors"]


def test_catalogue_lists_the_promised_algorithms():
    assert [a.name for a in algorithms_for("classification")] == CLASSIFIERS
    assert [a.name for a in algorithms_for("regression")] == REGRESSORS
    assert get_algorithm("random_forest", "regression").estimator_class.endswith("RandomForestRegressor")
    assert get_algorithm("random_forest", "classification").estimator_class.endswith("RandomForestClassifier")


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=lambda a: f"{a.task}-{a.name}")
def test_every_algorithm_builds_with_defaults_and_its_space_is_valid(algorithm):
    estimator = algorithm.build(seed=3)
    assert estimator.__class__.__name__ == algorithm.estimator_class.rsplit(".", 1)[1]
    for name, values in algorithm.default_search_space.items():
        param = algorithm.param(name)
        assert [param.parse(v) for v in values] == list(values)
    for p in algorithm.params:
        assert p.type in ("int", "float", "choice", "bool")
        assert p.help and "\n" not in p.help
        assert p.parse(p.default) == p.default


def test_cli_strings_become_typed_values():
    logistic = get_algorithm("logistic_regression", "classification")
    assert validate_params(logistic, ["C=0.5", "max_iter=200"]) == {"C": 0.5, "max_iter": 200}
    assert validate_params(logistic, {"C": "1e-2", "max_iter": "1e3"}) == {"C": 0.01, "max_iter": 1000}
    forest = get_algorithm("random_forest", "classification")
    assert validate_params(forest, {"max_depth": "none", "max_features": "ALL"}) == {"max_depth": None,
                                                                                    "max_features": "all"}
    assert forest.sklearn_params({"max_features": "all"})["max_features"] == 1.0
    linear = get_algorithm("linear_regression", "regression")
    assert validate_params(linear, {"fit_intercept": "no"}) == {"fit_intercept": False}
    assert parse_param_strings(["C = 2"]) == {"C": "2"}


@pytest.mark.parametrize("params, words", [
    ({"c": "1"}, ["no parameter 'c'", "C, l1_ratio, max_iter"]),
    ({"C": "abc"}, ["must be a number", "'abc'"]),
    ({"C": "0"}, ["between 1e-06 and 1e+06"]),
    ({"max_iter": "2.5"}, ["whole number"]),
    ({"C": "nan"}, ["finite"]),
    ({"C": "none"}, ["needs a value"]),
    (["C"], ["NAME=VALUE"]),
])
def test_bad_parameters_give_one_clear_sentence(params, words):
    logistic = get_algorithm("logistic_regression", "classification")
    with pytest.raises(ParamError) as info:
        validate_params(logistic, params)
    assert isinstance(info.value, MLDeskError)
    for word in words:
        assert word in str(info.value)


def test_choice_and_bool_errors_list_the_allowed_values():
    knn = get_algorithm("k_neighbors", "classification")
    with pytest.raises(ParamError, match="one of uniform, distance"):
        validate_params(knn, {"weights": "far"})
    with pytest.raises(ParamError, match="true or false"):
        validate_params(get_algorithm("linear_regression", "regression"), {"fit_intercept": "maybe"})


def test_unknown_algorithm_and_class_weight_rules():
    with pytest.raises(UnknownAlgorithmError, match="'ridge' is a regression model") as info:
        get_algorithm("ridge", "classification")
    assert isinstance(info.value, NotFoundError)
    with pytest.raises(ParamError, match="cannot weight classes"):
        validate_class_weight(get_algorithm("k_neighbors", "classification"), "balanced")
    with pytest.raises(ParamError, match="only to classification"):
        validate_class_weight(get_algorithm("ridge", "regression"), "balanced")
    assert validate_class_weight(get_algorithm("linear_svm", "classification"), "Balanced") == "balanced"
    assert validate_class_weight(get_algorithm("naive_bayes", "classification"), "none") is None


def test_linear_svm_is_calibrated_and_logistic_picks_its_solver():
    svm = get_algorithm("linear_svm", "classification").build({"C": 0.3}, class_weight="balanced")
    assert type(svm).__name__ == "CalibratedClassifierCV" and svm.estimator.C == 0.3
    assert svm.estimator.class_weight == "balanced"
    logistic = get_algorithm("logistic_regression", "classification")
    assert logistic.build({"l1_ratio": 0.5}).solver == "saga"
    assert logistic.build().solver == "lbfgs"
