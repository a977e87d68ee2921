"""How a file is read, and what kind each column holds.

`ReadSettings` is what detection proposes and the user may change; it is stored
with each dataset version so an import can be repeated exactly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

# Markers read as missing, on top of an empty field (compared after stripping spaces).
DEFAULT_MISSING_MARKERS: tuple[str, ...] = (
    "NA", "N/A", "n/a", "na", "NaN", "nan", "?", "null", "NULL", "Null", "None", "none", "-", "#N/A",
)


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

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["format"] = str(self.format)
        data["missing_markers"] = list(self.missing_markers)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReadSettings:
        data = dict(data)
        data["format"] = FileFormat(data.get("format", "csv"))
        if "missing_markers" in data:
            data["missing_markers"] = tuple(data["missing_markers"])
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})

    def with_changes(self, **changes: Any) -> ReadSettings:
        return replace(self, **changes)
