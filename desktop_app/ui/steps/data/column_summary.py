"""The detail panel for one column: kind, missing, distinct, range or top values, and a chart."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop_app.ui.text.formatting import format_int, format_number, format_percent
from desktop_app.ui.text.rich_text import escape

if TYPE_CHECKING:
    from desktop_app.core.data.summary import ColumnSummary

NUMERIC_KINDS = {"numeric"}
BAR_KINDS = {"categorical", "boolean"}  # a bar chart of top values says something only for these


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        return value.replace("T", " ")  # ISO timestamps from the core, made readable
    try:
        import pandas as pd

        if isinstance(value, pd.Timestamp):
            return str(value)
    except ImportError:  # pragma: no cover
        pass
    return format_number(value)


class ColumnSummaryPanel(QScrollArea):
    """Call `show_loading`, then `show_summary(summary)` (a core ColumnSummary) or `show_message`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("columnSummary")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMinimumWidth(200)
        self.summary: ColumnSummary | None = None

        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.title.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("hint")
        self.message.setWordWrap(True)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.form.setHorizontalSpacing(14)
        self.form.setVerticalSpacing(4)
        self.top_title = QLabel("Most frequent values")
        self.top_title.setObjectName("subTitle")
        self.top_values = QLabel()
        self.top_values.setWordWrap(True)
        self.top_values.setTextFormat(Qt.TextFormat.RichText)
        self.chart_holder = QVBoxLayout()
        self.chart_holder.setContentsMargins(0, 0, 0, 0)
        self.chart: QWidget | None = None

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addLayout(self.form)
        layout.addWidget(self.top_title)
        layout.addWidget(self.top_values)
        layout.addLayout(self.chart_holder)
        layout.addStretch(1)
        self.setWidget(body)
        self.show_message("Column details", "Click a column in the table to see its summary.")

    # -- states ----------------------------------------------------------------------
    def show_message(self, title: str, text: str, *, error: bool = False) -> None:
        self.summary = None
        self._reset()
        self.title.setText(title)
        self.message.setText(text)
        self.message.setObjectName("errorText" if error else "hint")
        self.message.style().polish(self.message)
        self.message.setVisible(True)

    def show_loading(self, column: str) -> None:
        self.show_message(column, "Summarizing…")

    def show_summary(self, summary: ColumnSummary) -> None:
        self._reset()
        self.summary = summary
        kind = str(summary.kind)
        self.title.setText(str(summary.name))
        self.message.setVisible(False)
        total = int(summary.count) + int(summary.missing)
        rows = [
            ("Kind", kind),
            ("Values", format_int(summary.count)),
            ("Missing", f"{format_int(summary.missing)} ({format_percent(_pct(summary, total))})"),
            ("Distinct", format_int(summary.distinct)),
        ]
        if kind in NUMERIC_KINDS or summary.mean is not None:
            rows += [("Minimum", _value(summary.min)), ("Mean", _value(summary.mean)),
                     ("Maximum", _value(summary.max))]
            if getattr(summary, "std", None) is not None:
                rows.append(("Std. deviation", _value(summary.std)))
        elif summary.min is not None:
            rows += [("Earliest" if kind == "datetime" else "Minimum", _value(summary.min)),
                     ("Latest" if kind == "datetime" else "Maximum", _value(summary.max))]
        for label, value in rows:
            text = QLabel(value)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(f"{label}:", text)

        top = list(summary.top_values or [])
        histogram = summary.histogram
        if top and histogram is None:
            lines = [
                f"{escape(v)} — {format_int(c)} ({format_percent(100 * c / total if total else 0)})"
                for v, c in top[:5]
            ]
            self.top_values.setText("<br>".join(lines))
            self.top_title.setVisible(True)
            self.top_values.setVisible(True)
        self._draw_chart(summary, kind, top, histogram)

    # -- helpers ---------------------------------------------------------------------
    def _draw_chart(self, summary: ColumnSummary, kind: str, top: list, histogram: Any) -> None:
        from desktop_app.ui.charts.columns import bar_chart, histogram_chart

        if histogram is not None:
            edges, counts = histogram
            if len(counts):
                self.chart = histogram_chart(list(edges), list(counts), str(summary.name))
        elif top and kind in BAR_KINDS:
            shown = top[:10]
            self.chart = bar_chart([v for v, _ in shown], [c for _, c in shown])
        if self.chart is not None:
            self.chart.setObjectName("summaryChart")
            self.chart_holder.addWidget(self.chart)

    def _reset(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.top_title.setVisible(False)
        self.top_values.setVisible(False)
        self.top_values.clear()
        if self.chart is not None:
            self.chart_holder.removeWidget(self.chart)
            self.chart.deleteLater()
            self.chart = None


def _pct(summary: ColumnSummary, total: int) -> float:
    """Missing share in percent (computed from the counts, whatever scale missing_pct uses)."""
    if total:
        return 100.0 * int(summary.missing) / total
    return float(getattr(summary, "missing_pct", 0.0) or 0.0)
