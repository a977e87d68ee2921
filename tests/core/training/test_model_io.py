"""skops round trip with MLDesk's allow-list; anything else is refused before it is built."""

from __future__ import annotations

import functools
import os

import numpy as np
import pytest
import skops.io as sio
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import Pipeline

from desktop_app.core.training.catalogue import ALGORITHMS
from desktop_app.core.training.environment import environment
from desktop_app.core.training.errors import ModelLoadError, UntrustedModelError
from desktop_app.core.training.evaluation import train_and_evaluate
from desktop_app.core.training.model_io import load_model, save_model, trusted_types

from .conftest import mixed_frame

SMALL = {"n_estimators": 5, "max_iter": 10}


def _small(algorithm):
    names = {p.name for p in algorithm.params}
    return {k: v for k, v in SMALL.items() if k in names and not (k == "max_iter" and algorithm.family != "tree")}


def _fitted_models():
    """Every catalogue algorithm fitted on mixed kinds, plus the variants that hold other internals."""
    frame, kinds = mixed_frame(n=300)
    rng = np.random.default_rng(0)
    frame = frame.assign(amount=rng.normal(size=len(frame)), grade=rng.choice(["a", "b", "c"], len(frame)),
                         zip=[f"Z{v}" for v in rng.integers(0, 40, len(frame))])  # sparse one-hot rows
    kinds = {**kinds, "amount": "numeric", "grade": "categorical", "zip": "categorical"}
    numeric_only = frame[["age", "amount", "churn"]]
    for algorithm in ALGORITHMS:
        targets = [("churn", None), ("grade", None)] if algorithm.task == "classification" else [("amount", None)]
        for target, _ in targets:
            data = frame.drop(columns=[c for c in ("churn", "grade", "amount") if c != target])
            yield algorithm, train_and_evaluate(data, kinds, target, algorithm.name, _small(algorithm),
                                                task=algorithm.task, importance=False, curves=False,
                                                tune_threshold=target == "churn").pipeline
    for name in ("k_neighbors",):  # dense input: a KD-tree instead of stored sparse rows
        yield name, train_and_evaluate(numeric_only, None, "churn", name, importance=False).pipeline


@pytest.fixture(scope="module")
def fitted():
    return list(_fitted_models())


def test_every_catalogue_model_round_trips(fitted):
    frame, _ = mixed_frame(n=300, seed=9)
    needed = set()
    for algorithm, pipeline in fitted:
        data = save_model(pipeline)
        needed |= set(sio.get_untrusted_types(data=data))
        loaded = load_model(data)
        assert isinstance(loaded, Pipeline)
        rows = frame.head(40).drop(columns=["churn"])
        if algorithm == "k_neighbors":
            rows = rows[["age"]].assign(amount=0.5)
        else:
            rows = rows.assign(amount=0.5, zip="Z3")
        method = "predict_proba" if hasattr(pipeline, "predict_proba") else "predict"
        np.testing.assert_array_equal(getattr(loaded, method)(rows), getattr(pipeline, method)(rows))
    # The allow-list is exactly what the catalogue needs: nothing missing, nothing spare.
    assert needed == set(trusted_types())


class Sneaky(TransformerMixin, BaseEstimator):
    """A class outside the allow-list (imagine its __setstate__ doing harm)."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return X


def test_a_type_outside_the_allow_list_is_refused_by_name(fitted):
    _, pipeline = fitted[0]
    crafted = Pipeline([("sneaky", Sneaky()), *pipeline.steps])
    data = sio.dumps(crafted)  # a file MLDesk would never write
    with pytest.raises(UntrustedModelError) as info:
        load_model(data)
    assert info.value.types == [f"{__name__}.Sneaky"]
    assert "was not loaded" in str(info.value)


def test_a_partial_of_a_dangerous_function_is_refused():
    data = sio.dumps(Pipeline([("f", functools.partial(os.system, "echo owned"))]))
    with pytest.raises(UntrustedModelError, match="system"):
        load_model(data)


def test_garbage_and_non_pipelines_are_refused():
    with pytest.raises(ModelLoadError, match="cannot be read as a skops file"):
        load_model(b"not a model at all")
    with pytest.raises(ModelLoadError, match="not a pipeline"):
        load_model(sio.dumps({"a": 1}))


def test_environment_names_python_and_the_libraries():
    env = environment()
    assert env["python"].count(".") == 2 and env["platform"]
    assert set(env["libraries"]) == {"numpy", "pandas", "scikit-learn", "scipy", "skops", "pyarrow", "joblib"}
    assert all(isinstance(v, str) for v in env["libraries"].values())
