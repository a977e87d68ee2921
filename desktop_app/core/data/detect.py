"""Propose `ReadSettings` for a file by looking at its content.

Only the beginning of the file (about 256 KB) is read, plus its last bytes for the
format and encoding checks, so detection stays instant on large files.

Besides the dialect, detection finds the table's layout in shapes that real files
take: rows above the table (a title, `Series Id: …` notes, blank lines), R's
write.table layout (a row name first in each row, one name fewer in the header) and
a header whose later names are numbers (years in national statistics). A silent
misread is worse than a refusal, so each of these is only proposed on positive
evidence; without it the settings stay what a plain reader would do.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from desktop_app.core.data.settings import DEFAULT_MISSING_MARKERS, FileFormat, ReadSettings
from desktop_app.core.errors import DataImportError

SAMPLE_BYTES = 256 * 1024
TAIL_BYTES = 64 * 1024
SAMPLE_RECORDS = 500
DELIMITERS = (",", ";", "\t", "|")
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and password-protected .xlsx

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
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # C0 controls but tab, CR, LF, FF: binary data
_DATE_LIKE = re.compile(
    r"^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?"
)


def detect_settings(path: Path) -> ReadSettings:
    """Guess format, encoding, delimiter, quote, header and number style of `path`."""
    path = Path(path)
    head, tail = read_ends(path)
    fmt = detect_format(path, head, tail)
    if fmt is FileFormat.PARQUET:
        return ReadSettings(format=FileFormat.PARQUET)
    if fmt is FileFormat.EXCEL:
        return _excel_settings(path)
    encoding = detect_encoding(path, head, tail)
    text, truncated = _decode_sample(head, encoding, path)
    return _text_settings(text, truncated, encoding)


# -- format ----------------------------------------------------------------------------


def read_ends(path: Path) -> tuple[bytes, bytes]:
    if not path.is_file():
        raise DataImportError(f"There is no file {path}; check the path and try again.")
    size = path.stat().st_size
    if size == 0:
        raise empty_file_error(path)
    with open(path, "rb") as f:
        head = f.read(SAMPLE_BYTES)
        if size <= SAMPLE_BYTES:
            return head, b""
        f.seek(max(SAMPLE_BYTES, size - TAIL_BYTES))
        return head, f.read()


def empty_file_error(path: Path) -> DataImportError:
    return DataImportError(
        f"The file {path.name} is empty — choose a file that contains a header row and data."
    )


def detect_format(path: Path, head: bytes, tail: bytes = b"") -> FileFormat:
    """The format by content; the extension only decides which error to give."""
    suffix = path.suffix.lower()
    if head.startswith(b"PAR1") or suffix in PARQUET_SUFFIXES:
        _check_parquet(path, head, tail)
        return FileFormat.PARQUET
    if head.startswith(OLE_MAGIC):
        raise DataImportError(
            f"The file {path.name} is an old-format (.xls) or password-protected Excel file — "
            "open it in Excel and save it as .xlsx without a password, or as CSV."
        )
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        _check_workbook(path)
        return FileFormat.EXCEL
    if suffix in EXCEL_SUFFIXES:
        raise DataImportError(
            f"The file {path.name} is not a real Excel workbook (it is not a zip archive) — "
            "open it in Excel and save it again as .xlsx, or export it as CSV."
        )
    return FileFormat.CSV


def _check_parquet(path: Path, head: bytes, tail: bytes) -> None:
    end = (tail or head)[-4:]
    if not head.startswith(b"PAR1") or end != b"PAR1" or len(head) < 12:
        raise DataImportError(
            f"The file {path.name} is not a Parquet file (its start or end marker is missing) — "
            "export it again as Parquet or choose another file."
        )
    import pyarrow.parquet as pq

    try:
        pq.read_metadata(path)
    except Exception as exc:  # pyarrow raises several types for corrupt footers
        raise DataImportError(
            f"The file {path.name} is a damaged Parquet file ({_short(exc)}) — export it again or choose another file."
        ) from exc


def _check_workbook(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        raise DataImportError(
            f"The file {path.name} is a damaged zip archive — "
            "open it in Excel and save it again as .xlsx, or export it as CSV."
        ) from exc
    if "xl/workbook.xml" not in names:
        raise DataImportError(
            f"The file {path.name} is a zip archive but not an Excel workbook — "
            "unzip it and choose the CSV, Excel or Parquet file inside."
        )


def _short(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__


# -- encoding --------------------------------------------------------------------------


def detect_encoding(path: Path, head: bytes, tail: bytes = b"") -> str:
    """UTF-8 (with or without BOM), UTF-16/32 by BOM, else a single-byte code page."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        bom_less = _utf16_without_bom(head)
        if bom_less:
            return bom_less
        raise binary_file_error(path)
    if _is_utf8(head, final=not tail) and (not tail or _is_utf8(_skip_continuation(tail), final=True)):
        return "utf-8"
    return _single_byte_encoding(head, path)


def binary_file_error(path: Path) -> DataImportError:
    return DataImportError(
        f"The file {path.name} contains binary data, not text — choose a CSV, Excel (.xlsx) or Parquet file."
    )


def _utf16_without_bom(head: bytes) -> str | None:
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even_nuls = head[0 : pairs * 2 : 2].count(0)
    odd_nuls = head[1 : pairs * 2 : 2].count(0)
    for encoding, nuls in (("utf-16-le", odd_nuls), ("utf-16-be", even_nuls)):
        if nuls > 0.4 * pairs:  # mostly ASCII text: every other byte is zero
            try:
                head[: pairs * 2].decode(encoding)
            except UnicodeDecodeError:
                continue
            return encoding
    return None


def _is_utf8(data: bytes, final: bool) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _skip_continuation(data: bytes) -> bytes:
    """Start a tail sample on a character boundary."""
    start = 0
    while start < min(3, len(data)) and 0x80 <= data[start] < 0xC0:
        start += 1
    return data[start:]


def _single_byte_encoding(head: bytes, path: Path) -> str:
    """Western text is read as cp1252 (a superset of latin-1 that has €, ’ and “ ”).

    charset-normalizer alone often names a rarer code page (cp775, mac_latin2) for a
    few accented names, so it is only asked when the text does not look Western.
    """
    for encoding in ("cp1252", "latin-1"):  # latin-1 when cp1252's five unused bytes appear
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_western(text):
            return encoding
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    if best is None:
        raise binary_file_error(path)
    if best.encoding in ("latin_1", "iso8859_1", "iso8859_15", "cp1252") or "cp1252" in best.could_be_from_charset:
        return "latin-1"  # cp1252 did not decode or did not look right
    return best.encoding


def _looks_western(text: str) -> bool:
    """Accented letters come one or two at a time inside Latin words.

    Cyrillic or Greek bytes read as cp1252 also give letters (À..ÿ), but in long runs.
    """
    if _control_ratio(text) > 0.01:
        return False
    runs = [len(m) for m in re.findall(r"[^\x00-\x7f]+", text)]
    return not runs or sum(runs) / len(runs) <= 2.0


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    return len(_CONTROL.findall(text)) / len(text)


def _decode_sample(head: bytes, encoding: str, path: Path) -> tuple[str, bool]:
    """The sample as text, cut at the last line break when the file goes on."""
    truncated = len(head) >= SAMPLE_BYTES
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(head, final=not truncated)
    except UnicodeDecodeError as exc:
        raise binary_file_error(path) from exc
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text or _control_ratio(text[:20000]) > 0.01:
        raise binary_file_error(path)
    if truncated and "\n" in text:
        text = text[: text.rindex("\n") + 1]
    if not text.strip():
        raise empty_file_error(path)
    return text, truncated


# -- delimited text --------------------------------------------------------------------


def _text_settings(text: str, truncated: bool, encoding: str) -> ReadSettings:
    quotechar = _detect_quotechar(text)
    delimiter = _detect_delimiter(text, quotechar, truncated)
    every = _records(text, delimiter, quotechar, truncated, keep_blank=True)
    decimal, thousands = _detect_number_style([r for r in every if r], delimiter)
    layout = find_table(every, decimal, thousands)
    records = [r for r in every[layout.skip_rows:] if r]
    if layout.row_names:
        records = records[:1] + [r[1:] for r in records[1:]]
    if layout.skip_rows:  # the number style of the table itself, without the notes above it
        decimal, thousands = _detect_number_style(records, delimiter)
    header = True if layout.row_names else guess_header(records, decimal, thousands)
    return ReadSettings(
        format=FileFormat.CSV,
        encoding=encoding,
        delimiter=delimiter,
        quotechar=quotechar,
        header=header,
        decimal=decimal,
        thousands=thousands,
        skip_rows=layout.skip_rows,
        row_names=layout.row_names,
    )


def _records(text: str, delimiter: str, quotechar: str, truncated: bool, keep_blank: bool = False) -> list[list[str]]:
    """The sample's records; with `keep_blank`, blank lines stay as [] so that positions count every row."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=quotechar)
    records: list[list[str]] = []
    kept = 0
    try:
        for row in reader:
            if row or keep_blank:
                records.append(row)
                kept += bool(row)
            if kept > SAMPLE_RECORDS:
                break
    except csv.Error:  # an unterminated quote at the end of the sample
        pass
    if truncated and kept > 2:
        while records and not records[-1]:
            records.pop()
        records.pop()  # the sample may have cut the last record in half
        kept -= 1
    while kept > SAMPLE_RECORDS and records:
        kept -= bool(records.pop())
    return records


def _detect_quotechar(text: str) -> str:
    if '"' in text:
        return '"'
    single = re.findall(r"(?:^|[,;\t|])'[^'\n]*'(?=[,;\t|\r\n]|$)", text, flags=re.MULTILINE)
    return "'" if len(single) >= 2 else '"'


def _detect_delimiter(text: str, quotechar: str, truncated: bool) -> str:
    """The candidate that splits the sample lines into the same number of fields (> 1)."""
    best, best_key = ",", None
    for priority, delimiter in enumerate(DELIMITERS):
        if delimiter not in text:
            continue
        counts = [len(r) for r in _records(text, delimiter, quotechar, truncated)]
        if not counts:
            continue
        mode, hits = Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        consistency = hits / len(counts)
        header_agrees = counts[0] == mode
        key = (round(consistency, 2), header_agrees, mode, -priority)
        if best_key is None or key > best_key:
            best, best_key = delimiter, key
    return best


def _detect_number_style(records: list[list[str]], delimiter: str) -> tuple[str, str | None]:
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
    if len(values) < _MIN_NUMBER_NAMES or any(v is None for v in values):
        return False
    steps = {b - a for a, b in zip(values, values[1:])}
    if not (all(s > 0 for s in steps) or all(s < 0 for s in steps)):
        return False
    return len(steps) == 1 or all(1000 <= v <= 2999 for v in values)


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


@contextmanager
def open_workbook(path: Path) -> Iterator[Any]:
    """An openpyxl workbook in read-only mode, whatever the file's extension."""
    from openpyxl import load_workbook

    with open(path, "rb") as handle:  # a handle: openpyxl refuses names not ending in .xlsx
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for broken workbooks
            raise DataImportError(
                f"The file {path.name} cannot be opened as an Excel workbook ({_short(exc)}) — "
                "open it in Excel and save it again, or export it as CSV."
            ) from exc
        try:
            yield workbook
        finally:
            workbook.close()


def _excel_settings(path: Path) -> ReadSettings:
    with open_workbook(path) as workbook:
        sheet = workbook.worksheets[0]
        every = []
        for row in sheet.iter_rows(values_only=True, max_row=50):
            cells = list(row)
            while cells and (cells[-1] is None or cells[-1] == ""):
                cells.pop()  # a sheet's rows all have its full width; the filled part tells the layout
            every.append(cells)
        layout = find_table(every)
        start = layout.skip_rows if not layout.row_names else 0  # row names are a delimited-text layout
        rows = [r for r in every[start:] if r]
        return ReadSettings(format=FileFormat.EXCEL, sheet=sheet.title, header=guess_header(rows), skip_rows=start)
