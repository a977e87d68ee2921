"""Values written above the metric bars, laid out so that neighbours never run into each other.

A value is written level when it fits in its bar's slot, else turned upright (reading upwards)
for every bar of the plot alike, or left out when even that does not fit (hovering a bar tells
its value); the plot's top is then raised by as many pixels as the labels
need, so they stay inside the chart at any size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

GAP_PX = 3.0          # between a bar's top and its value, and between two values side by side
HIGHLIGHT_GAP_PX = 4.0


@dataclass
class BarLabels:
    """The value labels of one plot and the numbers their layout needs."""
    plot: Any
    slot: float                               # a bar's share of its group, in data units
    floor: float                              # the plot's top is at least this (1.0 for scores)
    bottom: float = 0.0
    labels: list[Any] = field(default_factory=list)   # TextItems, each with `.bar` = (x, height)
    highlight: Any = None                     # the "spread 0.66" TextItem, with `.bar` = (x, height)
    upright: bool = False

    def add(self, label: Any, x: float, height: float) -> None:
        label.textItem.document().setDocumentMargin(0)   # upright, a value is only as thick as its digits
        label.bar = (x, height)
        self.labels.append(label)
        self.plot.addItem(label)

    def fit(self) -> None:
        """Turn the labels upright when they would overlap, and make room above the bars for them."""
        vb = self.plot.vb
        width_px, height_px = vb.width(), vb.height()
        if width_px <= 0 or height_px <= 0:
            return
        x_range = vb.viewRange()[0]
        slot_px = self.slot * width_px / max(1e-9, x_range[1] - x_range[0])
        widest = max((_size(label)[0] for label in self.labels), default=0.0)
        tallest = max((_size(label)[1] for label in self.labels), default=0.0)
        self.upright = widest + GAP_PX > slot_px
        shown = tallest + GAP_PX <= slot_px     # too narrow even upright: hover tells the values
        for label in self.labels:
            label.setVisible(shown)
            x, h = label.bar
            below = h < 0
            label.setAngle(90 if self.upright else 0)
            if self.upright:   # reading upwards: the text starts at the bar's end
                lead = GAP_PX / max(1.0, _size(label)[0])
                label.setAnchor((1 + lead, 0.5) if below else (-lead, 0.5))
            else:
                label.setAnchor((0.5, 0.0) if below else (0.5, 1.0))
            label.setPos(x, h)
        label_px = (widest if self.upright else tallest) + GAP_PX if self.labels and shown else 0.0
        highlight_px = _size(self.highlight)[1] + HIGHLIGHT_GAP_PX if self.highlight is not None else 0.0
        need = label_px + highlight_px + GAP_PX
        share = min(0.6, need / height_px)          # of the plot's height, kept above the tallest bar
        highest = max([label.bar[1] for label in self.labels] + [self.floor * (1 - share)])
        top = max(self.floor, (highest - share * self.bottom) / (1 - share))
        self.plot.setYRange(self.bottom, top, padding=0)
        if self.highlight is not None:
            per_px = (top - self.bottom) / height_px
            x, h = self.highlight.bar
            self.highlight.setPos(x, h + label_px * per_px + HIGHLIGHT_GAP_PX * per_px)


def _size(label: Any) -> tuple[float, float]:
    """A TextItem's unrotated width and height in pixels."""
    rect = label.textItem.boundingRect()
    return rect.width(), rect.height()
