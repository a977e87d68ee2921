"""Fixes as reproducible steps: a recipe is the ordered list of steps that made a version.

A step names an operation of `OPS` and carries every parameter it needs, learned
values included (the median used to fill gaps, the cap bounds, the categories kept).
Those values are learned once, when the fix is chosen (`make_step`, or the `Fix` a
check proposes), so applying the recipe to a new file of the same shape gives the
same result as on the original data.

Steps that change rows (dropping duplicates, dropping rows without a target) only
shape the training data: `at_prediction` is False. Column transforms must also
happen to the rows a model is asked to predict: `at_prediction` is True, and the
training pipeline repeats them (`for_prediction`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.progress import ProgressCallback, no_progress
from desktop_app.core.quality.errors import RecipeError
from desktop_app.core.quality.findings import Fix, jsonable
from desktop_app.core.quality.parse import (
    NumberFormat,
    detect_date_format,
    detect_number_format,
    parse_dates,
    parse_numbers,
    through_uniques,
)
from desktop_app.core.quality.profile import duplicated_rows, factorize

Kinds = dict[str, ColumnKind]


@dataclass(frozen=True)
class RecipeStep:
    op: str
    params: dict
    at_prediction: bool

    @property
    def label(self) -> str:
        op = OPS.get(self.op)
        return op.describe(self.params) if op else self.op

    @property
    def column(self) -> str | None:
        return self.params.get("column")

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "params": jsonable(self.params), "at_prediction": self.at_prediction}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RecipeStep:
        op = data["op"]
        if op not in OPS:
            raise RecipeError(f"The recipe has a step '{op}' that this version of MLDesk does not know; update MLDesk.")
        return cls(op, dict(data.get("params") or {}), bool(data.get("at_prediction", OPS[op].at_prediction)))


# Helpers -------------------------------------------------------------------------------------

def _need(frame: pd.DataFrame, params: dict, op: str) -> str:
    column = params.get("column")
    if column is None:
        raise RecipeError(f"The step '{op}' does not say which column it works on.")
    if column not in frame.columns:
        raise RecipeError(f"The step “{OPS[op].describe(params)}” needs the column '{column}', which this table "
                          "does not have; check that the file has the same columns as the original.")
    return column


def _learned(params: dict, key: str, op: str) -> Any:
    if key not in params:
        raise RecipeError(f"The step '{op}' lacks its learned value '{key}'; create it with make_step.")
    return params[key]


def _with_column(frame: pd.DataFrame, column: str, values: Any) -> pd.DataFrame:
    out = frame.copy(deep=False)
    out[column] = values
    return out


def _is_text(series: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype)
                or pd.api.types.is_datetime64_any_dtype(series.dtype))


def _to_numbers(series: pd.Series, fmt: NumberFormat) -> pd.Series:
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return series.astype(np.float64)
    values = through_uniques(series, lambda u: parse_numbers(u, fmt))
    return pd.Series(np.asarray(values, dtype=np.float64), index=series.index, name=series.name)


def _to_dates(series: pd.Series, fmt: str) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series
    codes, uniques = factorize(series)
    parsed = parse_dates(pd.Series(uniques), fmt).to_numpy()
    out = parsed[np.where(codes < 0, 0, codes)] if len(parsed) else np.full(len(series), np.datetime64("NaT"))
    out = np.where(codes < 0, np.datetime64("NaT"), out).astype("datetime64[us]")
    return pd.Series(out, index=series.index, name=series.name)


def _kept_rows(frame: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    return frame.loc[mask].reset_index(drop=True)


# Operations ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Op:
    """One kind of step: how to apply it, how to learn its values, how to name it."""

    name: str
    at_prediction: bool
    apply: Callable[[pd.DataFrame, Kinds, dict], tuple[pd.DataFrame, Kinds]]
    describe: Callable[[dict], str]
    learn: Callable[[pd.DataFrame, Kinds, dict], dict] | None = None
    keep_rows: Callable[[pd.DataFrame, dict], np.ndarray] | None = None  # row filters only


def _duplicate_keep(frame: pd.DataFrame, params: dict) -> np.ndarray:
    ignore = set(params.get("ignore") or ())
    columns = [c for c in frame.columns if c not in ignore]
    keep = np.ones(len(frame), dtype=bool)
    if columns:
        keep[duplicated_rows([factorize(frame[c])[0] for c in columns])] = False
    return keep


def _apply_rows(frame: pd.DataFrame, kinds: Kinds, params: dict, keep: Callable) -> tuple[pd.DataFrame, Kinds]:
    return _kept_rows(frame, keep(frame, params)), dict(kinds)


def _missing_target_keep(frame: pd.DataFrame, params: dict) -> np.ndarray:
    column = _need(frame, params, "drop_missing_target")
    return frame[column].notna().to_numpy()


def _drop_column(frame: pd.DataFrame, kinds: Kinds, params: dict) -> tuple[pd.DataFrame, Kinds]:
    column = params.get("column")
    kinds = {k: v for k, v in kinds.items() if k != column}
    if column not in frame.columns:  # already gone (a prediction file may never have had it)
        return frame.copy(deep=False), kinds
    return frame.drop(columns=[column]), kinds


def _learn_set_kind(frame: pd.DataFrame, kinds: Kinds, params: dict) -> dict:
    column = _need(frame, params, "set_kind")
    kind, series = ColumnKind(params["kind"]), frame[column]
    codes, uniques = factorize(series)
    counts = np.bincount(codes + 1, minlength=len(uniques) + 1)[1:]
    if kind == ColumnKind.DATETIME and _is_text(series) and "format" not in params:
        date_format, _, _ = detect_date_format(pd.Series(uniques), counts)
        params = {**params, "format": date_format or "ISO8601"}
    if kind == ColumnKind.NUMERIC and _is_text(series) and "decimal" not in params:
        number_format, _ = detect_number_format(pd.Series(uniques), counts)
        params = {**params, **number_format.to_params()}
    return params


def _set_kind(frame: pd.DataFrame, kinds: Kinds, params: dict) -> tuple[pd.DataFrame, Kinds]:
    column = _need(frame, params, "set_kind")
    kind = ColumnKind(params["kind"])
    series = frame[column]
    out = frame.copy(deep=False)
    if kind == ColumnKind.DATETIME and _is_text(series):
        out[column] = _to_dates(series, params.get("format") or "ISO8601")
    elif kind == ColumnKind.NUMERIC and _is_text(series):
        out[column] = _to_numbers(series, NumberFormat.from_params(params))
    return out, {**kinds, column: kind}


def _convert_to_numbers(frame: pd.DataFrame, kinds: Kinds, params: dict) -> tuple[pd.DataFrame, Kinds]:
    column = _need(frame, params, "convert_to_numbers")
    values = _to_numbers(frame[column], NumberFormat.from_params(params))
    return _with_column(frame, column, values), {**kinds, column: ColumnKind.NUMERIC}


def _numeric(frame: pd.DataFrame, column: str, op: str) -> pd.Series:
    series = frame[column]
    if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        raise RecipeError(f"Column '{column}' holds text in this table, but the step '{op}' needs numbers; "
                          "convert it to numbers first.")
    return series


def _cap_outliers(frame: pd.DataFrame, kinds: Kinds, params: dict) -> tuple[pd.DataFrame, Kinds]:
    column = _need(frame, params, "cap_outliers")
    series = _numeric(frame, column, "cap_outliers")
    lower, upper = params.get("lower"), params.get("upper")
    return _with_column(frame, column, series.clip(lower=lower, upper=upper)), dict(kinds)


def _learn_cap(frame: pd.DataFrame, kinds: Kinds, params: dict) -> dict:
    if "lower" in params or "upper" in params:
        return params
    column = _need(frame, params, "cap_outliers")
    values = _numeric(frame, column, "cap_outliers").to_numpy(dtype=np.float64, na_value=np.nan)
    values = values[np.isfinite(values)]
    if values.size == 0:
        raise RecipeError(f"Column '{column}' has no numbers to learn outlier limits from.")
    k = float(params.get("k", 3.0))
    q1, q3 = np.quantile(values, [0.25, 0.75])
    return {**params, "lower": float(q1 - k * (q3 - q1)), "upper": float(q3 + k * (q3 - q1))}


def _merge_rare(frame: pd.DataFrame, kinds: Kinds, params: dict) -> tuple[pd.DataFrame, Kinds]:
    column = _need(frame, params, "merge_rare")
    keep, other = list(_learned(params, "keep", "merge_rare")), params.get("other", "Other")
    series = frame[column]
    kept = series.isin(keep) | series.isna()
    if pd.api.types.is_string_dtype(series.dtype) and not pd.api.types.is_object_dtype(series.dtype):
        merged = series.where(kept, other)
    else:
        merged = series.astype(object).where(kept, other).astype("str")
    return _with_column(frame, column, merged), dict(kinds)


def _learn_merge(frame: pd.DataFrame, kinds: Kinds, params: dict) -> dict:
    if "keep" in params:
        return params
    column = _need(frame, params, "merge_rare")
    counts = frame[column].value_counts(dropna=True)
    if "max_keep" in params:
        counts = counts.iloc[: int(params["max_keep"])]
    else:
        counts = counts[counts >= float(params.get("min_share", 0.01)) * counts.sum()]
    return {**params, "keep": jsonable(list(counts.index)), "other": params.get("other", "Other")}


def _impute(frame: pd.DataFrame, kinds: Kinds, params: dict) -> tuple[pd.DataFrame, Kinds]:
    column = _need(frame, params, "impute")
    value = _learned(params, "value", "impute")
    series = frame[column]
    if value is None:
        raise RecipeError(f"The step that fills column '{column}' has no value to fill with.")
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        if isinstance(value, str):
            raise RecipeError(f"Column '{column}' holds numbers, so it cannot be filled with the text '{value}'.")
        return _with_column(frame, column, series.fillna(float(value))), dict(kinds)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return _with_column(frame, column, series.fillna(pd.Timestamp(value))), dict(kinds)
    return _with_column(frame, column, series.fillna(value)), dict(kinds)


def _learn_impute(frame: pd.DataFrame, kinds: Kinds, params: dict) -> dict:
    if "value" in params:
        return params
    column = _need(frame, params, "impute")
    strategy = params.get("strategy", "median")
    series = frame[column]
    if strategy == "median":
        values = _numeric(frame, column, "impute").to_numpy(dtype=np.float64, na_value=np.nan)
        values = values[np.isfinite(values)]
        if values.size == 0:
            raise RecipeError(f"Column '{column}' has no numbers to take a median of; fill it with a constant.")
        return {**params, "strategy": strategy, "value": float(np.median(values))}
    if strategy == "most_frequent":
        counts = series.value_counts(dropna=True, sort=True)
        if counts.empty:
            raise RecipeError(f"Column '{column}' has no values; fill it with a constant.")
        return {**params, "strategy": strategy, "value": jsonable(counts.index[0])}
    if strategy == "constant":
        raise RecipeError("Filling with a constant needs the value to fill with.")
    raise RecipeError(f"'{strategy}' is not a way of filling gaps; use median, most_frequent or constant.")


def _infinite_to_missing(frame: pd.DataFrame, kinds: Kinds, params: dict) -> tuple[pd.DataFrame, Kinds]:
    column = _need(frame, params, "infinite_to_missing")
    series = _numeric(frame, column, "infinite_to_missing")
    if pd.api.types.is_integer_dtype(series.dtype):
        return frame.copy(deep=False), dict(kinds)
    infinite = np.isinf(series.to_numpy(dtype=np.float64, na_value=np.nan))
    return _with_column(frame, column, series.mask(infinite)), dict(kinds)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.6g}"
    return repr(value) if isinstance(value, str) else str(value)


def _cap_text(p: dict) -> str:
    bounds = [f"≥ {_fmt(p['lower'])}" if p.get("lower") is not None else "",
              f"≤ {_fmt(p['upper'])}" if p.get("upper") is not None else ""]
    return " and ".join(b for b in bounds if b) or "unchanged"


OPS: dict[str, Op] = {op.name: op for op in (
    Op("drop_duplicates", False, lambda f, k, p: _apply_rows(f, k, p, _duplicate_keep),
       lambda p: "Drop duplicate rows"
                 + (f" (ignoring {', '.join(map(repr, p['ignore']))})" if p.get("ignore") else ""),
       keep_rows=_duplicate_keep),
    Op("drop_missing_target", False, lambda f, k, p: _apply_rows(f, k, p, _missing_target_keep),
       lambda p: f"Drop rows without a value in '{p.get('column')}'", keep_rows=_missing_target_keep),
    Op("drop_column", True, _drop_column, lambda p: f"Drop column '{p.get('column')}'"),
    Op("set_kind", True, _set_kind, lambda p: f"Treat '{p.get('column')}' as {p.get('kind')}", _learn_set_kind),
    Op("convert_to_numbers", True, _convert_to_numbers, lambda p: f"Convert '{p.get('column')}' to numbers"),
    Op("cap_outliers", True, _cap_outliers, lambda p: f"Cap '{p.get('column')}' to {_cap_text(p)}", _learn_cap),
    Op("merge_rare", True, _merge_rare,
       lambda p: f"Merge values of '{p.get('column')}' other than the {len(p.get('keep', []))} kept into "
                 f"{_fmt(p.get('other', 'Other'))}", _learn_merge),
    Op("impute", True, _impute,
       lambda p: f"Fill gaps in '{p.get('column')}' with {_fmt(p.get('value'))} ({p.get('strategy', 'constant')})",
       _learn_impute),
    Op("infinite_to_missing", True, _infinite_to_missing,
       lambda p: f"Make infinite values of '{p.get('column')}' missing"),
)}


# Public functions ----------------------------------------------------------------------------

def _op(name: str) -> Op:
    if name not in OPS:
        raise RecipeError(f"'{name}' is not a fix MLDesk knows; known fixes: {', '.join(OPS)}.")
    return OPS[name]


def make_step(frame: pd.DataFrame, kinds: Kinds, op: str, **params: Any) -> RecipeStep:
    """A step for `op` with its learned values computed from `frame` now (unless given)."""
    spec = _op(op)
    if spec.learn is not None:
        params = spec.learn(frame, kinds, dict(params))
    return RecipeStep(op, jsonable(params), spec.at_prediction)


def step_from_fix(fix: Fix) -> RecipeStep:
    """The recipe step for a fix a check proposed (its learned values are already in `params`)."""
    return RecipeStep(fix.op, dict(fix.params), _op(fix.op).at_prediction)


def apply_step(frame: pd.DataFrame, kinds: Kinds, step: RecipeStep) -> tuple[pd.DataFrame, Kinds]:
    """The table and kinds after `step`; the inputs are left unchanged."""
    return _op(step.op).apply(frame, dict(kinds), dict(step.params))


def apply_recipe(
    frame: pd.DataFrame, kinds: Kinds, steps: list[RecipeStep], progress: ProgressCallback = no_progress
) -> tuple[pd.DataFrame, Kinds]:
    """Apply `steps` in order (a cancel from `progress` stops before the next step)."""
    for i, step in enumerate(steps):
        progress(i / max(len(steps), 1), step.label)
        frame, kinds = apply_step(frame, kinds, step)
    progress(1.0, "Recipe applied")
    return frame, dict(kinds)


def replay_for_prediction(
    frame: pd.DataFrame, recipe: Iterable[RecipeStep | Mapping[str, Any]], *, skip_missing_columns: bool = False
) -> pd.DataFrame:
    """`frame` after a stored recipe's steps (RecipeSteps or their `to_dict` form), as a trained model
    repeats them on new rows: the one applier scoring and monitoring share.

    With `skip_missing_columns`, a step on a column `frame` does not hold is passed over (a
    chart loads one column only). A step that cannot run raises RecipeError; each caller words
    it for its user (a validation problem, a refused batch).
    """
    kinds: Kinds = {}
    for item in recipe:
        column = item.column if isinstance(item, RecipeStep) else (item.get("params") or {}).get("column")
        if skip_missing_columns and column is not None and column not in frame.columns:
            continue
        step = item if isinstance(item, RecipeStep) else RecipeStep.from_dict(dict(item))
        frame, kinds = apply_step(frame, kinds, step)
    return frame


def for_prediction(steps: list[RecipeStep], target: str | None = None) -> list[RecipeStep]:
    """The steps a trained pipeline must repeat on new rows: column transforms, not on the target."""
    return [s for s in steps if s.at_prediction and (target is None or s.column != target)]


def recipe_to_list(steps: list[RecipeStep]) -> list[dict[str, Any]]:
    """The recipe as JSON-ready data, as stored with a DatasetVersion."""
    return [s.to_dict() for s in steps]


def recipe_from_list(data: list[dict[str, Any]] | None) -> list[RecipeStep]:
    return [RecipeStep.from_dict(d) for d in data or []]


def _cells_changed(before: pd.Series, after: pd.Series) -> np.ndarray:
    b_na, a_na = before.isna().to_numpy(), after.isna().to_numpy()
    b, a = before.to_numpy(dtype=object), after.to_numpy(dtype=object)
    same_type = _is_text(before) == _is_text(after)
    differ = (b != a) if same_type else np.ones(len(b), dtype=bool)
    return (b_na != a_na) | (~b_na & ~a_na & np.asarray(differ, dtype=bool))


def preview_step(frame: pd.DataFrame, kinds: Kinds, step: RecipeStep, examples: int = 5) -> dict[str, Any]:
    """What `step` would change, for the window's preview (the inputs are left unchanged).

    rows_before/after, columns_removed, kinds_changed, cells_changed (and how many
    become missing), and a few examples: removed rows, or cells before → after.
    """
    spec = _op(step.op)
    after, new_kinds = apply_step(frame, kinds, step)
    removed = [c for c in frame.columns if c not in after.columns]
    info: dict[str, Any] = {
        "op": step.op,
        "label": step.label,
        "at_prediction": step.at_prediction,
        "rows_before": len(frame),
        "rows_after": len(after),
        "rows_removed": len(frame) - len(after),
        "columns_before": frame.shape[1],
        "columns_after": after.shape[1],
        "columns_removed": removed,
        "kinds_changed": {c: [str(kinds[c]) if c in kinds else None, str(new_kinds[c])]
                          for c in new_kinds if kinds.get(c) != new_kinds[c]},
        "cells_changed": 0,
        "cells_to_missing": 0,
        "examples": [],
    }
    if spec.keep_rows is not None:
        dropped = np.flatnonzero(~spec.keep_rows(frame, step.params))[:examples]
        shown = list(frame.columns[:8])
        info["examples"] = [{"row": int(i), "values": jsonable(frame.iloc[int(i)][shown].to_dict())} for i in dropped]
        return info
    column = step.column
    if column in frame.columns and column in after.columns:
        before, now = frame[column], after[column]
        changed = _cells_changed(before, now)
        info["cells_changed"] = int(changed.sum())
        info["cells_to_missing"] = int((before.notna().to_numpy() & now.isna().to_numpy()).sum())
        info["examples"] = [
            {"row": int(i), "before": jsonable(before.iloc[int(i)]), "after": jsonable(now.iloc[int(i)])}
            for i in np.flatnonzero(changed)[:examples]
        ]
    elif removed:
        info["cells_changed"] = int(len(frame) * len(removed))
    return info
