"""Turning chosen findings into one ordered list of recipe steps, and previewing it (no Qt here).

Several fixes become one new dataset version. They are applied in a fixed order (types
first, then rows, then values, then dropped columns), so that, say, infinite values become
missing before the gaps are filled. A fix on a column that another chosen fix drops is
skipped, and so is a second copy of the same fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

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


@dataclass
class PlanPreview:
    rows_before: int
    rows_after: int
    columns_before: int
    columns_after: int
    steps: list[dict[str, Any]] = field(default_factory=list)   # preview_step() of each applied fix, in order

    @property
    def cells_changed(self) -> int:
        return sum(int(s.get("cells_changed", 0)) for s in self.steps)

    @property
    def rows_removed(self) -> int:
        return self.rows_before - self.rows_after


def preview_plan(frame: Any, kinds: dict, steps: list[Any],
                 progress: Callable[[float, str], None] | None = None) -> PlanPreview:
    """What `steps` change, each previewed on the table the earlier steps leave (worker thread)."""
    from desktop_app.core.quality import apply_step, preview_step

    current, current_kinds = frame, dict(kinds)
    infos = []
    for i, step in enumerate(steps):
        if progress is not None:
            progress(i / max(len(steps), 1), step.label)
        infos.append(preview_step(current, current_kinds, step))
        if i < len(steps) - 1:
            current, current_kinds = apply_step(current, current_kinds, step)
    rows_after = infos[-1]["rows_after"] if infos else len(frame)
    columns_after = infos[-1]["columns_after"] if infos else frame.shape[1]
    return PlanPreview(len(frame), rows_after, frame.shape[1], columns_after, infos)


def describe_change(info: dict[str, Any]) -> str:
    """One line for a step's preview: '81 cells filled', '12 rows removed', 'column removed'."""
    from desktop_app.ui.formatting import plural

    parts = []
    if info.get("rows_removed"):
        parts.append(f"{plural(info['rows_removed'], 'row')} removed")
    for column in info.get("columns_removed") or ():
        parts.append(f"column '{column}' removed")
    if info.get("cells_changed") and not info.get("columns_removed"):
        changed, to_missing = int(info["cells_changed"]), int(info.get("cells_to_missing", 0))
        text = f"{plural(changed, 'cell')} changed"
        if to_missing:
            text += f" ({plural(to_missing, 'cell')} become empty)"
        parts.append(text)
    for column, (before, after) in (info.get("kinds_changed") or {}).items():
        parts.append(f"'{column}' becomes {after}" + (f" (was {before})" if before else ""))
    return "; ".join(parts) or "nothing changes"
