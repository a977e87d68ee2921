"""Rows to score, checked against a model's input signature before any prediction.

    report = validate(signature, frame)
    report.fatal              # True: scoring must stop (missing columns, wrong types)
    report.valid              # bool per row: no problem found on that row
    for issue in report.issues:
        issue.column, issue.problem, issue.count, issue.examples, issue.message

Problems, worst first:
  missing_column     error    the model cannot run without it (no row is valid)
  recipe_failed      error    the data fixes the pipeline repeats cannot run on these rows
  wrong_type         error    text in a number or date column: the model would see a gap
  unseen_category    warning  a category (or yes/no value) training never saw: treated as unknown
  out_of_range       warning  a number outside the range seen in training: an extrapolation
  unexpected_missing warning  a gap in a column that had none in training: filled as in training
  extra_columns      info     columns the model does not use: ignored
  id_columns         info     ids the model does not use, as expected: kept in the output to join back
  not_checked        info     too many categories in training to check for new ones

Every row-level problem marks its rows in `issue.rows`; `report.valid` is the rows no
problem touched, `report.scorable` the rows no error touched: "score only the rows that can be
scored" leaves out exactly the rows with errors, and the rows with warnings are scored and flagged.
The values are converted exactly as the model converts them (`AsNumbers`, `AsCategories`,
`DateParts`) after the recipe's prediction-time fixes, so a flagged value is one the model
would indeed mistake, and a fix the recipe repeats (numbers written "1.234,5") is not flagged.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.progress import ProgressCallback, no_progress
from desktop_app.core.scoring.signature import MAX_CATEGORIES, ColumnSpec, InputSignature

EXAMPLES = 5


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Problem(StrEnum):
    MISSING_COLUMN = "missing_column"
    RECIPE_FAILED = "recipe_failed"
    WRONG_TYPE = "wrong_type"
    UNSEEN_CATEGORY = "unseen_category"
    OUT_OF_RANGE = "out_of_range"
    UNEXPECTED_MISSING = "unexpected_missing"
    EXTRA_COLUMNS = "extra_columns"
    ID_COLUMNS = "id_columns"
    NOT_CHECKED = "not_checked"


@dataclass(frozen=True)
class Issue:
    column: str | None                  # None: about several columns (extra columns)
    problem: Problem
    severity: Severity
    count: int                          # rows affected (columns, for missing and extra columns)
    examples: tuple[Any, ...]           # offending values (distinct), or column names
    message: str                        # one plain sentence
    example_rows: tuple[int, ...] = ()  # positions (0-based) of the first affected rows
    detail: dict[str, Any] = field(default_factory=dict)
    rows: np.ndarray | None = field(default=None, repr=False, compare=False)  # bool mask, row-level only

    def to_dict(self) -> dict[str, Any]:
        return {"column": self.column, "problem": str(self.problem), "severity": str(self.severity),
                "count": self.count, "examples": [_plain(v) for v in self.examples],
                "example_rows": list(self.example_rows), "detail": self.detail, "message": self.message}


@dataclass(frozen=True)
class ValidationReport:
    rows: int
    issues: tuple[Issue, ...]
    valid: np.ndarray = field(repr=False, compare=False)   # bool per row

    @property
    def fatal(self) -> bool:
        return any(i.severity == Severity.ERROR for i in self.issues)

    @property
    def ok(self) -> bool:
        """No error and no warning (information only)."""
        return all(i.severity == Severity.INFO for i in self.issues)

    @property
    def missing_columns(self) -> list[str]:
        return [i.column for i in self.issues if i.problem == Problem.MISSING_COLUMN and i.column is not None]

    @property
    def valid_rows(self) -> int:
        return int(self.valid.sum())

    @property
    def invalid_rows(self) -> int:
        return self.rows - self.valid_rows

    @property
    def scorable(self) -> np.ndarray:
        """Rows no error touched (bool per row); rows with warnings only are scorable."""
        keep = np.ones(self.rows, dtype=bool)
        for issue in self.of(Severity.ERROR):
            if issue.rows is None:   # a missing column or a failed recipe: no row can be scored
                return np.zeros(self.rows, dtype=bool)
            keep &= ~issue.rows
        return keep

    @property
    def scorable_rows(self) -> int:
        return int(self.scorable.sum())

    def of(self, severity: Severity | str) -> list[Issue]:
        return [i for i in self.issues if i.severity == severity]

    def summary(self) -> str:
        errors, warnings = len(self.of(Severity.ERROR)), len(self.of(Severity.WARNING))
        if not errors and not warnings:
            return f"All {self.rows:,} rows match what the model was trained on."
        return (f"{_count(errors, 'error')}, {_count(warnings, 'warning')}; "
                f"{self.valid_rows:,} of {self.rows:,} rows have no problem.")

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "valid_rows": self.valid_rows, "invalid_rows": self.invalid_rows,
                "scorable_rows": self.scorable_rows, "fatal": self.fatal, "summary": self.summary(),
                "issues": [i.to_dict() for i in self.issues]}


def validate(
    signature: InputSignature, frame: pd.DataFrame, progress: ProgressCallback = no_progress,
    ids: Collection[str] = (),
) -> ValidationReport:
    """Check `frame` (rows as read from a file) against the model's `signature`; `progress` may cancel
    between columns. `ids` are the input's id columns (`output.id_columns`): expected, not a problem."""
    n = len(frame)
    present = {str(c) for c in frame.columns}
    issues: list[Issue] = [_missing_column(name) for name in signature.names if name not in present]
    unused = [str(c) for c in frame.columns if str(c) not in signature]
    extra = [name for name in unused if name not in ids]
    if extra:
        issues.append(_extra_columns(extra))
    if len(extra) < len(unused):
        issues.append(_id_columns([name for name in unused if name in ids]))
    if issues and issues[0].problem == Problem.MISSING_COLUMN:
        return _report(n, issues, np.zeros(n, dtype=bool))

    view = frame[[c for c in frame.columns if str(c) in signature]]
    view.columns = [str(c) for c in view.columns]
    if signature.recipe:
        view, failed = _apply_recipe(view, signature.recipe)
        if failed is not None:
            return _report(n, [failed, *issues], np.zeros(n, dtype=bool))
    for i, spec in enumerate(signature.columns):
        if spec.used_by_model:
            progress(i / len(signature.columns), f"Checking column '{spec.name}'")
            issues.extend(_check_column(spec, view[spec.name]))
    progress(1.0, "Checked")
    valid = np.ones(n, dtype=bool)
    for issue in issues:
        if issue.rows is not None and issue.severity != Severity.INFO:
            valid &= ~issue.rows
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return _report(n, sorted(issues, key=lambda i: order[i.severity]), valid)


def _report(n: int, issues: list[Issue], valid: np.ndarray) -> ValidationReport:
    return ValidationReport(rows=n, issues=tuple(issues), valid=valid)


def _apply_recipe(frame: pd.DataFrame, recipe: tuple[dict, ...]) -> tuple[pd.DataFrame, Issue | None]:
    """The rows after the recipe's prediction-time fixes, or the problem that stops them."""
    from desktop_app.core.quality.errors import RecipeError
    from desktop_app.core.quality.recipe import replay_for_prediction

    try:
        return replay_for_prediction(frame, recipe), None
    except RecipeError as exc:
        return frame, Issue(None, Problem.RECIPE_FAILED, Severity.ERROR, len(frame), (),
                            f"The data fixes the model repeats on new rows cannot run on these rows: {exc}")


# -- one column ---------------------------------------------------------------------------------


def _check_column(spec: ColumnSpec, series: pd.Series) -> list[Issue]:
    series = series.reset_index(drop=True)
    issues: list[Issue] = []
    if spec.kind == ColumnKind.NUMERIC:
        issues.extend(_check_numbers(spec, series))
    elif spec.kind == ColumnKind.DATETIME:
        issues.extend(_check_dates(spec, series))
    elif spec.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
        issues.extend(_check_categories(spec, series))
    if not spec.allows_missing:
        gaps = series.isna().to_numpy()
        if spec.kind == ColumnKind.NUMERIC and pd.api.types.is_float_dtype(series.dtype):
            gaps = gaps | np.isnan(series.to_numpy(dtype=np.float64, na_value=np.nan))
        if gaps.any():
            count = int(gaps.sum())
            issues.append(_row_issue(
                spec.name, Problem.UNEXPECTED_MISSING, Severity.WARNING, gaps, (),
                f"Column '{spec.name}' is empty in {_count(count, 'row')} but had no gaps in training; "
                "the model fills them as it filled gaps in training."))
    return issues


def _check_numbers(spec: ColumnSpec, series: pd.Series) -> list[Issue]:
    from desktop_app.core.training.transformers import AsNumbers

    values = AsNumbers().transform(series.to_frame())[:, 0]
    issues = []
    unreadable = series.notna().to_numpy() & np.isnan(values)
    if unreadable.any():
        count = int(unreadable.sum())
        examples = _distinct(series[unreadable])
        issues.append(_row_issue(
            spec.name, Problem.WRONG_TYPE, Severity.ERROR, unreadable, examples,
            f"Column '{spec.name}' holds text where the model expects numbers in {_count(count, 'row')} "
            f"(such as {_quoted(examples)}); the model would read those values as missing."))
    if spec.minimum is not None and spec.maximum is not None:
        with np.errstate(invalid="ignore"):
            outside = (values < spec.minimum) | (values > spec.maximum)
        if outside.any():
            count = int(outside.sum())
            seen = values[~np.isnan(values)]
            low, high = float(seen.min()), float(seen.max())
            issues.append(_row_issue(
                spec.name, Problem.OUT_OF_RANGE, Severity.WARNING, outside, _distinct(pd.Series(values[outside])),
                f"Column '{spec.name}' has {_count(count, 'row')} outside the range seen in training "
                f"({_num(spec.minimum)} to {_num(spec.maximum)}; here it goes from {_num(low)} to {_num(high)}); "
                "predictions there are extrapolations.",
                detail={"trained_min": spec.minimum, "trained_max": spec.maximum,
                        "found_min": _finite_or_none(low), "found_max": _finite_or_none(high)}))
    return issues


def _check_dates(spec: ColumnSpec, series: pd.Series) -> list[Issue]:
    from desktop_app.core.training.transformers import DateParts

    year = DateParts().transform(series.to_frame())[:, 0]
    unreadable = series.notna().to_numpy() & np.isnan(year)
    if not unreadable.any():
        return []
    count = int(unreadable.sum())
    examples = _distinct(series[unreadable])
    return [_row_issue(
        spec.name, Problem.WRONG_TYPE, Severity.ERROR, unreadable, examples,
        f"Column '{spec.name}' holds values that are not dates in {_count(count, 'row')} "
        f"(such as {_quoted(examples)}); the model would read them as missing.")]


def _check_categories(spec: ColumnSpec, series: pd.Series) -> list[Issue]:
    from desktop_app.core.training.transformers import AsCategories

    if spec.categories is None:
        return []
    if not spec.categories_complete:
        return [Issue(spec.name, Problem.NOT_CHECKED, Severity.INFO, 0, (),
                      f"Column '{spec.name}' had more than {MAX_CATEGORIES:,} distinct values in training, "
                      "so new values in it are not checked.")]
    labels = AsCategories().transform(series.to_frame())[:, 0]
    codes, uniques = pd.factorize(labels, use_na_sentinel=True)
    known = set(spec.categories)
    unseen_codes = np.flatnonzero([u not in known for u in uniques])
    if unseen_codes.size == 0:
        return []
    unseen = np.isin(codes, unseen_codes)
    count = int(unseen.sum())
    examples = _distinct(series[unseen])
    what = "yes/no values" if spec.kind == ColumnKind.BOOLEAN else "values"
    return [_row_issue(
        spec.name, Problem.UNSEEN_CATEGORY, Severity.WARNING, unseen, examples,
        f"Column '{spec.name}' has {_count(unseen_codes.size, 'value')} not seen in training "
        f"(such as {_quoted(examples)}) in {_count(count, 'row')}; the model treats them as unknown {what}.",
        detail={"unseen_values": int(unseen_codes.size), "known_values": len(known)})]


# -- building issues ----------------------------------------------------------------------------


def _missing_column(name: str) -> Issue:
    return Issue(name, Problem.MISSING_COLUMN, Severity.ERROR, 1, (name,),
                 f"Column '{name}' is missing; the model was trained with it and cannot score rows without it.")


def _extra_columns(names: list[str]) -> Issue:
    shown = ", ".join(f"'{n}'" for n in names[:EXAMPLES]) + (f" and {len(names) - EXAMPLES} more"
                                                              if len(names) > EXAMPLES else "")
    return Issue(None, Problem.EXTRA_COLUMNS, Severity.INFO, len(names), tuple(names),
                 f"{_count(len(names), 'column')} the model does not use ({shown}) "
                 f"{'is' if len(names) == 1 else 'are'} ignored.")


def _id_columns(names: list[str]) -> Issue:
    shown = ", ".join(f"'{n}'" for n in names[:EXAMPLES]) + (f" and {len(names) - EXAMPLES} more"
                                                              if len(names) > EXAMPLES else "")
    return Issue(None, Problem.ID_COLUMNS, Severity.INFO, len(names), tuple(names),
                 f"{shown} {'identifies' if len(names) == 1 else 'identify'} the rows: the model does not use "
                 f"{'it' if len(names) == 1 else 'them'}, as expected, and the scored file keeps "
                 f"{'it' if len(names) == 1 else 'them'} to join back to the input.")


def _row_issue(column: str, problem: Problem, severity: Severity, rows: np.ndarray, examples: tuple,
               message: str, detail: dict | None = None) -> Issue:
    rows = np.asarray(rows, dtype=bool)
    first = tuple(int(i) for i in np.flatnonzero(rows)[:EXAMPLES])
    return Issue(column, problem, severity, int(rows.sum()), examples, message, first, detail or {}, rows)


def _distinct(values: pd.Series) -> tuple[Any, ...]:
    out: list[Any] = []
    for value in values.head(10_000).drop_duplicates().head(EXAMPLES):
        out.append(_plain(value))
    return tuple(out)


def _plain(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _quoted(examples: tuple) -> str:
    return ", ".join(f"'{v}'" if isinstance(v, str) else _num(v) if isinstance(v, float) else str(v)
                     for v in examples[:3])


def _num(value: float) -> str:
    return f"{value:,.6g}"


def _finite_or_none(value: float) -> float | None:
    return value if np.isfinite(value) else None


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
