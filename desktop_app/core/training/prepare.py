"""Turning a table and a target into what training needs: features, labels, split, folds.

Shared by `evaluation.train_and_evaluate` and `search.search`, so that a search tunes on
exactly the training rows the final evaluation trains on, and never sees the test rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold, TimeSeriesSplit, train_test_split

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.quality.recipe import RecipeStep, for_prediction
from desktop_app.core.training.catalogue import CLASSIFICATION, REGRESSION, Algorithm, get_algorithm
from desktop_app.core.training.errors import TrainingError
from desktop_app.core.training.pipeline import (
    as_recipe_steps,
    build_pipeline,
    column_roles,
    complete_kinds,
    kinds_after_recipe,
)
from desktop_app.core.training.stratified_split import label_codes, stratified_split
from desktop_app.core.training.task import detect_task

CARDINALITY_SAMPLE = 20_000


@dataclass
class Prepared:
    X: pd.DataFrame                  # every column but the target; rows with a target only
    y: np.ndarray                    # labels (classification) or float64 values (regression)
    task: str
    algorithm: Algorithm
    kinds: dict[str, ColumnKind]
    target: str
    recipe_steps: list[RecipeStep]
    train: np.ndarray                # row positions in X
    test: np.ndarray
    dropped_missing_target: int
    classes: list[Any] = field(default_factory=list)
    codes: np.ndarray | None = None  # y as indices into `classes`
    positive_label: Any = None
    time_ordered: bool = False
    cardinality: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    sensitive: str | None = None     # the column whose groups the fairness audit compares (it stays in X)
    use_sensitive: bool = False      # False: the model does not learn from it (left out of its features)

    @property
    def binary(self) -> bool:
        return self.task == CLASSIFICATION and len(self.classes) == 2

    @property
    def positive(self) -> int | None:
        return self.classes.index(self.positive_label) if self.binary else None

    @property
    def class_codes(self) -> np.ndarray:
        """`codes` of a classification task (ValueError for a regression, whose `y` has none)."""
        if self.codes is None:
            raise ValueError(f"A {self.task} task has no class codes.")
        return self.codes

    def features(self, positions: np.ndarray) -> pd.DataFrame:
        """X's rows at `positions`: a view, not a copy, when they are consecutive (see `in_training_order`)."""
        if len(positions) and positions[-1] - positions[0] == len(positions) - 1 and \
                bool((np.diff(positions) == 1).all()):
            return self.X.iloc[int(positions[0]): int(positions[-1]) + 1]
        return self.X.iloc[positions]

    def in_training_order(self) -> Prepared:
        """The same data with the training rows first, in the order they are fitted, then the test rows,
        only the columns training reads (`used_columns`), and text categories as categoricals
        (`compact_columns`).

        Fitting then reads the training rows as a view (`features`) instead of a copy of three
        quarters of the table; a caller that drops its own reference to the loaded table keeps one
        copy of the rows in memory instead of two, without the ids and free text no model learns
        from. Positions stay consistent (X, y, codes, train, test move together), so every fit, fold
        and score is exactly what the original order gives; only positions compared with another
        `Prepared` (the registry's) would differ, and those come from `prepare` itself.
        """
        order = np.concatenate([self.train, self.test])
        n_train = len(self.train)
        used = self.used_columns()
        X = self.X if len(used) == self.X.shape[1] else self.X[used]
        compact = self.compact_columns(used)
        if compact:
            X = X.copy(deep=False)   # (copy on write: self.X keeps its text)
            for column in compact:
                X[column] = X[column].astype("category")
        return replace(self, X=X.take(order), y=self.y[order],
                       codes=None if self.codes is None else self.codes[order],
                       train=np.arange(n_train), test=np.arange(n_train, len(order)), notes=list(self.notes))

    def compact_columns(self, used: list[str]) -> list[str]:
        """Text columns of `used` that can be held as pandas categoricals while training: categories and
        yes/no columns that no prediction-time recipe step and no fairness audit reads. A model sees
        the same labels either way (`transformers.AsCategories` reads a categorical as its text), and a
        cell takes one byte instead of its text and an 8-byte offset: at 10M rows, 1 GB less."""
        steps = for_prediction(self.recipe_steps, self.target)
        if any(step.column is None for step in steps):
            return []   # a step that may read any column
        named = {step.column for step in steps} | ({self.sensitive} if self.sensitive else set())
        return [c for c in used if c not in named and isinstance(self.X[c].dtype, pd.StringDtype)
                and self.kinds.get(c) in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)]

    def used_columns(self) -> list[str]:
        """X's columns that fitting, scoring and the fairness audit read, in X's order: the model's
        features, the sensitive column and every column a prediction-time recipe step names — all of
        them when a step names none (it may read any)."""
        steps = for_prediction(self.recipe_steps, self.target)
        if any(step.column is None for step in steps):
            return list(self.X.columns)
        features = self.pipeline(None, None, 0).named_steps["recipe"].columns
        used = {*features, *(step.column for step in steps), *([self.sensitive] if self.sensitive else [])}
        return [c for c in self.X.columns if c in used]

    def pipeline(self, params: Mapping[str, Any] | None, class_weight: str | None, seed: int,
                 threshold: float | None = None):
        set_aside = {self.sensitive: "sensitive"} if self.sensitive and not self.use_sensitive else None
        return build_pipeline(self.kinds, self.target, self.algorithm, params, self.recipe_steps, class_weight,
                              seed, threshold=threshold, positive_label=self.positive_label if threshold is not None
                              else None, cardinality=self.cardinality, set_aside=set_aside)


def _labels(series: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=np.float64)
        return values.astype(np.int64) if np.all(np.mod(values, 1) == 0) else values
    if isinstance(series.dtype, pd.CategoricalDtype):
        return np.asarray(series.astype(object), dtype=object)
    if pd.api.types.is_string_dtype(series.dtype) and not pd.api.types.is_object_dtype(series.dtype):
        # One shared string per class, not one per row (~60 bytes each: 0.6 GB on 10M rows).
        codes, uniques = pd.factorize(series, use_na_sentinel=False)
        return np.asarray(uniques, dtype=object)[codes]
    return series.to_numpy(dtype=object)


def _match_label(given: Any, classes: list[Any]) -> Any:
    for c in classes:
        if given == c:
            return c
    for c in classes:
        if str(given).strip().lower() == str(c).strip().lower():
            return c
    raise TrainingError(f"The positive class {given!r} is not a value of the target; its classes are "
                        f"{', '.join(map(str, classes))}.")


def prepare(
    frame: pd.DataFrame,
    kinds: Mapping[str, Any] | None,
    target: str,
    algorithm_name: str,
    *,
    task: str | None = None,
    test_size: float = 0.25,
    seed: int = 0,
    positive_label: Any = None,
    time_column: str | None = None,
    recipe_steps: Iterable[RecipeStep | Mapping] = (),
    sensitive: str | None = None,
    use_sensitive: bool = False,
) -> Prepared:
    if target not in frame.columns:
        raise TrainingError(f"The table has no column '{target}' to predict; choose one of its columns as the target.")
    if sensitive is not None and (sensitive not in frame.columns or sensitive == target):
        raise TrainingError(f"The sensitive column must be one of the table's columns other than the target, not "
                            f"'{sensitive}'.")
    if not 0 < test_size < 1:
        raise TrainingError(f"The test share must be between 0 and 1 (for example 0.25), not {test_size}.")
    if time_column is not None and time_column not in frame.columns:
        raise TrainingError(f"The table has no column '{time_column}' to order the rows by time.")
    steps = as_recipe_steps(recipe_steps)
    kinds = kinds_after_recipe(complete_kinds(frame, kinds), for_prediction(steps, target))
    task = task or detect_task(frame[target], kinds.get(target))
    if task not in (CLASSIFICATION, REGRESSION):
        raise TrainingError(f"'{task}' is not a task MLDesk trains; use classification or regression.")
    algorithm = get_algorithm(algorithm_name, task)
    notes: list[str] = []

    has_target = frame[target].notna().to_numpy()
    dropped = int(len(frame) - has_target.sum())
    if dropped:
        frame = frame.loc[has_target].reset_index(drop=True)
        notes.append(f"{dropped:,} row(s) without a value in '{target}' were left out.")
    if len(frame) < 4:
        raise TrainingError(f"Only {len(frame)} row(s) have a value in '{target}'; training needs more rows.")
    X = frame.drop(columns=[target])
    series = frame[target]

    classes: list[Any] = []
    codes = None
    if task == CLASSIFICATION:
        y = _labels(series)
        classes, codes, counts = label_codes(y)
        if len(classes) < 2:
            raise TrainingError(f"The target '{target}' has a single value ({classes[0]!r}); a classifier needs at "
                                "least two classes.")
        rare = [c for c, n in zip(classes, counts) if n < 2]
        if rare:
            raise TrainingError(f"The class(es) {', '.join(map(repr, rare[:5]))} of '{target}' occur only once; "
                                "merge or drop them (quality step) so every class has at least two rows.")
        if len(classes) == 2:
            if positive_label is None:
                # The minority class is what analysts usually want found; on a tie, the later class.
                positive_label = classes[1 if counts[1] <= counts[0] else 0]
            else:
                positive_label = _match_label(positive_label, classes)
        elif positive_label is not None:
            notes.append("The positive class applies to two-class targets only; it was ignored.")
            positive_label = None
    else:
        if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
            raise TrainingError(f"The target '{target}' does not hold numbers, so it cannot be a regression target; "
                                "train a classifier instead.")
        y = series.to_numpy(dtype=np.float64, na_value=np.nan)
        if positive_label is not None:
            notes.append("The positive class applies to classification only; it was ignored.")
            positive_label = None

    n = len(X)
    if time_column is not None:
        order = np.argsort(_sortable(frame[time_column]), kind="stable")
        n_test = math.ceil(test_size * n)
        train, test = order[: n - n_test], order[n - n_test:]
        if len(train) < 2:
            raise TrainingError("Too few rows remain for training after the test share; lower the test share.")
    else:
        try:
            train, test = stratified_split(codes, test_size, seed) if codes is not None else \
                train_test_split(np.arange(n), test_size=test_size, random_state=seed)
        except ValueError as exc:
            raise TrainingError(f"The rows cannot be split into training and test parts ({exc}); "
                                "use a larger test share or more rows.") from None
    train, test = np.asarray(train), np.asarray(test)

    prepared = Prepared(X, y, task, algorithm, kinds, target, steps, train, test, dropped, classes, codes,
                        positive_label, time_column is not None, notes=notes, sensitive=sensitive,
                        use_sensitive=use_sensitive)
    prepared.cardinality = _cardinality(X, train, kinds, target)
    return prepared


def _sortable(series: pd.Series) -> np.ndarray:
    """A column's values as sortable numbers (missing first, as the oldest)."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        dates = series if pd.api.types.is_datetime64_any_dtype(series.dtype) else \
            pd.to_datetime(series, errors="coerce", format="mixed")
        values = dates.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
        values[dates.isna().to_numpy()] = np.nan
    return np.where(np.isnan(values), -np.inf, values)


def _cardinality(X: pd.DataFrame, train: np.ndarray, kinds: Mapping[str, ColumnKind], target: str) -> dict[str, int]:
    """Distinct values of each categorical column in (a sample of) the training rows."""
    columns = [c for c in column_roles(kinds, target)["categories"] if c in X.columns]
    rows = train[:CARDINALITY_SAMPLE]  # the training rows are shuffled: their head is a random sample
    return {c: int(X[c].iloc[rows].nunique()) for c in columns}


def cv_folds_for(prep: Prepared, rows: np.ndarray, folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(fit, validate) positions (into X) of `folds` folds over `rows`.

    Stratified for classification, shuffled k-fold for regression, expanding-window
    TimeSeriesSplit when the rows are ordered by time.
    """
    if folds < 2:
        raise TrainingError(f"Cross-validation needs at least 2 folds, not {folds}.")
    if prep.time_ordered:
        splitter = TimeSeriesSplit(n_splits=folds)
        parts = splitter.split(rows)
    elif prep.task == CLASSIFICATION:
        codes = prep.class_codes[rows]
        counts = np.bincount(codes, minlength=len(prep.classes))
        smallest = int(counts[counts > 0].min())
        if smallest < folds:
            label = prep.classes[int(np.flatnonzero(counts == smallest)[0])]
            raise TrainingError(f"The class {label!r} has only {smallest} training row(s), too few for {folds} "
                                f"folds; use at most {max(smallest, 2)} folds or no cross-validation.")
        parts = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(rows, codes)
    else:
        if len(rows) < folds:
            raise TrainingError(f"{len(rows)} training rows are too few for {folds} folds.")
        parts = KFold(n_splits=folds, shuffle=True, random_state=seed).split(rows)
    return [(rows[a], rows[b]) for a, b in parts]
