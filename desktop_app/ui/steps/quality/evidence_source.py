"""Reads only what a finding's evidence shows, on a worker thread (no Qt here).

The Quality step used to load the whole version into pandas for the first evidence and keep it:
at 10 million rows × 20 columns that is 2.3 GB more in the window process, and the conversion
ran while the window was meant to stay responsive. A finding's evidence needs much less: the
whole of its one column (or the two of a correlated pair) for the chart, and a few example rows.
So the Arrow table is parsed (only the finding's columns when it names no example rows), the
column(s) are converted to pandas, and the example rows are taken in Arrow and converted alone,
with the dtypes the whole column would have had in pandas (an integer column with missing values
is float there, a boolean one object), so the evidence reads exactly as it did from the whole table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_app.ui.steps.quality.evidence import Evidence, build_evidence

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from desktop_app.core.data.entities import DatasetVersionInfo
    from desktop_app.core.data.service import DatasetService
    from desktop_app.core.progress import ProgressCallback
    from desktop_app.core.quality.findings import Finding


def evidence_columns(finding: Finding, names: list[str]) -> list[str]:
    """The columns whose every value the evidence uses: the correlated pair, or the finding's column."""
    if finding.check == "correlated_features":
        value = finding.value or {}
        pair = [value.get("column_a"), value.get("column_b")]
        if all(c in names for c in pair):
            return [str(c) for c in pair]
    return [finding.column] if finding.column in names else []


def load_evidence(
    datasets: DatasetService, version: DatasetVersionInfo, finding: Finding, progress: ProgressCallback,
) -> Evidence:
    """The finding's evidence, reading the version's snapshot for only the columns and rows it shows."""
    names = [c.name for c in version.columns]
    columns = evidence_columns(finding, names)
    wanted = [int(i) for i in finding.evidence_rows]
    table = datasets.load_table(version, progress, columns=None if wanted else columns)
    frame = table.select(columns).to_pandas() if columns else _empty(table)
    rows = None
    if wanted:
        positions = [p for p in wanted if 0 <= p < table.num_rows]
        rows = (positions, _rows_as_whole(table, positions))
    del table
    return build_evidence(frame, dict(version.kinds), finding, rows)


def _empty(table: pa.Table) -> pd.DataFrame:
    return table.slice(0, 0).select([]).to_pandas()


def _rows_as_whole(table: pa.Table, positions: list[int]) -> pd.DataFrame:
    """Rows `positions` of `table` in pandas, each column with the dtype of the whole column's conversion."""
    import pyarrow as pa

    taken = table.take(pa.array(positions, type=pa.int64())).to_pandas()
    for name in taken.columns:
        column = table.column(name)
        if column.null_count == 0 or taken[name].isna().any():
            continue  # pandas picks the same dtype for the rows as for the whole column
        if pa.types.is_integer(column.type):
            taken[name] = taken[name].astype("float64")
        elif pa.types.is_boolean(column.type):
            taken[name] = taken[name].astype(object)
    return taken
