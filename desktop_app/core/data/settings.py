"""How a file is read, and what kind each column holds.

`ReadSettings` is what detection proposes and the user may change; it is stored
with each dataset version so an import can be repeated exactly. Settings that
cannot work (a two-character delimiter, a negative start row) are refused when
the object is made, with a `SettingError` naming the setting, so the CLI, the
window and the API all get the same one sentence instead of a parser traceback.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

from desktop_app.core.errors import DataImportError

# Markers read as missing, on top of an empty field (compared after stripping spaces).
DEFAULT_MISSING_MARKERS: tuple[str, ...] = (
    "NA", "N/A", "n/a", "na", "NaN", "nan", "?", "null", "NULL", "Null", "None", "none", "-", "#N/A",
)


_EXAMPLES = {"delimiter": "',', ';' or a tab", "quotechar": "'\"' or \"'\"", "decimal": "'.' or ','"}


class FileFormat(StrEnum):
    CSV = "csv"          # any delimited text: .csv, .tsv, .txt
    EXCEL = "excel"      # .xlsx / .xlsm
    PARQUET = "parquet"


class ColumnKind(StrEnum):
    NUMERIC = "numeric"
    CATEGORICAL = "categorical"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    TEXT = "text"        # free text: many distinct long values
    ID = "id"            # unique per row, carries no signal (customer number, UUID)


class SettingError(DataImportError):
    """A read setting that cannot work. `setting` is the field's name and `expected` what it
    takes, so that a front end can name its own control (the CLI says `--sep`)."""

    def __init__(self, setting: str, value: Any, expected: str, message: str) -> None:
        super().__init__(message)
        self.setting, self.value, self.expected = setting, value, expected


_ONE_CHARACTER = {"delimiter": "the delimiter", "quotechar": "the quote character", "decimal": "the decimal mark"}


@dataclass(frozen=True)
class ReadSettings:
    format: FileFormat = FileFormat.CSV
    encoding: str = "utf-8"
    delimiter: str = ","
    quotechar: str = '"'
    header: bool = True
    decimal: str = "."
    thousands: str | None = None
    sheet: str | None = None
    missing_markers: tuple[str, ...] = field(default=DEFAULT_MISSING_MARKERS)
    # Ragged rows (too many fields): "error" refuses the file naming the first bad
    # line; "skip" drops them and warns with the line numbers.
    bad_lines: str = "error"
    # Rows above the table (a title, notes, blank lines) that are not read. Rows are
    # counted as a CSV reader sees them, blank ones included (a text editor's line
    # numbers unless a quoted field spans lines); for Excel, the sheet's rows.
    skip_rows: int = 0
    # Each data row starts with a row name that has no column name: R's write.table
    # layout, whose header has one name fewer than the rows. See readers.ROW_NAME.
    row_names: bool = False

    def __post_init__(self) -> None:
        for name, label in _ONE_CHARACTER.items():
            value = getattr(self, name)
            if not isinstance(value, str) or len(value) != 1 or value in "\r\n":
                raise SettingError(name, value, "one character",
                                   f"{label.capitalize()} must be one character, not {value!r} — "
                                   f"choose one such as {_EXAMPLES[name]}.")
        if self.thousands is not None and (not isinstance(self.thousands, str) or len(self.thousands) != 1):
            raise SettingError("thousands", self.thousands, "one character",
                               f"The thousands separator must be one character or none, not {self.thousands!r}.")
        if self.thousands is not None and self.thousands == self.decimal:
            raise SettingError("thousands", self.thousands, "a character other than the decimal mark",
                               f"The thousands separator and the decimal mark are both {self.decimal!r} — "
                               "choose a different one for each.")
        if isinstance(self.skip_rows, bool) or not isinstance(self.skip_rows, int) or self.skip_rows < 0:
            raise SettingError("skip_rows", self.skip_rows, "a whole number of 0 or more",
                               "The number of rows to skip must be a whole number of 0 or more, "
                               f"not {self.skip_rows!r}.")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["format"] = str(self.format)
        data["missing_markers"] = list(self.missing_markers)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReadSettings:
        """Settings as `to_dict` stored them; fields added since (skip_rows, row_names) take their default."""
        data = dict(data)
        data["format"] = FileFormat(data.get("format", "csv"))
        if "missing_markers" in data:
            data["missing_markers"] = tuple(data["missing_markers"])
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})

    def with_changes(self, **changes: Any) -> ReadSettings:
        return replace(self, **changes)
