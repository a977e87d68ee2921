"""Pipelines built from column kinds: mixed kinds, gaps, unseen values, recipes, descriptions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.quality.recipe import apply_recipe, make_step
from desktop_app.core.training.catalogue import get_algorithm
from desktop_app.core.training.errors import MissingColumnsError, TrainingError
from desktop_app.core.training.pipeline import build_pipeline, describe_pipeline
from desktop_app.core.training.task import detect_task

from .conftest import HEART_KINDS, TARGET, mixed_frame


def _fit(frame, kinds, target, name, **kwargs):
    pipeline = build_pipeline(kinds, target, get_algorithm(name, "classification"), **kwargs)
    return pipeline.fit(frame.drop(columns=[target]), frame[target].to_numpy(dtype=object))


@pytest.mark.parametrize("name", ["logistic_regression", "hist_gradient_boosting", "random_forest", "naive_bayes",
                                  "k_neighbors", "linear_svm"])
def test_mixed_kinds_with_gaps_fit_and_predict_unseen_values(name):
    frame, kinds = mixed_frame()
    params = {"n_estimators": 10} if name == "random_forest" else None
    pipeline = _fit(frame, kinds, "churn", name, params=params)
    new = pd.DataFrame({
        "age": [np.nan, 30.0, 200.0],
        "city": pd.array(["Atlantis", None, "North"], dtype="str"),   # unseen category, gap
        "member": [None, "True", True],                               # gap, text spelling of a bool
        "joined": ["2021-03-04", None, "2030-12-31"],                 # dates as text, a gap
    })  # no customer_id or notes: the model never used them
    proba = pipeline.predict_proba(new)
    assert proba.shape == (3, 2) and np.all(np.isfinite(proba))
    assert set(pipeline.predict(new)) <= {"yes", "no"}


def test_id_text_and_target_are_left_out_and_dates_expanded():
    frame, kinds = mixed_frame()
    pipeline = _fit(frame, kinds, "churn", "logistic_regression")
    prepare = pipeline.named_steps["prepare"]
    used = {c for _, _, cols in prepare.transformers_ if _ != "remainder" for c in cols}
    assert used == {"age", "city", "member", "joined"}
    names = list(prepare.get_feature_names_out())
    assert "dates__joined_year" in names and "dates__joined_dayofweek" in names
    steps = describe_pipeline(pipeline)
    assert "Leave out customer_id (id), notes (free text)" in steps
    assert any(s.startswith("Split dates into year, month and day of week (joined)") for s in steps)


def test_dates_as_text_predict_like_parsed_dates():
    frame, kinds = mixed_frame()
    pipeline = _fit(frame, kinds, "churn", "logistic_regression")
    rows = frame.drop(columns=["churn"]).head(50)
    as_text = rows.assign(joined=rows["joined"].dt.strftime("%Y-%m-%d"))
    np.testing.assert_allclose(pipeline.predict_proba(as_text), pipeline.predict_proba(rows))


def test_a_missing_used_column_is_named():
    frame, kinds = mixed_frame()
    pipeline = _fit(frame, kinds, "churn", "logistic_regression")
    with pytest.raises(MissingColumnsError, match="'city'"):
        pipeline.predict(frame.drop(columns=["churn", "city"]).head())


def test_trees_get_ordinal_codes_and_boosting_splits_on_categories(heart):
    pipeline = build_pipeline(HEART_KINDS, TARGET, get_algorithm("hist_gradient_boosting", "classification"))
    mask = pipeline.named_steps["model"].categorical_features
    assert mask == [False] * 5 + [True] * 6
    steps = describe_pipeline(pipeline)
    assert not any(s.startswith("Scale") for s in steps)
    assert any(s.startswith("Number the categories of gender") for s in steps)


def test_description_reads_like_the_steps():
    pipeline = build_pipeline(HEART_KINDS, TARGET, get_algorithm("logistic_regression", "classification"),
                              class_weight="balanced")
    assert describe_pipeline(pipeline) == [
        "Fill missing numbers with the median (age, weight, height, sys_bp, dia_bp)",
        "Scale numbers to mean 0 and standard deviation 1 (age, weight, height, sys_bp, dia_bp)",
        "Fill missing categories with the most frequent value (gender, smoke, alcohol, phys_active, cholesterol, "
        "diabetes)",
        "One-hot encode gender, smoke, alcohol, phys_active, cholesterol, diabetes (values seen in training only)",
        "Logistic regression (C=1.0, class_weight=balanced)",
    ]


def test_high_cardinality_categories_merge_rare_values():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"zip": pd.array([f"Z{v}" for v in rng.integers(0, 300, 2000)], dtype="str"),
                          "y": rng.choice(["a", "b"], 2000)})
    kinds = {"zip": ColumnKind.CATEGORICAL, "y": ColumnKind.CATEGORICAL}
    pipeline = _fit(frame, kinds, "y", "logistic_regression", cardinality={"zip": 300})
    encoder = pipeline.named_steps["prepare"].named_transformers_["many_categories"].named_steps["encode"]
    assert len(encoder.get_feature_names_out()) <= 50
    assert any("rare values merged" in s for s in describe_pipeline(pipeline))


def test_recipe_steps_are_repeated_on_raw_rows():
    rng = np.random.default_rng(1)
    n = 400
    weight = np.array([f"{v:,}" for v in rng.integers(900, 5000, n)], dtype=object)
    weight[rng.random(n) < 0.1] = None
    raw = pd.DataFrame({
        "weight": pd.array(weight, dtype="str"),
        "colour": pd.array(rng.choice(["red", "blue", "green", "teal", "plum"], n, p=[.4, .4, .1, .05, .05]),
                           dtype="str"),
        "y": pd.array(rng.choice(["a", "b"], n), dtype="str"),
    })
    kinds = {"weight": ColumnKind.CATEGORICAL, "colour": ColumnKind.CATEGORICAL, "y": ColumnKind.CATEGORICAL}
    to_numbers = make_step(raw, kinds, "set_kind", column="weight", kind="numeric")
    step1, kinds1 = apply_recipe(raw, kinds, [to_numbers])
    fill = make_step(step1, kinds1, "impute", column="weight", strategy="median")
    merge = make_step(step1, kinds1, "merge_rare", column="colour", max_keep=2)
    recipe = [to_numbers, fill, merge]
    fixed, fixed_kinds = apply_recipe(raw, kinds, recipe)

    # Trained on the fixed version, given the fixed version's kinds and recipe.
    pipeline = _fit(fixed, fixed_kinds, "y", "logistic_regression", recipe_steps=recipe)
    raw_rows, fixed_rows = raw.drop(columns=["y"]), fixed.drop(columns=["y"])
    np.testing.assert_array_equal(pipeline.predict_proba(raw_rows), pipeline.predict_proba(fixed_rows))
    steps = describe_pipeline(pipeline)
    assert steps[0] == "Repeat the data fix: Treat 'weight' as numeric"
    assert steps[1].startswith("Repeat the data fix: Fill gaps in 'weight' with 2,")
    # Parent kinds work too: the recipe's kind changes are followed.
    again = _fit(fixed, kinds, "y", "logistic_regression", recipe_steps=[s.to_dict() for s in recipe])
    np.testing.assert_array_equal(again.predict_proba(raw_rows), pipeline.predict_proba(raw_rows))


@pytest.mark.parametrize("values, kind, task", [
    (["Yes", "No"], ColumnKind.BOOLEAN, "classification"),
    (["a", "b", "c"], ColumnKind.CATEGORICAL, "classification"),
    ([0, 1, 1, 0], ColumnKind.NUMERIC, "classification"),
    ([1, 2, 3, 4, 5], ColumnKind.NUMERIC, "classification"),
    (list(range(50)), ColumnKind.NUMERIC, "regression"),
    ([0.5, 1.25, 3.0], ColumnKind.NUMERIC, "regression"),
    ([0.5, 1.25, 3.0], None, "regression"),
])
def test_detect_task(values, kind, task):
    assert detect_task(pd.Series(values * 3, name="t"), kind) == task


def test_an_id_target_is_refused():
    with pytest.raises(TrainingError, match="cannot be predicted"):
        detect_task(pd.Series(["a", "b"], name="code"), ColumnKind.ID)


def test_without_kinds_the_import_inference_is_used():
    from desktop_app.core.training.evaluation import train_and_evaluate

    frame, _ = mixed_frame()
    result = train_and_evaluate(frame, None, "churn", "logistic_regression", importance=False, curves=False)
    assert result.features == ["age", "city", "member", "joined"]
    assert "Leave out customer_id (id), notes (free text)" in result.pipeline_steps
