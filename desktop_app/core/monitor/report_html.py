"""A self-contained HTML drift report of one monitoring batch, to save or hand on.

The house style of the quality report (quality/report_html.py): inline CSS, inline SVG
charts, nothing beside the file, every value from the data escaped. Charts draw the
reference and the batch on the same bins (numbers) or categories, as shares, from the
`monitor.charts.distribution` documents the service passes in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from desktop_app.core.monitor.entities import ColumnDriftResult, LabelledMetrics, MonitoringBatch, MultivariateDrift
from desktop_app.core.monitor.settings import DriftSettings

WIDTH, HEIGHT = 520, 190
_PAD_L, _PAD_R, _PAD_T, _PAD_B = 48, 12, 22, 34
_REF, _BATCH, _AXIS, _TEXT, _MARK = "#9ab3cf", "#e45756", "#888", "#333", "#d64545"
_TEST_NAMES = {"ks": "Kolmogorov–Smirnov", "wasserstein": "Wasserstein (normed)", "chi_squared": "chi-squared",
               "jensen_shannon": "Jensen–Shannon", None: "not tested"}
_CSS = """
body{font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;margin:2em auto;max-width:1040px;
color:#222;line-height:1.45;padding:0 1em}h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.6em;
border-bottom:1px solid #ddd;padding-bottom:.2em}.meta{color:#555}.badges span{display:inline-block;
padding:.25em .7em;border-radius:1em;margin:0 .5em .4em 0;font-weight:600}.b-bad{background:#fde2e1;color:#a61b1b}
.b-ok{background:#e3f3e3;color:#1d6b1d}.b-info{background:#e3eefb;color:#1f4e8c}table{border-collapse:collapse;
font-size:.9em;margin:.5em 0}td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left;vertical-align:top}
th{background:#f5f5f5}tr.drifted td{background:#fff4f3}.num{text-align:right;font-variant-numeric:tabular-nums}
.col{border:1px solid #ddd;border-left-width:6px;border-radius:6px;padding:.6em 1em;margin:1em 0}
.c-bad{border-left-color:#d64545}.c-ok{border-left-color:#59a14f}.muted{color:#777}.legend span{margin-right:1em}
.sw{display:inline-block;width:.9em;height:.9em;vertical-align:-.1em;margin-right:.3em}details{margin:.4em 0}
"""


def _num(value: Any, digits: int = 4) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return f"{value:.{digits}g}"
    return escape(str(value))


def _pct(value: Any) -> str:
    return "—" if value is None else f"{100 * float(value):.1f}%"


def _svg(title: str, body: list[str], height: int = HEIGHT) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} '
            f'{height}" role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="11">'
            f"<title>{escape(title)}</title>" + "".join(body) + "</svg>")


def paired_histogram(chart: Mapping[str, Any], title: str) -> str:
    """Reference (blue) and batch (red outline) shares on the same bins."""
    edges, ref, batch = chart.get("edges") or [], chart.get("reference") or [], chart.get("batch") or []
    if len(edges) < 2:
        return ""
    plot_w, plot_h = WIDTH - _PAD_L - _PAD_R, HEIGHT - _PAD_T - _PAD_B
    top = max(max(ref, default=0), max(batch, default=0)) or 1.0
    n = len(edges) - 1
    bar_w = plot_w / n
    body = []
    for i in range(n):
        x = _PAD_L + i * bar_w
        tip = f"{edges[i]:.4g} – {edges[i + 1]:.4g}: reference {_pct(ref[i])}, batch {_pct(batch[i])}"
        h = ref[i] / top * plot_h
        body.append(f'<rect x="{x:.1f}" y="{_PAD_T + plot_h - h:.1f}" width="{max(bar_w - 1, 1):.1f}" '
                    f'height="{h:.1f}" fill="{_REF}"><title>{escape(tip)}</title></rect>')
        hb = batch[i] / top * plot_h
        body.append(f'<rect x="{x + 1:.1f}" y="{_PAD_T + plot_h - hb:.1f}" width="{max(bar_w - 3, 1):.1f}" '
                    f'height="{hb:.1f}" fill="none" stroke="{_BATCH}" stroke-width="1.5">'
                    f"<title>{escape(tip)}</title></rect>")
    base = _PAD_T + plot_h
    body += [
        f'<line x1="{_PAD_L}" x2="{_PAD_L + plot_w}" y1="{base}" y2="{base}" stroke="{_AXIS}"/>',
        f'<text x="{_PAD_L}" y="{base + 14}" fill="{_TEXT}">{escape(f"{edges[0]:.4g}")}</text>',
        f'<text x="{_PAD_L + plot_w}" y="{base + 14}" fill="{_TEXT}" text-anchor="end">'
        f'{escape(f"{edges[-1]:.4g}")}</text>',
        f'<text x="{_PAD_L - 4}" y="{_PAD_T + 8}" fill="{_TEXT}" text-anchor="end">{_pct(top)}</text>',
        f'<text x="{_PAD_L + plot_w / 2}" y="{HEIGHT - 4}" fill="{_TEXT}" text-anchor="middle">{escape(title)}</text>',
        _legend(),
    ]
    return _svg(title, body)


def paired_bars(chart: Mapping[str, Any], title: str) -> str:
    """Horizontal bars per category: reference share above, batch share below; new categories in red."""
    categories, ref, batch = chart.get("categories") or [], chart.get("reference") or [], chart.get("batch") or []
    if not categories:
        return ""
    new = set(chart.get("new") or [])
    row_h, label_w = 22, 150
    height = _PAD_T + row_h * len(categories) + 24
    plot_w = WIDTH - label_w - 110   # room for the “a% → b%” label after the longer bar
    top = max(max(ref, default=0), max(batch, default=0)) or 1.0
    body = [_legend()]
    for i, (label, r, b) in enumerate(zip(categories, ref, batch)):
        y = _PAD_T + i * row_h
        short = label if len(label) <= 22 else label[:21] + "…"
        colour = _MARK if label in new else _TEXT
        body += [
            f'<text x="{label_w - 6}" y="{y + 13}" fill="{colour}" text-anchor="end">{escape(short)}'
            f'{" (new)" if label in new else ""}</text>',
            f'<rect x="{label_w}" y="{y + 2}" width="{max(r / top * plot_w, 0.5):.1f}" height="8" fill="{_REF}">'
            f"<title>{escape(label)}: reference {_pct(r)}</title></rect>",
            f'<rect x="{label_w}" y="{y + 11}" width="{max(b / top * plot_w, 0.5):.1f}" height="8" fill="{_BATCH}">'
            f"<title>{escape(label)}: batch {_pct(b)}</title></rect>",
            f'<text x="{label_w + max(r, b) / top * plot_w + 4:.1f}" y="{y + 14}" fill="{_TEXT}">'
            f"{_pct(r)} → {_pct(b)}</text>",
        ]
    body.append(f'<text x="{WIDTH / 2}" y="{height - 6}" fill="{_TEXT}" text-anchor="middle">{escape(title)}</text>')
    return _svg(title, body, height)


def _legend() -> str:
    return (f'<rect x="{WIDTH - 170}" y="4" width="10" height="10" fill="{_REF}"/>'
            f'<text x="{WIDTH - 156}" y="13" fill="{_TEXT}">reference</text>'
            f'<rect x="{WIDTH - 90}" y="4" width="10" height="10" fill="none" stroke="{_BATCH}"/>'
            f'<text x="{WIDTH - 76}" y="13" fill="{_TEXT}">batch</text>')


def chart(chart_data: Mapping[str, Any] | None, title: str) -> str:
    if not chart_data:
        return ""
    if chart_data.get("kind") == "numeric":
        return paired_histogram(chart_data, title)
    return paired_bars(chart_data, title)


def _column_table(columns: Sequence[ColumnDriftResult]) -> str:
    head = ("<tr><th>column</th><th>kind</th><th>test</th><th>statistic</th><th>p-value</th><th>threshold</th>"
            "<th>drifted</th><th>PSI</th><th>missing (reference → batch)</th><th>new categories</th></tr>")
    rows = []
    for c in sorted(columns, key=lambda c: (not c.drifted, c.column)):
        new = ", ".join(c.new_categories)
        rows.append(
            f"<tr class='{'drifted' if c.drifted else ''}'><td>{escape(c.column)}</td>"
            f"<td>{escape(c.kind or '')}</td><td>{escape(_TEST_NAMES.get(c.test, str(c.test)))}"
            f"</td><td class='num'>{_num(c.statistic) if c.test else '—'}</td>"
            f"<td class='num'>{_num(c.p_value)}</td><td class='num'>{_num(c.threshold)}</td>"
            f"<td>{'<b>yes</b>' if c.drifted else 'no'}{' (missing values)' if c.missing_drifted else ''}"
            f"</td><td class='num'>{_num(c.psi, 3)} <span class='muted'>{escape(c.psi_band or '')}"
            f"</span></td><td class='num'>{_pct(c.missing_ref)} → {_pct(c.missing_batch)}</td>"
            f"<td>{escape(new[:120])}</td></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _column_section(c: ColumnDriftResult, charts: Mapping[str, Any]) -> str:
    why = []
    if c.test and c.p_value is not None:
        why.append(f"{_TEST_NAMES[c.test]} p-value {_num(c.p_value)} (drift below {_num(c.threshold)})")
    elif c.test:
        stat = "infinite" if c.statistic is None else _num(c.statistic)
        why.append(f"{_TEST_NAMES[c.test]} {stat} (drift from {_num(c.threshold)})")
    if c.missing_drifted:
        why.append(f"missing values {_pct(c.missing_ref)} → {_pct(c.missing_batch)}")
    if c.new_categories:
        why.append(f"new: {', '.join(c.new_categories[:8])} ({_pct(c.new_category_share)} of the batch)")
    note = f"<div class='muted'>{escape(c.note)}</div>" if c.note else ""
    return (f"<div class='col {'c-bad' if c.drifted else 'c-ok'}'><b>{escape(c.column)}</b> — "
            f"{'drifted' if c.drifted else 'no drift'}: {escape('; '.join(why))}{note}"
            f"<div>{chart(charts.get(c.column), c.column)}</div></div>")


def _multivariate(m: MultivariateDrift | None) -> str:
    if m is None:
        return ""
    if m.skipped:
        return f"<h2>Multivariate drift</h2><p class='muted'>Not computed: {escape(m.skipped)}</p>"
    low, high = m.band or (0.45, 0.65)
    top = "".join(f"<tr><td>{escape(t.column)}</td><td class='num'>{_num(t.importance, 3)}</td></tr>"
                  for t in m.top_features)
    verdict = "<b>the batch's rows can be told apart from the reference's</b>" if m.drifted else \
        "the rows cannot be told apart"
    return (f"<h2>Multivariate drift</h2><p>A classifier trained to tell reference rows from batch rows reaches "
            f"AUROC <b>{_num(m.auc, 3)}</b> (drift outside {low:g}–{high:g}): {verdict}. "
            f"<span class='muted'>{escape(m.method)}; {m.rows_reference:,} reference and "
            f"{m.rows_batch:,} batch rows.</span></p>"
            f"<table><tr><th>column that separates them most</th><th>importance (AUROC drop)</th></tr>{top}</table>")


def _metrics(metrics: LabelledMetrics | None) -> str:
    if metrics is None:
        return ""
    rows = "".join(
        f"<tr><td>{escape(k)}</td><td class='num'>{_num(v)}</td>"
        f"<td class='num'>{_num(metrics.test_metrics.get(k))}</td>"
        f"<td class='num'>{_num(metrics.delta.get(k))}</td></tr>"
        for k, v in metrics.metrics.items())
    if metrics.gate_passed is None:
        gate_text = "The model has no KPI gate."
    elif metrics.gate_passed:
        gate_text = "The batch passes the model's KPI gate."
    else:
        failures = metrics.gate.failures if metrics.gate is not None else ()
        gate_text = "The batch fails the model's KPI gate: " + "; ".join(failures) + "."
    notes = "".join(f"<p class='muted'>{escape(n)}</p>" for n in metrics.notes)
    return (f"<h2>Model quality on the labelled rows ({metrics.rows:,})</h2><p>{escape(gate_text)}</p>"
            f"<table><tr><th>metric</th><th>batch</th><th>run's test</th><th>change</th></tr>{rows}</table>{notes}")


def render_html(batch: MonitoringBatch, charts: Mapping[str, Any]) -> str:
    """The batch's drift report as one self-contained HTML page (inline CSS and SVG charts)."""
    r = batch.result
    columns = r.columns
    drifted = [c for c in columns if c.drifted]
    prediction = r.prediction.columns
    multivariate, metrics = r.multivariate, r.metrics
    badge = lambda bad, text: f"<span class='{'b-bad' if bad else 'b-ok'}'>{escape(text)}</span>"  # noqa: E731
    badges = [badge(batch.dataset_drift, "Dataset drift" if batch.dataset_drift else "No dataset drift"),
              f"<span class='b-info'>{len(drifted)} of {len(columns)} columns drifted "
              f"({_pct(batch.share_drifted)}; dataset drift from {_pct(r.drift_share)})</span>"]
    if prediction:
        badges.append(badge(batch.prediction_drift, "Prediction drift" if batch.prediction_drift
                            else "No prediction drift"))
    if multivariate is not None and multivariate.auc is not None:
        badges.append(badge(multivariate.drifted, f"Domain classifier AUROC {multivariate.auc:.3f}"))
    if metrics is not None and metrics.gate_passed is not None:
        badges.append(badge(not metrics.gate_passed, "KPI gate passed" if metrics.gate_passed else "KPI gate failed"))
    when = batch.created_at.strftime("%Y-%m-%d %H:%M UTC") if batch.created_at else ""
    reference_rows = r.reference.rows if r.reference is not None else 0
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Drift — {escape(batch.name)} against {escape(batch.model_label)}</title><style>{_CSS}</style>"
        "</head><body>",
        f"<h1>Drift — {escape(batch.name)} against {escape(batch.model_label)}</h1>",
        f"<p class='meta'>{batch.rows:,} rows stored as {escape(batch.dataset_label)}, checked {escape(when)} by "
        f"{escape(batch.created_by)} on {escape(batch.host)}; reference: {reference_rows:,} training rows.</p>",
        f"<div class='badges'>{''.join(badges)}</div>",
        "<h2>Columns</h2>", _column_table(columns),
    ]
    if r.skipped:
        parts.append("<p class='muted'>Not tested: " + "; ".join(
            f"{escape(k)} ({escape(v)})" for k, v in r.skipped.items()) + "</p>")
    parts.append("<h2>Distributions</h2>")
    parts += [_column_section(c, charts) for c in sorted(columns, key=lambda c: (not c.drifted, c.column))]
    if prediction:
        parts.append("<h2>Prediction drift</h2><p class='muted'>What the model answers on the batch against what it "
                     "answered on the reference sample.</p>")
        parts += [_column_section(c, charts) for c in prediction]
    parts.append(_multivariate(multivariate))
    if r.target is not None:
        parts.append("<h2>Target drift</h2>" + _column_section(r.target, charts))
    parts.append(_metrics(metrics))
    issues = r.validation.issues if r.validation is not None else ()
    if issues:
        items = "".join(f"<li>{escape(i.message)}</li>" for i in issues)
        parts.append(f"<h2>Validation</h2><ul>{items}</ul>")
    meanings = {name: meaning for name, _, meaning in DriftSettings().describe()}
    rows = "".join(f"<tr><td>{escape(k)}</td><td>{escape(json.dumps(v))}</td><td>{escape(meanings.get(k, ''))}</td>"
                   f"</tr>" for k, v in r.settings.items())
    parts.append(f"<h2>Settings</h2><details><summary>Thresholds used</summary><table><tr><th>name</th>"
                 f"<th>value</th><th>meaning</th></tr>{rows}</table></details>")
    parts.append("</body></html>")
    return "\n".join(parts)
