"""One colour per run, the same in every chart and in the runs table's swatch; the swatch itself.

A run keeps its colour for as long as it stays in the comparison; a run that joins takes
the first palette colour no run in the comparison is using, so colours never clash and
do not shuffle when the selection grows or shrinks.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QColor, QIcon, QPainter

from desktop_app.ui.icons import crisp_icon

# Tableau 10: distinct, colour-blind aware, readable on white.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac")


class RunColors:
    def __init__(self) -> None:
        self._slots: dict[str, int] = {}

    def assign(self, run_ids: Iterable[str]) -> dict[str, QColor]:
        """Colours for exactly `run_ids` (kept for runs that were there before)."""
        ids = list(dict.fromkeys(run_ids))
        self._slots = {i: s for i, s in self._slots.items() if i in ids}
        used = set(self._slots.values())
        free = (slot for slot in range(10**6) if slot not in used)
        for run_id in ids:
            if run_id not in self._slots:
                self._slots[run_id] = next(free)
        return {run_id: self.color(run_id) for run_id in ids}

    def color(self, run_id: str) -> QColor:
        slot = self._slots.get(run_id, 0)
        if slot < len(PALETTE):
            return QColor(PALETTE[slot])
        # Beyond the palette: spread hues by the golden angle (rarely needed: charts show 12 runs at most).
        return QColor.fromHsv(int((slot * 137.508) % 360), 160, 200)

    def __contains__(self, run_id: str) -> bool:
        return run_id in self._slots


def swatch(color: QColor, size: int = 10, inset: int = 0) -> QIcon:
    """A small rounded square of `color` to put before a name in a table or a list."""
    def paint(painter: QPainter) -> None:
        painter.setPen(color.darker(120))
        painter.setBrush(color)
        painter.drawRoundedRect(inset, inset, size - 1 - inset, size - 1 - inset, 2, 2)

    # No selection tint: the colour must match the run's (or the band's) in the charts.
    return crisp_icon(size, paint, same_when_selected=True)
