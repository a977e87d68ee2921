"""What the rows of a sample say about the table: its number style, its header, where it starts.

`detect_settings` (detect.py) reads the first records of a file and hands them here:

    detect_number_style(records, delimiter)   decimal mark and thousands separator, from number shapes
    guess_header(rows) / header_evidence(rows) whether the first row names the columns
    find_table(records)                       rows above the table (a title, notes), R's row names

Cells are classed ('number', 'date', 'text', …) the same way for delimited text and for Excel
values, so a workbook and its CSV export read alike. A silent misread is worse than a refusal:
each layout is proposed only on positive evidence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from desktop_app.core.data.settings import DEFAULT_MISSING_MARKERS

# Number shapes, used for the decimal mark, the thousands separator and the header guess.
_INT = re.compile(r"^[+-]?\d+$")
_DOT_DEC = re.compile(r"^[+-]?\d*\.\d+$")
_COMMA_DEC = re.compile(r"^[+-]?\d*,\d+$")
_AMBIGUOUS = re.compile(r"^[+-]?[1-9]\d{0,2}[.,]\d{3}$")  # 1,234 or 1.234: decimal or thousands?
_US_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_EU_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_SPACE_GROUPED = re.compile(r"^[+-]?\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d+)?$")
_EXPONENT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$")
_TRAILING_DOT = re.compile(r"^[+-]?\d+\.$")
_DATE_LIKE = re.compile(
    r"^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?"
)


# -- number style ----------------------------------------------------------------------


def detect_number_style(records: list[list[str]], delimiter: str) -> tuple[str, str | None]:
    """Decimal mark and thousands separator from the shapes of the numbers in the sample."""
    comma_dec = dot_dec = amb_comma = amb_dot = us_grouped = eu_grouped = space_grouped = 0
    for row in records[1:]:
        for cell in row:
            value = cell.strip()
            if not value or not value[-1].isdigit():
                continue
            if _AMBIGUOUS.match(value):
                if "," in value:
                    amb_comma += 1
                else:
                    amb_dot += 1
            elif _COMMA_DEC.match(value):
                comma_dec += 1
            elif _DOT_DEC.match(value):
                dot_dec += 1
            elif _US_GROUPED.match(value):
                us_grouped += 1
                dot_dec += "." in value
            elif _EU_GROUPED.match(value):
                eu_grouped += 1
                comma_dec += 1  # 1.234,5 and 1.234.567 both mean decimal comma
            elif _SPACE_GROUPED.match(value):
                space_grouped += 1
                comma_dec += "," in value
                dot_dec += "." in value
    if comma_dec > dot_dec or (comma_dec == dot_dec == 0 and amb_comma and delimiter == ";"):
        decimal = ","
        if eu_grouped or (amb_dot and not dot_dec):
            return decimal, "."
    else:
        decimal = "."
        if us_grouped or amb_comma:
            return decimal, ","
    return decimal, (" " if space_grouped else None)


# -- header ----------------------------------------------------------------------------

_MISSING = {m.strip().lower() for m in DEFAULT_MISSING_MARKERS} | {""}


def cell_class(value: Any, decimal: str = ".", thousands: str | None = None) -> str:
    """'empty', 'number', 'date', 'bool' or 'text', for a parsed text cell or an Excel value."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if not isinstance(value, str):
        return "date"  # datetime / date / time cells from a spreadsheet
    text = value.strip()
    if text.lower() in _MISSING:
        return "empty"
    if is_number(text, decimal, thousands):
        return "number"
    if _DATE_LIKE.match(text):
        return "date"
    return "text"


def is_number(text: str, decimal: str = ".", thousands: str | None = None) -> bool:
    if thousands:
        text = text.replace(thousands, "")
    if decimal != ".":
        if "." in text:
            return False
        text = text.replace(decimal, ".")
    return any(p.match(text) for p in (_INT, _DOT_DEC, _TRAILING_DOT, _EXPONENT))


def guess_header(rows: Iterable[list[Any]], decimal: str = ".", thousands: str | None = None) -> bool:
    """True when the first row names the columns.

    A text cell above a column of numbers or dates means a header; so do numbers that
    read as names (see `header_evidence`). A first row that has numbers where the data
    has numbers, and nothing else, means there is none. With no evidence either way
    (all text), a header is the common case.
    """
    evidence = header_evidence(rows, decimal, thousands)
    return True if evidence is None else evidence


def header_evidence(rows: Iterable[list[Any]], decimal: str = ".", thousands: str | None = None) -> bool | None:
    """True or False when the rows say whether the first one is a header; None when they do not.

    Numbers in the first row above columns of numbers count against a header, unless
    they read as names: at least three distinct whole numbers that run in order — evenly
    spaced (1, 2, 3 or 1960, 1965, 1970) or years (2019, 2020, 2022) — where the rows
    below do not, or whole numbers above columns that hold decimals. That is the layout
    of national statistics by year (`Country Name,…,1960,1961,…`), whose text columns
    are text in every row and so say nothing.
    """
    rows = [list(r) for r in rows]
    if not rows:
        return None
    first, data = rows[0], rows[1:]
    if not data:
        return False if any(cell_class(v, decimal, thousands) in ("number", "date") for v in first) else None
    numbered: list[int] = []  # columns with a number in the first row above numbers
    for j, top in enumerate(first):
        classes = [cell_class(r[j], decimal, thousands) for r in data if j < len(r)]
        classes = [c for c in classes if c != "empty"]
        if not classes:
            continue
        kind, hits = Counter(classes).most_common(1)[0]
        if kind not in ("number", "date") or hits < 0.8 * len(classes):
            continue
        top_class = cell_class(top, decimal, thousands)
        if top_class == "text":
            return True
        if top_class == kind:
            numbered.append(j)
    if not numbered:
        return None
    return _numbers_read_as_names(first, data, numbered, decimal, thousands)


_MIN_NUMBER_NAMES = 3  # two numbers in order (1, 2) are too often the first data row


def _numbers_read_as_names(
    first: list[Any], data: list[list[Any]], columns: list[int], decimal: str, thousands: str | None
) -> bool:
    names = [_whole_number(first[j], decimal, thousands) for j in columns]
    if len(columns) < _MIN_NUMBER_NAMES or any(n is None for n in names) or len(set(names)) < len(names):
        return False
    if _in_sequence(names):
        # Data rows that run in order too (1,2,3 / 4,5,6) mean the first row is just one of them.
        alike = sum(_in_sequence([_whole_number(r[j], decimal, thousands) if j < len(r) else None for j in columns])
                    for r in data)
        if alike <= 0.1 * len(data):
            return True
    return all(_mostly_decimals([r[j] for r in data if j < len(r)], decimal, thousands) for j in columns)


def _whole_number(value: Any, decimal: str, thousands: str | None) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip()
    if thousands:
        text = text.replace(thousands, "")
    return int(text) if _INT.match(text) else None


def _in_sequence(values: list[int | None]) -> bool:
    """Whole numbers strictly in order, evenly spaced or all years."""
    whole = [v for v in values if v is not None]
    if len(values) < _MIN_NUMBER_NAMES or len(whole) < len(values):
        return False
    steps = {b - a for a, b in zip(whole, whole[1:])}
    if not (all(s > 0 for s in steps) or all(s < 0 for s in steps)):
        return False
    return len(steps) == 1 or all(1000 <= v <= 2999 for v in whole)


def _mostly_decimals(cells: list[Any], decimal: str, thousands: str | None) -> bool:
    numbers = [c for c in cells if cell_class(c, decimal, thousands) == "number"]
    fractions = [c for c in numbers if _whole_number(c, decimal, thousands) is None]
    return bool(numbers) and len(fractions) >= 0.8 * len(numbers)


# -- where the table starts ---------------------------------------------------------------


@dataclass(frozen=True)
class TableLayout:
    skip_rows: int = 0       # rows above the table, blank ones included
    row_names: bool = False  # R's write.table layout: a row name first, one name fewer in the header


def find_table(records: list[list[Any]], decimal: str = ".", thousands: str | None = None) -> TableLayout:
    """Where the table starts in `records` (every row of the sample in order, blank ones as []).

    The table is the longest run of rows with the same number of fields (at least two; a
    blank line ends a run, as it ends a preamble). Rows above it are skipped only on
    evidence that the run starts at a header — names above numbers or dates (see
    `header_evidence`), or a header with one field fewer than the rows below (R's
    layout) — and when some row above has a different number of fields; otherwise the
    file is read from its first row, as before. All-text tables give no such evidence:
    for them a short row above a blank line could not be told from a title.
    """
    rows = [(i, r) for i, r in enumerate(records) if not _blank(r)]
    runs = _runs(records)
    if not rows or not runs:
        return TableLayout()
    run = max(runs, key=len)  # the first of the longest
    width = len(records[run[0]])
    start, row_names = run[0], False
    before = [i for i, _ in rows if i < start]
    above = before[-1] if before else None
    if above is not None and above == start - 1 and _names_rows(records[above], [records[i] for i in run],
                                                                    decimal, thousands):
        start, row_names = above, True
    preamble = [i for i, _ in rows if i < start]
    if not preamble:
        return TableLayout(0, row_names)
    if not row_names and header_evidence([records[i] for i in run], decimal, thousands) is not True:
        return TableLayout()
    if all(len(records[i]) == width for i in preamble):
        return TableLayout()  # rows above just like the table's: another part of it, not notes
    return TableLayout(start, row_names)


def _blank(record: list[Any]) -> bool:
    return all(v is None or str(v).strip() == "" for v in record)


def _runs(records: list[list[Any]]) -> list[list[int]]:
    """Positions of consecutive non-blank records with the same number of fields (≥ 2)."""
    runs: list[list[int]] = []
    current: list[int] = []
    for i, record in enumerate(records):
        if _blank(record):
            current = []
            continue
        if current and len(records[current[-1]]) == len(record):
            current.append(i)
            continue
        current = [i]
        if len(record) >= 2:
            runs.append(current)
    return runs


def _names_rows(header: list[Any], data: list[list[Any]], decimal: str, thousands: str | None) -> bool:
    """True for R's write.table layout: the header has one name fewer than the rows below,
    whose first field is a row name — present and different in every row, where a
    trailing delimiter would leave an empty last field instead."""
    if not data or len(header) != len(data[0]) - 1 or _blank(header):
        return False
    if header_evidence(data, decimal, thousands) is True:
        return False  # the rows start with a header of their own: the row above is a title
    first = [str(r[0]).strip() for r in data]
    if any(not v for v in first) or len(set(first)) < len(first):
        return False
    if all(str(r[-1]).strip() == "" for r in data):
        return False
    return header_evidence([header] + [r[1:] for r in data], decimal, thousands) is not False
