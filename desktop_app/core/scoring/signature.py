"""A model's input signature: the columns it takes, in order, and what training saw in them.

    signature = build_signature(pipeline, table, kinds, target="churn", task="classification", classes=[...])
    signature.names                  # ["age", "city", …] — what a file to score must hold
    signature.mlflow_inputs()        # MLflow's column spec: [{"type": "double", "name": "age", …}, …]

The columns are the model's features (the pipeline's RecipeTransformer keeps them, in training
order), then any column only the recipe needs (a data fix on a column the model leaves out).
For each: its kind and storage type, whether training had gaps, the range of numbers, and the
categories as the model sees them (labels made by `AsCategories`: booleans "True"/"False",
whole floats without ".0"), capped at MAX_CATEGORIES. The statistics come from the whole
dataset version the run trained on. A signature is plain JSON (`to_dict`/`from_dict`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from desktop_app.core.data.settings import ColumnKind

if TYPE_CHECKING:
    import pyarrow as pa

# Categories kept per column; a column with more distinct values is not checked for new ones.
MAX_CATEGORIES = 1000

_NUMBER_TYPES = ("int", "uint", "float", "double", "decimal", "halffloat")


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: str                       # a ColumnKind value: numeric, categorical, boolean, datetime, text, id
    dtype: str                      # storage type in the training data (Arrow's name: int64, large_string, …)
    used_by_model: bool = True      # False: only a data fix of the recipe needs it
    allows_missing: bool = True     # training had gaps in it
    missing: int = 0                # gaps in training
    minimum: float | None = None    # numeric only: the range seen in training
    maximum: float | None = None
    categories: tuple[str, ...] | None = None  # categorical/boolean: labels as the model sees them
    categories_complete: bool = True          # False: more than MAX_CATEGORIES, only the commonest kept
    distinct: int | None = None

    def mlflow_type(self) -> str:
        """The column's type in MLflow's schema.

        Whole numbers without gaps in training are `long` (MLflow refuses to turn int64 into
        double, so a `double` column would refuse the very rows it was trained on); numbers with
        gaps or fractions are `double`.
        """
        if self.kind == ColumnKind.NUMERIC:
            whole = self.dtype.startswith(("int", "uint"))
            return "long" if whole and not self.allows_missing else "double"
        if self.kind == ColumnKind.DATETIME:
            return "datetime"
        if self.dtype == "bool":
            return "boolean"
        if self.dtype.startswith(_NUMBER_TYPES):
            return "double"
        return "string"

    def to_dict(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__dataclass_fields__}
        data["categories"] = list(self.categories) if self.categories is not None else None
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColumnSpec:
        data = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if data.get("categories") is not None:
            data["categories"] = tuple(data["categories"])
        return cls(**data)


@dataclass(frozen=True)
class InputSignature:
    columns: tuple[ColumnSpec, ...]
    target: str
    task: str | None
    classes: tuple[Any, ...] | None      # classification: the labels, as `classes_` orders them
    recipe: tuple[dict[str, Any], ...] = ()  # prediction-time data fixes the pipeline repeats first
    rows: int = 0                        # rows the statistics come from
    dataset_label: str = ""
    dataset_sha256: str = ""
    _by_name: dict[str, ColumnSpec] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_name.update({c.name: c for c in self.columns})

    @property
    def names(self) -> list[str]:
        """Every column a table to score must hold, in order."""
        return [c.name for c in self.columns]

    @property
    def features(self) -> list[str]:
        return [c.name for c in self.columns if c.used_by_model]

    def column(self, name: str) -> ColumnSpec:
        return self._by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def mlflow_inputs(self) -> list[dict[str, Any]]:
        return [{"type": c.mlflow_type(), "name": c.name, "required": True} for c in self.columns]

    def mlflow_outputs(self) -> list[dict[str, Any]]:
        if self.task == "classification" and self.classes:
            sample = self.classes[0]
            kind = ("boolean" if isinstance(sample, bool) else "long" if isinstance(sample, int)
                    else "double" if isinstance(sample, float) else "string")
        else:
            kind = "double"
        return [{"type": kind, "required": True}]

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": [c.to_dict() for c in self.columns], "target": self.target, "task": self.task,
            "classes": list(self.classes) if self.classes is not None else None, "recipe": list(self.recipe),
            "rows": self.rows, "dataset_label": self.dataset_label, "dataset_sha256": self.dataset_sha256,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InputSignature:
        classes = data.get("classes")
        return cls(
            columns=tuple(ColumnSpec.from_dict(c) for c in data["columns"]), target=data["target"],
            task=data.get("task"), classes=tuple(classes) if classes is not None else None,
            recipe=tuple(data.get("recipe") or ()), rows=int(data.get("rows") or 0),
            dataset_label=data.get("dataset_label", ""), dataset_sha256=data.get("dataset_sha256", ""),
        )


def model_columns(pipeline: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """(features in the pipeline's order, the prediction-time recipe it repeats) of a fitted MLDesk pipeline."""
    from desktop_app.core.training.transformers import RecipeTransformer

    recipe = dict(pipeline.steps).get("recipe")
    if isinstance(recipe, RecipeTransformer):
        return [str(c) for c in recipe.columns], [dict(s) for s in recipe.recipe]
    names = getattr(pipeline, "feature_names_in_", None)
    if names is None:
        raise ValueError("The model does not record the columns it was trained with.")
    return [str(c) for c in names], []


def required_columns(features: list[str], recipe: list[dict[str, Any]]) -> list[str]:
    """The features, then the columns only a data fix needs (dropping a column needs nothing)."""
    out = list(features)
    for step in recipe:
        column = (step.get("params") or {}).get("column")
        if step.get("op") != "drop_column" and column is not None and column not in out:
            out.append(str(column))
    return out


def build_signature(
    pipeline: Any,
    table: pa.Table,
    kinds: Mapping[str, ColumnKind | str],
    *,
    target: str,
    task: str | None,
    classes: list[Any] | None,
    dataset_label: str = "",
    dataset_sha256: str = "",
) -> InputSignature:
    """The signature of a fitted pipeline, with statistics from `table` (its training data)."""
    features, recipe = model_columns(pipeline)
    names = required_columns(features, recipe)
    columns = []
    for name in names:
        kind = ColumnKind(kinds.get(name, ColumnKind.CATEGORICAL))
        if name in table.column_names:
            columns.append(_column_spec(name, kind, table.column(name), used=name in features))
        else:  # a column the recipe makes (none today): nothing to measure
            columns.append(ColumnSpec(name, str(kind), "unknown", used_by_model=name in features))
    return InputSignature(
        columns=tuple(columns), target=target, task=task,
        classes=tuple(classes) if classes is not None and task == "classification" else None,
        recipe=tuple(recipe), rows=table.num_rows, dataset_label=dataset_label, dataset_sha256=dataset_sha256,
    )


def _column_spec(name: str, kind: ColumnKind, column: pa.ChunkedArray, used: bool) -> ColumnSpec:
    import pyarrow as pa

    dtype = column.type
    if pa.types.is_dictionary(dtype):
        column, dtype = column.cast(dtype.value_type), dtype.value_type
    spec: dict[str, Any] = {"name": name, "kind": str(kind), "dtype": str(dtype), "used_by_model": used}
    missing = column.null_count
    if kind == ColumnKind.NUMERIC and (pa.types.is_integer(dtype) or pa.types.is_floating(dtype)
                                       or pa.types.is_decimal(dtype) or pa.types.is_boolean(dtype)):
        spec.update(_number_stats(column))
        missing = spec.pop("missing")
    elif kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
        spec.update(_category_stats(name, column))
    spec["missing"] = int(missing)
    spec["allows_missing"] = missing > 0
    return ColumnSpec(**spec)


def _number_stats(column: pa.ChunkedArray) -> dict[str, Any]:
    import numpy as np

    values = column.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
    missing = int(np.isnan(values).sum())
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return {"missing": missing}
    low, high = float(finite.min()), float(finite.max())
    return {"missing": missing, "minimum": low if math.isfinite(low) else None,
            "maximum": high if math.isfinite(high) else None}


def _category_stats(name: str, column: pa.ChunkedArray) -> dict[str, Any]:
    import pandas as pd
    import pyarrow.compute as pc

    from desktop_app.core.training.transformers import AsCategories

    counted = pc.value_counts(column.drop_null())
    if len(counted) == 0:
        return {"categories": (), "distinct": 0}
    values = counted.field("values").to_pandas()
    counts = counted.field("counts").to_numpy()
    labels = AsCategories().transform(pd.DataFrame({name: values}))[:, 0]
    totals: dict[str, int] = {}
    for label, count in zip(labels, counts):
        totals[str(label)] = totals.get(str(label), 0) + int(count)
    ordered = sorted(totals, key=lambda label: (-totals[label], label))
    complete = len(ordered) <= MAX_CATEGORIES
    kept = sorted(ordered[:MAX_CATEGORIES])
    return {"categories": tuple(kept), "categories_complete": complete, "distinct": len(ordered)}
