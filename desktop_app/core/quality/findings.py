"""What a check reports: a finding with its figures and, where there is one, a fix.

Findings are plain frozen values that survive a JSON round trip (`to_dict` /
`from_dict`), so the database stores them as they are and the window, the CLI and
the HTML report read the same fields.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"      # fix before training: training would fail or mislead
    WARNING = "warning"  # likely to hurt a model; worth a look
    INFO = "info"        # good to know; often fine as it is

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def jsonable(value: Any) -> Any:
    """`value` with numpy/pandas scalars turned into plain JSON types (NaN/inf become None)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    np = sys.modules.get("numpy")   # numpy values exist only once it is loaded: reading saved reports needs none
    if np is not None:
        if isinstance(value, np.ndarray):
            return [jsonable(v) for v in value.tolist()]
        if isinstance(value, np.bool_):
            return bool(value)
        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, np.floating):
            value = float(value)
        if isinstance(value, np.datetime64):
            return None if np.isnat(value) else str(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (datetime, date)):
        return None if value != value else value.isoformat()  # pandas' NaT is a datetime unequal to itself
    try:  # pandas NA / NaT
        import pandas as pd

        if pd.isna(value):
            return None
        if isinstance(value, pd.Timestamp):
            return value.isoformat()
    except (TypeError, ValueError):
        pass
    return str(value)


@dataclass(frozen=True)
class Fix:
    """A suggested change, ready to become a recipe step (`recipe.step_from_fix`).

    `op` names an entry of `recipe.OPS`; `params` holds everything the step needs,
    learned values included (the median used for imputing, the cap bounds, ...).
    `label` is a button text such as "Drop 12 duplicate rows".
    """

    op: str
    params: dict
    label: str

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "params": jsonable(self.params), "label": self.label}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fix:
        return cls(op=data["op"], params=dict(data.get("params") or {}), label=data.get("label", data["op"]))


@dataclass(frozen=True)
class Finding:
    """One problem (or note) about the data.

    `check` is a stable id (see docs/quality_checks.md); `column` is None for
    table-wide findings; `value` holds the figures behind the message (JSON types
    only); `evidence_rows` are positional row indices of up to 20 example rows;
    `sampled` is True when the figures come from a seeded sample of the rows.
    """

    check: str
    severity: Severity
    column: str | None
    message: str
    value: dict = field(default_factory=dict)
    fix: Fix | None = None
    evidence_rows: tuple[int, ...] = ()
    sampled: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "severity": str(self.severity),
            "column": self.column,
            "message": self.message,
            "value": jsonable(self.value),
            "fix": self.fix.to_dict() if self.fix else None,
            "evidence_rows": [int(i) for i in self.evidence_rows],
            "sampled": bool(self.sampled),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            check=data["check"],
            severity=Severity(data["severity"]),
            column=data.get("column"),
            message=data["message"],
            value=dict(data.get("value") or {}),
            fix=Fix.from_dict(data["fix"]) if data.get("fix") else None,
            evidence_rows=tuple(int(i) for i in data.get("evidence_rows") or ()),
            sampled=bool(data.get("sampled", False)),
        )

    @property
    def sort_key(self) -> tuple:
        return (self.severity.rank, self.check, self.column or "", self.message)
