"""A small leaderboard of the latest batch: its finished runs ranked by the main metric."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.training.metric_names import METRIC_HELP, lower_is_better
from desktop_app.ui.text.runs import distinguishing, format_metric, main_metric, metric_label, run_title, status_text

if TYPE_CHECKING:
    from desktop_app.core.tracking.entities import RunInfo

MODEL_MIN_PX = 190   # "Logistic regression · balanced" whole, or nearly
MODEL_FIT_PX = 140   # "Logistic re…balanced": still tells the variants apart
CLOSE = 0.005   # main-metric differences below this are noise, not a winner
COLUMNS_BY_MAIN = {
    "roc_auc": ("roc_auc", "recall", "precision", "f1", "accuracy"),
    "f1_macro": ("f1_macro", "recall_macro", "precision_macro", "accuracy"),
    "r2": ("r2", "rmse", "mae"),
}


class BatchLeaderboard(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchLeaderboard")
        self.runs: list[RunInfo] = []
        self.metrics: tuple[str, ...] = ()
        self.title = QLabel("This batch")
        self.title.setObjectName("sectionTitle")
        self.note = QLabel()
        self.note.setObjectName("hint")
        self.note.setWordWrap(True)
        self.table = QTableWidget()
        self.table.setObjectName("leaderboardTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(26)
        # A laptop's table is ~330 px wide: the model names shorten in the middle ("Logistic re…balanced",
        # whole on hover) and the metric columns keep their width, scrolling sideways with the bar right
        # under the rows (the table is as tall as its rows).
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addStretch(0)

    def set_runs(self, runs: list[RunInfo]) -> None:
        """The ended runs of the batch; finished ones ranked, the others listed below them."""
        finished = [r for r in runs if str(getattr(r.status, "value", r.status)) == "finished"]
        others = [r for r in runs if r not in finished]
        main = main_metric(finished)
        self.metrics = COLUMNS_BY_MAIN.get(main, tuple(sorted({k for r in finished for k in r.metrics}))[:5])
        if main is not None:
            sign = 1 if lower_is_better(main) else -1
            finished.sort(key=lambda r: (r.metrics.get(main) is None, sign * (r.metrics.get(main) or 0.0)))
        self.runs = finished + others
        extra = distinguishing(self.runs)
        headers = ["Model", *[metric_label(m) for m in self.metrics]] if self.metrics else ["Model", "Outcome"]
        table = self.table
        table.clear()
        table.setColumnCount(len(headers))
        table.setRowCount(len(self.runs))
        table.setHorizontalHeaderLabels(headers)
        for column, metric in enumerate(self.metrics, start=1):
            item = table.horizontalHeaderItem(column)
            help_text = METRIC_HELP.get(metric, "")
            item.setToolTip(f"{metric_label(metric)}: {help_text}" if help_text else metric_label(metric))
        best = {m: self._best(finished, m) for m in self.metrics}
        bold = QFont(table.font())
        bold.setBold(True)
        for row, run in enumerate(self.runs):
            ended_ok = run in finished
            name = run_title(run, with_id=False, extra=extra.get(run.id, []))
            values = [r.metrics.get(main) for r in finished if main and r.metrics.get(main) is not None]
            leads = len(values) > 1 and max(values) - min(values) >= CLOSE
            if run is (finished[0] if finished else None) and leads:
                name = "★ " + name
            cells = [name]
            for metric in self.metrics:
                cells.append(format_metric(run.metrics.get(metric)) if ended_ok else "")
            if not ended_ok:  # failed or cancelled: say so where its scores would be
                cells[1:2] = [status_text(run.status)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column > 0:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if column == 0:
                    item.setToolTip(f"{run_title(run)}\nRun {run.id}")
                metric = self.metrics[column - 1] if 0 < column <= len(self.metrics) else None
                if metric is not None and best.get(metric) is run:
                    item.setFont(bold)
                    item.setToolTip(f"Best {metric_label(metric)} of this batch")
                table.setItem(row, column, item)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        for column in range(1, len(headers)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.note.setText(self._verdict(finished, main, extra))
        self._fit_columns()

    def _fit_columns(self) -> None:
        """The Model column fills what the metric columns leave; when that is under MODEL_FIT_PX it keeps
        MODEL_MIN_PX (or its widest name) and the table scrolls sideways."""
        table = self.table
        if table.columnCount() == 0:
            return
        metrics_px = sum(table.columnWidth(c) for c in range(1, table.columnCount()))
        names_px = max((table.fontMetrics().horizontalAdvance(table.item(r, 0).text()) + 16
                        for r in range(table.rowCount()) if table.item(r, 0)), default=0)
        free = table.viewport().width() - metrics_px
        # Room for a name shortened in the middle: no sideways scroll for a few pixels.
        table.setColumnWidth(0, free if free >= MODEL_FIT_PX else max(min(names_px, MODEL_MIN_PX), 80))
        # As tall as its rows (plus the sideways bar): the bar sits under them, not at the panel's foot.
        bar = table.horizontalScrollBar()
        wide = table.columnWidth(0) + metrics_px > table.viewport().width()
        height = (table.horizontalHeader().height() + table.rowCount() * table.verticalHeader().defaultSectionSize()
                  + 2 * table.frameWidth() + (bar.sizeHint().height() if wide else 0))
        table.setMaximumHeight(max(height, 60))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self._fit_columns()

    def _verdict(self, finished: list[RunInfo], main: str | None, extra: dict[str, list[str]]) -> str:
        """One or two sentences: who leads on the main metric, and where the runs really differ."""
        if main is None or not finished:
            return "No run of this batch finished."
        top = finished[0]
        name = run_title(top, with_id=False, extra=extra.get(top.id, []))
        if len(finished) == 1:
            return f"{metric_label(main)} on the test rows: {format_metric(top.metrics.get(main))}."
        text = f"Ranked by {metric_label(main)} on the test rows. "
        values = [r.metrics.get(main) for r in finished if r.metrics.get(main) is not None]
        close = len(values) > 1 and max(values) - min(values) < CLOSE
        if close:
            text += f"{metric_label(main)} barely differs ({format_metric(min(values))}–{format_metric(max(values))})"
        else:
            text += f"Best: {name} ({format_metric(top.metrics.get(main))})"
        spread = self._widest(finished)
        if spread is not None and spread[0] != main:
            metric, low, high = spread
            text += f"; {metric_label(metric)} differs most ({format_metric(low)}–{format_metric(high)})"
        return text + ". Bold: the best of each column."

    def _widest(self, runs: list[RunInfo]) -> tuple[str, float, float] | None:
        best = None
        for metric in self.metrics:
            values = [r.metrics.get(metric) for r in runs if r.metrics.get(metric) is not None]
            if len(values) > 1 and not lower_is_better(metric) and max(values) <= 1.0:
                width = max(values) - min(values)
                if best is None or width > best[0]:
                    best = (width, metric, min(values), max(values))
        return None if best is None or best[0] < CLOSE else best[1:]

    @staticmethod
    def _best(runs: list[RunInfo], metric: str) -> Any:
        scored = [r for r in runs if r.metrics.get(metric) is not None]
        if len(scored) < 2:
            return None
        pick = min if lower_is_better(metric) else max
        return pick(scored, key=lambda r: r.metrics[metric])
