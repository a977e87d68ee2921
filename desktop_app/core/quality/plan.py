"""Turning chosen findings into one ordered list of recipe steps (the window and `mldesk fix` share it).

Several fixes become one new dataset version. They are applied in a fixed order (types
first, then rows, then values, then dropped columns), so that, say, infinite values become
missing before the gaps are filled. A fix on a column that another chosen fix drops is
skipped, and so is a second copy of the same fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

OP_ORDER = (
    "drop_missing_target", "drop_duplicates", "infinite_to_missing", "convert_to_numbers", "set_kind",
    "merge_rare", "cap_outliers", "impute", "drop_column",
)


@dataclass
class PlannedFix:
    finding: Any
    step: Any                      # core RecipeStep
    skipped: str = ""              # why this fix is left out ("" = it is applied)

    @property
    def label(self) -> str:
        return self.finding.fix.label


@dataclass
class FixPlan:
    fixes: list[PlannedFix]
    without_fix: int = 0           # chosen findings that have no automatic fix

    @property
    def steps(self) -> list[Any]:
        return [p.step for p in self.fixes if not p.skipped]

    @property
    def applied(self) -> list[PlannedFix]:
        return [p for p in self.fixes if not p.skipped]


def plan_fixes(findings: list[Any]) -> FixPlan:
    """The steps for `findings` (those with a fix), ordered, with skipped ones marked."""
    from desktop_app.core.quality import step_from_fix

    with_fix = [f for f in findings if f.fix is not None]
    order = {op: i for i, op in enumerate(OP_ORDER)}
    planned = [PlannedFix(f, step_from_fix(f.fix)) for f in with_fix]
    planned.sort(key=lambda p: order.get(p.step.op, len(OP_ORDER)))  # stable: list order otherwise
    dropped_by = {p.step.column: p for p in planned if p.step.op == "drop_column"}
    seen: set[tuple[str, str]] = set()
    for p in planned:
        key = (p.step.op, repr(sorted(p.step.params.items())) if p.step.column is None else p.step.column)
        dropper = dropped_by.get(p.step.column) if p.step.column else None
        if p.step.op != "drop_column" and dropper is not None:
            p.skipped = f"column '{p.step.column}' is dropped by another chosen fix"
        elif key in seen:
            p.skipped = "the same fix is already chosen"
        seen.add(key)
    return FixPlan(planned, len(findings) - len(with_fix))
