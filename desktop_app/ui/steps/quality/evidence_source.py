"""Reads only what a finding's evidence shows, on a worker thread (no Qt here).

The Quality step used to load the whole version into pandas for the first evidence and keep it:
at 10 million rows × 20 columns that is 2.3 GB more in the window process, and the conversion
ran while the window was meant to stay responsive. A finding's evidence needs much less: the
whole of its one column (or the two of a correlated pair) for the chart, and a few example rows.
So only that column (or pair) is parsed and converted, and the example rows come from the row
groups that hold them (`DatasetService.load_table(rows=…)`). The rows are converted to pandas on
their own, so a yes/no column with missing values elsewhere is bool there rather than object (an
integer one int rather than float): the cells read the same (`evidence._cell`) and neither kind is
right-aligned, so the evidence shown is the same as from the whole table (a test compares them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_app.ui.steps.quality.evidence import Evidence, build_evidence

if TYPE_CHECKING:
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
    import pandas as pd

    columns = evidence_columns(finding, [c.name for c in version.columns])
    frame = datasets.load_table(version, progress, columns=columns).to_pandas() if columns else pd.DataFrame()
    rows = None
    if finding.evidence_rows:
        positions = [p for p in (int(i) for i in finding.evidence_rows) if 0 <= p < version.rows]
        rows = (positions, datasets.load_table(version, progress, rows=positions).to_pandas())
    return build_evidence(frame, dict(version.kinds), finding, rows)
