"""Two small table models of the Batch scoring tab: the validation issues, and the first scored rows
(the prediction and probability columns first and highlighted)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from desktop_app.ui.steps.export.text import (
    COLUMN_LISTS,
    SEVERITY_COLOR,
    SEVERITY_GLYPH,
    issue_examples_text,
    issue_rows_text,
    problem_words,
)
from desktop_app.ui.text.formatting import format_float, format_int

if TYPE_CHECKING:
    from desktop_app.core.scoring.validation import ValidationReport

DISPLAY, TOOLTIP, ALIGN, FOREGROUND, BACKGROUND, FONT = (
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.TextAlignmentRole,
    Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.FontRole,
)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
PREDICTION_BACKGROUND = QBrush(QColor("#e8f0fd"))
PREDICTION_HEADER = QBrush(QColor("#d3e2fa"))
MISSING = QBrush(QColor("#8a929c"))
FLAG_COLOR = QBrush(QColor(SEVERITY_COLOR["warning"]))
FLAGS = "flags"   # core.scoring.output.FLAGS (the ui does not import core at module level)
_Index = QModelIndex | QPersistentModelIndex


class IssuesModel(QAbstractTableModel):
    HEADERS = ("", "Column", "Problem", "Rows", "Examples", "What it means")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.issues: list[Any] = []
        self.total_rows = 0
        self._bold = QFont()
        self._bold.setBold(True)

    def set_report(self, report: ValidationReport | None) -> None:
        self.beginResetModel()
        self.issues = list(report.issues) if report is not None else []
        self.total_rows = report.rows if report is not None else 0
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 - Qt name
        return 0 if parent.isValid() else len(self.issues)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 - Qt name
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == DISPLAY:
            return self.HEADERS[section]
        if orientation == Qt.Orientation.Horizontal and role == TOOLTIP and section == 0:
            return "✗ stops scoring of those rows · ⚠ scored, but check · ℹ for information"
        return None

    def text(self, row: int, column: int) -> str:
        issue = self.issues[row]
        severity = str(getattr(issue.severity, "value", issue.severity))
        if column == 0:
            return SEVERITY_GLYPH.get(severity, "")
        if column == 1:
            if issue.column is None and str(getattr(issue.problem, "value", issue.problem)) in COLUMN_LISTS:
                names = [str(n) for n in issue.examples]
                return ", ".join(names[:2]) + (f" +{len(names) - 2}" if len(names) > 2 else "")
            return issue.column or "(several)"
        if column == 2:
            return problem_words(issue.problem)
        if column == 3:
            return issue_rows_text(issue, self.total_rows)
        if column == 4:
            if str(getattr(issue.problem, "value", issue.problem)) in COLUMN_LISTS:
                return ""
            return issue_examples_text(issue)
        return issue.message

    def data(self, index: _Index, role: int = DISPLAY) -> Any:
        if not index.isValid():
            return None
        issue = self.issues[index.row()]
        severity = str(getattr(issue.severity, "value", issue.severity))
        column = index.column()
        if role == DISPLAY:
            return self.text(index.row(), column)
        if role == TOOLTIP:
            rows = getattr(issue, "example_rows", ())
            where = f"\nFirst rows: {', '.join(str(r + 1) for r in rows)}" if rows else ""
            return f"{issue.message}{where}"
        if role == FOREGROUND and column in (0, 2):
            return QBrush(QColor(SEVERITY_COLOR.get(severity, "#4a5563")))
        if role == FONT and column == 0:
            return self._bold
        if role == ALIGN:
            if column == 3:
                return RIGHT
            if column == 0:
                return int(Qt.AlignmentFlag.AlignCenter)
            return LEFT
        return None


class PreviewModel(QAbstractTableModel):
    """The first scored rows of a (small) DataFrame; `highlighted` columns get a tint and a bold header.

    Rows are numbered as in the input file (`row_numbers`), so a row left out leaves a gap."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.frame: Any = None
        self.columns: list[str] = []
        self.highlighted: set[str] = set()
        self.row_numbers: list[int] = []
        self._cells: list[list[str]] = []
        self._numeric: list[bool] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_frame(self, frame: Any | None, highlighted: Sequence[str] = (), row_numbers: Sequence[int] = (),
                  ids: Sequence[str] = ()) -> None:
        self.beginResetModel()
        self.frame = frame
        self.row_numbers = list(row_numbers)
        self.columns = [str(c) for c in frame.columns] if frame is not None else []
        self.highlighted = {str(c) for c in highlighted}
        self._cells, self._numeric = [], []
        if frame is not None:
            import pandas as pd  # only once there are rows: the window starts without pandas

            for name in frame.columns:
                series = frame[name]
                numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)
                self._numeric.append(numeric)
                fixed = str(name) in self.highlighted and str(name).startswith("proba_")
                plain = str(name) in ids   # an id is written as it is: 20001, not 20,001
                self._cells.append([_probability(v) if fixed else str(v) if plain else _cell(v)
                                    for v in series.tolist()])
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 - Qt name
        return 0 if parent.isValid() or self.frame is None else len(self.frame)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 - Qt name
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Vertical:
            number = self.row_numbers[section] if section < len(self.row_numbers) else section + 1
            if role == DISPLAY:
                return format_int(number)
            return f"Row {format_int(number)} of the input file" if role == TOOLTIP else None
        name = self.columns[section]
        if role == DISPLAY:
            return name
        if role == FONT and name in self.highlighted:
            return self._bold
        if role == BACKGROUND and name in self.highlighted:
            return PREDICTION_HEADER
        if role == TOOLTIP and name in self.highlighted:
            if name.startswith("proba_"):
                return f"The model's probability of the class '{name[6:].rstrip('_')}' (0 to 1)"
            if name.startswith(FLAGS):
                return "Why a scored row deserves a second look (empty when nothing was odd)"
            return "What the model predicts for the row"
        return None

    def data(self, index: _Index, role: int = DISPLAY) -> Any:
        if not index.isValid():
            return None
        column = index.column()
        if role == DISPLAY:
            return self._cells[column][index.row()]
        if role == ALIGN:
            return RIGHT if self._numeric[column] else LEFT
        if role == BACKGROUND and self.columns[column] in self.highlighted:
            return PREDICTION_BACKGROUND
        if role == FOREGROUND and self._cells[column][index.row()] == "—":
            return MISSING
        if role == FOREGROUND and self.columns[column].startswith(FLAGS):
            return FLAG_COLOR
        if role == TOOLTIP and self.columns[column].startswith(FLAGS):
            return self._cells[column][index.row()] or None
        return None


def _probability(value: Any) -> str:
    """Probabilities with four decimals, so a column of them lines up."""
    if isinstance(value, float) and value == value:
        return f"{value:.4f}"
    return _cell(value)


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return format_int(value)
    if isinstance(value, float):
        return "—" if value != value else format_float(value)
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return "—"
    except ImportError:  # pragma: no cover
        pass
    return str(value)
