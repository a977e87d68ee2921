"""One column, training data against the batch: histograms on the same bins (numbers) or grouped
bars of each category's share (categories), from `project.monitor.distributions`.

The column is chosen in the list above the chart (features, drifted ones marked ⚠, then the
model's predictions and the target) or by a click in the heat map or the results table.
Hover shows a bin's or a category's exact shares on both sides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, Signal
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from desktop_app.ui.charts.base import TEXT_PEN, LegendChartPanel
from desktop_app.ui.steps.monitor import text as mt
from desktop_app.ui.text.formatting import format_float, format_int, shorten
from desktop_app.ui.text.rich_text import escape
from desktop_app.ui.widgets.elided_label import ElidedLabel

if TYPE_CHECKING:
    from desktop_app.core.monitor.entities import ColumnDriftResult, MonitoringBatch

GROUP = 0.8
MAX_CATEGORY_LABEL = 14


class DistributionChart(LegendChartPanel):
    LABELS = ("", "Share of rows (%)", "distributions")
    feature_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("distributionChart")
        self.combo = QComboBox()
        self.combo.setObjectName("featurePicker")
        self.combo.setMinimumContentsLength(18)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setToolTip("The column whose distributions are shown: a feature, a prediction or the target")
        self.combo.activated.connect(lambda _i: self._chosen())
        caption = QLabel("Distributions of")
        caption.setBuddy(self.combo)
        self.verdict = ElidedLabel()   # "Wasserstein (÷ std) 1.144 ≥ 0.1" ran off a laptop's right edge
        self.verdict.setObjectName("hint")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(caption)
        row.addWidget(self.combo)
        row.addWidget(self.verdict, 1)
        self.layout_.insertLayout(0, row)
        self.note = QLabel()
        self.note.setObjectName("hint")
        self.note.setWordWrap(True)
        self.layout_.addWidget(self.note)
        self.data: dict[str, Any] | None = None
        self.column: str | None = None
        self.batch: MonitoringBatch | None = None
        self.reference_item: Any = None
        self.batch_item: Any = None

    # -- the column list -------------------------------------------------------------------------
    def set_choices(self, batch: MonitoringBatch, selected: str | None) -> None:
        """Fill the list from `batch`'s results: features, then predictions, then the target."""
        self.combo.blockSignals(True)
        self.combo.clear()
        r = batch.result
        for column in sorted(r.columns, key=lambda c: not c.drifted):
            mark = "⚠ " if column.drifted else ""
            self.combo.addItem(f"{mark}{column.column}", column.column)
        for column in r.prediction.columns:
            self.combo.addItem(f"{'⚠ ' if column.drifted else ''}{column.column} (model output)", column.column)
        if r.target:
            self.combo.addItem(f"{'⚠ ' if r.target.drifted else ''}{r.target.column} (target)", r.target.column)
        index = self.combo.findData(selected) if selected else -1
        self.combo.setCurrentIndex(max(index, 0))
        self.combo.blockSignals(False)

    def current_column(self) -> str | None:
        return self.combo.currentData()

    def select(self, column: str) -> None:
        index = self.combo.findData(column)
        if index >= 0:
            self.combo.setCurrentIndex(index)

    def _chosen(self) -> None:
        column = self.current_column()
        if column:
            self.feature_chosen.emit(column)

    # -- the chart ------------------------------------------------------------------------------------
    def show_loading(self, column: str) -> None:
        self.verdict.setText("")
        self.note.setText("")
        self.show_message(f"Reading the distributions of '{column}'…")

    def show_distribution(self, data: dict[str, Any], result: ColumnDriftResult | None,
                          batch: MonitoringBatch) -> None:
        """Draw `data` (from `distributions()`) for `batch`; `result` is the column's drift result."""
        self.data, self.batch, self.column = data, batch, data.get("column")
        plot = self._clear_plot()
        ref_name = f"Training data ({format_int(data.get('reference_rows', 0))} rows)"
        batch_name = f"Batch {mt.short_name(batch.name, 24)} ({format_int(data.get('batch_rows', 0))} rows)"
        drifted = bool(result and result.drifted)
        self.verdict.setStyleSheet(f"color: {mt.ALERT_COLOR if drifted else '#4a5563'};")
        self.verdict.setText(mt.verdict(result) if result else "")
        self.note.setText(self._note(data, result))
        drawn = (self._numeric(plot, data, ref_name, batch_name) if data.get("kind") == "numeric"
                 else self._categorical(plot, data, ref_name, batch_name))
        if drawn:
            self.set_legend(self.legend, [(_sample(mt.REFERENCE_COLOR), ref_name),
                                          (_sample(mt.BATCH_COLOR), batch_name)])
            self.show_chart()

    def _numeric(self, plot: Any, data: dict[str, Any], ref_name: str, batch_name: str) -> bool:
        import numpy as np
        import pyqtgraph as pg

        edges = np.asarray(data.get("edges") or [], dtype=float)
        plot.getAxis("bottom").setTicks(None)
        plot.getAxis("bottom").setHeight(None)
        plot.setLabel("bottom", f"{self.column}", color=TEXT_PEN)
        if edges.size < 2:
            self.show_message(f"'{self.column}' has no values to draw.")
            return False
        ref = 100 * np.asarray(data["reference"], dtype=float)
        new = 100 * np.asarray(data["batch"], dtype=float)
        self.reference_item = pg.PlotDataItem(edges, ref, stepMode="center", fillLevel=0,
                                              fillBrush=pg.mkBrush(_alpha(mt.REFERENCE_COLOR, 110)),
                                              pen=pg.mkPen(mt.REFERENCE_COLOR, width=1.5), name=ref_name)
        self.batch_item = pg.PlotDataItem(edges, new, stepMode="center", fillLevel=0,
                                          fillBrush=pg.mkBrush(_alpha(mt.BATCH_COLOR, 90)),
                                          pen=pg.mkPen(mt.BATCH_COLOR, width=2), name=batch_name)
        plot.addItem(self.reference_item)
        plot.addItem(self.batch_item)
        plot.setXRange(edges[0], edges[-1], padding=0.02)
        plot.setYRange(0, max(ref.max(initial=0), new.max(initial=0), 1e-9) * 1.1, padding=0)
        return True

    def _categorical(self, plot: Any, data: dict[str, Any], ref_name: str, batch_name: str) -> bool:
        import numpy as np
        import pyqtgraph as pg

        categories = list(data.get("categories") or [])
        plot.setLabel("bottom", f"{self.column} (categories; new ones marked ★)", color=TEXT_PEN)
        if not categories:
            self.show_message(f"'{self.column}' has no values to draw.")
            return False
        xs = np.arange(len(categories), dtype=float)
        width = GROUP / 2
        ref = 100 * np.asarray(data["reference"], dtype=float)
        new = 100 * np.asarray(data["batch"], dtype=float)
        self.reference_item = pg.BarGraphItem(x=xs - width / 2, height=ref, width=width * 0.94,
                                              brush=pg.mkBrush(mt.REFERENCE_COLOR), pen=pg.mkPen(None), name=ref_name)
        self.batch_item = pg.BarGraphItem(x=xs + width / 2, height=new, width=width * 0.94,
                                          brush=pg.mkBrush(mt.BATCH_COLOR), pen=pg.mkPen(None), name=batch_name)
        plot.addItem(self.reference_item)
        plot.addItem(self.batch_item)
        plot.setXRange(-0.6, len(categories) - 0.4, padding=0.01)
        plot.setYRange(0, max(ref.max(initial=0), new.max(initial=0), 1e-9) * 1.1, padding=0)
        self._fit_ticks()
        return True

    def _fit_ticks(self) -> None:
        """Category names under their bars; every other one a line lower when they would overlap."""
        if self.plot is None or not self.data or self.data.get("kind") == "numeric":
            return
        categories = list(self.data.get("categories") or [])
        if not categories:
            return
        new = set(self.data.get("new") or [])
        labels = [("★ " if c in new else "") + shorten(c, MAX_CATEGORY_LABEL)
                  for c in categories]
        plot = self.plot
        axis = plot.getAxis("bottom")
        metrics = QFontMetricsF(axis.style.get("tickFont") or axis.font())
        per = max(1.0, (plot.vb.width() or self.width() * 0.8) / len(labels))
        stagger = len(labels) > 1 and max(metrics.horizontalAdvance(t) for t in labels) + 8 > per
        axis.setTicks([[(i, ("\n" if stagger and i % 2 else "") + t) for i, t in enumerate(labels)], []])
        axis.setHeight(int(2 * metrics.height() + 6) if stagger else None)

    def _note(self, data: dict[str, Any], result: ColumnDriftResult | None) -> str:
        parts = []
        missing = data.get("missing") or {}
        if missing:
            parts.append(f"Missing values: {mt.format_share(missing.get('reference'))} of the training rows, "
                         f"{mt.format_share(missing.get('batch'))} of the batch (left out of the bars).")
        beyond = sum((data.get(side) or {}).get("batch", 0) for side in ("below", "above"))
        if data.get("kind") == "numeric" and beyond:
            parts.append(f"{format_int(beyond)} batch value{'s' if beyond != 1 else ''} beyond the chart's range "
                         "counted in the outer bins.")
        if data.get("new"):
            parts.append("New in the batch (never seen in training): " + ", ".join(data["new"][:5]) + ".")
        if result and result.psi is not None:
            parts.append(f"PSI {mt.psi_text(result)}.")
        return " ".join(parts)

    def _describe(self, _widget: Any, scene_pos: QPointF) -> str | None:
        data = self.data
        if not data or self.plot is None:
            return None
        vb = self.plot.vb
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        x = vb.mapSceneToView(scene_pos).x()
        if data.get("kind") == "numeric":
            edges = data.get("edges") or []
            for i in range(len(edges) - 1):
                if edges[i] <= x < edges[i + 1] or (i == len(edges) - 2 and x == edges[-1]):
                    return (f"<b>{escape(self.column)}</b> {format_float(edges[i])} to {format_float(edges[i + 1])}"
                            f"<br>Training: {_pct(data['reference'][i])}<br>Batch: {_pct(data['batch'][i])}")
            return None
        categories = data.get("categories") or []
        i = round(x)
        if not 0 <= i < len(categories) or abs(x - i) > GROUP / 2 + 0.05:
            return None
        new = " <b>(new: never seen in training)</b>" if categories[i] in (data.get("new") or []) else ""
        return (f"<b>{escape(self.column)} = {escape(categories[i])}</b>{new}<br>Training: {_pct(data['reference'][i])}"
                f"<br>Batch: {_pct(data['batch'][i])}")


def _pct(share: float) -> str:
    return f"{100 * float(share):.2f}% of rows"


def _sample(color: str):
    """A filled square for the legend (a filled curve's own sample is an odd triangle)."""
    import pyqtgraph as pg

    return pg.ScatterPlotItem(symbol="s", size=12, brush=pg.mkBrush(color), pen=pg.mkPen(color))


def _alpha(color: str, alpha: int):
    from PySide6.QtGui import QColor

    c = QColor(color)
    c.setAlpha(alpha)
    return c
