"""The `mldesk` command: argument parsing and printing, nothing else.

Every command takes the project folder first, prints a human summary, or one JSON
document with --json. A user's mistake is one sentence on stderr and exit code 1
(2 for usage errors); never a traceback. Heavy libraries are imported inside the
commands so `mldesk --help` stays instant.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Callable, Sequence

from desktop_app import __version__

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2


def _print_json(document: Any) -> None:
    json.dump(document, sys.stdout, indent=2, default=str, ensure_ascii=False)
    sys.stdout.write("\n")


def _stderr_progress() -> Callable[[float, str], None]:
    """A percentage on stderr when it is a terminal; silence in scripts and pipes."""
    if not sys.stderr.isatty():
        return lambda fraction, message: None
    last = [-1]

    def report(fraction: float, message: str) -> None:
        percent = int(fraction * 100)
        if percent != last[0]:
            last[0] = percent
            sys.stderr.write(f"\r{percent:3d}%  {message[:60]:<60}")
            sys.stderr.flush()
            if fraction >= 1.0:
                sys.stderr.write("\n")

    return report


def _version_json(version) -> dict[str, Any]:
    return {
        "dataset": version.dataset_name,
        "version": version.number,
        "id": version.id,
        "sha256": version.sha256,
        "rows": version.rows,
        "columns": version.n_columns,
        "kinds": {c.name: str(c.kind) for c in version.columns},
        "source": version.source_name,
        "created_at": version.created_at.isoformat(),
        "created_by": version.created_by,
        "parent": version.parent_id,
    }


# -- commands ---------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from desktop_app.core.project import Project

    with Project.create(args.project, name=args.name) as project:
        if args.json:
            _print_json({"project": project.name, "id": project.id, "path": str(project.path.resolve())})
        else:
            print(f"Created project '{project.name}' in {project.path}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from desktop_app.core.data.detect import detect_settings
    from desktop_app.core.data.settings import FileFormat
    from desktop_app.core.project import Project

    with Project.open(args.project) as project:
        settings = detect_settings(args.file)
        changes: dict[str, Any] = {}
        if args.sep is not None:
            changes["delimiter"] = "\t" if args.sep in ("\\t", "tab") else args.sep
        if args.encoding is not None:
            changes["encoding"] = args.encoding
        if args.decimal is not None:
            changes["decimal"] = args.decimal
        if args.sheet is not None:
            if settings.format != FileFormat.EXCEL:
                raise _usage_error("--sheet only applies to Excel files")
            changes["sheet"] = args.sheet
        if args.skip_bad_lines:
            changes["bad_lines"] = "skip"
        kinds = dict(_parse_kind(item) for item in args.kind)
        result = project.datasets.import_file(
            args.file, name=args.name, settings=settings.with_changes(**changes), kinds=kinds,
            progress=_stderr_progress(),
        )
        version = result.version
        if args.json:
            document = _version_json(version)
            document.update(
                {"created": result.created, "settings": result.settings.to_dict(), "warnings": list(result.warnings)}
            )
            _print_json(document)
        else:
            verb = "Imported" if result.created else "Already imported as"
            print(f"{verb} {version.label}: {version.rows:,} rows × {version.n_columns} columns (sha256 {version.sha256[:12]}…)")
            for warning in result.warnings:
                print(f"  warning: {warning}")
    return EXIT_OK


def cmd_datasets(args: argparse.Namespace) -> int:
    from desktop_app.core.project import Project

    with Project.open(args.project) as project:
        datasets = project.datasets.list()
        if args.json:
            _print_json(
                {
                    "project": project.name,
                    "datasets": [
                        {"name": d.name, "id": d.id, "versions": [_version_json(v) for v in d.versions]}
                        for d in datasets
                    ],
                }
            )
            return EXIT_OK
        if not datasets:
            print(f"No datasets in '{project.name}' yet — add one with: mldesk import {args.project} FILE")
            return EXIT_OK
        print(f"{'DATASET':<28}{'ROWS':>12}{'COLUMNS':>9}  {'CREATED (UTC)':<17}  SHA256")
        for dataset in datasets:
            for v in dataset.versions:
                print(
                    f"{v.label:<28}{v.rows:>12,}{v.n_columns:>9}  "
                    f"{v.created_at:%Y-%m-%d %H:%M}  {v.sha256[:12]}"
                )
    return EXIT_OK


def _thresholds(items: list[str]):
    from dataclasses import fields

    from desktop_app.core.quality import Thresholds

    types = {f.name: type(f.default) for f in fields(Thresholds)}
    changes: dict[str, Any] = {}
    for item in items:
        name, value = _parse_pair(item, "--threshold")
        if name not in types:
            raise _usage_error(f"--threshold: '{name}' is not a threshold; known: {', '.join(types)}")
        try:
            changes[name] = types[name](value)
        except ValueError:
            raise _usage_error(f"--threshold {item}: '{value}' is not a number") from None
    return Thresholds().with_changes(**changes)


def _report_json(stored) -> dict[str, Any]:
    report = stored.report
    return {
        "dataset": stored.version.dataset_name,
        "version": stored.version.number,
        "target": report.target,
        "rows": report.rows,
        "sample_rows": report.sample_rows,
        "findings": [
            {key: finding[key] for key in ("check", "severity", "column", "message", "value", "fix")}
            for finding in (f.to_dict() for f in report.findings)
        ],
        "summary": report.summary(),
        "thresholds": report.thresholds.to_dict(),
    }


def cmd_check(args: argparse.Namespace) -> int:
    from desktop_app.core.project import Project

    thresholds = _thresholds(args.threshold)
    with Project.open(args.project) as project:
        stored = project.quality.check(args.dataset, target=args.target, thresholds=thresholds,
                                       progress=_stderr_progress())
        if args.html:
            project.quality.export_html(stored, args.html)
        report = stored.report
        if args.json:
            _print_json(_report_json(stored))
        else:
            print(f"{stored.version.label}: {report.summary()['text']}, {report.summary()['info']} notes"
                  f"{' (target ' + report.target + ')' if report.target else ' (no target chosen: target checks skipped)'}")
            for finding in report.findings:
                where = f"[{finding.column}] " if finding.column else ""
                print(f"  {finding.severity.upper():<8}{finding.check:<22}{where}{finding.message}")
                if finding.fix:
                    print(f"  {'':<30}fix: {finding.fix.label}")
            if args.html:
                print(f"Report written to {args.html}")
        counts = report.summary()
        failing = {"error": counts["errors"], "warning": counts["errors"] + counts["warnings"]}.get(args.fail_on, 0)
    return EXIT_BAD_INPUT if failing else EXIT_OK


def cmd_fix(args: argparse.Namespace) -> int:
    from desktop_app.core.project import Project
    from desktop_app.core.errors import NotFoundError
    from desktop_app.core.quality.plan import plan_fixes

    with Project.open(args.project) as project:
        stored = project.quality.check(args.dataset, target=args.target, progress=_stderr_progress())
        chosen = []
        for wanted in args.apply:
            check, _, column = wanted.partition(":")
            matches = [f for f in stored.report.findings
                       if f.check == check and f.fix is not None and (not column or f.column == column)]
            if not matches:
                raise NotFoundError(
                    f"{stored.version.label} has no fixable finding '{wanted}'; "
                    f"`mldesk check {args.project} {args.dataset}` lists the findings and their fixes."
                )
            chosen.extend(f for f in matches if f not in chosen)
        plan = plan_fixes(chosen)  # the window's order: types, rows, values, dropped columns
        for skipped in (p for p in plan.fixes if p.skipped):
            print(f"mldesk: skipped '{skipped.label}': {skipped.skipped}", file=sys.stderr)
        steps = plan.steps
        result = project.quality.apply_fixes(stored.version, steps, progress=_stderr_progress())
        version = result.version
        if args.json:
            document = _version_json(version)
            document.update({"created": result.created, "recipe": version.recipe,
                             "applied": [step.to_dict() for step in steps]})
            _print_json(document)
        else:
            print(f"Made {version.label} from {stored.version.label}: {version.rows:,} rows × {version.n_columns} columns")
            for step in steps:
                print(f"  {step.label}")
    return EXIT_OK


def _run_json(run) -> dict[str, Any]:
    return {
        "run": run.id, "status": str(run.status), "model": run.algorithm, "task": run.task,
        "dataset": run.dataset_label, "dataset_sha256": run.dataset_sha256, "target": run.target,
        "experiment": run.experiment, "params": run.params, "seed": run.seed, "options": run.options,
        "metrics": run.metrics, "cv_metrics": run.cv_metrics, "error": run.error,
        "threshold": run.summary.get("threshold"), "pipeline": run.summary.get("pipeline_steps", []),
        "started_at": run.started_at, "ended_at": run.ended_at, "duration_seconds": run.duration_seconds,
        "user": run.user, "host": run.host, "environment": run.environment,
    }


def _metric(value: Any) -> str:
    return "—" if value is None else f"{value:.4g}"


def cmd_train(args: argparse.Namespace) -> int:
    from desktop_app.core.project import Project
    from desktop_app.core.tracking.entities import RunSpec, RunStatus

    if args.search and args.trials < 1:
        raise _usage_error("--trials must be at least 1")
    spec = RunSpec(
        dataset=args.dataset, target=args.target, algorithm=args.model,
        params=dict(_parse_pair(item, "--param") for item in args.param), experiment=args.experiment,
        task=args.task, test_size=args.test_size, seed=args.seed, cv_folds=args.cv, class_weight=args.class_weight,
        positive_label=args.positive, time_column=args.time_column, tune_threshold=args.tune_threshold,
        search=args.search, trials=args.trials, time_budget_seconds=args.time_budget,
    )
    with Project.open(args.project) as project:
        try:
            run = project.runs.train(spec, progress=_stderr_progress())
        except KeyboardInterrupt:
            print("mldesk: interrupted; the run is recorded as cancelled.", file=sys.stderr)
            raise
        if args.json:
            _print_json(_run_json(run))
        elif run.status == RunStatus.FINISHED:
            print(f"Run {run.short_id} finished: {run.algorithm} on {run.dataset_label} → {run.target}")
            for name, value in run.metrics.items():
                cv = run.cv_metrics.get(f"cv_{name}_mean")
                cv_text = f"   (CV {cv:.4g} ± {run.cv_metrics.get(f'cv_{name}_std', 0):.2g})" if cv is not None else ""
                print(f"  {name:<20}{_metric(value)}{cv_text}")
        else:
            print(f"Run {run.short_id} {run.status}: {(run.error or '').splitlines()[0] if run.error else ''}")
    return EXIT_OK if run.status == RunStatus.FINISHED else EXIT_BAD_INPUT


def cmd_runs(args: argparse.Namespace) -> int:
    from desktop_app.core.project import Project

    with Project.open(args.project) as project:
        runs = project.runs.list(experiment=args.experiment)
        if args.sort:
            known = [r for r in runs if r.metrics.get(args.sort) is not None]
            unknown = [r for r in runs if r.metrics.get(args.sort) is None]
            from desktop_app.core.compare import LOWER_IS_BETTER

            runs = sorted(known, key=lambda r: r.metrics[args.sort], reverse=args.sort not in LOWER_IS_BETTER)
            runs += unknown
        if args.json:
            _print_json({"runs": [_run_json(r) for r in runs]})
            return EXIT_OK
        if not runs:
            print(f"No runs yet — train one with: mldesk train {args.project} DATASET --target COL --model ALGO")
            return EXIT_OK
        names = [args.sort] if args.sort else []
        names += [m for m in ("accuracy", "recall", "roc_auc", "f1", "r2", "rmse") if m not in names]
        names = [m for m in names if any(m in r.metrics for r in runs)][:4]
        print(f"{'RUN':<10}{'STATUS':<11}{'MODEL':<24}{'DATASET':<16}" + "".join(f"{n:>11}" for n in names))
        for r in runs:
            print(f"{r.short_id:<10}{r.status:<11}{r.algorithm:<24}{r.dataset_label:<16}"
                  + "".join(f"{_metric(r.metrics.get(n)):>11}" for n in names))
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    from desktop_app.core.compare import compare_runs
    from desktop_app.core.project import Project

    with Project.open(args.project) as project:
        runs = [project.runs.get(ref) for ref in args.runs]
        comparison = compare_runs(runs)
        if args.json:
            _print_json(comparison.to_dict())
            return EXIT_OK
        width = 14
        print(f"{'':<26}" + "".join(f"{r.short_id:>{width}}" for r in runs))
        rows = comparison.settings if args.all else comparison.differing_settings()
        print("settings" + ("" if args.all else " that differ (--all for every one)"))
        for row in rows:
            print(f"  {row.name:<24}" + "".join(f"{str(v)[:width - 1]:>{width}}" for v in row.values))
        print("metrics (* best)")
        for row in comparison.metrics:
            cells = [f"{_metric(v)}{'*' if i == row.best else ' '}" for i, v in enumerate(row.values)]
            print(f"  {row.name:<24}" + "".join(f"{c:>{width}}" for c in cells))
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    from desktop_app.ui.app import main as gui_main

    return gui_main(project_path=getattr(args, "project", None))


# -- parsing ----------------------------------------------------------------------------


class _UsageError(Exception):
    pass


def _usage_error(message: str) -> _UsageError:
    return _UsageError(message)


def _parse_pair(text: str, option: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise _usage_error(f"{option} takes COLUMN=VALUE, not '{text}'")
    return key, value


def _parse_kind(text: str) -> tuple[str, str]:
    from desktop_app.core.data.settings import ColumnKind

    column, kind = _parse_pair(text, "--kind")
    allowed = [str(k) for k in ColumnKind]
    if kind not in allowed:
        raise _usage_error(f"--kind {text}: '{kind}' is not a column kind; use one of {', '.join(allowed)}")
    return column, kind


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mldesk",
        description="MLDesk: load data, check it, train and compare models, register, export, monitor drift.",
        epilog="Run without a command to open the window.",
    )
    parser.add_argument("--version", action="version", version=f"mldesk {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, handler, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    gui = command("gui", cmd_gui, "open the window (on PROJECT, or the welcome page)")
    gui.add_argument("project", nargs="?", metavar="PROJECT")

    init = command("init", cmd_init, "create a project folder")
    init.add_argument("project", metavar="PROJECT")
    init.add_argument("--name", help="the project's display name (default: the folder name)")
    init.add_argument("--json", action="store_true", help="print one JSON document")

    imp = command("import", cmd_import, "import a CSV/TSV/TXT, Excel or Parquet file as a dataset version")
    imp.add_argument("project", metavar="PROJECT")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--name", help="dataset name (default: the file name without extension)")
    imp.add_argument("--sheet", help="Excel sheet to read (default: the first)")
    imp.add_argument("--sep", help="field separator, e.g. ';' or '\\t' (default: detected)")
    imp.add_argument("--encoding", help="text encoding, e.g. cp1252 (default: detected)")
    imp.add_argument("--decimal", help="decimal mark, '.' or ',' (default: detected)")
    imp.add_argument("--kind", action="append", default=[], metavar="COLUMN=KIND",
                     help="override a column's kind: numeric, categorical, boolean, datetime, text, id")
    imp.add_argument("--skip-bad-lines", action="store_true",
                     help="skip rows with too many fields instead of refusing the file")
    imp.add_argument("--json", action="store_true", help="print one JSON document")

    check = command("check", cmd_check, "check a dataset version's quality and save the report")
    check.add_argument("project", metavar="PROJECT")
    check.add_argument("dataset", metavar="DATASET[@N]")
    check.add_argument("--target", help="the column to predict (enables the target checks)")
    check.add_argument("--threshold", action="append", default=[], metavar="NAME=VALUE",
                       help="change a threshold, e.g. rare_share=0.02 (docs/quality_checks.md lists them)")
    check.add_argument("--fail-on", choices=["error", "warning"],
                       help="exit 1 when findings of this severity (or worse) exist")
    check.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report")
    check.add_argument("--json", action="store_true", help="print one JSON document")

    fix = command("fix", cmd_fix, "apply the suggested fixes of findings, making a new dataset version")
    fix.add_argument("project", metavar="PROJECT")
    fix.add_argument("dataset", metavar="DATASET[@N]")
    fix.add_argument("--apply", action="append", required=True, metavar="CHECK[:COLUMN]",
                     help="a finding whose fix to apply, e.g. duplicate_rows or missing_values:age")
    fix.add_argument("--target", help="the column to predict")
    fix.add_argument("--json", action="store_true", help="print one JSON document")

    train = command("train", cmd_train, "train a model on a dataset version and record the run")
    train.add_argument("project", metavar="PROJECT")
    train.add_argument("dataset", metavar="DATASET[@N]")
    train.add_argument("--target", required=True, help="the column to predict")
    train.add_argument("--model", required=True, metavar="ALGO",
                       help="e.g. logistic_regression, random_forest, hist_gradient_boosting, ridge")
    train.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a model parameter")
    train.add_argument("--task", choices=["classification", "regression"], help="default: detected from the target")
    train.add_argument("--test-size", type=float, default=0.25, help="share of rows held out (default 0.25)")
    train.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    train.add_argument("--cv", type=int, metavar="K", help="also cross-validate with K folds")
    train.add_argument("--class-weight", choices=["balanced"], help="weigh classes by their rarity")
    train.add_argument("--positive", help="the positive class (default: the minority class)")
    train.add_argument("--time-column", help="split by time on this column (the latest rows are the test set)")
    train.add_argument("--tune-threshold", action="store_true", help="pick the decision threshold maximising F1")
    train.add_argument("--search", choices=["grid", "random", "halving"], help="search parameters")
    train.add_argument("--trials", type=int, default=20, help="candidates for random search (default 20)")
    train.add_argument("--time-budget", type=float, metavar="SECONDS", help="stop a search after this long")
    train.add_argument("--experiment", default="Default", help="experiment to file the run under")
    train.add_argument("--json", action="store_true", help="print one JSON document")

    runs = command("runs", cmd_runs, "list runs")
    runs.add_argument("project", metavar="PROJECT")
    runs.add_argument("--experiment", help="only this experiment's runs")
    runs.add_argument("--sort", metavar="METRIC", help="best first by this metric")
    runs.add_argument("--json", action="store_true", help="print one JSON document")

    compare = command("compare", cmd_compare, "compare runs side by side")
    compare.add_argument("project", metavar="PROJECT")
    compare.add_argument("runs", nargs="+", metavar="RUN", help="run ids (a unique prefix of 6+ characters)")
    compare.add_argument("--all", action="store_true", help="show every setting, not only those that differ")
    compare.add_argument("--json", action="store_true", help="print one JSON document")

    ds = command("datasets", cmd_datasets, "list datasets and their versions")
    ds.add_argument("project", metavar="PROJECT")
    ds.add_argument("--json", action="store_true", help="print one JSON document")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return cmd_gui(args)
    from desktop_app.core.errors import MLDeskError

    try:
        return args.handler(args)
    except _UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"mldesk: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except MLDeskError as exc:
        print(f"mldesk: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # e.g. `mldesk check … --json | head`: the reader left, not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("mldesk: interrupted; nothing was saved.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
