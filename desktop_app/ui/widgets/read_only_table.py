"""A QTableWidget set up for reading: no editing, no row numbers, no wrapping, headers on the left."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget


def read_only_table(name: str, headers: Sequence[str] | int, modes: Sequence[QHeaderView.ResizeMode] = (),
                    select_rows: bool = False) -> QTableWidget:
    """An empty table named `name` with these column headers (or this many columns, labelled later),
    column i sized by modes[i]; one row at a time can be selected with `select_rows`, else nothing."""
    table = QTableWidget(0, headers if isinstance(headers, int) else len(headers))
    table.setObjectName(name)
    if not isinstance(headers, int):
        table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    if select_rows:
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    else:
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    for column, mode in enumerate(modes):
        header.setSectionResizeMode(column, mode)
    return table
