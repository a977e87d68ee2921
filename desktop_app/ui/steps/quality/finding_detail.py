"""The detail of one finding: what is wrong, the figures, the column's chart, example rows, the fix."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.steps.quality.example_rows import ExampleRowsView
from desktop_app.ui.steps.quality.text import SEVERITY_MEANING, SEVERITY_NAME, check_title, severity_icon, severity_key
from desktop_app.ui.text.formatting import format_int, format_number, format_percent, plural

if TYPE_CHECKING:
    from desktop_app.core.data.summary import ColumnSummary
    from desktop_app.core.quality.findings import Finding
    from desktop_app.ui.steps.quality.evidence import Evidence

FIGURE_LABELS = {
    "missing": "Empty cells", "rows": "Rows", "share": "Share of rows", "minority": "Smallest class",
    "minority_share": "Share of the smallest class", "classes": "Rows per class",
    "suggested_training": "Suggested when training", "single_row_classes": "Classes with one row",
    "lower": "Lower limit", "upper": "Upper limit", "below": "Rows below the lower limit",
    "above": "Rows above the upper limit", "skewness": "Skewness", "skewness_without_outliers":
    "Skewness without outliers", "column_a": "First column", "column_b": "Second column",
    "correlation": "Correlation (Pearson r)", "distinct": "Distinct values", "kept": "Values kept",
    "covered_share": "Rows covered by the kept values", "score": "Score on held-out rows",
    "accuracy": "Accuracy", "baseline": "Accuracy of always guessing", "baseline_class": "Most common class",
    "rows_used": "Rows used", "value": "Value", "numeric_share": "Share that reads as numbers",
    "text_rows": "Rows with text", "text_values": "Text values", "date_share": "Share that reads as dates",
    "format": "Date format", "ambiguous": "Day/month order ambiguous", "not_dates": "Values that are not dates",
    "rare_values": "Rare values", "rare_count": "Rare values (count)", "rare_rows": "Rows with a rare value",
    "positive": "+∞ cells", "negative": "−∞ cells", "ignored_columns": "Columns not compared",
    "minimum": "Minimum rows", "other_rows": "Rows with another value", "r2": "R²",
}
HIDDEN_FIGURES = {"method"}
CHART_HEIGHT = 180
ADVICE = {
    "class_imbalance": "No change to the data is needed: train with balanced class weights (or resampling) "
                       "and judge the model by recall and ROC AUC rather than accuracy.",
    "skewed_column": "No automatic fix: consider a log transform (all values positive) or a tree-based model.",
    "single_class_target": "Choose another target, or add rows of the other classes.",
    "too_few_rows": "Add rows before training; a model learned from so few rows is unreliable.",
}


def _figure(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and (key.endswith("share") or key in ("share",)):
        return format_percent(value, is_fraction=True)
    if isinstance(value, dict):
        return " · ".join(f"{k}: {_figure('', v)}" for k, v in list(value.items())[:12]) or "—"
    if isinstance(value, (list, tuple)):
        items = [_figure("", v) if not isinstance(v, (list, tuple)) else " ".join(map(str, v)) for v in value[:8]]
        more = f" … and {format_int(len(value) - 8)} more" if len(value) > 8 else ""
        return (", ".join(items) + more) or "none"
    return format_number(value)


class FindingDetail(QScrollArea):
    """`show_finding(finding)`, then `show_evidence(evidence)` (or `show_evidence_error`).

    `fix_requested(finding)` when the user presses the Fix button.
    """

    fix_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findingDetail")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMinimumWidth(240)
        self.finding: Finding | None = None
        self.evidence: Evidence | None = None
        self.chart: QWidget | None = None
        self._fix_hint = ""

        self.icon = QLabel()
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.title.setWordWrap(True)
        self.severity_text = QLabel()
        self.severity_text.setObjectName("hint")
        self.severity_text.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setObjectName("findingMessage")

        self.fix_button = QPushButton()
        self.fix_button.setObjectName("fixButton")
        self.fix_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.fix_button.clicked.connect(lambda: self.finding is not None and self.fix_requested.emit(self.finding))
        self.fix_hint = QLabel()
        self.fix_hint.setObjectName("hint")
        self.fix_hint.setWordWrap(True)

        self.figures_title = QLabel("Figures")
        self.figures_title.setObjectName("subTitle")
        self.form = QFormLayout()
        self.form.setHorizontalSpacing(14)
        self.form.setVerticalSpacing(3)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)

        self.chart_title = QLabel()
        self.chart_title.setObjectName("subTitle")
        self.chart_note = QLabel()
        self.chart_note.setObjectName("hint")
        self.chart_note.setWordWrap(True)
        self.chart_holder = QVBoxLayout()
        self.chart_holder.setContentsMargins(0, 0, 0, 0)

        self.rows_title = QLabel()
        self.rows_title.setObjectName("subTitle")
        self.rows_note = QLabel()
        self.rows_note.setObjectName("hint")
        self.rows_note.setWordWrap(True)
        self.rows_view = ExampleRowsView()

        heading = QHBoxLayout()
        heading.setSpacing(8)
        heading.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        heading.addWidget(self.title, 1)
        fix_row = QHBoxLayout()
        fix_row.addWidget(self.fix_button)
        fix_row.addStretch(1)

        body = QWidget()
        body.setObjectName("findingDetailBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(14, 4, 12, 10)
        layout.setSpacing(6)
        layout.addLayout(heading)
        layout.addWidget(self.severity_text)
        layout.addWidget(self.message)
        layout.addSpacing(2)
        layout.addLayout(fix_row)
        layout.addWidget(self.fix_hint)
        layout.addSpacing(6)
        layout.addWidget(self.chart_title)
        layout.addWidget(self.chart_note)
        layout.addLayout(self.chart_holder)
        layout.addSpacing(6)
        layout.addWidget(self.rows_title)
        layout.addWidget(self.rows_note)
        layout.addWidget(self.rows_view)
        layout.addSpacing(6)
        layout.addWidget(self.figures_title)
        layout.addLayout(self.form)
        layout.addStretch(1)
        self.setWidget(body)
        self.show_message("Select a finding", "Pick a finding on the left to see its figures, chart and example rows.")

    # -- states -------------------------------------------------------------------------------
    def show_message(self, title: str, text: str) -> None:
        self.finding = None
        self._clear()
        self.icon.clear()
        self.title.setText(title)
        self.message.setText(text)
        self.message.setObjectName("hint")
        self.message.style().polish(self.message)
        for widget in (self.severity_text, self.fix_button, self.fix_hint):
            widget.setVisible(False)

    def show_finding(self, finding: Finding, *, version_label: str = "", fix_note: str = "") -> None:
        """The finding's words and figures now; its chart and rows once `show_evidence` is called."""
        self.finding = finding
        self._clear()
        severity = severity_key(finding.severity)
        self.icon.setPixmap(severity_icon(severity, 14).pixmap(14, 14))
        where = f" · {finding.column}" if finding.column else " · whole table"
        self.title.setText(f"{check_title(finding.check)}{where}")
        sampled = " Figures come from a random sample of the rows." if finding.sampled else ""
        self.severity_text.setText(f"{SEVERITY_NAME[severity]} — {SEVERITY_MEANING[severity]}{sampled}")
        self.severity_text.setVisible(True)
        self.message.setObjectName("findingMessage")
        self.message.style().polish(self.message)
        self.message.setText(finding.message)

        if finding.fix is not None:
            self.fix_button.setText(f"Fix: {finding.fix.label}…")
            self.fix_button.setToolTip("See what would change, then make a new version with this fix")
            self.fix_button.setVisible(True)
            keeps = f"{version_label} itself stays as it is." if version_label else "the current version stays."
            self._fix_hint = f"You will see what changes before anything is saved; {keeps}"
            self.set_fix_note(fix_note)
        else:
            self.fix_button.setVisible(False)
            self.fix_hint.setText(ADVICE.get(finding.check, "No automatic fix for this finding."))
        self.fix_hint.setVisible(True)

        figures = [(k, v) for k, v in (finding.value or {}).items() if k not in HIDDEN_FIGURES]
        for key, value in figures:
            label = QLabel(_figure(key, value))
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(f"{FIGURE_LABELS.get(key, key.replace('_', ' ').capitalize())}:", label)
        self.figures_title.setVisible(bool(figures))

        if finding.column or finding.check == "correlated_features":
            self.chart_title.setText(self._chart_title(finding))
            self.chart_title.setVisible(True)
            self.chart_note.setText("Loading the data for the chart…")
            self.chart_note.setVisible(True)
        if finding.evidence_rows:
            self.rows_title.setText("Example rows")
            self.rows_title.setVisible(True)
            self.rows_note.setText("Loading…")
            self.rows_note.setVisible(True)

    def set_fix_note(self, note: str) -> None:
        """Disable the Fix button with a reason (e.g. a task is running), or enable it again."""
        if self.finding is None or self.finding.fix is None:
            return
        self.fix_button.setEnabled(not note)
        self.fix_hint.setText(note or self._fix_hint)

    def show_evidence(self, evidence: Evidence) -> None:
        from desktop_app.ui.steps.quality import evidence_charts

        self.evidence = evidence
        chart = None
        if evidence.pair is not None:
            x_name, y_name, xs, ys = evidence.pair
            chart = evidence_charts.scatter_chart(x_name, y_name, xs, ys)
            self.chart_note.setText(f"{format_int(len(xs))} rows where both have a value (a random sample).")
        elif evidence.summary is not None:
            chart = evidence_charts.column_chart(evidence.summary, evidence.fences)
            self.chart_note.setText(self._summary_line(evidence.summary))
        else:
            self.chart_note.setVisible(False)
            self.chart_title.setVisible(False)
        if chart is not None:
            chart.setObjectName("evidenceChart")
            if evidence.pair is None and evidence.summary is not None and evidence.summary.histogram is not None:
                chart.setFixedHeight(CHART_HEIGHT)
            self.chart = chart
            self.chart_holder.addWidget(chart)
            chart.show()  # now, not at the next turn of the event loop
        elif evidence.summary is not None:
            self.chart_note.setText(self.chart_note.text() + " No chart: the column has no values to draw.")
        rows = evidence.rows
        if rows is not None and rows.cells:
            self.rows_view.set_rows(rows)
            self.rows_view.setVisible(True)
            marked = f"; '{rows.highlight[0]}' is highlighted" if len(rows.highlight) == 1 else ""
            empty = "; empty cells are shaded" if any(v is None for row in rows.cells for v in row) else ""
            self.rows_title.setText(f"Example rows ({format_int(len(rows.cells))})")
            self.rows_note.setText(f"Rows this finding is about, numbered as in the Data step{marked}{empty}.")
        elif self.rows_title.isVisible():
            self.rows_note.setText("No example rows.")

    def show_evidence_error(self, text: str) -> None:
        for label in (self.chart_note, self.rows_note):
            if label.isVisible():
                label.setText(f"Could not load the data: {text}")

    # -- helpers ---------------------------------------------------------------------------------
    @staticmethod
    def _chart_title(finding: Finding) -> str:
        value = finding.value or {}
        if finding.check == "correlated_features":
            return f"{value.get('column_a')} against {value.get('column_b')}"
        if finding.check == "outliers":
            return f"Distribution of {finding.column}, outlier limits dashed"
        return f"Distribution of {finding.column}"

    @staticmethod
    def _summary_line(summary: ColumnSummary) -> str:
        total = int(summary.count) + int(summary.missing)
        parts = [f"{plural(int(summary.count), 'value')}",
                 f"{format_int(summary.missing)} empty "
                 f"({format_percent(100 * summary.missing / total if total else 0)})",
                 f"{format_int(summary.distinct)} distinct"]
        if summary.mean is not None:
            parts.append(f"min {format_number(summary.min)} · mean {format_number(summary.mean)} · "
                         f"max {format_number(summary.max)}")
        elif summary.top_values and summary.histogram is None and summary.distinct > 10:
            parts.append("the 10 most common values are drawn")
        return " · ".join(parts)

    def _clear(self) -> None:
        self.evidence = None
        while self.form.rowCount():
            self.form.removeRow(0)
        if self.chart is not None:
            self.chart_holder.removeWidget(self.chart)
            self.chart.hide()  # gone from the screen now, even before the deferred delete
            self.chart.deleteLater()
            self.chart = None
        for widget in (self.figures_title, self.chart_title, self.chart_note, self.rows_title, self.rows_note,
                       self.rows_view):
            widget.setVisible(False)
        self.rows_view.set_rows(None)
