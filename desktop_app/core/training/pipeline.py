"""From column kinds to a scikit-learn pipeline, and that pipeline in words.

    pipeline = build_pipeline(kinds, "heart_disease", algorithm, {"C": 0.5}, recipe_steps, class_weight="balanced")
    describe_pipeline(pipeline)   # ["Fill missing numbers with the median (age, weight, …)", …]

The pipeline has three steps:
  recipe   RecipeTransformer: the quality recipe's prediction-time column transforms, then
           the model's columns (target, id and text columns left out);
  prepare  ColumnTransformer by kind: numbers (median-filled; scaled for linear, neighbours
           and SVM models), dates (year, month, day of week), categories and booleans
           (most-frequent-filled; one-hot encoded, or ordinal codes for tree models);
  model    the catalogue's estimator, wrapped in FixedThresholdClassifier when a decision
           threshold was tuned (so `predict` of the saved pipeline applies it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import FixedThresholdClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.quality.recipe import RecipeStep, for_prediction
from desktop_app.core.training.boosting_split import fit_on_own_split
from desktop_app.core.training.catalogue import (
    CLASSIFICATION,
    Algorithm,
    check_fits_rows,
    find_algorithm,
    get_algorithm,
)
from desktop_app.core.training.category_steps import MostFrequentImputer, TextOneHotEncoder, TextOrdinalEncoder
from desktop_app.core.training.errors import TrainingError
from desktop_app.core.training.stacking import stacked_in_slices
from desktop_app.core.training.task import _kind_from_dtype
from desktop_app.core.training.transformers import AsCategories, AsNumbers, DateParts, MedianImputer, RecipeTransformer

# A categorical column with more distinct values than this (in the training rows) is one-hot
# encoded with rare values merged: at least MIN_FREQUENCY of the rows, at most MAX_CATEGORIES.
HIGH_CARDINALITY = 20
MIN_FREQUENCY = 0.005
MAX_CATEGORIES = 50
# Ordinal codes stay below HistGradientBoosting's 255 bins for categorical features.
MAX_ORDINAL_CATEGORIES = 250

LEFT_OUT_KINDS = {ColumnKind.ID: "id", ColumnKind.TEXT: "free text"}


def complete_kinds(frame: pd.DataFrame, kinds: Mapping[str, Any] | None) -> dict[str, ColumnKind]:
    """`kinds` as ColumnKind values in the table's column order; a column not named gets the kind
    the import would infer (`data.kinds.infer_kinds`: ids and free text are recognised), or,
    if its values cannot go to Arrow, a kind guessed from its storage."""
    given = {str(k): ColumnKind(v) for k, v in (kinds or {}).items()}
    missing = [c for c in frame.columns if str(c) not in given]
    inferred: dict[str, ColumnKind] = {}
    if missing:
        try:
            import pyarrow as pa

            from desktop_app.core.data.kinds import infer_kinds

            inferred = infer_kinds(pa.Table.from_pandas(frame[missing], preserve_index=False))
        except Exception:  # mixed Python objects and the like: fall back to the storage type
            inferred = {}
    return {str(c): given.get(str(c)) or inferred.get(str(c)) or _kind_from_dtype(frame[c]) for c in frame.columns}


def kinds_after_recipe(kinds: Mapping[str, ColumnKind], steps: Iterable[RecipeStep]) -> dict[str, ColumnKind]:
    """The kinds once `steps` ran (without data): columns dropped, kinds set, text made numbers.

    Given the kinds of a version the recipe already made, this changes nothing.
    """
    out = {k: ColumnKind(v) for k, v in kinds.items()}
    for step in steps:
        column = step.column
        if column is None:
            continue  # a step without a column changes no kind
        if step.op == "drop_column":
            out.pop(column, None)
        elif step.op == "set_kind" and column in out:
            out[column] = ColumnKind(step.params["kind"])
        elif step.op == "convert_to_numbers" and column in out:
            out[column] = ColumnKind.NUMERIC
    return out


def as_recipe_steps(recipe_steps: Iterable[RecipeStep | Mapping]) -> list[RecipeStep]:
    return [s if isinstance(s, RecipeStep) else RecipeStep.from_dict(dict(s)) for s in recipe_steps or ()]


def column_roles(kinds: Mapping[str, ColumnKind], target: str,
                 set_aside: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """The columns of each group, in table order: numbers, dates, categories, left_out (`set_aside` too)."""
    roles: dict[str, list[str]] = {"numbers": [], "dates": [], "categories": [], "left_out": []}
    for column, kind in kinds.items():
        if column == target:
            continue
        kind = ColumnKind(kind)
        if column in (set_aside or {}):
            roles["left_out"].append(column)
        elif kind == ColumnKind.NUMERIC:
            roles["numbers"].append(column)
        elif kind == ColumnKind.DATETIME:
            roles["dates"].append(column)
        elif kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
            roles["categories"].append(column)
        else:
            roles["left_out"].append(column)
    return roles


def build_pipeline(
    kinds: Mapping[str, ColumnKind | str],
    target: str,
    algorithm: Algorithm | str,
    params: Mapping[str, Any] | None = None,
    recipe_steps: Iterable[RecipeStep | Mapping] = (),
    class_weight: str | None = None,
    seed: int = 0,
    *,
    task: str | None = None,
    threshold: float | None = None,
    positive_label: Any = None,
    cardinality: Mapping[str, int] | None = None,
    set_aside: Mapping[str, str] | None = None,
) -> Pipeline:
    """An unfitted pipeline: recipe → preparation by column kind → estimator.

    `kinds` are those of the table it is fitted on; `recipe_steps` that table's recipe (its
    prediction-time column transforms are kept, see `quality.recipe.for_prediction`).
    `algorithm` is a catalogue entry, or a name with `task`. `threshold` (binary only, with
    `positive_label`) makes `predict` answer the positive class when its probability is at
    least the threshold. `cardinality` (distinct values per categorical column in the
    training rows) turns on rare-value merging for columns above HIGH_CARDINALITY. `set_aside`
    (column → why, e.g. {"gender": "sensitive"}) leaves columns out of the features.
    """
    if isinstance(algorithm, str):
        algorithm = get_algorithm(algorithm, task or CLASSIFICATION)
    steps = for_prediction(as_recipe_steps(recipe_steps), target)
    kinds = kinds_after_recipe({str(k): ColumnKind(v) for k, v in kinds.items()}, steps)
    roles = column_roles(kinds, target, set_aside)
    features = [c for c in kinds if c != target and c not in roles["left_out"]]
    if not features:
        raise TrainingError("No column is left to learn from once the target, id and free-text columns are set "
                            "aside; mark at least one column as numeric, categorical, yes/no or date.")
    why = {**{c: LEFT_OUT_KINDS.get(kinds[c], str(kinds[c])) for c in roles["left_out"]}, **(set_aside or {})}
    left_out = [[c, why[c]] for c in roles["left_out"]]
    recipe = RecipeTransformer([s.to_dict() for s in steps], features, left_out)

    transformers = []
    if roles["numbers"]:
        transformers.append(("numbers", _numeric_steps(AsNumbers(), algorithm), roles["numbers"]))
    if roles["dates"]:
        transformers.append(("dates", _numeric_steps(DateParts(), algorithm), roles["dates"]))
    n_numeric = len(roles["numbers"]) + 3 * len(roles["dates"])
    categories = roles["categories"]
    if categories:
        if algorithm.encoding == "ordinal":
            transformers.append(("categories", _category_steps(algorithm, many=False), categories))
        else:
            many = {c for c in categories if (cardinality or {}).get(c, 0) > HIGH_CARDINALITY}
            few = [c for c in categories if c not in many]
            if few:
                transformers.append(("categories", _category_steps(algorithm, many=False), few))
            if many:
                transformers.append(("many_categories", _category_steps(algorithm, many=True),
                                     [c for c in categories if c in many]))
    prepare = ColumnTransformer(transformers, remainder="drop",
                                sparse_threshold=0.0 if algorithm.needs_dense else 0.3)

    estimator = algorithm.build(params, class_weight=class_weight, seed=seed)
    if algorithm.name == "hist_gradient_boosting":
        # Let the boosting split on categories natively (codes come last, see `transformers`).
        mask = [False] * n_numeric + [True] * len(categories)
        estimator.set_params(categorical_features=mask if any(mask) else None)
    if threshold is not None:
        if algorithm.task != CLASSIFICATION or positive_label is None:
            raise TrainingError("A decision threshold needs a two-class target and its positive class.")
        estimator = FixedThresholdClassifier(estimator, threshold=float(threshold), pos_label=positive_label,
                                             response_method="predict_proba")
    return Pipeline([("recipe", recipe), ("prepare", prepare), ("model", estimator)])


def fit_pipeline(pipeline: Pipeline, X: pd.DataFrame, y: np.ndarray) -> Pipeline:
    """Fit, then make predictions reproducible to the last bit.

    Forests fit their trees in parallel (n_jobs=-1, each tree seeded, so the fit is
    deterministic), but a parallel predict_proba adds the trees' votes in whatever order
    the threads finish, which changes the last bits of the probabilities from run to run.
    The fitted forest therefore predicts with one thread (also once saved and exported).
    The preparation's sparse output is stacked in slices of rows (`stacking`), and a hist gradient
    boosting is handed its own early-stopping split (`boosting_split`): the same model with a smaller
    peak of memory.
    """
    check_fits_rows(estimator_of(pipeline), len(X))  # a clear sentence, not scikit-learn's error at predict time
    with stacked_in_slices(dict(pipeline.steps).get("prepare")):
        if not fit_on_own_split(pipeline, X, y):
            pipeline.fit(X, y)
    model = estimator_of(pipeline)
    if "n_jobs" in model.get_params(deep=False) and model.get_params(deep=False)["n_jobs"] not in (None, 1):
        model.set_params(n_jobs=1)
    return pipeline


def _numeric_steps(cast: Any, algorithm: Algorithm) -> Pipeline:
    steps = [("cast", cast), ("impute", MedianImputer(strategy="median", keep_empty_features=True))]
    if algorithm.scales_numbers:
        steps.append(("scale", StandardScaler()))
    return Pipeline(steps)


def _category_steps(algorithm: Algorithm, many: bool) -> Pipeline:
    if algorithm.encoding == "ordinal":
        encoder = TextOrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                                     max_categories=MAX_ORDINAL_CATEGORIES)
    elif many:
        encoder = TextOneHotEncoder(handle_unknown="ignore", min_frequency=MIN_FREQUENCY,
                                    max_categories=MAX_CATEGORIES, sparse_output=not algorithm.needs_dense)
    else:
        encoder = TextOneHotEncoder(handle_unknown="ignore", sparse_output=not algorithm.needs_dense)
    return Pipeline([
        ("cast", AsCategories()),
        ("impute", MostFrequentImputer(strategy="most_frequent", keep_empty_features=True)),
        ("encode", encoder),
    ])


# Description ---------------------------------------------------------------------------------

def _names(columns: Iterable[str], limit: int = 5) -> str:
    columns = [str(c) for c in columns]
    if len(columns) <= limit + 1:
        return ", ".join(columns)
    return ", ".join(columns[:limit]) + f", … (+{len(columns) - limit} more)"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e-3 or abs(value) >= 1e5 else repr(round(value, 6))
    return str(value)


def estimator_of(pipeline: Pipeline) -> Any:
    """The catalogue estimator at the end of a pipeline (inside a threshold wrapper, if any)."""
    model = pipeline.steps[-1][1]
    if isinstance(model, FixedThresholdClassifier):
        return getattr(model, "estimator_", model.estimator)
    return model


def describe_estimator(estimator: Any) -> str:
    """"Logistic regression (C=1.0, class_weight=balanced)": the search-space parameters, and any not at default."""
    algorithm = find_algorithm(estimator)
    if algorithm is None:
        return type(estimator).__name__
    sk = estimator.get_params(deep=True)
    shown = []
    for p in algorithm.params:
        value = p.from_sklearn(sk.get(p.sklearn_name, p.default))
        if p.name in algorithm.default_search_space or value != p.default:
            shown.append(f"{p.name}={_fmt(value) if value is not None else 'none'}")
    weight = sk.get("class_weight", sk.get("estimator__class_weight"))
    if weight is not None:
        shown.append(f"class_weight={weight}")
    return algorithm.label + (f" ({', '.join(shown)})" if shown else "")


def describe_pipeline(pipeline: Pipeline) -> list[str]:
    """The pipeline's steps as sentences a person can check, in the order they run."""
    lines: list[str] = []
    named = dict(pipeline.steps)
    recipe = named.get("recipe")
    if isinstance(recipe, RecipeTransformer):
        for data in recipe.recipe:
            lines.append("Repeat the data fix: " + RecipeStep.from_dict(data).label)
        if recipe.left_out:
            lines.append("Leave out " + ", ".join(f"{c} ({why})" for c, why in recipe.left_out))
    prepare = named.get("prepare")
    if isinstance(prepare, ColumnTransformer):
        fitted = getattr(prepare, "transformers_", None) is not None
        for name, steps, columns in (prepare.transformers_ if fitted else prepare.transformers):
            if name == "remainder" or not isinstance(steps, Pipeline) or not len(columns):
                continue
            lines.extend(_describe_group(name, steps, list(columns)))
    model = pipeline.steps[-1][1]
    lines.append(describe_estimator(estimator_of(pipeline)))
    if isinstance(model, FixedThresholdClassifier):
        lines.append(f"Predict {model.pos_label!r} when its probability is at least {model.threshold:.4g} "
                     "(threshold tuned for F1)")
    return lines


def _describe_group(name: str, steps: Pipeline, columns: list[str]) -> list[str]:
    named = dict(steps.steps)
    lines = []
    if name == "dates":
        lines.append(f"Split dates into year, month and day of week ({_names(columns)})")
        lines.append("Fill missing date parts with the median")
    elif "impute" in named and named["impute"].strategy == "median":
        lines.append(f"Fill missing numbers with the median ({_names(columns)})")
    elif "impute" in named:
        lines.append(f"Fill missing categories with the most frequent value ({_names(columns)})")
    if "scale" in named:
        what = "date parts" if name == "dates" else "numbers"
        lines.append(f"Scale {what} to mean 0 and standard deviation 1 ({_names(columns)})")
    encoder = named.get("encode")
    if isinstance(encoder, OneHotEncoder):
        extra = "; values seen in training only"
        if encoder.min_frequency is not None or encoder.max_categories is not None:
            extra += f", rare values merged (< {encoder.min_frequency:.1%} of rows, at most " \
                     f"{encoder.max_categories} per column)"
        lines.append(f"One-hot encode {_names(columns)} ({extra[2:]})")
    elif isinstance(encoder, OrdinalEncoder):
        lines.append(f"Number the categories of {_names(columns)} (ordinal codes; unseen values get -1)")
    return lines


def feature_columns(pipeline: Pipeline) -> list[str]:
    """The input columns the pipeline's model uses (after the recipe)."""
    recipe = dict(pipeline.steps).get("recipe")
    return [str(c) for c in recipe.columns] if isinstance(recipe, RecipeTransformer) else []
