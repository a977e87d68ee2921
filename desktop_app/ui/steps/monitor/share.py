"""Share of drifted features per batch, over time, with the dataset-drift threshold.

One point per batch (oldest on the left, the same columns as the heat map); batches at or
above the threshold — dataset drift — get a red ⚠ marker. Hover shows the batch, its time,
how many features drifted and the threshold. The selected batch is marked by a blue line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QWidget

from desktop_app.ui.charts.base import nearest_point
from desktop_app.ui.steps.monitor import text as mt
from desktop_app.ui.steps.monitor.batch_chart import BatchChart
from desktop_app.ui.text.rich_text import escape

if TYPE_CHECKING:
    from desktop_app.core.monitor.entities import MonitoringBatch

LINE_COLOR = "#4e79a7"
MIN_HEIGHT = 270   # px: the title, a two-row legend, a readable plot and the batch axis


class DriftShareChart(BatchChart):
    LABELS = ("Batch (oldest → newest)", "Features drifted (%)", "drift-share")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, min_height=MIN_HEIGHT)
        self.setObjectName("driftShareChart")
        self.shares: list[float] = []
        self.thresholds: list[float] = []
        self.selected_batch: str | None = None
        self._marker: Any = None

    def set_batches(self, batches: Sequence[MonitoringBatch], selected_batch: str | None = None) -> None:
        import numpy as np
        import pyqtgraph as pg

        self.batches = list(batches)
        self.selected_batch = selected_batch
        if not self.batches:
            self.show_message("No batches yet.")
            return
        plot = self._clear_plot()
        entries = []
        self.labels = mt.batch_labels(self.batches)
        xs = np.arange(len(self.batches), dtype=float)
        self.shares = [100.0 * b.share_drifted for b in self.batches]
        self.thresholds = [100.0 * float(b.result.drift_share if b.result.drift_share is not None else 0.5)
                           for b in self.batches]
        alerts = [i for i, b in enumerate(self.batches) if b.dataset_drift]
        line = pg.PlotDataItem(xs, self.shares, pen=pg.mkPen(LINE_COLOR, width=2), symbol="o", symbolSize=7,
                               symbolBrush=LINE_COLOR, symbolPen="w")
        plot.addItem(line)
        entries.append((line, "Share of features drifted"))
        limit = f"{self.thresholds[-1]:g}%"
        # The threshold each batch was checked with (a step line: it changes only when the settings do).
        tx = np.r_[xs - 0.5, xs[-1] + 0.5] if len(xs) > 1 else np.array([-0.5, 0.5])
        threshold = pg.PlotDataItem(tx, self.thresholds, stepMode="center",
                                    pen=pg.mkPen(mt.ALERT_COLOR, width=1.5, style=Qt.PenStyle.DashLine))
        plot.addItem(threshold)
        entries.append((threshold, f"Dataset-drift threshold ({limit})"))
        if alerts:
            marks = pg.ScatterPlotItem([xs[i] for i in alerts], [self.shares[i] for i in alerts], symbol="t1",
                                       size=14, brush=pg.mkBrush(mt.ALERT_COLOR), pen=pg.mkPen("w"))
            plot.addItem(marks)
            entries.append((marks, "Dataset drift (alert)"))
        self.set_legend(self.legend, entries)
        self._marker = pg.InfiniteLine(angle=90, movable=False,
                                       pen=pg.mkPen("#1f6feb", width=1.5, style=Qt.PenStyle.DotLine))
        self._marker.setZValue(-5)
        plot.addItem(self._marker, ignoreBounds=True)
        top = max(100.0, *self.shares, *self.thresholds)
        plot.setYRange(-top * 0.07, top * 1.05, padding=0)
        plot.getAxis("left").setTicks([[(v, f"{v}%") for v in range(0, 101, 25)], []])
        self.set_title(f"Share of features drifted per batch — {len(alerts)} of {len(xs)} at or above the "
                       f"threshold" if alerts else "Share of features drifted per batch — none at the threshold")
        self.set_selection(selected_batch)
        self._fit_ticks()
        self.show_chart()

    def set_selection(self, batch_id: str | None) -> None:
        self.selected_batch = batch_id
        ids = [b.id for b in self.batches]
        if self._marker is not None:
            self._marker.setVisible(batch_id in ids)
            if batch_id in ids:
                self._marker.setValue(ids.index(batch_id))

    def _describe(self, _widget: Any, scene_pos: QPointF) -> str | None:
        import numpy as np

        vb = self.plot.vb
        xs = np.arange(len(self.batches), dtype=float)
        hit = nearest_point(vb, scene_pos, [(xs, np.array(self.shares), None)])
        if hit is None:
            return None
        batch = self.batches[hit[1]]
        when, exact = mt.batch_when(batch)
        alert = ("<br><b style='color:#c62828'>⚠ Dataset drift</b>" if batch.dataset_drift else "<br>No dataset drift")
        return (f"<b>{escape(batch.name)}</b> — {exact or when}<br>{mt.share_sentence(batch)}{alert}")
