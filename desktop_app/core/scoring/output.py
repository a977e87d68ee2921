"""The scored file's columns, the same for the window and `mldesk predict`:

    row, <id columns>, <the other input columns>, prediction, proba_<class> …, flags

`row` is the input row's number as a spreadsheet shows it (1 = the first row under the header),
so the output joins back to the input even when rows were left out; id columns the input holds
(marked id in the training data, or recognised as ids by the import's rules) come right after
it. `flags` says, per row, why a scored prediction deserves a second look ("outside training
range: age 84 > 79"); it is empty for rows without a warning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from desktop_app.core.data.settings import ColumnKind
from desktop_app.core.scoring.validation import Problem, Severity

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from desktop_app.core.scoring.signature import InputSignature
    from desktop_app.core.scoring.validation import Issue, ValidationReport

ROW = "row"
FLAGS = "flags"


def free_name(name: str, taken: Iterable[str]) -> str:
    """`name`, suffixed with `_` while an input column has it."""
    used = {str(c) for c in taken}
    while name in used:
        name += "_"
    return name


def id_columns(frame: pd.DataFrame, signature: InputSignature, trained_kinds: Mapping[str, Any]) -> list[str]:
    """The input's id columns the model does not use: ids in the training data, or ids by the import's rules."""
    import pyarrow as pa

    from desktop_app.core.data.kinds import infer_kinds

    ids = []
    for name in (str(c) for c in frame.columns):
        if name in signature:
            continue
        if trained_kinds.get(name) == ColumnKind.ID:
            ids.append(name)
            continue
        try:
            table = pa.Table.from_pandas(frame[[name]], preserve_index=False)
        except (pa.ArrowException, TypeError, ValueError):
            continue
        if infer_kinds(table).get(name) == ColumnKind.ID:
            ids.append(name)
    return ids


def row_flags(report: ValidationReport, frame: pd.DataFrame) -> np.ndarray:
    """Per input row, why its prediction needs a second look ('' when nothing was odd)."""
    flags = np.full(len(frame), "", dtype=object)
    for issue in report.of(Severity.WARNING):
        if issue.rows is None or issue.column is None or issue.column not in frame.columns:
            continue
        positions = np.flatnonzero(issue.rows)
        texts = _flags(issue, frame[issue.column].iloc[positions])
        for position, text in zip(positions, texts):
            flags[position] = f"{flags[position]}; {text}" if flags[position] else text
    return flags


def _flags(issue: Issue, values: pd.Series) -> list[str]:
    column = issue.column
    if issue.problem == Problem.OUT_OF_RANGE:
        from desktop_app.core.training.transformers import AsNumbers

        low, high = issue.detail.get("trained_min"), issue.detail.get("trained_max")
        numbers = AsNumbers().transform(values.to_frame())[:, 0]
        return [f"outside training range: {column} {_plain(n)} > {_plain(high)}" if high is not None and n > high
                else f"outside training range: {column} {_plain(n)} < {_plain(low)}" if low is not None and n < low
                else f"outside training range: {column} {raw}" for n, raw in zip(numbers, values.tolist())]
    if issue.problem == Problem.UNSEEN_CATEGORY:
        return [f"new value: {column} '{v}' not seen in training" for v in values.tolist()]
    if issue.problem == Problem.UNEXPECTED_MISSING:
        return [f"missing: {column} (never empty in training)"] * len(values)
    return [f"{str(issue.problem).replace('_', ' ')}: {column}"] * len(values)


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{value:.6g}"


def assemble(rows: pd.DataFrame, numbers: np.ndarray, ids: list[str], predictions: pd.DataFrame,
             flags: np.ndarray) -> pd.DataFrame:
    """row, ids, the other input columns, the predictions, flags — in that order (see the module's docstring)."""
    taken = [str(c) for c in rows.columns] + [str(c) for c in predictions.columns]
    rest = [c for c in rows.columns if str(c) not in ids]
    out = pd.DataFrame({free_name(ROW, taken): np.asarray(numbers, dtype=np.int64)}, index=rows.index)
    out = pd.concat([out, rows[ids + rest], predictions], axis=1)
    out[free_name(FLAGS, taken)] = pd.array(list(flags), dtype="str")
    return out
