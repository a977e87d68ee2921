"""The model catalogue: which algorithms MLDesk trains, their parameters, and their search spaces.

    algorithm = get_algorithm("logistic_regression", "classification")
    params = validate_params(algorithm, {"C": "0.5"})          # {"C": 0.5}, typed and range-checked
    params = validate_params(algorithm, ["C=0.5", "max_iter=500"])   # CLI --param strings work too
    estimator = algorithm.build(params, class_weight="balanced", seed=0)   # also checked by scikit-learn

Parameters carry the names the user sees (CLI `--param`, the window's form); each maps to
one scikit-learn parameter (`Param.sk_name`, `Param.sk_values` for translated choices).
scikit-learn is imported only when an estimator is built, so listing the catalogue is cheap.

`default_search_space` maps a parameter name to a list of values (used as is by a grid
search and sampled by a random search) or to a range `{"low": .., "high": .., "log": bool}`
(sampled by a random search, spread over 5 points by a grid search); see `search.py`.

linear_svm: LinearSVC has no probabilities, so it is wrapped in
CalibratedClassifierCV(method="sigmoid", cv=3). Probabilities (ROC, PR, log loss, calibration,
threshold tuning) are therefore Platt-scaled decision values. Note the calibration is fitted on
the unweighted rows, so class_weight="balanced" changes its ranking but its probabilities stay
close to the observed class shares; use threshold tuning to trade precision for recall there.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from desktop_app.core.training.errors import ParamError, TrainingError, UnknownAlgorithmError

CLASSIFICATION = "classification"
REGRESSION = "regression"
TASKS = (CLASSIFICATION, REGRESSION)
CLASS_WEIGHTS = ("balanced",)

_TRUE = {"true", "yes", "y", "1", "on", "t"}
_FALSE = {"false", "no", "n", "0", "off", "f"}
_NONE = {"none", "null", "unlimited", ""}


@dataclass(frozen=True)
class Param:
    """One parameter of an algorithm, as the user sets it."""

    name: str
    type: str                      # "int" | "float" | "choice" | "bool"
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple = ()
    log: bool = False              # searched and shown on a log scale
    help: str = ""
    nullable: bool = False         # "none" is accepted (for example max_depth: no limit)
    sk_name: str | None = None     # the scikit-learn parameter it sets (default: `name`)
    sk_values: tuple = ()          # (choice, scikit-learn value) pairs where they differ

    @property
    def sklearn_name(self) -> str:
        return self.sk_name or self.name

    def to_sklearn(self, value: Any) -> Any:
        for choice, sk in self.sk_values:
            if value == choice:
                return sk
        return value

    def from_sklearn(self, value: Any) -> Any:
        for choice, sk in self.sk_values:
            if value is sk or (type(value) is type(sk) and value == sk):
                return choice
        return value

    def parse(self, value: Any, owner: str = "") -> Any:
        """`value` (a string from the CLI or a typed value) converted and checked; ParamError if wrong."""
        where = f"Parameter {self.name}" + (f" of {owner}" if owner else "")
        if value is None or (isinstance(value, str) and value.strip().lower() in _NONE and self.type != "choice"):
            if self.nullable:
                return None
            raise ParamError(f"{where} needs a value; {self.help_range()}.")
        text = value.strip() if isinstance(value, str) else None
        if self.type == "bool":
            if isinstance(value, bool):
                return value
            key = (text if text is not None else str(value)).lower()
            if key in _TRUE:
                return True
            if key in _FALSE:
                return False
            raise ParamError(f"{where} must be true or false, not {value!r}.")
        if self.type == "choice":
            for choice in self.choices:
                if value == choice or (text is not None and text.lower() == str(choice).lower()):
                    return choice
            if self.nullable and text is not None and text.lower() in _NONE:
                return None
            raise ParamError(f"{where} must be one of {', '.join(map(str, self.choices))}, not {value!r}.")
        if isinstance(value, bool):
            raise ParamError(f"{where} must be a number, not {value!r}.")
        try:
            number = float(text) if text is not None else float(value)
        except (TypeError, ValueError):
            raise ParamError(f"{where} must be {'a whole number' if self.type == 'int' else 'a number'}, "
                             f"not {value!r}.") from None
        if not math.isfinite(number):
            raise ParamError(f"{where} must be a finite number, not {value!r}.")
        if self.type == "int":
            if number != int(number):
                raise ParamError(f"{where} must be a whole number, not {value!r}.")
            number = int(number)
        if (self.low is not None and number < self.low) or (self.high is not None and number > self.high):
            raise ParamError(f"{where} must be {self.help_range()}; got {value!r}.")
        return number

    def help_range(self) -> str:
        if self.type == "choice":
            text = "one of " + ", ".join(map(str, self.choices))
        elif self.type == "bool":
            text = "true or false"
        else:
            text = f"between {_num(self.low)} and {_num(self.high)}"
        return text + (" or none" if self.nullable else "")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "default": self.default, "low": self.low, "high": self.high,
                "choices": list(self.choices), "log": self.log, "help": self.help, "nullable": self.nullable}


def _num(value: float | None) -> str:
    if value is None:
        return "any"
    return f"{value:g}"


@dataclass(frozen=True)
class Algorithm:
    """One trainable model for one task."""

    name: str
    task: str
    label: str
    estimator_factory: Callable[..., Any] = field(compare=False, repr=False)
    params: tuple[Param, ...] = ()
    supports_class_weight: bool = False
    default_search_space: dict = field(default_factory=dict, compare=False)
    family: str = "linear"         # linear | tree | neighbors | svm | bayes: decides the preprocessing
    estimator_class: str = ""      # dotted path of the outer scikit-learn class (to recognise a fitted one)

    @property
    def scales_numbers(self) -> bool:
        """Distance- and penalty-based models need numbers on one scale; trees and naive Bayes do not."""
        return self.family in ("linear", "neighbors", "svm")

    @property
    def encoding(self) -> str:
        """How categories become numbers: ordinal codes for trees, one-hot columns for the rest."""
        return "ordinal" if self.family == "tree" else "onehot"

    @property
    def needs_dense(self) -> bool:
        return self.family == "bayes"

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise ParamError(f"{self.name} has no parameter '{name}'; its parameters are: {known}.")

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def effective_params(self, params: Mapping[str, Any] | Iterable[str] | None = None) -> dict[str, Any]:
        """Every parameter: the defaults overridden by `params` (validated)."""
        return {**self.defaults(), **validate_params(self, params or {})}

    def sklearn_params(self, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        full = self.effective_params(params)
        return {self.param(k).sklearn_name: self.param(k).to_sklearn(v) for k, v in full.items()}

    def build(self, params: Mapping[str, Any] | None = None, class_weight: str | None = None, seed: int = 0) -> Any:
        """A new, unfitted estimator with `params` (defaults for the rest), checked as scikit-learn checks it.

        The catalogue's ranges come first (their sentences use the user's names); scikit-learn's
        own constraints then check what the ranges cannot see, so that a bad value is a
        ParamError here and never reaches a fit (where native code may fail far less politely).
        """
        class_weight = validate_class_weight(self, class_weight)
        estimator = self.estimator_factory(self.sklearn_params(params), class_weight=class_weight, seed=seed)
        check_sklearn_constraints(estimator, self.name)
        return estimator

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "task": self.task, "label": self.label, "family": self.family,
                "supports_class_weight": self.supports_class_weight, "params": [p.to_dict() for p in self.params],
                "default_search_space": self.default_search_space}


# Factories (module-level so that they pickle) ------------------------------------------------

def _cls(path: str) -> type:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _make(path: str, fixed: dict, seeded: bool, sk_params: dict, *, class_weight: str | None = None,
          seed: int = 0) -> Any:
    kwargs = {**fixed, **sk_params}
    if class_weight is not None:
        kwargs["class_weight"] = class_weight
    if seeded:
        kwargs["random_state"] = seed
    return _cls(path)(**kwargs)


def _make_logistic(sk_params: dict, *, class_weight: str | None = None, seed: int = 0) -> Any:
    kwargs = dict(sk_params)
    # lbfgs handles the pure L2 penalty fastest; any L1 share needs saga.
    kwargs["solver"] = "saga" if kwargs.get("l1_ratio", 0.0) > 0 else "lbfgs"
    return _make("sklearn.linear_model.LogisticRegression", {}, True, kwargs, class_weight=class_weight, seed=seed)


def _make_linear_svm(sk_params: dict, *, class_weight: str | None = None, seed: int = 0) -> Any:
    inner = {k.removeprefix("estimator__"): v for k, v in sk_params.items()}
    svm = _make("sklearn.svm.LinearSVC", {}, True, inner, class_weight=class_weight, seed=seed)
    return _cls("sklearn.calibration.CalibratedClassifierCV")(svm, method="sigmoid", cv=3)


# Parameters shared by several algorithms -----------------------------------------------------

def _max_depth(default: int | None = None) -> Param:
    return Param("max_depth", "int", default, 1, 1000, nullable=True,
                 help="deepest a tree may grow; none = no limit")


def _min_samples_leaf(default: int = 1) -> Param:
    return Param("min_samples_leaf", "int", default, 1, 1_000_000, help="fewest training rows in a leaf")


def _forest_params(default_features: str) -> tuple[Param, ...]:
    return (
        Param("n_estimators", "int", 100, 1, 5000, help="number of trees"),
        _max_depth(),
        _min_samples_leaf(),
        Param("max_features", "choice", default_features, choices=("sqrt", "log2", "all"),
              sk_values=(("all", 1.0),), help="features each split may look at"),
    )


def _hgb_params() -> tuple[Param, ...]:
    return (
        Param("learning_rate", "float", 0.1, 1e-4, 1.0, log=True, help="shrinkage of each tree's contribution"),
        Param("max_iter", "int", 100, 1, 10_000, help="most boosting rounds (trees per class)"),
        Param("max_leaf_nodes", "int", 31, 2, 4096, nullable=True, help="most leaves per tree; none = no limit"),
        _max_depth(),
        _min_samples_leaf(20),
        Param("l2_regularization", "float", 0.0, 0.0, 10_000.0, help="L2 penalty on leaf values"),
        Param("early_stopping", "choice", "auto", choices=("auto", "on", "off"),
              sk_values=(("on", True), ("off", False)),
              help="stop when a held-out 10% stops improving (auto: on above 10,000 rows)"),
    )


def _knn_params() -> tuple[Param, ...]:
    return (
        Param("n_neighbors", "int", 5, 1, 10_000, help="neighbours that vote"),
        Param("weights", "choice", "uniform", choices=("uniform", "distance"),
              help="uniform votes, or closer neighbours count more"),
    )


_FOREST_SPACE = {"n_estimators": [100, 300], "max_depth": [None, 8, 16], "min_samples_leaf": [1, 5]}
_HGB_SPACE = {"learning_rate": [0.03, 0.1, 0.3], "max_leaf_nodes": [15, 31, 63], "min_samples_leaf": [20, 50]}
_KNN_SPACE = {"n_neighbors": [5, 15, 31], "weights": ["uniform", "distance"]}
_SK = "sklearn."


def _catalogue() -> tuple[Algorithm, ...]:
    c, r = CLASSIFICATION, REGRESSION
    forest = {"n_jobs": -1}
    return (
        # Classification
        Algorithm("logistic_regression", c, "Logistic regression", _make_logistic, (
            Param("C", "float", 1.0, 1e-6, 1e6, log=True, help="inverse regularisation strength: smaller = simpler"),
            Param("l1_ratio", "float", 0.0, 0.0, 1.0,
                  help="share of L1 penalty: 0 = ridge (lbfgs), above 0 = lasso/elastic net (saga)"),
            Param("max_iter", "int", 1000, 10, 1_000_000, help="most solver iterations"),
        ), True, {"C": [0.01, 0.1, 1.0, 10.0, 100.0]}, "linear", _SK + "linear_model.LogisticRegression"),
        Algorithm("random_forest", c, "Random forest",
                  partial(_make, _SK + "ensemble.RandomForestClassifier", forest, True), _forest_params("sqrt"),
                  True, dict(_FOREST_SPACE), "tree", _SK + "ensemble.RandomForestClassifier"),
        Algorithm("extra_trees", c, "Extra trees",
                  partial(_make, _SK + "ensemble.ExtraTreesClassifier", forest, True), _forest_params("sqrt"),
                  True, dict(_FOREST_SPACE), "tree", _SK + "ensemble.ExtraTreesClassifier"),
        Algorithm("hist_gradient_boosting", c, "Histogram gradient boosting",
                  partial(_make, _SK + "ensemble.HistGradientBoostingClassifier", {}, True), _hgb_params(),
                  True, dict(_HGB_SPACE), "tree", _SK + "ensemble.HistGradientBoostingClassifier"),
        Algorithm("decision_tree", c, "Decision tree",
                  partial(_make, _SK + "tree.DecisionTreeClassifier", {}, True), (
                      _max_depth(), _min_samples_leaf(),
                      Param("criterion", "choice", "gini", choices=("gini", "entropy", "log_loss"),
                            help="how a split's quality is measured"),
                  ), True, {"max_depth": [3, 5, 8, None], "min_samples_leaf": [1, 5, 20]}, "tree",
                  _SK + "tree.DecisionTreeClassifier"),
        Algorithm("k_neighbors", c, "k nearest neighbours",
                  partial(_make, _SK + "neighbors.KNeighborsClassifier", {}, False), _knn_params(),
                  False, dict(_KNN_SPACE), "neighbors", _SK + "neighbors.KNeighborsClassifier"),
        Algorithm("naive_bayes", c, "Gaussian naive Bayes",
                  partial(_make, _SK + "naive_bayes.GaussianNB", {}, False), (
                      Param("var_smoothing", "float", 1e-9, 1e-15, 1.0, log=True,
                            help="share of the largest variance added to every variance"),
                  ), False, {"var_smoothing": [1e-9, 1e-7, 1e-5, 1e-3]}, "bayes", _SK + "naive_bayes.GaussianNB"),
        Algorithm("linear_svm", c, "Linear SVM (Platt-calibrated)", _make_linear_svm, (
            Param("C", "float", 1.0, 1e-6, 1e6, log=True, sk_name="estimator__C",
                  help="inverse regularisation strength: smaller = wider margin"),
            Param("max_iter", "int", 1000, 10, 1_000_000, sk_name="estimator__max_iter", help="most solver iterations"),
        ), True, {"C": [0.01, 0.1, 1.0, 10.0]}, "svm", _SK + "calibration.CalibratedClassifierCV"),
        # Regression
        Algorithm("linear_regression", r, "Linear regression",
                  partial(_make, _SK + "linear_model.LinearRegression", {}, False), (
                      Param("fit_intercept", "bool", True, help="fit a constant term"),
                  ), False, {"fit_intercept": [True, False]}, "linear", _SK + "linear_model.LinearRegression"),
        Algorithm("ridge", r, "Ridge regression", partial(_make, _SK + "linear_model.Ridge", {}, True), (
            Param("alpha", "float", 1.0, 0.0, 1e8, help="L2 penalty strength: larger = simpler"),
        ), False, {"alpha": [0.01, 0.1, 1.0, 10.0, 100.0]}, "linear", _SK + "linear_model.Ridge"),
        Algorithm("lasso", r, "Lasso regression", partial(_make, _SK + "linear_model.Lasso", {}, True), (
            Param("alpha", "float", 1.0, 1e-8, 1e8, log=True, help="L1 penalty strength: larger = fewer features"),
            Param("max_iter", "int", 1000, 10, 1_000_000, help="most coordinate-descent iterations"),
        ), False, {"alpha": [0.001, 0.01, 0.1, 1.0, 10.0]}, "linear", _SK + "linear_model.Lasso"),
        Algorithm("elastic_net", r, "Elastic net", partial(_make, _SK + "linear_model.ElasticNet", {}, True), (
            Param("alpha", "float", 1.0, 1e-8, 1e8, log=True, help="penalty strength"),
            Param("l1_ratio", "float", 0.5, 0.0, 1.0, help="share of L1 in the penalty: 0 = ridge, 1 = lasso"),
            Param("max_iter", "int", 1000, 10, 1_000_000, help="most coordinate-descent iterations"),
        ), False, {"alpha": [0.01, 0.1, 1.0], "l1_ratio": [0.2, 0.5, 0.8]}, "linear", _SK + "linear_model.ElasticNet"),
        Algorithm("random_forest", r, "Random forest",
                  partial(_make, _SK + "ensemble.RandomForestRegressor", forest, True), _forest_params("all"),
                  False, dict(_FOREST_SPACE), "tree", _SK + "ensemble.RandomForestRegressor"),
        Algorithm("hist_gradient_boosting", r, "Histogram gradient boosting",
                  partial(_make, _SK + "ensemble.HistGradientBoostingRegressor", {}, True), _hgb_params(),
                  False, dict(_HGB_SPACE), "tree", _SK + "ensemble.HistGradientBoostingRegressor"),
        Algorithm("k_neighbors", r, "k nearest neighbours",
                  partial(_make, _SK + "neighbors.KNeighborsRegressor", {}, False), _knn_params(),
                  False, dict(_KNN_SPACE), "neighbors", _SK + "neighbors.KNeighborsRegressor"),
    )


ALGORITHMS: tuple[Algorithm, ...] = _catalogue()


def algorithms_for(task: str) -> list[Algorithm]:
    """The algorithms for `task`, in the catalogue's order (the window lists them so)."""
    _check_task(task)
    return [a for a in ALGORITHMS if a.task == task]


def get_algorithm(name: str, task: str) -> Algorithm:
    _check_task(task)
    for a in ALGORITHMS:
        if a.name == name and a.task == task:
            return a
    known = ", ".join(a.name for a in algorithms_for(task))
    other = [a.task for a in ALGORITHMS if a.name == name]
    hint = f" ('{name}' is a {other[0]} model)" if other else ""
    raise UnknownAlgorithmError(f"There is no {task} model called '{name}'{hint}; choose one of: {known}.")


def find_algorithm(estimator: Any) -> Algorithm | None:
    """The catalogue entry a (fitted) estimator was built from, by its class."""
    path = f"{type(estimator).__module__}.{type(estimator).__qualname__}"
    for a in ALGORITHMS:
        if _cls(a.estimator_class).__module__ + "." + _cls(a.estimator_class).__qualname__ == path:
            return a
    return None


def _check_task(task: str) -> None:
    if task not in TASKS:
        raise TrainingError(f"'{task}' is not a task MLDesk trains; use classification or regression.")


def parse_param_strings(items: Iterable[str]) -> dict[str, str]:
    """["C=0.5", "max_iter=200"] → {"C": "0.5", "max_iter": "200"} (values still text)."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = str(item).partition("=")
        if not sep or not name.strip():
            raise ParamError(f"Write each parameter as NAME=VALUE, for example C=0.5; got {item!r}.")
        out[name.strip()] = value.strip()
    return out


def validate_params(algorithm: Algorithm, params: Mapping[str, Any] | Iterable[str]) -> dict[str, Any]:
    """The given parameters converted to their types and checked against their ranges.

    `params` maps names to values or strings ({"C": "0.5"}), or is a list of "NAME=VALUE"
    strings. Only the given names are returned; `Algorithm.effective_params` adds defaults.
    """
    if not isinstance(params, Mapping):
        params = parse_param_strings(params)
    return {name: algorithm.param(name).parse(value, algorithm.name) for name, value in params.items()}


def check_sklearn_constraints(estimator: Any, owner: str) -> None:
    """Check `estimator` (and the estimators it wraps) against scikit-learn's `_parameter_constraints`.

    This is what `fit` checks first, done before any data is touched; a refusal becomes a
    ParamError that names the algorithm.
    """
    from sklearn.utils._param_validation import InvalidParameterError

    nested = [v for v in estimator.get_params(deep=False).values() if hasattr(v, "_validate_params")]
    for part in (estimator, *nested):
        validate = getattr(part, "_validate_params", None)
        if validate is None:  # not a scikit-learn estimator with declared constraints
            continue
        try:
            validate()
        except InvalidParameterError as exc:
            raise ParamError(f"{owner} cannot use these settings: {str(exc).rstrip('.')}; "
                             "change the parameter named there.") from None


def check_fits_rows(estimator: Any, n_rows: int) -> None:
    """Settings bounded by the rows a fit gets, known only once the data is split (k nearest
    neighbours cannot ask for more neighbours than there are training rows)."""
    neighbours = getattr(estimator, "n_neighbors", None)
    if isinstance(neighbours, int) and neighbours > n_rows:
        raise ParamError(f"Parameter n_neighbors is {neighbours:,} but this fit has only {n_rows:,} training rows "
                         f"(the test share and any cross-validation fold set aside); choose at most {n_rows:,}.")


def validate_class_weight(algorithm: Algorithm, class_weight: Any) -> str | None:
    if class_weight is None or (isinstance(class_weight, str) and class_weight.strip().lower() in _NONE):
        return None
    if algorithm.task != CLASSIFICATION:
        raise ParamError("Class weights apply only to classification; leave out the class weight for regression.")
    value = str(class_weight).strip().lower()
    if value not in CLASS_WEIGHTS:
        raise ParamError(f"The class weight must be 'balanced' or none, not {class_weight!r}.")
    if not algorithm.supports_class_weight:
        able = ", ".join(a.name for a in algorithms_for(CLASSIFICATION) if a.supports_class_weight)
        raise ParamError(f"{algorithm.name} cannot weight classes; leave out the class weight or choose one of: "
                         f"{able}.")
    return value
