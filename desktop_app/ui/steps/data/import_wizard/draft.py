"""What the import wizard's pages hand on to each other: each page fills in what it settled.

The wizard makes one `ImportDraft` and gives it to every page, so a page reads the file, the read
settings or the chosen name from here rather than reaching into another page through the wizard.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from desktop_app.core.data.entities import ImportResult
    from desktop_app.core.data.readers import TableRead
    from desktop_app.core.data.settings import ColumnKind, ReadSettings
    from desktop_app.core.project import Project
    from desktop_app.ui.work.tasks import TaskRunner


@dataclass
class ImportDraft:
    project: Project
    runner: TaskRunner
    path: Path | None = None                       # the file page
    settings: ReadSettings | None = None           # the settings page: how the file is read …
    preview: TableRead | None = None               # … its first rows read that way
    preview_frame: pd.DataFrame | None = None      # … the same rows as the preview table shows them
    inferred_kinds: dict[str, ColumnKind] = field(default_factory=dict)
    sample_texts: dict[str, str] = field(default_factory=dict)   # … a few values of each column, as text
    name: str = ""                                 # … and the dataset's name
    kinds: dict[str, ColumnKind] | None = None     # the kinds page: only the kinds the user changed
    result: ImportResult | None = None             # the run page, once imported


SAMPLES = 5


def sample_texts(frame: pd.DataFrame) -> dict[str, str]:
    """Column → its first few distinct values, shortened, for the kinds page. Made on the preview's
    worker: the first use of pyarrow's kernels here took ~60 ms of the window thread at the kinds page."""
    from desktop_app.ui.text.formatting import shorten

    texts = {}
    for column in frame.columns:
        values = frame[column].dropna().astype(str).unique()[:SAMPLES]
        texts[str(column)] = ", ".join(shorten(v, 24) for v in values)
    return texts
