"""The evidence behind a finding, computed on a worker thread (no Qt here).

`build_evidence(frame, kinds, finding)` summarises the finding's column (for its chart),
samples the pair of a correlation finding (for a scatter plot) and formats the example
offending rows as text, so that the GUI thread only has to draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from desktop_app.ui.text.formatting import format_number

if TYPE_CHECKING:
    import pandas as pd

    from desktop_app.core.data.summary import ColumnSummary
    from desktop_app.core.quality.findings import Finding

PAIR_POINTS = 2_000   # points of a scatter plot (a seeded sample of the rows)
MAX_EXAMPLE_COLUMNS = 40


@dataclass
class ExampleRows:
    """Example rows as text: `cells[i][j]` is None where the value is missing."""

    headers: list[str]
    row_numbers: list[int]          # 1-based, as in the Data step
    cells: list[list[str | None]]
    numeric: list[bool]             # right-align these columns
    highlight: list[str]            # the finding's column(s), shown first
    total: int                      # how many example rows the finding named


@dataclass
class Evidence:
    column: str | None
    summary: ColumnSummary | None = None                  # of the column
    pair: tuple[str, str, list[float], list[float]] | None = None
    fences: tuple[float | None, float | None] | None = None  # outlier limits to mark on the histogram
    rows: ExampleRows | None = None
    notes: list[str] = field(default_factory=list)


def _kind(frame: pd.DataFrame, kinds: dict, column: str) -> Any:
    import pandas as pd

    from desktop_app.core.data.settings import ColumnKind

    if column in kinds:
        return kinds[column]
    dtype = frame[column].dtype
    if pd.api.types.is_bool_dtype(dtype):
        return ColumnKind.BOOLEAN
    if pd.api.types.is_numeric_dtype(dtype):
        return ColumnKind.NUMERIC
    return ColumnKind.CATEGORICAL


def _cell(value: Any) -> str | None:
    import pandas as pd

    try:
        if value is None or pd.isna(value):
            return None
    except (TypeError, ValueError):  # arrays and other odd cells: show them as text
        pass
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else str(value)
    return format_number(value)


def example_rows(frame: pd.DataFrame, positions: list[int], highlight: list[str]) -> ExampleRows:
    import pandas as pd

    positions = [p for p in positions if 0 <= p < len(frame)]
    front = [c for c in highlight if c in frame.columns]
    rest = [c for c in frame.columns if c not in front][: max(0, MAX_EXAMPLE_COLUMNS - len(front))]
    headers = [str(c) for c in front + rest]
    sub = frame.iloc[positions][front + rest]
    cells = [[_cell(v) for v in row] for row in sub.itertuples(index=False, name=None)]
    numeric = [pd.api.types.is_numeric_dtype(sub[c].dtype) and not pd.api.types.is_bool_dtype(sub[c].dtype)
               for c in front + rest]
    return ExampleRows(headers, [p + 1 for p in positions], cells, numeric, [str(c) for c in front], len(positions))


def build_evidence(
    frame: pd.DataFrame, kinds: dict, finding: Finding, rows: tuple[list[int], pd.DataFrame] | None = None,
) -> Evidence:
    """Everything the detail panel shows for `finding`, from the version's `frame`.

    `frame` may hold only the finding's column(s); then `rows` gives the example rows instead:
    their positions in the table and those rows of every column (evidence_source.py loads both).
    """
    from desktop_app.core.data.summary import summarize_column

    value = finding.value or {}
    column = finding.column if finding.column in frame.columns else None
    evidence = Evidence(column)
    highlight = [column] if column else []
    if finding.check == "correlated_features":
        a, b = value.get("column_a"), value.get("column_b")
        if a in frame.columns and b in frame.columns:
            evidence.pair = _pair(frame, a, b)
            highlight = [a, b]
            evidence.column = None
    elif column is not None:
        evidence.summary = summarize_column(frame[column], _kind(frame, kinds, column))
        if finding.check == "outliers":
            evidence.fences = (value.get("lower"), value.get("upper"))
    if rows is not None:
        positions, taken = rows
        evidence.rows = example_rows(taken, list(range(len(positions))), highlight)
        evidence.rows.row_numbers = [p + 1 for p in positions]
    elif rows is None and finding.evidence_rows:
        evidence.rows = example_rows(frame, [int(i) for i in finding.evidence_rows], highlight)
    return evidence


def _pair(frame: pd.DataFrame, a: str, b: str) -> tuple[str, str, list[float], list[float]]:
    import numpy as np

    x = frame[a].to_numpy(dtype=np.float64, na_value=np.nan)
    y = frame[b].to_numpy(dtype=np.float64, na_value=np.nan)
    both = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    if len(both) > PAIR_POINTS:
        both = np.sort(np.random.default_rng(0).choice(both, PAIR_POINTS, replace=False))
    return a, b, x[both].tolist(), y[both].tolist()
