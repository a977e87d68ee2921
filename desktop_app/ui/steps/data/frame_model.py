"""A virtual table model over a pandas DataFrame.

Only cells the view asks for are formatted, so a frame of a million rows shows at once.
Sorting never reorders the frame: it computes a row permutation (an argsort), in the
background for large frames, and swaps it in when ready.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from desktop_app.ui.text.formatting import format_float, format_int
from desktop_app.ui.work.background import BackgroundWork

if TYPE_CHECKING:
    from desktop_app.ui.work.tasks import TaskRunner

BACKGROUND_SORT_ROWS = 100_000   # frames larger than this are sorted on a worker thread
MISSING_BACKGROUND = QBrush(QColor("#eef0f3"))
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
DISPLAY, TOOLTIP, ALIGN, BACKGROUND = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.TextAlignmentRole,
    Qt.ItemDataRole.BackgroundRole,
)


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return value != value
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    return False


def _format_datetime(value: Any) -> str:
    ts = pd.Timestamp(value)
    if ts.hour == ts.minute == ts.second == ts.microsecond == 0 and ts.tzinfo is None:
        return ts.strftime("%Y-%m-%d")
    return str(ts)


def _formatter(series: pd.Series) -> tuple[Callable[[Any], str], bool]:
    """How to show one cell of `series`, and whether it is right-aligned (numbers)."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return (lambda v: "True" if v else "False"), False
    if pd.api.types.is_integer_dtype(dtype):
        return (lambda v: format_int(v)), True
    if pd.api.types.is_float_dtype(dtype):
        return (lambda v: format_float(float(v))), True
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return _format_datetime, False
    return _format_any, False


def _format_any(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "True" if value else "False"
    if isinstance(value, int | np.integer):
        return format_int(int(value))
    if isinstance(value, float | np.floating):
        return format_float(float(value))
    if isinstance(value, pd.Timestamp):
        return _format_datetime(value)
    return str(value)


def argsort_column(series: pd.Series, ascending: bool) -> np.ndarray:
    """Row positions that sort `series`; missing values last, ties keep their order."""
    values = series.reset_index(drop=True)
    if isinstance(values.dtype, pd.CategoricalDtype) and not values.dtype.ordered:
        # categories come in order of first appearance; sort them as text, as a reader expects
        values = values.cat.reorder_categories(sorted(values.cat.categories, key=str), ordered=True)
    try:
        ordered = values.sort_values(ascending=ascending, na_position="last", kind="stable")
    except TypeError:  # mixed types in an object column: compare as text
        ordered = values.astype("string").sort_values(ascending=ascending, na_position="last", kind="stable")
    return ordered.index.to_numpy(dtype=np.int64)


class FrameModel(QAbstractTableModel):
    """Read-only model over `frame`. `kinds` maps column name → ColumnKind (for tooltips)."""

    sort_started = Signal(int)      # column
    sort_finished = Signal(int)     # column (-1: original order)

    def __init__(
        self,
        frame: pd.DataFrame,
        kinds: dict[str, Any] | None = None,
        runner: TaskRunner | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._frame = frame
        self._kinds = {str(k): str(v) for k, v in (kinds or {}).items()}
        self._work = BackgroundWork(runner) if runner is not None else None   # no runner: sort in place
        self._names = [str(c) for c in frame.columns]
        self._arrays = [frame.iloc[:, i].array for i in range(frame.shape[1])]
        formats = [_formatter(frame.iloc[:, i]) for i in range(frame.shape[1])]
        self._format = [f for f, _ in formats]
        self._align = [RIGHT if right else LEFT for _, right in formats]
        self._rows = len(frame)
        self._order: np.ndarray | None = None
        self.sort_column = -1                        # the sort shown or on its way
        self.sort_order = Qt.SortOrder.AscendingOrder
        self._applied = (-1, Qt.SortOrder.AscendingOrder)

    # -- what the rest of the UI asks ------------------------------------------
    @property
    def frame(self) -> pd.DataFrame:
        return self._frame

    def column_name(self, column: int) -> str:
        return self._names[column]

    def column_kind(self, column: int) -> str | None:
        return self._kinds.get(self._names[column])

    def source_row(self, row: int) -> int:
        """The frame position shown at view row `row`."""
        return int(self._order[row]) if self._order is not None else row

    def display_text(self, row: int, column: int) -> str:
        value = self._arrays[column][self.source_row(row)]
        return "" if _is_missing(value) else self._format[column](value)

    @property
    def is_sorting(self) -> bool:
        return self._work is not None and self._work.running("sort")

    # -- QAbstractTableModel -----------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._names)

    def data(self, index: QModelIndex, role: int = DISPLAY) -> Any:
        if role == DISPLAY:
            return self.display_text(index.row(), index.column())
        if role == ALIGN:
            return self._align[index.column()]
        if role == BACKGROUND:
            value = self._arrays[index.column()][self.source_row(index.row())]
            return MISSING_BACKGROUND if _is_missing(value) else None
        if role == TOOLTIP:
            value = self._arrays[index.column()][self.source_row(index.row())]
            return "Missing value" if _is_missing(value) else str(value)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if role == DISPLAY:
                return self._names[section]
            if role == TOOLTIP:
                kind = self._kinds.get(self._names[section])
                return f"{self._names[section]}\nKind: {kind}" if kind else self._names[section]
            return None
        if role == DISPLAY:
            return format_int(self.source_row(section) + 1)
        if role == TOOLTIP:
            return f"Row {format_int(self.source_row(section) + 1)} of the file"
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # -- sorting -------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column < 0 and self.sort_column < 0:
            return  # already in the file's order
        if (column, order) == (self.sort_column, self.sort_order):
            return  # the same sort is shown or on its way (Qt asks twice in sortByColumn)
        if self._work is not None:
            self._work.drop("sort")
        self.sort_column, self.sort_order = column, order
        if column < 0 or column >= len(self._names):
            self._apply_order(None, -1)
            return
        series = self._frame.iloc[:, column]
        ascending = order == Qt.SortOrder.AscendingOrder
        if self._work is None or self._rows <= BACKGROUND_SORT_ROWS:
            self._apply_order(argsort_column(series, ascending), column)
            return
        self.sort_started.emit(column)
        self._work.start("sort", f"Sorting by {self._names[column]}",
                         lambda _progress: argsort_column(series, ascending),
                         done=lambda order_: self._apply_order(order_, column),
                         failed=lambda _error: self._keep_order(), cancelled=self._keep_order)

    def _keep_order(self) -> None:
        """A sort failed or was cancelled: the previous order stays."""
        self.sort_column, self.sort_order = self._applied
        self.sort_finished.emit(self.sort_column)

    def _apply_order(self, order: np.ndarray | None, column: int) -> None:
        self.layoutAboutToBeChanged.emit()
        self._order = order
        self._applied = (column, self.sort_order)
        self.layoutChanged.emit()
        self.sort_finished.emit(column)
