"""`mldesk export`, `predict`: a model version as a self-contained bundle, and batch scoring."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from desktop_app.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    add_json_flag,
    input_file,
    open_project,
    output_file,
    print_json,
    stderr_progress,
    usage_error,
)


def _size(n: float) -> str:
    if n < 1024:
        return f"{n:,} bytes"
    for unit in ("KB", "MB"):
        n /= 1024
        if n < 1024:
            return f"{n:.1f} {unit}"
    return f"{n / 1024:.1f} GB"


def export_json(result) -> dict[str, Any]:
    document = result.to_dict()
    verification = result.verification
    if verification is None:  # --no-verify
        document["verification"] = {"ok": None, "skipped": True, "reason": "Not verified (--no-verify).",
                                    "rows_checked": 0, "checks": [], "seconds": 0.0}
    document["sha256"] = result.model_sha256
    return document


def cmd_export(args: argparse.Namespace) -> int:
    with open_project(args.project) as project:
        result = project.bundles.export(args.model, args.out_dir, zip=args.zip, verify=not args.no_verify,
                                        overwrite=args.overwrite, progress=stderr_progress())
    if args.json:
        print_json(export_json(result))
        return EXIT_OK
    what = "zip" if result.zipped else "folder"
    print(f"Exported {result.model} to {result.path} ({what}, {_size(result.size_bytes)}, {result.seconds:.1f} s)")
    grouped: dict[str, int] = {}
    for name in result.files:  # top-level files one per line; a folder (code/) as one line with its count
        top, sep, _ = name.partition("/")
        if sep:
            grouped[top + "/"] = grouped.get(top + "/", 0) + 1
        else:
            print(f"  {name}")
    for folder, count in grouped.items():
        print(f"  {folder:<28}({count} files)")
    print(f"  model sha256 {result.model_sha256}")
    verification = result.verification
    if verification is None:
        print("Not verified (--no-verify).")
    elif verification.skipped:
        print(f"Not verified: {verification.reason}")
    else:
        print(f"✓ {verification.reason}" if verification.ok else f"✗ {verification.reason}")
    return EXIT_OK


def _issue_lines(report) -> list[str]:
    return [f"  {str(i.severity).upper():<8}{'[' + i.column + '] ' if i.column else ''}{i.message}"
            for i in report.issues]


def predict_json(result=None, report=None, refused: str | None = None) -> dict[str, Any]:
    report = result.report if result is not None else report
    document = {
        "rows": report.rows if report is not None else None,
        "scored": result.rows_scored if result is not None else 0,
        "left_out": result.rows_left_out if result is not None else None,
        "flagged": result.rows_flagged if result is not None else None,
        "issues": [i.to_dict() for i in report.issues] if report is not None else [],
        "out": str(result.out_path) if result is not None and result.out_path is not None else None,
        "valid_rows": report.valid_rows if report is not None else None,
        "scorable_rows": report.scorable_rows if report is not None else None,
        "fatal": report.fatal if report is not None else None,
        "validation": report.summary() if report is not None else None,
    }
    if result is not None:
        document.update({"model": result.model, "run": result.run_id, "classes": result.classes,
                         "left_out_examples": result.left_out_examples, "seconds": round(result.seconds, 3)})
    if refused is not None:
        document["refused"] = refused
    return document


def _with_reasons(project, args: argparse.Namespace, result):
    """The scored rows with the top three reasons of each prediction as columns (`--explain`), written to --out."""
    from dataclasses import replace

    from desktop_app.core.scoring.files import write_rows

    reasons = project.explain.reasons(args.model, result.output, progress=stderr_progress())
    output = result.output.join(reasons)
    written = write_rows(output, args.out) if args.out is not None else None
    return replace(result, output=output, out_path=written)


def cmd_predict(args: argparse.Namespace) -> int:
    from desktop_app.core.scoring.errors import ScoringError

    if args.json and args.out is None:
        raise usage_error("--json prints a summary instead of the rows, so give --out FILE for the rows")
    input_file(args.file, "FILE")
    if args.out is not None:
        output_file(args.out, "--out", "predictions.csv")
    with open_project(args.project) as project:
        try:
            result = project.scoring.score_file(args.model, args.file, out=None if args.explain else args.out,
                                                only_valid=args.only_valid, progress=stderr_progress())
            if args.explain:
                result = _with_reasons(project, args, result)
        except ScoringError as exc:
            message = str(exc)
            report = exc.report
            if report is not None and report.fatal and not args.only_valid and 0 < report.scorable_rows \
                    and not report.missing_columns:
                message = f"{message.rstrip('.')} with --only-valid."
            if args.json and report is not None:
                print_json(predict_json(report=report, refused=message))
            print(f"mldesk: {message}", file=sys.stderr)
            return EXIT_BAD_INPUT
    report = result.report
    left_out = (f"; {result.rows_left_out:,} rows that cannot be scored left out (--only-valid)"
                if result.rows_left_out else "")
    left_out += (f"; {result.rows_flagged:,} rows flagged (see the flags column)" if result.rows_flagged else "")
    if args.json:
        print_json(predict_json(result))
    elif args.out is None:  # the rows go to stdout, so that they pipe; the report to stderr
        result.output.to_csv(sys.stdout, index=False, lineterminator="\n")
        sys.stdout.flush()
        print(f"Scored {result.rows_scored:,} of {result.rows_in:,} rows with {result.model}{left_out}. "
              f"{report.summary()}", file=sys.stderr)
        for line in _issue_lines(report):
            print(line, file=sys.stderr)
    else:
        print(f"Scored {result.rows_scored:,} of {result.rows_in:,} rows with {result.model} → "
              f"{result.out_path}{left_out}")
        print(report.summary())
        for line in _issue_lines(report):
            print(line)
    return EXIT_OK


def add_commands(command) -> None:
    export = command("export", cmd_export, "export a model version as a self-contained, verified bundle")
    export.add_argument("project", metavar="PROJECT")
    export.add_argument("model", metavar="MODEL[@VERSION|@ALIAS]", help="a model reference (or a run id)")
    export.add_argument("out_dir", metavar="OUT_DIR", help="folder to write the bundle into")
    export.add_argument("--zip", action="store_true", help="write one zip file instead of a folder")
    export.add_argument("--no-verify", action="store_true",
                        help="skip running the bundle's predict.py against the model in MLDesk")
    export.add_argument("--overwrite", action="store_true", help="replace a bundle of the same name")
    add_json_flag(export)

    predict = command("predict", cmd_predict, "score a file with a model version (CSV to stdout, or --out FILE)")
    predict.add_argument("project", metavar="PROJECT")
    predict.add_argument("model", metavar="MODEL[@VERSION|@ALIAS]", help="a model reference (or a run id)")
    predict.add_argument("file", metavar="FILE", help="rows to score: CSV, Excel or Parquet")
    predict.add_argument("--out", metavar="FILE", help="write the scored rows here (.csv, .parquet or .xlsx)")
    predict.add_argument("--explain", action="store_true",
                         help="add each row's three strongest reasons as columns reason_1..reason_3, e.g. "
                              "'age +0.94' (its contribution to the log-odds; linear and tree models)")
    predict.add_argument("--only-valid", action="store_true",
                         help="score the rows that can be scored and leave out those with errors (text in a number "
                              "column, …); rows with warnings are always scored and say why in the flags column")
    add_json_flag(predict, "print a summary as one JSON document (needs --out)")
