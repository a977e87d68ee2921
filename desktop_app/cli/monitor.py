"""`mldesk drift`: a batch of new rows checked for drift against a registered model version."""

from __future__ import annotations

import argparse
from typing import Any

from desktop_app.cli.common import (
    EXIT_DRIFT, EXIT_OK, add_json_flag, column_width, input_file, metric, non_empty, open_project, output_file,
    print_json, stderr_progress, write_failed,
)

COLUMN_KEYS = ("column", "kind", "test", "statistic", "p_value", "threshold", "drifted")


def batch_json(batch) -> dict[str, Any]:
    results = batch.results
    prediction = results.get("prediction") or {}
    return {
        "dataset_drift": batch.dataset_drift, "share_drifted": batch.share_drifted,
        "drift_share": results.get("drift_share"), "drifted_columns": batch.drifted_columns,
        # the contract's keys first, then the rest of what was measured (psi, missing shares, new categories…)
        "columns": [{**{k: c.get(k) for k in COLUMN_KEYS}, **{k: v for k, v in c.items() if k not in COLUMN_KEYS}}
                    for c in batch.columns],
        "skipped": results.get("skipped", {}),
        "prediction_drift": batch.prediction_drift, "prediction": prediction.get("columns", []),
        "multivariate_drift": batch.multivariate_drift, "multivariate": results.get("multivariate"),
        "target": results.get("target"), "metrics": results.get("metrics"),
        "batch": batch.id, "name": batch.name, "model": batch.model_label,
        "model_version_id": batch.model_version_id, "dataset": batch.dataset_label, "sha256": batch.data_sha256,
        "rows": batch.rows, "validation": results.get("validation"), "reference": results.get("reference"),
        "settings": results.get("settings"), "created_at": batch.created_at, "created_by": batch.created_by,
    }


def _failing(batch, fail_on: str) -> bool:
    if fail_on == "column":
        return bool(batch.drifted_columns)
    if fail_on == "any":
        return bool(batch.dataset_drift or batch.drifted_columns or batch.prediction_drift
                     or batch.multivariate_drift)
    return batch.dataset_drift


def _print_table(rows: list[dict[str, Any]]) -> None:
    width = column_width("COLUMN", (str(c["column"]) for c in rows))
    print(f"  {'COLUMN':<{width}}{'KIND':<13}{'TEST':<16}{'STATISTIC':>10}{'P-VALUE':>10}{'THRESHOLD':>11}"
          f"{'PSI':>8}  DRIFT")
    for c in rows:
        mark = "DRIFTED" if c.get("drifted") else "·"
        note = f"  ({c['note']})" if c.get("note") else ""
        print(f"  {str(c['column']):<{width}}{c.get('kind') or '':<13}{c.get('test') or 'untested':<16}"
              f"{metric(c.get('statistic'), '.4f'):>10}{metric(c.get('p_value'), '.4f'):>10}"
              f"{metric(c.get('threshold'), 'g'):>11}{metric(c.get('psi'), '.3f'):>8}  {mark}{note}")


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
    failing = _failing(batch, args.fail_on)
    if args.json:
        print_json(batch_json(batch))
        return EXIT_DRIFT if failing else EXIT_OK
    results = batch.results
    print(f"Batch {batch.short_id} ({batch.name}, {batch.rows:,} rows) against {batch.model_label}, "
          f"stored as {batch.dataset_label}")
    _print_table(batch.columns)
    for column, why in (results.get("skipped") or {}).items():
        print(f"  {column:<24}not tested: {why}")
    prediction = (results.get("prediction") or {}).get("columns", [])
    if prediction:
        print("Predictions")
        _print_table(prediction)
    multivariate = results.get("multivariate") or {}
    if multivariate.get("skipped"):
        print(f"Domain classifier: skipped ({multivariate['skipped']})")
    elif multivariate:
        low, high = multivariate.get("band") or (None, None)
        verdict = (f"outside {low:g}–{high:g}: multivariate drift" if multivariate.get("drifted")
                   else f"within {low:g}–{high:g}: no multivariate drift")
        top = ", ".join(f["column"] for f in multivariate.get("top_features") or [])
        print(f"Domain classifier: AUROC {metric(multivariate.get('auc'))} ({verdict})"
              + (f"; separated most by {top}" if multivariate.get("drifted") and top else ""))
    labelled = (results.get("metrics") or {}).get("metrics") or {}
    if labelled:
        print("On the labelled rows: " + ", ".join(f"{k} {metric(v)}" for k, v in labelled.items()))
        gate = (results.get("metrics") or {}).get("gate") or {}
        if gate.get("passed") is not None:
            print("KPI gate on the labelled rows: " + ("passed" if gate["passed"] else
                                                        "FAILED — " + "; ".join(gate.get("failures") or [])))
    tested, drifted = len(batch.columns), len(batch.drifted_columns)
    share = f"{batch.share_drifted:.0%} {'≥' if batch.dataset_drift else '<'} {results.get('drift_share', 0):.0%}"
    if batch.dataset_drift:
        print(f"DRIFT: {drifted} of {tested} columns drifted ({share}): {', '.join(batch.drifted_columns)}")
    elif drifted:
        print(f"No dataset drift: {drifted} of {tested} columns drifted ({share}): {', '.join(batch.drifted_columns)}")
    else:
        print(f"No drift: none of {tested} columns drifted")
    if args.html:
        print(f"Report written to {args.html}")
    return EXIT_DRIFT if failing else EXIT_OK


def add_commands(command) -> None:
    drift = command("drift", cmd_drift, "check a batch of new rows for drift against a model version "
                                        "(exit 3 when drift is found)")
    drift.add_argument("project", metavar="PROJECT")
    drift.add_argument("model", metavar="MODEL[@VERSION|@ALIAS]")
    drift.add_argument("file", metavar="FILE", help="the new rows: CSV, Excel or Parquet")
    drift.add_argument("--name", type=non_empty, help="the batch's name (default: the file name)")
    drift.add_argument("--fail-on", choices=["dataset", "column", "any"], default="dataset",
                       help="exit 3 on dataset drift (default), on any drifted column, or on any drift at all "
                            "(columns, predictions, domain classifier)")
    drift.add_argument("--html", metavar="FILE", help="also write the drift report as a self-contained HTML page")
    add_json_flag(drift)
