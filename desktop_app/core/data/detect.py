"""Propose `ReadSettings` for a file by looking at its content.

Only the beginning of the file (about 256 KB) is read, plus its last bytes for the
format and encoding checks, so detection stays instant on large files.

Besides the dialect, detection finds the table's layout in shapes that real files
take: rows above the table (a title, `Series Id: …` notes, blank lines), R's
write.table layout (a row name first in each row, one name fewer in the header) and
a header whose later names are numbers (years in national statistics). A silent
misread is worse than a refusal, so each of these is only proposed on positive
evidence; without it the settings stay what a plain reader would do. Reading that layout
from the sampled rows (number style, header, where the table starts) is `layout.py`'s job;
this module finds the format, the encoding and the dialect, and samples the rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from desktop_app.core.data.layout import detect_number_style, find_table, guess_header
from desktop_app.core.data.settings import FileFormat, ReadSettings
from desktop_app.core.errors import DataImportError

SAMPLE_BYTES = 256 * 1024
TAIL_BYTES = 64 * 1024
SAMPLE_RECORDS = 500
DELIMITERS = (",", ";", "\t", "|")
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and password-protected .xlsx

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # C0 controls but tab, CR, LF, FF: binary data


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
    decimal, thousands = detect_number_style([r for r in every if r], delimiter)
    layout = find_table(every, decimal, thousands)
    records = [r for r in every[layout.skip_rows:] if r]
    if layout.row_names:
        records = records[:1] + [r[1:] for r in records[1:]]
    if layout.skip_rows:  # the number style of the table itself, without the notes above it
        decimal, thousands = detect_number_style(records, delimiter)
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
