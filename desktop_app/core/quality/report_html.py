"""A self-contained HTML page of a quality report, to save or hand on.

Inline CSS and inline SVG charts: the file opens anywhere, offline, with nothing
beside it. Every value taken from the data is escaped.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from desktop_app.core.quality import svg
from desktop_app.core.quality.findings import Finding, Severity
from desktop_app.core.quality.report import QualityReport

_CHART_SAMPLE = 100_000
_TITLES = {Severity.ERROR: "Errors", Severity.WARNING: "Warnings", Severity.INFO: "Notes"}
_CSS = """
body{font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;margin:2em auto;max-width:1000px;
color:#222;line-height:1.45;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.meta{color:#555}.badges span{display:inline-block;padding:.25em .7em;border-radius:1em;margin-right:.5em;
font-weight:600}.b-error{background:#fde2e1;color:#a61b1b}.b-warning{background:#fff1d6;color:#8a5a00}
.b-info{background:#e3eefb;color:#1f4e8c}.finding{border:1px solid #ddd;border-left-width:6px;border-radius:6px;
padding:.8em 1em;margin:1em 0}.f-error{border-left-color:#d64545}.f-warning{border-left-color:#e0a000}
.f-info{border-left-color:#4c78a8}.head{font-weight:600}.check{font-family:monospace;color:#666;
font-weight:400;margin-left:.5em}.fix{margin:.4em 0;padding:.3em .6em;background:#eef7ee;border-radius:4px;
display:inline-block}table{border-collapse:collapse;font-size:.9em;margin:.5em 0}td,th{border:1px solid #ddd;
padding:.2em .5em;text-align:left;vertical-align:top}th{background:#f5f5f5}.figures td:first-child{color:#555}
details{margin:.4em 0}.muted{color:#777}.chart{margin:.4em 0}
"""


def _text(value: Any, width: int = 120) -> str:
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, default=str)
    elif value is None or (isinstance(value, float) and not np.isfinite(value)):
        text = "—"
    elif isinstance(value, float):
        text = f"{value:.4g}"
    else:
        text = str(value)
    return escape(text if len(text) <= width else text[: width - 1] + "…")


def _cell(value: Any) -> str:
    try:
        if pd.isna(value):
            return '<span class="muted">(empty)</span>'
    except (TypeError, ValueError):
        pass
    return _text(value, 60)


def _sample_positions(rows: int, seed: int) -> np.ndarray | None:
    if rows <= _CHART_SAMPLE:
        return None
    return np.sort(np.random.default_rng(seed).choice(rows, _CHART_SAMPLE, replace=False))


def _numbers(series: pd.Series, positions: np.ndarray | None) -> np.ndarray:
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    return values if positions is None else values[positions]


def _is_number(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)


def _chart(f: Finding, frame: pd.DataFrame, positions: np.ndarray | None) -> str:
    if f.check == "correlated_features":
        a, b = f.value.get("column_a"), f.value.get("column_b")
        if isinstance(a, str) and isinstance(b, str) and a in frame.columns and b in frame.columns:
            pick = np.random.default_rng(0).permutation(len(frame))[:400]
            return svg.scatter(_numbers(frame[a], pick), _numbers(frame[b], pick), a, b)
        return ""
    if f.column is None or f.column not in frame.columns or f.check in ("id_like_column", "dates_as_text",
                                                                         "target_leakage", "empty_column"):
        return ""
    series = frame[f.column]
    if _is_number(series):
        if f.check == "outliers":
            lower, upper = f.value.get("lower"), f.value.get("upper")
            within = None
            if lower is not None and upper is not None and (margin := 0.1 * (upper - lower)):
                within = (lower - margin, upper + margin)
            return svg.histogram(_numbers(series, positions), f"Values of '{f.column}' (dashed: outlier limits)",
                                 (lower, upper), within=within)
        return svg.histogram(_numbers(series, positions), f"Values of '{f.column}'")
    counts = series.value_counts(dropna=False)
    if len(counts) > 200_000:
        return ""
    top = counts.head(12)
    highlight: set[str] = set()
    for key in ("rare_values", "text_values", "not_dates"):
        highlight |= {str(k) for k in (f.value.get(key) or {})}
    if f.check in ("missing_values", "missing_target"):
        highlight.add("(empty)")
    if f.value.get("minority") is not None:
        highlight.add(str(f.value["minority"]))
    items = [("(empty)" if pd.isna(k) else str(k), int(v)) for k, v in top.items()]
    extra = [(k, int(counts.loc[counts.index.astype(str) == k].iloc[0])) for k in sorted(highlight)
             if k not in {label for label, _ in items} and (counts.index.astype(str) == k).any()][:5]
    more = f" (12 most common of {len(counts):,})" if len(counts) > 12 else ""
    return svg.bars(items + extra, f"Rows per value of '{f.column}'{more}", highlight)


def _figures(f: Finding) -> str:
    if not f.value:
        return ""
    rows = "".join(f"<tr><td>{escape(str(k))}</td><td>{_text(v)}</td></tr>" for k, v in f.value.items())
    return f'<details><summary>Figures</summary><table class="figures">{rows}</table></details>'


def _evidence(f: Finding, frame: pd.DataFrame, target: str | None) -> str:
    rows = [r for r in f.evidence_rows if 0 <= r < len(frame)]
    if not rows:
        return ""
    if f.column is not None and f.column in frame.columns:
        columns = [f.column] + ([target] if target and target != f.column and target in frame.columns else [])
    else:
        columns = list(frame.columns[:8])
    part = frame.iloc[rows][columns]
    head = "".join(f"<th>{escape(str(c))}</th>" for c in columns)
    body = "".join(
        f"<tr><td>{pos}</td>" + "".join(f"<td>{_cell(v)}</td>" for v in values) + "</tr>"
        for pos, values in zip(rows, part.itertuples(index=False, name=None))
    )
    return (f"<details><summary>Example rows ({len(rows)})</summary><table><tr><th>row</th>{head}</tr>{body}"
            f"</table></details>")


def _finding(f: Finding, frame: pd.DataFrame, report: QualityReport, positions: np.ndarray | None) -> str:
    where = f" — column <b>{escape(f.column)}</b>" if f.column is not None else ""
    fix = f'<div class="fix">Suggested fix: {escape(f.fix.label)}</div>' if f.fix else ""
    sampled = '<div class="muted">Figures from a random sample of rows.</div>' if f.sampled else ""
    chart = _chart(f, frame, positions)
    chart = f'<div class="chart">{chart}</div>' if chart else ""
    return (
        f'<div class="finding f-{f.severity}"><div class="head">{_TITLES[f.severity][:-1]}{where}'
        f'<span class="check">{escape(f.check)}</span></div><p>{escape(f.message)}</p>{fix}{sampled}{chart}'
        f"{_figures(f)}{_evidence(f, frame, report.target)}</div>"
    )


def render_html(report: QualityReport, frame: pd.DataFrame, dataset_label: str) -> str:
    """The report as one self-contained HTML page (inline CSS and SVG charts)."""
    summary = report.summary()
    positions = _sample_positions(len(frame), report.thresholds.sample_seed)
    target = f"target <b>{escape(report.target)}</b>" if report.target else "no target chosen (target checks skipped)"
    sampled = (f"<p class='meta'>Correlation, leakage, outlier limits and skew used a random sample of "
               f"{report.sample_rows:,} rows.</p>" if report.sample_rows else "")
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Data quality — {escape(dataset_label)}</title><style>{_CSS}</style></head><body>",
        f"<h1>Data quality — {escape(dataset_label)}</h1>",
        f"<p class='meta'>{report.rows:,} rows × {report.columns:,} columns; {target}; checked in "
        f"{report.seconds:.2f} s.</p>{sampled}",
        "<div class='badges'>"
        f"<span class='b-error'>{summary['errors']} error{'s' * (summary['errors'] != 1)}</span>"
        f"<span class='b-warning'>{summary['warnings']} warning{'s' * (summary['warnings'] != 1)}</span>"
        f"<span class='b-info'>{summary['info']} note{'s' * (summary['info'] != 1)}</span></div>",
    ]
    if not report.findings:
        parts.append("<p>No problems found.</p>")
    for severity, findings in report.by_severity().items():
        if findings:
            parts.append(f"<h2>{_TITLES[severity]} ({len(findings)})</h2>")
            parts += [_finding(f, frame, report, positions) for f in findings]
    rows = "".join(f"<tr><td>{escape(n)}</td><td>{_text(v)}</td><td>{escape(m)}</td></tr>"
                   for n, v, m in report.thresholds.describe())
    parts.append(f"<h2>Thresholds</h2><details><summary>Thresholds used</summary><table><tr><th>name</th>"
                 f"<th>value</th><th>meaning</th></tr>{rows}</table></details>")
    parts.append("</body></html>")
    return "\n".join(parts)
