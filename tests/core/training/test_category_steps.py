"""MostFrequentImputer, TextOrdinalEncoder and TextOneHotEncoder learn and give exactly what scikit-learn's own do."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

from desktop_app.core.training.category_steps import MostFrequentImputer, TextOneHotEncoder, TextOrdinalEncoder
from desktop_app.core.training.model_io import load_model, save_model
from desktop_app.core.training.pipeline import build_pipeline


def _same(a: Any, b: Any) -> bool:
    """Equal values of equal types, arrays by dtype and content, NaN equal to NaN."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype
                and a.shape == b.shape and all(_same(x, y) for x, y in zip(a.ravel().tolist(), b.ravel().tolist())))
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return type(a) is type(b) and a == b


def _same_state(ours: Any, theirs: Any) -> None:
    state, reference = vars(ours), vars(theirs)
    assert state.keys() == reference.keys()
    for key in state:
        if key != "indicator_" or state[key] is None:
            assert _same(state[key], reference[key]), key


def _block(rng: np.random.Generator, rows: int, alphabet: list[Any], gaps: float = 0.1) -> np.ndarray:
    values = np.array(alphabet + [np.nan], dtype=object)
    weights = np.r_[np.full(len(alphabet), (1 - gaps) / len(alphabet)), gaps]
    return values[rng.choice(len(values), size=(rows, 3), p=weights)]


# -- the imputer -----------------------------------------------------------------------------------

def _imputers(X: np.ndarray, **params: Any) -> tuple[MostFrequentImputer, SimpleImputer]:
    params = {"strategy": "most_frequent", **params}
    return MostFrequentImputer(**params).fit(X), SimpleImputer(**params).fit(X)


def test_the_imputer_learns_the_most_frequent_text_and_fills_the_same(monkeypatch):
    X = _block(np.random.default_rng(0), 2_000, ["north", "south", "east", "west"])
    ours, theirs = _imputers(X)
    with monkeypatch.context() as m:   # text with gaps is counted here, not by SimpleImputer's fit
        m.setattr(SimpleImputer, "_dense_fit", lambda *a: pytest.fail("counted by scikit-learn"))
        MostFrequentImputer(strategy="most_frequent").fit(X)
    _same_state(ours, theirs)
    assert _same(ours.transform(X), theirs.transform(X))


def test_a_tie_goes_to_the_smallest_text_as_in_scikit_learn():
    X = np.array([["b", "z"], ["a", "y"], ["b", np.nan], ["a", "z"], ["c", "y"]], dtype=object)
    ours, theirs = _imputers(X)
    assert ours.statistics_.tolist() == theirs.statistics_.tolist() == ["a", "y"]


@pytest.mark.parametrize("keep", [True, False])
def test_an_empty_column_is_filled_as_scikit_learn_fills_it(keep):
    X = np.array([["a", np.nan], ["b", np.nan], ["a", np.nan]], dtype=object)
    ours, theirs = _imputers(X, keep_empty_features=keep)
    _same_state(ours, theirs)
    assert _same(ours.transform(X), theirs.transform(X))


def test_the_missing_indicator_is_the_same():
    X = _block(np.random.default_rng(1), 500, ["x", "y"], gaps=0.3)
    ours, theirs = _imputers(X, add_indicator=True)
    _same_state(ours, theirs)
    assert _same(ours.transform(X), theirs.transform(X))


@pytest.mark.parametrize("odd", [None, 3, 2.5, True])
def test_a_block_that_is_not_only_text_is_left_to_scikit_learn(odd, monkeypatch):
    X = np.array([["a", "b"], [odd, "b"], ["a", np.nan], [odd, "c"]], dtype=object)
    called = []
    monkeypatch.setattr(SimpleImputer, "_dense_fit", lambda self, *a: called.append(1) or np.array(["?", "?"]))
    MostFrequentImputer(strategy="most_frequent").fit(X)
    assert called, "a None, a number or a boolean among the text goes to SimpleImputer's own fit"


def test_numbers_and_other_strategies_are_scikit_learns():
    X = np.array([[1.0, 2.0], [np.nan, 2.0], [1.0, 3.0]])
    for strategy in ("most_frequent", "mean", "constant"):
        ours, theirs = _imputers(X, strategy=strategy)
        _same_state(ours, theirs)


# -- the encoders ----------------------------------------------------------------------------------

ORDINAL = (TextOrdinalEncoder, OrdinalEncoder, {"handle_unknown": "use_encoded_value", "unknown_value": -1,
                                               "max_categories": 250})
ONE_HOT = (TextOneHotEncoder, OneHotEncoder, {"handle_unknown": "ignore"})
BOTH = pytest.mark.parametrize("kind", [ORDINAL, ONE_HOT], ids=["ordinal", "one-hot"])


def _encoders(kind: tuple, X: np.ndarray, **params: Any) -> tuple[Any, Any]:
    ours, theirs, defaults = kind
    params = {**defaults, **params}
    return ours(**params).fit(X), theirs(**params).fit(X)


def _output(encoder: Any, X: np.ndarray) -> Any:
    out = encoder.transform(X)
    return out.toarray() if sparse.issparse(out) else out


@BOTH
def test_the_encoder_learns_the_sorted_categories_and_codes_the_same(kind, monkeypatch):
    rng = np.random.default_rng(2)
    X = _block(rng, 3_000, ["b", "a", "c", "Ä", "a b", ""], gaps=0)
    ours, theirs = _encoders(kind, X)
    _same_state(ours, theirs)
    assert _same(_output(ours, X), _output(theirs, X))
    unseen = np.array([["z", "a", "b"], [np.nan, None, 3], ["a", "B", "c"]], dtype=object)
    assert _same(_output(ours, unseen), _output(theirs, unseen))   # unseen, missing or not text
    ours_class, parent, defaults = kind
    seen = []
    with monkeypatch.context() as m:   # the parent fits on the six values alone, and never codes a cell
        fit = parent._fit
        m.setattr(parent, "_fit", lambda self, X, *a, **k: seen.append(len(X)) or fit(self, X, *a, **k))
        m.setattr(parent, "_transform", lambda *a, **k: pytest.fail("coded by scikit-learn"))
        ours_class(**defaults).fit(X).transform(X)
    assert seen == [6]


@BOTH
def test_shared_and_separate_string_objects_code_the_same(kind):
    X = np.array([[f"v{i % 7}"] for i in range(1_000)], dtype=object)   # a new str object per cell
    ours, theirs = _encoders(kind, X)
    _same_state(ours, theirs)
    assert _same(_output(ours, X), _output(theirs, X))


@BOTH
def test_a_column_with_too_many_categories_is_grouped_as_scikit_learn_groups_it(kind):
    rng = np.random.default_rng(3)
    X = np.array([[f"c{v}"] for v in rng.zipf(1.5, 5_000) % 400], dtype=object)
    later = np.array([["c1"], ["c399"], ["new"], ["c2"]], dtype=object)
    for params in ({"max_categories": 10}, {"max_categories": int(len(pd.unique(X[:, 0])))},
                   {"min_frequency": 0.01}, {"min_frequency": 0.005, "max_categories": 50}):
        ours, theirs = _encoders(kind, X, **params)
        assert any(extra is not None for extra in theirs.infrequent_categories_)
        _same_state(ours, theirs)
        assert _same(_output(ours, X), _output(theirs, X))
        assert _same(_output(ours, later), _output(theirs, later))


@BOTH
def test_a_frequency_rule_is_applied_without_counting_cells_in_python(kind, monkeypatch):
    rng = np.random.default_rng(4)
    X = np.array([[f"c{v}", f"d{v % 7}"] for v in rng.zipf(1.3, 20_000) % 300], dtype=object)
    ours_class, parent, defaults = kind
    seen = []
    with monkeypatch.context() as m:   # the parent fits on each column's distinct values, one row each
        fit = parent._fit
        m.setattr(parent, "_fit", lambda self, X, *a, **k: seen.append(len(X)) or fit(self, X, *a, **k))
        ours = ours_class(**{**defaults, "min_frequency": 0.002}).fit(X)
    assert seen == [len(pd.unique(X[:, 0]))]
    theirs = parent(**{**defaults, "min_frequency": 0.002}).fit(X)
    assert theirs.infrequent_categories_[0] is not None and len(theirs.infrequent_categories_[0]) > 10
    _same_state(ours, theirs)
    assert _same(_output(ours, X), _output(theirs, X))


@pytest.mark.parametrize("kind, params", [
    (ORDINAL, {"handle_unknown": "error", "unknown_value": None}), (ORDINAL, {"max_categories": None}),
    (ORDINAL, {"dtype": np.float32}), (ORDINAL, {"categories": [["a", "b", "c"]]}),
    (ONE_HOT, {"sparse_output": False}), (ONE_HOT, {"drop": "first"}), (ONE_HOT, {"drop": "if_binary"}),
    (ONE_HOT, {"handle_unknown": "infrequent_if_exist", "max_categories": 2}),
    (ONE_HOT, {"handle_unknown": "error"}), (ONE_HOT, {"categories": [["a", "b", "c"]]}),
])
def test_other_settings_give_what_scikit_learn_gives(kind, params):
    X = np.array([["a"], ["b"], ["a"], ["c"], ["a"]] * 10, dtype=object)
    ours, theirs = _encoders(kind, X, **params)
    _same_state(ours, theirs)
    assert _same(_output(ours, X), _output(theirs, X))


@BOTH
def test_unknown_values_still_raise_or_warn_as_scikit_learn_does(kind):
    X = np.array([["a"], ["b"]], dtype=object)
    ours, parent, _ = kind
    with pytest.raises(ValueError, match="Found unknown categories"):
        ours().fit(X).transform(np.array([["z"]], dtype=object))
    if parent is OneHotEncoder:
        with pytest.warns(UserWarning, match="Found unknown categories"):
            ours(drop="first", handle_unknown="ignore").fit(X).transform(np.array([["z"]], dtype=object))


@BOTH
def test_gaps_in_the_fit_are_left_to_scikit_learn(kind):
    X = np.array([["a"], [np.nan], ["b"]], dtype=object)
    ours, theirs = _encoders(kind, X)
    _same_state(ours, theirs)   # NaN is a category of its own
    assert _same(_output(ours, X), _output(theirs, X))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "b", "c", "bb", "", "é", None, float("nan")]), min_size=3, max_size=3),
                min_size=1, max_size=40),
       st.lists(st.lists(st.sampled_from(["a", "b", "zz", "", None, float("nan"), 1]), min_size=3, max_size=3),
                min_size=1, max_size=10),
       st.sampled_from([ORDINAL, ONE_HOT]))
def test_imputing_then_encoding_matches_scikit_learn_on_any_small_block(rows, later, kind):
    X, Y = np.array(rows, dtype=object), np.array(later, dtype=object)
    ours, theirs = _imputers(X, keep_empty_features=True)
    _same_state(ours, theirs)
    filled = theirs.transform(X)
    assert _same(ours.transform(X), filled)
    ours_class, parent, defaults = kind
    try:
        reference = parent(**defaults).fit(filled)
    except Exception as error:   # e.g. text and numbers in one column: the same refusal
        with pytest.raises(type(error)):
            ours_class(**defaults).fit(filled)
        return
    encoder = ours_class(**defaults).fit(filled)
    _same_state(encoder, reference)
    try:
        expected = _output(reference, Y)
    except Exception as error:
        with pytest.raises(type(error)):
            encoder.transform(Y)
        return
    assert _same(_output(encoder, Y), expected)


# -- in a pipeline ---------------------------------------------------------------------------------

@pytest.mark.parametrize("algorithm, encoder", [("hist_gradient_boosting", TextOrdinalEncoder),
                                                ("logistic_regression", TextOneHotEncoder)])
def test_a_pipeline_holds_them_and_saves_and_loads(algorithm, encoder):
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"x": rng.normal(size=400), "c": rng.choice(["a", "b", None], size=400),
                          "d": pd.Categorical(rng.choice(["u", "v"], size=400)), "y": rng.choice(["no", "yes"], 400)})
    kinds = {"x": "numeric", "c": "categorical", "d": "categorical", "y": "categorical"}
    pipeline = build_pipeline(kinds, "y", algorithm, task="classification")
    X = frame.drop(columns="y")
    pipeline.fit(X, frame["y"])
    steps = pipeline.named_steps["prepare"].named_transformers_["categories"].named_steps
    assert type(steps["impute"]) is MostFrequentImputer and type(steps["encode"]) is encoder
    again = load_model(save_model(pipeline))
    np.testing.assert_array_equal(again.predict_proba(X), pipeline.predict_proba(X))
