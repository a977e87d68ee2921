"""ROC and precision–recall curves of two-class runs, overlaid, one colour per run."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QWidget

from desktop_app.ui.compare_plot import ChartPanel, nearest_point, on_hover, style_plot_item
from desktop_app.ui.runs_text import format_metric, run_title


class CurvesChart(ChartPanel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("curvesChart")
        self.roc: Any = None
        self.legend: Any = None
        self.pr: Any = None
        self.series: dict[str, list[tuple[np.ndarray, np.ndarray, Any]]] = {"roc": [], "pr": []}
        self.drawn: list[str] = []      # run ids with curves on screen
        self.titles: dict[str, str] = {}
        self.legend_note = QLabel("Dots: where each run's decision threshold puts it. Dashed: a model that guesses.")
        self.legend_note.setObjectName("hint")
        self.legend_note.setWordWrap(True)
        self.layout_.addWidget(self.legend_note)

    def set_runs(self, runs: Sequence[Any], colors: dict[str, QColor], curves: dict[str, dict],
                 titles: dict[str, str] | None = None) -> None:
        import pyqtgraph as pg

        titles = titles or {r.id: run_title(r) for r in runs}
        with_curves = [r for r in runs if "roc" in curves.get(r.id, {}) and "pr" in curves.get(r.id, {})]
        if not with_curves:
            missing = [r for r in runs if r.id not in curves]
            if missing and any(str(getattr(r.status, "value", r.status)) == "finished" for r in missing):
                self.show_message("Loading the curves…")
            else:
                self.show_message("ROC and precision–recall curves are drawn for two-class targets "
                                  "(finished runs only).")
            return
        if self.chart is None:
            layout = pg.GraphicsLayoutWidget()
            layout.setBackground("w")
            # One legend above both plots: inside them it would hide the curves' corners.
            self.legend = pg.LegendItem(colCount=1, labelTextColor="#333333", labelTextSize="8pt")
            layout.addItem(self.legend, row=0, col=0, colspan=2)
            self.roc = layout.addPlot(row=1, col=0)
            self.pr = layout.addPlot(row=1, col=1)
            style_plot_item(self.roc, "False positive rate (share of negatives flagged)", "True positive rate (recall)")
            style_plot_item(self.pr, "Recall (share of positives found)", "Precision (share of flags that are right)")
            self.roc.setTitle("ROC curve", color="#1d2733", size="10pt")
            self.pr.setTitle("Precision–recall curve", color="#1d2733", size="10pt")
            for plot in (self.roc, self.pr):
                plot.setRange(xRange=(0, 1), yRange=(0, 1.02), padding=0.02)
                plot.setAspectLocked(False)
            self.set_chart(layout, "curves")
            on_hover(self.chart, self._describe)
        self.drawn = [r.id for r in with_curves]
        self.series = {"roc": [], "pr": []}
        n = len(with_curves)
        for plot in (self.roc, self.pr):
            plot.clear()
        self.legend.clear()
        self.legend.setColumnCount(1 if n <= 4 else 2)
        self.legend.setVisible(n > 1)
        dash = pg.mkPen("#9aa3ad", width=1, style=Qt.PenStyle.DashLine)
        self.roc.plot([0, 1], [0, 1], pen=dash)
        prevalence = _prevalence(curves[with_curves[0].id], with_curves[0])
        if prevalence is not None:
            self.pr.plot([0, 1], [prevalence, prevalence], pen=dash)
        for run in with_curves:
            data = curves[run.id]
            color = colors.get(run.id, QColor("#4e79a7"))
            pen = pg.mkPen(color, width=2.2)
            roc = data["roc"]
            fpr, tpr = np.asarray(roc["fpr"], float), np.asarray(roc["tpr"], float)
            auc = (run.metrics or {}).get("roc_auc")
            curve = self.roc.plot(fpr, tpr, pen=pen)
            ap = (run.metrics or {}).get("average_precision")
            self.legend.addItem(curve, f"{titles[run.id]} (AUC {format_metric(auc)}, AP {format_metric(ap)})")
            self.series["roc"].append((fpr, tpr, (run, np.asarray(roc.get("thresholds", []), float))))
            pr = data["pr"]
            recall, precision = np.asarray(pr["recall"], float), np.asarray(pr["precision"], float)
            self.pr.plot(recall, precision, pen=pen)
            self.series["pr"].append((recall, precision, (run, np.asarray(pr.get("thresholds", []), float))))
            # Where the run's own decision threshold sits on each curve.
            point = _operating_point(run)
            if point is not None:
                fpr_point, recall_point, precision_point = point
                self.roc.plot([fpr_point], [recall_point], pen=None, symbol="o", symbolSize=9,
                              symbolBrush=pg.mkBrush(color), symbolPen=pg.mkPen("w", width=1.2))
                self.pr.plot([recall_point], [precision_point], pen=None, symbol="o", symbolSize=9,
                             symbolBrush=pg.mkBrush(color), symbolPen=pg.mkPen("w", width=1.2))
        self.titles = titles
        self.show_chart()

    def show_message(self, text: str) -> None:
        super().show_message(text)
        self.legend_note.setVisible(False)

    def show_chart(self) -> None:
        super().show_chart()
        self.legend_note.setVisible(True)

    def _describe(self, widget: Any, scene_pos: QPointF) -> str | None:
        for plot, name, x_name, y_name in ((self.roc, "roc", "FPR", "TPR"), (self.pr, "pr", "recall", "precision")):
            if plot is None or not plot.vb.sceneBoundingRect().contains(scene_pos):
                continue
            hit = nearest_point(plot.vb, scene_pos, self.series[name])
            if hit is None:
                return None
            s, i = hit
            xs, ys, (run, thresholds) = self.series[name][s]
            text = f"<b>{self.titles[run.id]}</b><br>{x_name} {xs[i]:.3f}, {y_name} {ys[i]:.3f}"
            if i < len(thresholds) and np.isfinite(thresholds[i]):
                text += f"<br>at threshold {thresholds[i]:.3f}"
            return text
        return None


def _prevalence(curves: dict, run: Any) -> float | None:
    """Share of positives in the test rows (the PR curve of a coin toss), from the confusion matrix."""
    confusion = curves.get("confusion_matrix", {})
    matrix, labels = confusion.get("matrix"), confusion.get("labels") or []
    if not matrix or len(matrix) != 2:
        return None
    positive = (run.summary or {}).get("positive_label")
    index = labels.index(positive) if positive in labels else 1
    total = sum(sum(row) for row in matrix)
    return sum(matrix[index]) / total if total else None


def _operating_point(run: Any) -> tuple[float, float, float] | None:
    """(FPR, recall, precision) at the run's threshold, from its metrics; None if unknown."""
    metrics = run.metrics or {}
    recall, precision = metrics.get("recall"), metrics.get("precision")
    balanced = metrics.get("balanced_accuracy")
    if recall is None or precision is None or balanced is None:
        return None
    specificity = 2 * balanced - recall
    return 1 - specificity, recall, precision
