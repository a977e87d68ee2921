"""`mldesk drift`: a batch of new rows checked for drift against a registered model version."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from desktop_app.cli.common import (
    EXIT_DRIFT,
    EXIT_OK,
    add_json_flag,
    column_width,
    input_file,
    metric,
    non_empty,
    open_project,
    output_file,
    print_json,
    stderr_progress,
    write_failed,
)
from desktop_app.core.monitor.verdict import verdict

if TYPE_CHECKING:
    from desktop_app.core.monitor.entities import (
        ColumnDriftResult,
        LabelledMetrics,
        MonitoringBatch,
        MultivariateDrift,
    )

COLUMN_KEYS = ("column", "kind", "test", "statistic", "p_value", "threshold", "drifted")


def batch_json(batch: MonitoringBatch) -> dict[str, Any]:
    r = batch.result
    return {
        "dataset_drift": batch.dataset_drift, "share_drifted": batch.share_drifted,
        "drift_share": r.drift_share, "drifted_columns": batch.drifted_columns,
        # the contract's keys first, then the rest of what was measured (psi, missing shares, new categories…)
        "columns": [_column_json(c) for c in r.columns],
        "skipped": dict(r.skipped),
        "prediction_drift": batch.prediction_drift, "prediction": [c.to_dict() for c in r.prediction.columns],
        "multivariate_drift": batch.multivariate_drift,
        "multivariate": r.multivariate.to_dict() if r.multivariate is not None else None,
        "target": r.target.to_dict() if r.target is not None else None,
        "metrics": r.metrics.to_dict() if r.metrics is not None else None,
        "batch": batch.id, "name": batch.name, "model": batch.model_label,
        "model_version_id": batch.model_version_id, "dataset": batch.dataset_label, "sha256": batch.data_sha256,
        "rows": batch.rows, "validation": r.validation.to_dict() if r.validation is not None else None,
        "reference": r.reference.to_dict() if r.reference is not None else None,
        "settings": dict(r.settings), "created_at": batch.created_at, "created_by": batch.created_by,
    }


def _column_json(c: ColumnDriftResult) -> dict[str, Any]:
    data = c.to_dict()
    return {**{k: data.get(k) for k in COLUMN_KEYS}, **{k: v for k, v in data.items() if k not in COLUMN_KEYS}}


FAIL_ON_HELP = {
    "dataset": "at least the drift share (default half) of the columns drifted",
    "column": "any input column drifted",
    "any": "a column, the predictions or the domain classifier drifted",
}
EXIT_EPILOG = ("exit codes: 0 when the check ran and the --fail-on condition does not hold (drifted\n"
               "columns are still listed), 3 when it holds, 1 for a bad input:\n"
               + "".join(f"  --fail-on {k:<8} exit 3 when {v}\n" for k, v in FAIL_ON_HELP.items()))


def _print_table(rows: Sequence[ColumnDriftResult]) -> None:
    width = column_width("COLUMN", (c.column for c in rows))
    print(f"  {'COLUMN':<{width}}{'KIND':<13}{'TEST':<16}{'STATISTIC':>10}{'P-VALUE':>10}{'THRESHOLD':>11}"
          f"{'PSI':>8}  DRIFT")
    for c in rows:
        mark = "DRIFTED" if c.drifted else "·"
        note = f"  ({c.note})" if c.note else ""
        print(f"  {c.column:<{width}}{c.kind or '':<13}{c.test or 'untested':<16}"
              f"{metric(c.statistic, '.4f'):>10}{metric(c.p_value, '.4f'):>10}"
              f"{metric(c.threshold, 'g'):>11}{metric(c.psi, '.3f'):>8}  {mark}{note}")


def cmd_drift(args: argparse.Namespace) -> int:
    input_file(args.file, "FILE")
    html = output_file(args.html, "--html", "drift.html") if args.html else None  # before the work, not after it
    with open_project(args.project) as project:
        batch = project.monitor.add_batch(args.model, args.file, name=args.name, progress=stderr_progress())
        if html is not None:
            try:
                html.write_text(project.monitor.report_html(batch), encoding="utf-8")
            except OSError as exc:
                raise write_failed(html, exc, f"The batch was stored as {batch.short_id}") from None
    failing, why = verdict(batch, args.fail_on)
    code = EXIT_DRIFT if failing else EXIT_OK
    if args.json:
        print_json({**batch_json(batch), "fails_on": args.fail_on, "failed": failing, "reason": why,
                    "exit_code": code})
        return code
    r = batch.result
    print(f"Batch {batch.short_id} ({batch.name}, {batch.rows:,} rows) against {batch.model_label}, "
          f"stored as {batch.dataset_label}")
    _print_table(r.columns)
    for column, why in r.skipped.items():
        print(f"  {column:<24}not tested: {why}")
    if r.prediction.columns:
        print("Predictions")
        _print_table(r.prediction.columns)
    _print_multivariate(r.multivariate)
    _print_labelled(r.metrics)
    print(("DRIFT" if batch.dataset_drift else "No dataset drift" if batch.drifted_columns else "No drift")
          + f" — exit {code} (--fail-on {args.fail_on}): {why}")
    if args.html:
        print(f"Report written to {args.html}")
    return code


def _print_multivariate(multivariate: MultivariateDrift | None) -> None:
    if multivariate is None:
        return
    if multivariate.skipped:
        print(f"Domain classifier: skipped ({multivariate.skipped})")
        return
    low, high = multivariate.band or (None, None)
    verdict = (f"outside {low:g}–{high:g}: multivariate drift" if multivariate.drifted
               else f"within {low:g}–{high:g}: no multivariate drift")
    top = ", ".join(f.column for f in multivariate.top_features)
    print(f"Domain classifier: AUROC {metric(multivariate.auc)} ({verdict})"
          + (f"; separated most by {top}" if multivariate.drifted and top else ""))


def _print_labelled(metrics: LabelledMetrics | None) -> None:
    if metrics is None or not metrics.metrics:
        return
    print("On the labelled rows: " + ", ".join(f"{k} {metric(v)}" for k, v in metrics.metrics.items()))
    if metrics.gate_passed is not None:
        failures = metrics.gate.failures if metrics.gate is not None else ()
        print("KPI gate on the labelled rows: " + ("passed" if metrics.gate_passed else
                                                    "FAILED — " + "; ".join(failures)))


def add_commands(command) -> None:
    drift = command("drift", cmd_drift, "check a batch of new rows for drift against a model version "
                                        "(exit 3 when the --fail-on condition holds)")
    drift.epilog, drift.formatter_class = EXIT_EPILOG, argparse.RawDescriptionHelpFormatter
    drift.add_argument("project", metavar="PROJECT")
    drift.add_argument("model", metavar="MODEL[@VERSION|@ALIAS]")
    drift.add_argument("file", metavar="FILE", help="the new rows: CSV, Excel or Parquet")
    drift.add_argument("--name", type=non_empty, help="the batch's name (default: the file name)")
    drift.add_argument("--fail-on", choices=["dataset", "column", "any"], default="dataset",
                       help="when to exit 3: dataset (default) — at least the drift share (half) of the columns "
                            "drifted; column — any column drifted; any — a column, the predictions or the domain "
                            "classifier drifted")
    drift.add_argument("--html", metavar="FILE", help="also write the drift report as a self-contained HTML page")
    add_json_flag(drift)
