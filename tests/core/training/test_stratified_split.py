"""stratified_split gives the rows scikit-learn's stratified train_test_split gives, in the same order."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import train_test_split

from desktop_app.core.training.stratified_split import label_codes, stratified_split


def _sklearn(codes: np.ndarray, test_size: float, seed) -> tuple[np.ndarray, np.ndarray]:
    train, test = train_test_split(np.arange(len(codes)), test_size=test_size, random_state=seed, stratify=codes)
    return np.asarray(train), np.asarray(test)


@settings(max_examples=200, deadline=None)
@given(counts=st.lists(st.integers(2, 60), min_size=2, max_size=6), test_size=st.sampled_from([0.1, 0.2, 0.25, 0.5]),
       seed=st.integers(0, 2**32 - 1), data=st.data())
def test_the_same_rows_in_the_same_order_as_scikit_learn(counts, test_size, seed, data):
    codes = np.repeat(np.arange(len(counts)), counts)
    codes = codes[data.draw(st.permutations(range(len(codes))))]
    n_test = int(np.ceil(test_size * len(codes)))
    if min(len(codes) - n_test, n_test) < len(counts):
        return   # scikit-learn refuses: checked below
    train, test = stratified_split(codes, test_size, seed)
    expected_train, expected_test = _sklearn(codes, test_size, seed)
    assert train.dtype == expected_train.dtype
    np.testing.assert_array_equal(train, expected_train)
    np.testing.assert_array_equal(test, expected_test)


def test_the_same_on_a_large_imbalanced_target_and_a_numpy_seed():
    codes = (np.random.default_rng(3).random(300_001) < 0.07).astype(np.int64)
    seed = np.random.RandomState(7).randint(np.iinfo(np.uint32).max, dtype="u8")   # as boosting_split draws it
    for got, expected in zip(stratified_split(codes, 0.1, seed), _sklearn(codes, 0.1, seed), strict=True):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("codes", [np.array([0, 0, 0, 1]), np.array([0, 1, 0, 1, 2, 2]), np.array([0, 0, 2, 2])])
def test_splits_scikit_learn_refuses_are_refused_with_its_message(codes):
    with pytest.raises(ValueError) as ours:
        stratified_split(codes, 0.25, 0)
    with pytest.raises(ValueError) as theirs:
        _sklearn(codes, 0.25, 0)
    assert str(ours.value) == str(theirs.value)


def test_label_codes_sort_classes_as_scikit_learn_does():
    y = np.array(["No", "Yes", "No", "maybe", "No"], dtype=object)
    classes, codes, counts = label_codes(y)
    assert classes == ["No", "Yes", "maybe"] and codes.tolist() == [0, 1, 0, 2, 0] and counts.tolist() == [3, 1, 1]
    classes, codes, _ = label_codes(np.array([3, 1, 3, 2]))
    assert classes == [1, 2, 3] and codes.tolist() == [2, 0, 2, 1] and type(classes[0]) is int
