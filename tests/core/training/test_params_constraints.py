"""Every algorithm's parameters are checked before any fit: the catalogue's ranges agree with
scikit-learn's own `_parameter_constraints`, and what only scikit-learn knows is a ParamError too.

A value outside what scikit-learn accepts once reached a fit and aborted the whole process
("terminate called without an active exception"); these tests keep the two checks in step.
"""

from __future__ import annotations

import pytest
from sklearn.linear_model import LogisticRegression

from desktop_app.core.training.catalogue import ALGORITHMS, check_sklearn_constraints, validate_params
from desktop_app.core.training.errors import ParamError

NUMERIC = [(a, p) for a in ALGORITHMS for p in a.params if p.type in ("int", "float")]


def _id(case) -> str:
    algorithm, param = case
    return f"{algorithm.task[:5]}-{algorithm.name}-{param.name}"


@pytest.mark.parametrize("case", NUMERIC, ids=[_id(c) for c in NUMERIC])
def test_params_at_their_bounds_are_accepted_by_scikit_learn(case):
    algorithm, param = case
    for value in (param.low, param.high):
        if value is not None:
            algorithm.build({param.name: value})  # raises ParamError if scikit-learn refused it


@pytest.mark.parametrize("case", NUMERIC, ids=[_id(c) for c in NUMERIC])
def test_params_past_their_bounds_are_refused_before_any_fit(case):
    algorithm, param = case
    def beyond(bound: float, direction: int) -> float:  # a step that survives float rounding at 1e8
        return bound + direction * (1 if param.type == "int" else max(abs(bound) / 2, 1e-9))

    outside = [beyond(bound, direction) for bound, direction in ((param.low, -1), (param.high, 1))
               if bound is not None]
    assert outside, f"{param.name} has no range at all"
    for value in outside:
        with pytest.raises(ParamError, match=param.name):
            validate_params(algorithm, {param.name: str(value)})


@pytest.mark.parametrize("algorithm", ALGORITHMS, ids=[f"{a.task[:5]}-{a.name}" for a in ALGORITHMS])
def test_params_of_every_choice_and_the_seed_range_pass_scikit_learn(algorithm):
    for param in algorithm.params:
        for choice in param.choices:
            algorithm.build({param.name: choice})
    algorithm.build(seed=2**32 - 1)


def test_params_scikit_learn_refuses_become_one_sentence():
    with pytest.raises(ParamError) as refused:
        check_sklearn_constraints(LogisticRegression(C=-5.0), "logistic_regression")
    message = str(refused.value)
    assert message.startswith("logistic_regression cannot use these settings: The 'C' parameter")
    assert "\n" not in message and message.endswith(".")


def test_params_outside_what_only_scikit_learn_checks_are_refused_when_building():
    # the seed has no catalogue range: scikit-learn's random_state constraint catches it
    for algorithm in (a for a in ALGORITHMS if a.name in ("random_forest", "logistic_regression", "linear_svm")):
        with pytest.raises(ParamError, match="random_state"):
            algorithm.build(seed=-1)


@pytest.mark.parametrize("cv_folds, fit_rows", [(None, 75), (3, 50)])
def test_params_bounded_by_the_training_rows_are_refused_before_the_fit(cv_folds, fit_rows):
    import numpy as np
    import pandas as pd

    from desktop_app.core.data.settings import ColumnKind
    from desktop_app.core.training.evaluation import train_and_evaluate

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=100), "y": rng.normal(size=100)})
    kinds = {"x": ColumnKind.NUMERIC, "y": ColumnKind.NUMERIC}
    # 100 rows, a quarter held out: 75 to fit, or 50 in each fold of a 3-fold cross-validation
    train_and_evaluate(frame, kinds, "y", "k_neighbors", {"n_neighbors": fit_rows}, cv_folds=cv_folds,
                       curves=False, importance=False)
    with pytest.raises(ParamError, match=f"n_neighbors is {fit_rows + 1} but this fit has only {fit_rows} "):
        train_and_evaluate(frame, kinds, "y", "k_neighbors", {"n_neighbors": fit_rows + 1}, cv_folds=cv_folds,
                           curves=False, importance=False)
