"""ROC and precision–recall curves of the compared runs, overlaid, one colour per run.

Two classes: one curve per run, with a dot where the run's decision threshold puts it.
More classes: one-vs-rest curves (each class against all the others). The Class picker shows
one class at a time (one curve per run: the clearest way to compare runs), or every class at
once with a line style per class (the colour is still the run).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from desktop_app.ui.charts.base import (
    CHANCE_PEN,
    TEXT_PEN,
    ChartPanel,
    canvas,
    nearest_point,
    on_hover,
    set_title,
    style_plot_item,
    top_legend,
)
from desktop_app.ui.text.formatting import plural, shorten
from desktop_app.ui.text.rich_text import escape
from desktop_app.ui.text.runs import format_metric, run_title, status_key

if TYPE_CHECKING:
    import numpy as np

    from desktop_app.core.tracking.entities import RunInfo

# Line styles of the classes when every class is drawn at once (more classes: one at a time).
CLASS_STYLES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine, Qt.PenStyle.DashDotLine,
                Qt.PenStyle.DashDotDotLine)
ALL_CLASSES = "\x00all"          # the picker's "All classes" entry
TITLE_POINTS = 10.0              # the plots' titles (set_title's size)
AXIS_MARGIN_PX = 12              # room an axis keeps beside its title and between two tick labels


class CurvesChart(ChartPanel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("curvesChart")
        self.roc: Any = None
        self.legend: Any = None         # the runs
        self.class_legend: Any = None   # multiclass, every class at once: the line style of each class
        self.pr: Any = None
        self.series: dict[str, list[tuple[np.ndarray, np.ndarray, Any]]] = {"roc": [], "pr": []}
        self.drawn: list[str] = []      # run ids with curves on screen
        self.drawn_classes: list[str] = []   # multiclass: the classes on screen (one curve each per run)
        self.mode = "binary"            # or "multiclass"
        self.classes: list[str] = []    # multiclass: every class of the drawn runs, in order
        self.titles: dict[str, str] = {}
        self.axis_titles: dict[tuple[Any, str], str] = {}   # (plot, "bottom"/"left") → its whole title
        self.plot_titles: dict[Any, str] = {}   # plot → its whole title (shortened to fit: see _fit_titles)
        self._args: tuple | None = None

        self.class_combo = QComboBox()
        self.class_combo.setObjectName("curvesClass")
        self.class_combo.setToolTip("Draw one class against all the others, or every class at once")
        self.class_combo.setMinimumContentsLength(14)
        self.class_combo.currentIndexChanged.connect(self._class_chosen)
        class_label = QLabel("&Class:")
        class_label.setBuddy(self.class_combo)
        self.class_hint = QLabel()
        self.class_hint.setObjectName("hint")
        self.controls = QWidget()
        row = QHBoxLayout(self.controls)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(class_label)
        row.addWidget(self.class_combo)
        row.addSpacing(8)
        row.addWidget(self.class_hint, 1)
        self.controls.setVisible(False)
        self.layout_.insertWidget(0, self.controls)

        self.legend_note = QLabel("Dots: where each run's decision threshold puts it. Dashed: a model that guesses.")
        self.legend_note.setObjectName("hint")
        self.legend_note.setWordWrap(True)
        self.legend_note.setTextFormat(Qt.TextFormat.PlainText)   # class names are data: never markup
        self.layout_.addWidget(self.legend_note)

    # -- drawing ------------------------------------------------------------------------------------
    def set_runs(self, runs: Sequence[RunInfo], colors: dict[str, QColor], curves: dict[str, dict],
                 titles: dict[str, str] | None = None) -> None:
        titles = titles or {r.id: run_title(r) for r in runs}
        binary = [r for r in runs if "roc" in curves.get(r.id, {}) and "pr" in curves.get(r.id, {})]
        multi = [r for r in runs if curves.get(r.id, {}).get("roc_ovr")]
        if not binary and not multi:
            missing = [r for r in runs if r.id not in curves]
            if missing and any(status_key(r.status) == "finished" for r in missing):
                self.show_message("Loading the curves…")
            else:
                self.show_message("ROC and precision–recall curves are drawn for finished classification runs.")
            return
        self._args = (list(runs), colors, curves, titles)
        self._ensure_chart()
        self.titles = titles
        if len(multi) > len(binary):
            self._draw_multiclass(multi, colors, curves, titles, skipped=len(binary), skipped_kind="two-class")
        else:
            self._draw_binary(binary, colors, curves, titles, skipped=len(multi), skipped_kind="multi-class")
        self.show_chart()

    def _ensure_chart(self) -> None:

        if self.chart is not None:
            return
        layout = canvas()
        # The legends sit above both plots: inside them they would hide the curves' corners.
        self.legend = top_legend(layout, row=0)
        self.class_legend = top_legend(layout, row=1)
        self.roc = layout.addPlot(row=2, col=0)
        self.pr = layout.addPlot(row=2, col=1)
        style_plot_item(self.roc, None, None)
        style_plot_item(self.pr, None, None)
        for plot in (self.roc, self.pr):
            plot.setRange(xRange=(0, 1), yRange=(0, 1.02), padding=0.02)
            plot.setAspectLocked(False)
            plot.vb.sigResized.connect(lambda _vb: self._fit_axes())
            plot.getAxis("bottom").setStyle(hideOverlappingLabels=False)   # keep 0.0 and 1.0 at the ends
        self.set_chart(layout, "curves")
        on_hover(self.chart, self._describe)

    def _start(self) -> None:
        self.series = {"roc": [], "pr": []}
        for plot in (self.roc, self.pr):
            plot.clear()

    def _label_axes(self, multiclass: bool, which: str = "") -> None:
        """The axis titles: whole when the axis is long enough for them, else their first words."""
        if multiclass:
            texts = ("False positive rate (share of the other rows flagged)",
                     "True positive rate (recall of the class)",
                     "Recall (share of the class found)", "Precision (share of flags that are right)")
        else:
            texts = ("False positive rate (share of negatives flagged)", "True positive rate (recall)",
                     "Recall (share of positives found)", "Precision (share of flags that are right)")
        self.axis_titles = dict(zip(((self.roc, "bottom"), (self.roc, "left"), (self.pr, "bottom"),
                                     (self.pr, "left")), texts))
        self.plot_titles = {self.roc: f"ROC curve{which}", self.pr: f"Precision–recall curve{which}"}
        for plot in (self.roc, self.pr):
            plot.titleLabel.setToolTip(self.plot_titles[plot])
        self._fit_axes()

    def _fit_titles(self) -> None:
        """Plot titles that fit half the chart's width: whole, else without their "(…)", else shortened
        with "…" (the whole one in the tooltip). A pyqtgraph title is as wide as its text at the least,
        so a long one would push the second plot off the chart's right edge (1024×700)."""
        room = self.chart.viewport().width() / 2 - 2 * AXIS_MARGIN_PX
        font = QFont()
        font.setPointSizeF(TITLE_POINTS)
        metrics = QFontMetricsF(font)
        for plot, text in self.plot_titles.items():
            shown = text
            for candidate in (text, text.split(" (")[0]):
                shown = candidate
                if metrics.horizontalAdvance(candidate) <= room:
                    break
            else:
                shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(room, 40.0))
            if plot.titleLabel.text != shown:
                set_title(plot, shown, size=f"{TITLE_POINTS:g}pt")

    def _fit_axes(self) -> None:
        """Titles, axis titles and 0–1 ticks that fit the plots' size: a narrow chart gets short titles
        ('False positive rate', the whole one in the axis' tooltip) and fewer ticks."""
        self._fit_titles()
        for (plot, side), text in self.axis_titles.items():
            axis = plot.getAxis(side)
            length = plot.vb.width() if side == "bottom" else plot.vb.height()
            for shown in (text, text.split(" (")[0]):    # the whole title, else its first words
                if axis.labelText != shown:
                    plot.setLabel(side, shown, color=TEXT_PEN)
                if length <= 0 or axis.label.boundingRect().width() + AXIS_MARGIN_PX <= length:
                    break
            axis.setToolTip(text)
            tick_font = axis.style.get("tickFont") or axis.font()
            tick_room = QFontMetricsF(tick_font).horizontalAdvance("0.0") * 2 + AXIS_MARGIN_PX
            step = 0.2 if length <= 0 or length / 5 >= tick_room else 0.5
            axis.setTicks([[(round(v * step, 1), f"{v * step:.1f}") for v in range(int(round(1 / step)) + 1)]])

    def _draw_binary(self, runs: list[RunInfo], colors: dict[str, QColor], curves: dict[str, dict],
                     titles: dict[str, str], skipped: int, skipped_kind: str) -> None:
        import numpy as np  # here, as pyqtgraph: the window's start does not wait for them
        import pyqtgraph as pg

        self.mode = "binary"
        self.controls.setVisible(False)
        self.drawn = [r.id for r in runs]
        self.drawn_classes = []
        self._start()
        entries = []
        self._label_axes(multiclass=False)
        dash = pg.mkPen(CHANCE_PEN, width=1, style=Qt.PenStyle.DashLine)
        self.roc.plot([0, 1], [0, 1], pen=dash)
        prevalence = _prevalence(curves[runs[0].id], runs[0])
        if prevalence is not None:
            self.pr.plot([0, 1], [prevalence, prevalence], pen=dash)
        for run in runs:
            data = curves[run.id]
            color = colors.get(run.id, QColor("#4e79a7"))
            pen = pg.mkPen(color, width=2.2)
            roc = data["roc"]
            fpr, tpr = np.asarray(roc["fpr"], float), np.asarray(roc["tpr"], float)
            auc = (run.metrics or {}).get("roc_auc")
            curve = self.roc.plot(fpr, tpr, pen=pen)
            ap = (run.metrics or {}).get("average_precision")
            entries.append((curve, f"{titles[run.id]} (AUC {format_metric(auc)}, AP {format_metric(ap)})"))
            self.series["roc"].append((fpr, tpr, (run, None, np.asarray(roc.get("thresholds", []), float))))
            pr = data["pr"]
            recall, precision = np.asarray(pr["recall"], float), np.asarray(pr["precision"], float)
            self.pr.plot(recall, precision, pen=pen)
            self.series["pr"].append((recall, precision, (run, None, np.asarray(pr.get("thresholds", []), float))))
            # Where the run's own decision threshold sits on each curve.
            point = _operating_point(run)
            if point is not None:
                fpr_point, recall_point, precision_point = point
                self.roc.plot([fpr_point], [recall_point], pen=None, symbol="o", symbolSize=9,
                              symbolBrush=pg.mkBrush(color), symbolPen=pg.mkPen("w", width=1.2))
                self.pr.plot([recall_point], [precision_point], pen=None, symbol="o", symbolSize=9,
                             symbolBrush=pg.mkBrush(color), symbolPen=pg.mkPen("w", width=1.2))
        self.set_legend(self.legend, entries)   # one run too: its AUC and AP
        self.set_legend(self.class_legend, [])
        note = "Dots: where each run's decision threshold puts it. Dashed: a model that guesses."
        self.legend_note.setText(note + _skipped_words(skipped, skipped_kind))

    def _draw_multiclass(self, runs: list[RunInfo], colors: dict[str, QColor], curves: dict[str, dict],
                         titles: dict[str, str], skipped: int, skipped_kind: str) -> None:
        import numpy as np
        import pyqtgraph as pg

        self.mode = "multiclass"
        self.controls.setVisible(True)
        self._fill_classes(_class_order(runs, curves))
        choice = self.class_combo.currentData()
        every = choice == ALL_CLASSES
        shown = list(self.classes) if every else [choice]
        self.drawn = [r.id for r in runs]
        self.drawn_classes = shown
        without_pr = [r for r in runs if not curves[r.id].get("pr_ovr")]
        self._start()
        entries, class_entries = [], []
        self._label_axes(multiclass=True, which=" (one-vs-rest)" if every else f": {shorten(choice, 18)}")
        dash = pg.mkPen(CHANCE_PEN, width=1, style=Qt.PenStyle.DashLine)
        self.roc.plot([0, 1], [0, 1], pen=dash)
        if not every:
            prevalence = _class_prevalence(curves[runs[0].id], choice)
            if prevalence is not None:
                self.pr.plot([0, 1], [prevalence, prevalence], pen=dash)
        for run in runs:
            data = curves[run.id]
            color = colors.get(run.id, QColor("#4e79a7"))
            scores = data.get("ovr_scores", {})
            first = None
            for label in shown:
                style = CLASS_STYLES[self.classes.index(label) % len(CLASS_STYLES)] if every else Qt.PenStyle.SolidLine
                pen = pg.mkPen(color, width=2.2 if not every else 2.0, style=style)
                roc = data["roc_ovr"].get(label)
                if roc is not None:
                    fpr, tpr = np.asarray(roc["fpr"], float), np.asarray(roc["tpr"], float)
                    curve = self.roc.plot(fpr, tpr, pen=pen)
                    first = first or curve
                    self.series["roc"].append((fpr, tpr, (run, label, np.asarray(roc.get("thresholds", []), float))))
                pr = data.get("pr_ovr", {}).get(label)
                if pr is not None:
                    recall, precision = np.asarray(pr["recall"], float), np.asarray(pr["precision"], float)
                    self.pr.plot(recall, precision, pen=pen)
                    self.series["pr"].append((recall, precision,
                                              (run, label, np.asarray(pr.get("thresholds", []), float))))
            if every:
                auc = (run.metrics or {}).get("roc_auc_ovr")
                sample = pg.PlotDataItem(pen=pg.mkPen(color, width=2.2))
                entries.append((sample, f"{titles[run.id]} (mean AUC {format_metric(auc)})"))
            elif first is not None:
                class_scores = scores.get(choice, {})
                words = [f"AUC {format_metric(class_scores['roc_auc'])}" if "roc_auc" in class_scores else None,
                         f"AP {format_metric(class_scores['average_precision'])}"
                         if "average_precision" in class_scores else None]
                words = [w for w in words if w]
                entries.append((first, titles[run.id] + (f" ({', '.join(words)})" if words else "")))
            else:
                entries.append((pg.PlotDataItem(pen=pg.mkPen(color, width=2.2)),
                                f"{titles[run.id]} (no curve: no {choice} among its test rows)"))
        if every:
            for label in shown:
                style = CLASS_STYLES[self.classes.index(label) % len(CLASS_STYLES)]
                sample = pg.PlotDataItem(pen=pg.mkPen("#4a5560", width=2.0, style=style))
                class_entries.append((sample, label))
            note = ("Each class against all the others. Colour: the run; line style: the class. "
                    "Dashed grey: a model that guesses. Pick a class to compare the runs on it alone.")
        else:
            note = (f"Rows of class {choice} against all the others; colour: the run. "
                    "Dashed grey: a model that guesses.")
        self.set_legend(self.legend, entries if len(entries) > 1 else [])
        self.set_legend(self.class_legend, class_entries)
        if without_pr:
            note += (f" {plural(len(without_pr), 'run')} stored no precision–recall curves per class "
                     "(trained with an earlier version): re-run to draw them.")
        self.legend_note.setText(note + _skipped_words(skipped, skipped_kind))

    def _fill_classes(self, classes: list[str]) -> None:
        """The picker lists "All classes" (when line styles can tell them apart) and each class."""
        current = self.class_combo.currentData()
        if classes == self.classes and self.class_combo.count():
            return
        self.classes = classes
        self.class_combo.blockSignals(True)
        self.class_combo.clear()
        if len(classes) <= len(CLASS_STYLES):
            self.class_combo.addItem(f"All {len(classes)} classes", ALL_CLASSES)
        for label in classes:
            self.class_combo.addItem(label, label)
        index = self.class_combo.findData(current) if current is not None else -1
        self.class_combo.setCurrentIndex(max(index, 0))
        self.class_combo.blockSignals(False)
        self.class_hint.setText("" if len(classes) <= len(CLASS_STYLES) else
                                f"{len(classes)} classes: one at a time.")

    def set_class(self, label: str | None) -> None:
        """Show one class against the rest (`label`), or every class (None)."""
        index = self.class_combo.findData(ALL_CLASSES if label is None else str(label))
        if index < 0:
            raise KeyError(label)
        self.class_combo.setCurrentIndex(index)

    def _class_chosen(self, _index: int) -> None:
        if self._args is not None and self.mode == "multiclass":
            self.set_runs(*self._args)

    def show_message(self, text: str) -> None:
        super().show_message(text)
        self.legend_note.setVisible(False)
        self.controls.setVisible(False)

    def show_chart(self) -> None:
        super().show_chart()
        self.legend_note.setVisible(True)

    # -- hover --------------------------------------------------------------------------------------
    def _describe(self, widget: Any, scene_pos: QPointF) -> str | None:
        for plot, name, x_name, y_name in ((self.roc, "roc", "FPR", "TPR"), (self.pr, "pr", "recall", "precision")):
            if plot is None or not plot.vb.sceneBoundingRect().contains(scene_pos):
                continue
            hit = nearest_point(plot.vb, scene_pos, self.series[name])
            if hit is None:
                return None
            s, i = hit
            xs, ys, (run, label, thresholds) = self.series[name][s]
            text = f"<b>{escape(self.titles[run.id])}</b><br>"
            if label is not None:
                text += f"{escape(label)} vs the rest: "
            text += f"{x_name} {xs[i]:.3f}, {y_name} {ys[i]:.3f}"
            if i < len(thresholds) and math.isfinite(thresholds[i]):
                text += (f"<br>at threshold {thresholds[i]:.3f}" if label is None else
                         f"<br>flagging rows whose probability of {escape(label)} is at least {thresholds[i]:.3f}")
            return text
        return None


def _class_order(runs: Sequence[RunInfo], curves: dict[str, dict]) -> list[str]:
    """Every class with a curve, in the order of the runs' classes (as the confusion matrices list them)."""
    order: list[str] = []
    for run in runs:
        known = [str(c) for c in (run.summary or {}).get("classes") or []]
        for label in [*known, *curves[run.id]["roc_ovr"]]:
            if label in curves[run.id]["roc_ovr"] and label not in order:
                order.append(label)
    return order


def _class_prevalence(curves: dict, label: str) -> float | None:
    """Share of the test rows in class `label`: the precision of a model that guesses."""
    scores = curves.get("ovr_scores", {}).get(label)
    if scores and "prevalence" in scores:
        return float(scores["prevalence"])
    confusion = curves.get("confusion_matrix", {})
    labels = [str(x) for x in confusion.get("labels") or []]
    matrix = confusion.get("matrix")
    if not matrix or label not in labels:
        return None
    total = sum(sum(row) for row in matrix)
    return sum(matrix[labels.index(label)]) / total if total else None


def _skipped_words(count: int, kind: str) -> str:
    if not count:
        return ""
    return f" Not drawn: {plural(count, 'run')} with a {kind} target (compare those on their own)."


def _prevalence(curves: dict, run: RunInfo) -> float | None:
    """Share of positives in the test rows (the PR curve of a coin toss), from the confusion matrix."""
    confusion = curves.get("confusion_matrix", {})
    matrix, labels = confusion.get("matrix"), confusion.get("labels") or []
    if not matrix or len(matrix) != 2:
        return None
    positive = (run.summary or {}).get("positive_label")
    index = labels.index(positive) if positive in labels else 1
    total = sum(sum(row) for row in matrix)
    return sum(matrix[index]) / total if total else None


def _operating_point(run: RunInfo) -> tuple[float, float, float] | None:
    """(FPR, recall, precision) at the run's threshold, from its metrics; None if unknown."""
    metrics = run.metrics or {}
    recall, precision = metrics.get("recall"), metrics.get("precision")
    balanced = metrics.get("balanced_accuracy")
    if recall is None or precision is None or balanced is None:
        return None
    specificity = 2 * balanced - recall
    return 1 - specificity, recall, precision
