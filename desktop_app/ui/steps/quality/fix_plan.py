"""Previewing a plan of fixes before it is applied (no Qt here); the plan itself is core's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from desktop_app.core.quality.recipe import RecipeStep


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


def preview_plan(frame: pd.DataFrame, kinds: dict, steps: list[RecipeStep],
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
    from desktop_app.ui.text.formatting import plural

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
