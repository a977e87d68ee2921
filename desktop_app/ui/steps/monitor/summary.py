"""The selected batch in a few sentences, under the batch list: the verdict, what drifted, the
model's output, the multivariate check (domain classifier), the labels' metrics and KPI gate,
and what to do; then "Save HTML report…" (`save_report_requested`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_app.core.training.metric_names import MAIN_METRICS
from desktop_app.ui.steps.monitor import text as mt
from desktop_app.ui.text.formatting import format_int
from desktop_app.ui.text.rich_text import escape
from desktop_app.ui.text.runs import format_metric, metric_label

if TYPE_CHECKING:
    from desktop_app.core.monitor.entities import MonitoringBatch

LISTED = 4


class BatchSummary(QFrame):
    save_report_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.headline = QLabel()
        self.headline.setObjectName("batchHeadline")
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        self.headline.setWordWrap(True)
        self.meta = QLabel()
        self.meta.setObjectName("hint")
        self.meta.setWordWrap(True)
        self.details = QLabel()
        self.details.setObjectName("batchDetails")
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.advice = QLabel()
        self.advice.setObjectName("batchAdvice")
        self.advice.setTextFormat(Qt.TextFormat.RichText)
        self.advice.setWordWrap(True)
        self.report_note = QLabel()
        self.report_note.setObjectName("hint")
        self.report_note.setWordWrap(True)
        self.report_note.setVisible(False)
        self.report_button = QPushButton("Save HTML report…")
        self.report_button.setObjectName("reportButton")
        self.report_button.setToolTip("Save this batch's drift report as one self-contained web page, to share")
        self.report_button.clicked.connect(self.save_report_requested)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 4, 0, 0)
        buttons.addWidget(self.report_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(4)
        layout.addWidget(self.headline)
        layout.addWidget(self.meta)
        layout.addWidget(self.details)
        layout.addWidget(self.advice)
        layout.addLayout(buttons)
        layout.addWidget(self.report_note)
        layout.addStretch(1)
        self.batch: MonitoringBatch | None = None

    def set_report_note(self, text: str) -> None:
        self.report_note.setText(text)
        self.report_note.setVisible(bool(text))

    def set_batch(self, batch: MonitoringBatch | None, target: str | None = None) -> None:
        if batch is not self.batch:
            self.set_report_note("")
        self.batch = batch
        if batch is None:
            self.headline.setText("")
            self.meta.setText("")
            self.details.setText("")
            self.advice.setText("")
            self.report_button.setEnabled(False)
            return
        self.report_button.setEnabled(True)
        self.headline.setText(headline(batch))
        when, exact = mt.batch_when(batch)
        by = f" by {batch.created_by}" if batch.created_by else ""
        self.meta.setText(f"{format_int(batch.rows)} rows · added {when}{by} · checked against {batch.model_label} · "
                          f"rows kept as {batch.dataset_label}")
        self.meta.setToolTip(f"Added {exact}{by}" + (f" on {batch.host}" if batch.host else "")
                             + f"\nBatch id {batch.id}")
        self.details.setText("<br>".join(detail_lines(batch, target)))
        warnings = warning_messages(batch)
        self.details.setToolTip("\n".join(f"• {w}" for w in warnings[:12]) if warnings else "")
        self.advice.setText(advice(batch))


def headline(batch: MonitoringBatch) -> str:
    share = escape(mt.share_sentence(batch))
    name = escape(batch.name)
    if batch.dataset_drift:
        return (f"<span style='color:{mt.ALERT_COLOR};font-weight:600;font-size:11pt'>⚠ Dataset drift in {name}</span>"
                f" — {share}")
    if batch.drifted_columns:
        return f"<span style='color:#8a5a00;font-weight:600;font-size:11pt'>Some drift in {name}</span> — {share}"
    return f"<span style='color:{mt.OK_COLOR};font-weight:600;font-size:11pt'>✓ No drift in {name}</span> — {share}"


def detail_lines(batch: MonitoringBatch, target: str | None) -> list[str]:
    lines = []
    drifted = sorted((c for c in batch.result.columns if c.drifted), key=lambda c: -(mt.severity(c) or 0))
    if drifted:
        names = ", ".join(f"<b>{escape(c.column)}</b>" for c in drifted[:LISTED])
        more = f" and {len(drifted) - LISTED} more" if len(drifted) > LISTED else ""
        lines.append(f"<b>Drifted:</b> {names}{more} (most first).")
    lines.append(prediction_line(batch))
    lines.append(multivariate_line(batch))
    lines.append(labels_line(batch, target))
    warnings = warning_messages(batch)
    if warnings:
        lines.append(f"<b>Checks on the rows:</b> {len(warnings)} warning{'s' if len(warnings) != 1 else ''} "
                     "(hover for details; the rows were kept).")
    return lines


def warning_messages(batch: MonitoringBatch) -> list[str]:
    validation = batch.result.validation
    return validation.warnings if validation else []


def prediction_line(batch: MonitoringBatch) -> str:
    columns = batch.result.prediction.columns
    if not columns:
        return "<b>Model output:</b> not compared."
    drifted = [c for c in columns if c.drifted]
    if drifted:
        return ("<b>Model output:</b> <span style='color:#c62828'>drifted</span> — the model answers differently "
                "than on its training data (" + ", ".join(escape(c.column) for c in drifted[:3]) + ").")
    return "<b>Model output:</b> stable — the model answers as on its training data."


def multivariate_line(batch: MonitoringBatch) -> str:
    mv = batch.result.multivariate
    if mv is None or mv.skipped or mv.auc is None:
        return f"<b>All features together:</b> not checked ({escape(mv.skipped if mv and mv.skipped else 'no result')})"
    low, high = mv.band or (0.45, 0.65)
    top = [f.column for f in mv.top_features if f.importance > 0.005][:3]
    separated = f", mostly by {escape(', '.join(top))}" if top and mv.drifted else ""
    if mv.drifted:
        return (f"<b>All features together:</b> <span style='color:#c62828'>drifted</span> — a classifier tells "
                f"batch rows from training rows (AUROC {mv.auc:.2f}, outside {low:g}–{high:g}){separated}.")
    return (f"<b>All features together:</b> no drift — batch rows cannot be told from training rows "
            f"(AUROC {mv.auc:.2f}, within {low:g}–{high:g}).")


def labels_line(batch: MonitoringBatch, target: str | None) -> str:
    m = batch.result.metrics
    if m is None or not m.metrics:
        column = f"'{escape(target)}'" if target else "the target"
        return f"<b>Model quality:</b> not measured — no labels (no {column} column)."
    values = m.metrics
    rules = m.gate.rules if m.gate else ()
    metric = next((r.metric for r in rules if r.metric in values), None) \
        or next((k for k in MAIN_METRICS if k in values), None) or next(iter(values))
    test = m.test_metrics.get(metric)
    compared = f" ({format_metric(test)} at training)" if test is not None else ""
    if m.gate_passed is True:
        gate_text = "KPI gate passed"
    elif m.gate_passed is False:
        gate_text = ("<span style='color:#c62828'>KPI gate failed</span>: "
                     + escape("; ".join(m.gate.failures if m.gate else ())))
    else:
        gate_text = "no KPI gate set"
    return (f"<b>Model quality:</b> {metric_label(metric)} {format_metric(values[metric])}{compared} on "
            f"{format_int(m.rows)} labelled rows · {gate_text}.")


def advice(batch: MonitoringBatch) -> str:
    gate_failed = batch.result.metrics is not None and batch.result.metrics.gate_passed is False
    if batch.dataset_drift or gate_failed or (batch.prediction_drift and batch.drifted_columns):
        words = ("<b>What to do:</b> see how the drifted features changed (click a row of the drift map). A broken "
                 "feed (units, codes) is fixed at the source; a real change in the population calls for retraining "
                 "on recent data (Train step).")
        if gate_failed:
            words += " The model misses its KPI gate on this batch: do not rely on it until it is retrained."
        return f"<span style='color:#3b4654'>{words}</span>"
    if batch.drifted_columns or batch.prediction_drift or batch.multivariate_drift:
        return ("<span style='color:#3b4654'><b>What to do:</b> check the drifted features' distributions; below the "
                "dataset threshold the model can usually stay — watch the next batches.</span>")
    return "<span style='color:#3b4654'><b>Nothing to do:</b> this batch looks like the training data.</span>"
