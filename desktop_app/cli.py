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
    except KeyboardInterrupt:
        print("mldesk: interrupted; nothing was saved.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
