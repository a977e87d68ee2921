"""Which files the import wizard takes, and the one file of a drag and drop (no Qt widgets).

A leaf module: the wizard, its file page and the Data step all read these, and it imports none
of them, so the wizard can import its pages at the top without a loop.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData

SUPPORTED_SUFFIXES = (".csv", ".tsv", ".txt", ".tab", ".xlsx", ".xlsm", ".parquet", ".pq")
FILE_FILTER = (
    "Data files (*.csv *.tsv *.txt *.tab *.xlsx *.xlsm *.parquet *.pq);;"
    "Delimited text (*.csv *.tsv *.txt *.tab);;Excel (*.xlsx *.xlsm);;Parquet (*.parquet *.pq);;All files (*)"
)
PREVIEW_ROWS = 200


def dropped_file(mime: QMimeData) -> str | None:
    """The one local file in a drag, if it looks like a table MLDesk can read."""
    if not mime.hasUrls():
        return None
    files = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
    if len(files) != 1 or Path(files[0]).suffix.lower() not in SUPPORTED_SUFFIXES:
        return None
    return files[0]
