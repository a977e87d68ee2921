"""`mldesk init`, `import`, `datasets`, `check`, `fix`: projects, datasets and their quality."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from desktop_app.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    add_json_flag,
    non_empty,
    open_project,
    output_file,
    parse_kind,
    parse_pair,
    print_json,
    stderr_progress,
    usage_error,
    version_json,
    write_failed,
)


def cmd_init(args: argparse.Namespace) -> int:
    from desktop_app.core.project import Project

    if args.objects and not args.db:
        raise usage_error("--objects names the team's objects folder of a team database; give --db URL with it")
    with Project.create(args.project, name=args.name, team_database=args.db, objects=args.objects,
                        upgrade=args.upgrade) as project:
        attached = project.joined
        if args.json:
            print_json({"project": project.name, "id": project.id, "path": str(project.path.resolve()),
                        "team_database": project.team_database, "attached": attached,
                        "objects": str(project.objects.root)})
        elif attached:
            print(f"Attached {project.path} to '{project.name}' in the team database {project.team_database} "
                  f"(objects in {project.objects.root}).")
        elif project.team_database:
            print(f"Created project '{project.name}' in the team database {project.team_database} "
                  f"(objects in {project.objects.root}); attach other workstations with: "
                  f"mldesk init FOLDER --db URL")
        else:
            print(f"Created project '{project.name}' in {project.path}")
    return EXIT_OK


_IMPORT_OPTIONS = {  # ReadSettings field → (the import option that sets it, an example of its use)
    "delimiter": ("--sep", "--sep ';' or --sep tab"), "decimal": ("--decimal", "--decimal ','"),
    "skip_rows": ("--skip-rows", "--skip-rows 4"),
}


def _read_settings(settings, changes: dict[str, Any]):
    """The detected settings with the command line's changes; a value that cannot work is a usage error."""
    from desktop_app.core.data.settings import SettingError

    if changes.get("decimal") is not None and changes["decimal"] == settings.thousands:
        changes = {**changes, "thousands": None}  # the decimal mark asked for wins over a detected separator
    try:
        return settings.with_changes(**changes)
    except SettingError as exc:
        if exc.setting not in changes or exc.setting not in _IMPORT_OPTIONS:
            raise
        option, example = _IMPORT_OPTIONS[exc.setting]
        raise usage_error(f"{option} takes {exc.expected} (got {exc.value!r}); use e.g. {example}") from None


def cmd_import(args: argparse.Namespace) -> int:
    from desktop_app.core.data.import_glance import import_at_glance

    progress = stderr_progress()
    # A local project that needs nothing done on opening is not opened: the file is read, then its
    # version recorded at a glance, without SQLAlchemy's third of a second (core.data.import_glance).
    done = import_at_glance(args.project, lambda: _read_file(args, progress), progress)
    result = done.result if done is not None else None
    if result is None:
        with open_project(args.project) as project:
            result = project.datasets.store_read(done.read if done is not None else _read_file(args, progress),
                                                 progress)
    version = result.version
    if args.json:
        document = version_json(version)
        document.update(
            {"created": result.created, "settings": result.settings.to_dict(), "warnings": list(result.warnings)}
        )
        print_json(document)
    else:
        verb = "Imported" if result.created else "Already imported as"
        print(f"{verb} {version.label}: {version.rows:,} rows × {version.n_columns} columns "
              f"(sha256 {version.sha256[:12]}…)")
        for warning in result.warnings:
            print(f"  warning: {warning}")
    return EXIT_OK


def _read_file(args: argparse.Namespace, progress):
    """The file read for import with the detected settings and the command line's changes (`data.reading`)."""
    from desktop_app.core.data.detect import detect_settings
    from desktop_app.core.data.reading import read_for_import
    from desktop_app.core.data.settings import FileFormat

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
            raise usage_error("--sheet only applies to Excel files")
        changes["sheet"] = args.sheet
    if args.skip_bad_lines:
        changes["bad_lines"] = "skip"
    if args.skip_rows is not None:
        changes["skip_rows"] = args.skip_rows
    kinds = dict(parse_kind(item) for item in args.kind)
    return read_for_import(args.file, name=args.name, settings=_read_settings(settings, changes), kinds=kinds,
                           progress=progress)


def cmd_datasets(args: argparse.Namespace) -> int:
    from desktop_app.core.data.listing import datasets_at

    found = datasets_at(args.project)  # a glance: no SQLAlchemy to import when the project needs nothing done
    if found is None:
        with open_project(args.project) as project:
            found = project.name, project.datasets.list()
    name, datasets = found
    if args.json:
        print_json(
            {
                "project": name,
                "datasets": [
                    {"name": d.name, "id": d.id, "versions": [version_json(v) for v in d.versions]} for d in datasets
                ],
            }
        )
        return EXIT_OK
    if not datasets:
        print(f"No datasets in '{name}' yet — add one with: mldesk import {args.project} FILE")
        return EXIT_OK
    print(f"{'DATASET':<28}{'ROWS':>12}{'COLUMNS':>9}  {'CREATED (UTC)':<17}  SHA256")
    for dataset in datasets:
        for v in dataset.versions:
            print(f"{v.label:<28}{v.rows:>12,}{v.n_columns:>9}  {v.created_at:%Y-%m-%d %H:%M}  {v.sha256[:12]}")
    return EXIT_OK


def _thresholds(items: list[str]):
    from dataclasses import fields

    from desktop_app.core.quality import Thresholds

    types = {f.name: type(f.default) for f in fields(Thresholds)}
    changes: dict[str, Any] = {}
    for item in items:
        name, value = parse_pair(item, "--threshold")
        if name not in types:
            raise usage_error(f"--threshold: '{name}' is not a threshold; known: {', '.join(types)}")
        try:
            changes[name] = types[name](value)
        except ValueError:
            raise usage_error(f"--threshold {item}: '{value}' is not a number") from None
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
    thresholds = _thresholds(args.threshold)
    html = output_file(args.html, "--html", "report.html") if args.html else None  # before the work, not after it
    with open_project(args.project) as project:
        stored = project.quality.check(args.dataset, target=args.target, thresholds=thresholds,
                                       progress=stderr_progress())
        if html is not None:
            try:
                project.quality.export_html(stored, html)
            except OSError as exc:
                raise write_failed(html, exc, f"The report on {stored.version.label} was saved") from None
        report = stored.report
        if args.json:
            print_json(_report_json(stored))
        else:
            scope = f" (target {report.target})" if report.target else " (no target chosen: target checks skipped)"
            print(f"{stored.version.label}: {report.summary()['text']}, {report.summary()['info']} notes{scope}")
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
    from desktop_app.core.errors import NotFoundError
    from desktop_app.core.quality.plan import plan_fixes

    with open_project(args.project) as project:
        stored = project.quality.check(args.dataset, target=args.target, progress=stderr_progress())
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
        result = project.quality.apply_fixes(stored.version, steps, progress=stderr_progress())
        version = result.version
        if args.json:
            document = version_json(version)
            document.update({"created": result.created, "recipe": version.recipe,
                             "applied": [step.to_dict() for step in steps]})
            print_json(document)
        else:
            print(f"Made {version.label} from {stored.version.label}: "
                  f"{version.rows:,} rows × {version.n_columns} columns")
            for step in steps:
                print(f"  {step.label}")
    return EXIT_OK


def add_commands(command) -> None:
    init = command("init", cmd_init, "create a project folder")
    init.add_argument("project", metavar="PROJECT")
    init.add_argument("--name", type=non_empty, help="the project's display name (default: the folder name)")
    init.add_argument("--db", metavar="URL",
                      help="keep the records in a team database, postgresql+psycopg://USER@HOST:PORT/DATABASE "
                           "(the password comes from ~/.pgpass or PGPASSWORD); a database that holds a project "
                           "already gets this folder attached to it")
    init.add_argument("--objects", metavar="DIR",
                      help="with --db: the team's objects folder, reached by every workstation (default: the "
                           "one the project was created with)")
    init.add_argument("--upgrade", action="store_true",
                      help="with --db: upgrade an older team database's schema (every workstation upgrades "
                           "together)")
    add_json_flag(init)

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
    imp.add_argument("--skip-rows", type=int, metavar="N",
                     help="rows above the table to leave out, e.g. a title and notes (default: detected)")
    add_json_flag(imp)

    ds = command("datasets", cmd_datasets, "list datasets and their versions")
    ds.add_argument("project", metavar="PROJECT")
    add_json_flag(ds)

    check = command("check", cmd_check, "check a dataset version's quality and save the report")
    check.add_argument("project", metavar="PROJECT")
    check.add_argument("dataset", metavar="DATASET[@N]")
    check.add_argument("--target", help="the column to predict (enables the target checks)")
    check.add_argument("--threshold", action="append", default=[], metavar="NAME=VALUE",
                       help="change a threshold, e.g. rare_share=0.02 (docs/quality_checks.md lists them)")
    check.add_argument("--fail-on", choices=["error", "warning"],
                       help="exit 1 when findings of this severity (or worse) exist")
    check.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report")
    add_json_flag(check)

    fix = command("fix", cmd_fix, "apply the suggested fixes of findings, making a new dataset version")
    fix.add_argument("project", metavar="PROJECT")
    fix.add_argument("dataset", metavar="DATASET[@N]")
    fix.add_argument("--apply", action="append", required=True, metavar="CHECK[:COLUMN]",
                     help="a finding whose fix to apply, e.g. duplicate_rows or missing_values:age")
    fix.add_argument("--target", help="the column to predict")
    add_json_flag(fix)
