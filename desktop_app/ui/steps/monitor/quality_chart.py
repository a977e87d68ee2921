"""The model's quality over time, measured on the batches that came with labels (the target column).

One metric at a time (picked above the chart): its value on each labelled batch, the value the
model had on its test rows when it was trained (dotted), and the model's KPI gate for that
metric (dashed red) — batches that fail the gate get a red marker. Without labelled batches the
chart is replaced by a sentence saying how to get one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from desktop_app.core.training.metric_names import MAIN_METRICS
from desktop_app.ui.charts.base import nearest_point
from desktop_app.ui.steps.monitor import text as mt
from desktop_app.ui.steps.monitor.batch_chart import BatchChart
from desktop_app.ui.text.rich_text import escape
from desktop_app.ui.text.runs import format_metric, metric_label, sort_metrics

if TYPE_CHECKING:
    from desktop_app.core.monitor.entities import MonitoringBatch
    from desktop_app.core.registry.entities import KpiRule

LINE_COLOR = "#59a14f"
TEST_COLOR = "#6b7480"
MIN_HEIGHT = 365   # px: the metric picker, the title, a four-row legend, a readable plot and the batch axis


class QualityChart(BatchChart):
    LABELS = ("Batch (oldest → newest)", "Score on the batch", "model-quality")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, min_height=MIN_HEIGHT)
        self.setObjectName("qualityChart")
        self.combo = QComboBox()
        self.combo.setObjectName("metricPicker")
        self.combo.activated.connect(lambda _i: self._draw())
        self.caption = QLabel("Model quality on labelled batches:")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.caption)
        row.addWidget(self.combo)
        row.addStretch(1)
        self.controls = QWidget()
        self.controls.setLayout(row)
        self.layout_.insertWidget(0, self.controls)
        self.points: list[tuple[int, float]] = []    # (batch index, value) of the metric drawn
        self.metric: str | None = None
        self.gate: list[KpiRule] = []

    @property
    def labelled(self) -> list[Any]:
        return [b for b in self.batches if b.result.metrics is not None and b.result.metrics.metrics]

    def set_batches(self, batches: Sequence[MonitoringBatch], target: str | None = None) -> None:
        self.batches = list(batches)
        labelled = self.labelled
        if not labelled:
            self.controls.setVisible(False)
            column = f"the target column '{target}'" if target else "the target column"
            self.show_message(
                "No batch has labels yet, so the model's quality over time cannot be measured here. "
                f"When the true outcomes are known, add a batch that includes {column}: its accuracy, ROC AUC, … "
                "will be charted against the model's test scores and its KPI gate.")
            return
        self.controls.setVisible(True)
        names = sort_metrics({k for b in labelled for k, v in b.result.metrics.metrics.items() if v is not None})
        gate = labelled[-1].result.metrics.gate
        self.gate = list(gate.rules if gate else ())
        wanted = self.combo.currentData() or next((r.metric for r in self.gate if r.metric in names), None) \
            or next((m for m in MAIN_METRICS if m in names), None) or (names[0] if names else None)
        self.combo.blockSignals(True)
        self.combo.clear()
        for name in names:
            self.combo.addItem(metric_label(name), name)
        self.combo.setCurrentIndex(max(0, self.combo.findData(wanted)))
        self.combo.blockSignals(False)
        self._draw()

    def _draw(self) -> None:
        import numpy as np
        import pyqtgraph as pg

        metric = self.combo.currentData()
        self.metric = metric
        if metric is None:
            return
        plot = self._clear_plot()
        entries = []
        self.labels = mt.batch_labels(self.batches)
        self.points = [(i, float(v)) for i, b in enumerate(self.batches)
                       if b.result.metrics is not None and (v := b.result.metrics.metrics.get(metric)) is not None]
        tests = [float(v) for b in self.labelled if (v := b.result.metrics.test_metrics.get(metric)) is not None]
        rules = [r for r in self.gate if r.metric == metric]
        failed = [(i, v) for i, v in self.points if self.batches[i].result.metrics.gate_passed is False]
        xs = np.array([p[0] for p in self.points], dtype=float)
        ys = np.array([p[1] for p in self.points], dtype=float)
        line = pg.PlotDataItem(xs, ys, pen=pg.mkPen(LINE_COLOR, width=2), symbol="o", symbolSize=7,
                               symbolBrush=LINE_COLOR, symbolPen="w")
        plot.addItem(line)
        entries.append((line, f"{metric_label(metric)} on the batch's labelled rows"))
        values = list(ys)
        if tests:
            test = tests[-1]
            values.append(test)
            at_training = pg.PlotDataItem([-0.5, len(self.batches) - 0.5], [test, test],
                                          pen=pg.mkPen(TEST_COLOR, width=1.5, style=Qt.PenStyle.DotLine))
            plot.addItem(at_training)
            entries.append((at_training, f"On the test rows at training ({format_metric(test)})"))
        for rule in rules[:1]:
            values.append(float(rule.value))
            gate = pg.PlotDataItem([-0.5, len(self.batches) - 0.5], [rule.value] * 2,
                                   pen=pg.mkPen(mt.ALERT_COLOR, width=1.5, style=Qt.PenStyle.DashLine))
            plot.addItem(gate)
            op = {">=": "≥", "<=": "≤"}.get(rule.op, rule.op)
            entries.append((gate, f"KPI gate: {metric_label(metric)} {op} {rule.value:g}"))
        if failed:
            marks = pg.ScatterPlotItem([f[0] for f in failed], [f[1] for f in failed], symbol="t1", size=14,
                                       brush=pg.mkBrush(mt.ALERT_COLOR), pen=pg.mkPen("w"))
            plot.addItem(marks)
            entries.append((marks, "KPI gate failed on the batch"))
        self.set_legend(self.legend, entries)
        low, high = min(values), max(values)
        pad = max(0.05, (high - low) * 0.25)
        plot.setYRange(low - pad, high + pad, padding=0)
        unlabelled = len(self.batches) - len(self.points)
        self.set_title(f"{metric_label(metric)} on {len(self.points)} labelled batch"
                       f"{'es' if len(self.points) != 1 else ''}"
                       + (f" ({unlabelled} without labels)" if unlabelled else ""))
        self._fit_ticks()
        self.show_chart()

    def _describe(self, _widget: Any, scene_pos: QPointF) -> str | None:
        import numpy as np

        if not self.points:
            return None
        vb = self.plot.vb
        hit = nearest_point(vb, scene_pos, [(np.array([p[0] for p in self.points], dtype=float),
                                             np.array([p[1] for p in self.points]), None)])
        if hit is None:
            return None
        i, value = self.points[hit[1]]
        batch = self.batches[i]
        m = batch.result.metrics
        when, exact = mt.batch_when(batch)
        test = m.test_metrics.get(self.metric)
        delta = m.delta.get(self.metric)
        gate_text = {True: "passed", False: "failed: " + "; ".join(m.gate.failures if m.gate else ()),
                     None: "no gate set"}[m.gate_passed]
        return (f"<b>{escape(batch.name)}</b> — {exact or when}<br>{metric_label(self.metric)}: <b>{value:.4f}</b> "
                f"on {m.rows:,} labelled rows"
                + (f"<br>At training (test rows): {test:.4f} (change {delta:+.4f})" if test is not None
                   and delta is not None else "")
                + f"<br>KPI gate: {escape(gate_text)}")
