"""`mldesk pipeline save|show|run|runs|list`: saved pipelines and their runs.

`mldesk pipeline run`'s exit code is for a scheduler (cron, Windows Task Scheduler): 0 the
pipeline ran to its end (promoted or not: the output says which), 3 a gate or drift stopped it
(the output, and `--json`, say which step and why), 1 an error or a cancel.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from desktop_app.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_DRIFT,
    EXIT_OK,
    add_json_flag,
    non_empty,
    open_project,
    print_json,
    stderr_progress,
    usage_error,
)

EXIT_STOPPED = EXIT_DRIFT  # 3: as `mldesk drift`, the command worked and says "stop here"
TEMPLATE_NAMES = ("monthly-retrain", "score-and-watch")


def exit_code(run) -> int:
    from desktop_app.core.pipelines.entities import PipelineStatus

    return {PipelineStatus.DONE: EXIT_OK, PipelineStatus.STOPPED: EXIT_STOPPED}.get(run.status, EXIT_BAD_INPUT)


def schedule_line(project: str, name: str) -> str:
    """The command a scheduler runs (the window shows the same, with the project's full path)."""
    from desktop_app.core.pipelines.schedule import command_line

    return command_line(project, name)


def _definition(args: argparse.Namespace, project):
    """The definition `mldesk pipeline save` was asked for (--from, --template or --file)."""
    from pathlib import Path

    from desktop_app.core.pipelines import templates
    from desktop_app.core.pipelines.definition import Source
    from desktop_app.core.pipelines.toml_file import loads

    if args.file:
        path = Path(args.file).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            from desktop_app.core.errors import MLDeskError

            raise MLDeskError(f"The pipeline file {path} cannot be read ({exc}); give a TOML file that "
                              "`mldesk pipeline show --toml` wrote.") from None
        return loads(text, name=args.name)
    if args.template == "monthly-retrain":
        missing = [o for o, v in (("--target", args.target), ("--model", args.model)) if not v]
        if missing:
            raise usage_error(f"the monthly-retrain template needs {' and '.join(missing)}")
        return templates.monthly_retrain(args.name, source=Source(args.input or "", args.dataset or args.name),
                                         target=args.target, algorithm=args.algorithm, model=args.model,
                                         alias=args.alias)
    if not args.model:
        raise usage_error("the score-and-watch template needs --model (the model whose alias scores the batches)")
    return templates.score_and_watch(args.name, source=Source(args.input or "", args.dataset or args.name),
                                     model=args.model, alias=args.alias)


def cmd_save(args: argparse.Namespace) -> int:
    from pathlib import Path

    chosen = [o for o in (args.source_version, args.template, args.file) if o]
    if len(chosen) != 1:
        raise usage_error("give one of --from MODEL@N, --template NAME or --file DEFINITION.toml")
    if args.input:   # a scheduler starts jobs in another folder: keep where the files are, whole
        args.input = str(Path(args.input).expanduser().absolute())
    with open_project(args.project) as project:
        if args.source_version:
            saved = project.pipelines.save_from_version(args.source_version, args.name, input_path=args.input,
                                                        reason=args.reason or "")
        else:
            definition = _definition(args, project)
            if args.input and args.file:
                definition = definition.with_changes(source={**_source_dict(definition), "path": args.input})
            saved = project.pipelines.save(definition, reason=args.reason or "")
        if args.json:
            print_json(_saved_json(saved, args.project))
        else:
            steps = " → ".join(saved.definition.steps())
            print(f"Saved pipeline '{saved.name}' (version {saved.version}): {steps}")
            if not saved.definition.source.path:
                print("  It names no source file: run it with --input FILE, or save it again with --input PATTERN.")
            print(f"  Run it now:      mldesk pipeline run {args.project} {saved.name}")
            print(f"  Schedule it:     {schedule_line(args.project, saved.name)}")
    return EXIT_OK


def _source_dict(definition) -> dict[str, Any]:
    from desktop_app.core.pipelines.definition import to_dict

    return to_dict(definition)["source"]


def _saved_json(saved, project_path: str) -> dict[str, Any]:
    from desktop_app.core.pipelines.definition import to_dict

    return {"name": saved.name, "version": saved.version, "saved_at": saved.saved_at, "saved_by": saved.saved_by,
            "conflict": saved.conflict, "steps": list(saved.definition.steps()),
            "definition": to_dict(saved.definition), "schedule": schedule_line(project_path, saved.name)}


def cmd_show(args: argparse.Namespace) -> int:
    from desktop_app.core.pipelines.toml_file import dumps

    with open_project(args.project) as project:
        saved = project.pipelines.get(args.name)
        if args.toml:
            sys.stdout.write(dumps(saved.definition))
            return EXIT_OK
        if args.json:
            print_json(_saved_json(saved, args.project))
            return EXIT_OK
        from desktop_app.core.pipelines.describe import describe

        print(f"Pipeline '{saved.name}', version {saved.version}, saved {saved.saved_at:%Y-%m-%d %H:%M} UTC by "
              f"{saved.saved_by}")
        if saved.conflict:
            print("CONFLICT: saved on two workstations without seeing each other; the newest is shown and run — "
                  "save it again to settle it.")
        for line in describe(saved.definition):
            print(f"  {line}")
        print(f"Schedule it: {schedule_line(args.project, saved.name)}")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    with open_project(args.project) as project:
        names = project.pipelines.names()
        last = {name: next(iter(project.pipelines.runs(name, limit=1)), None) for name in names}
    if args.json:
        print_json({"pipelines": [{"name": n, "last_run": last[n].to_dict() if last[n] else None} for n in names]})
        return EXIT_OK
    if not names:
        print(f"No pipelines yet — save one with: mldesk pipeline save {args.project} NAME --from MODEL@N")
        return EXIT_OK
    width = max(len("PIPELINE"), *(len(n) for n in names)) + 2
    print(f"{'PIPELINE':<{width}}{'LAST RUN (UTC)':<18}{'STATUS':<11}OUTCOME")
    for name in names:
        run = last[name]
        when = f"{run.started_at:%Y-%m-%d %H:%M}" if run else "never"
        print(f"{name:<{width}}{when:<18}{str(run.status) if run else '—':<11}{run.outcome if run else ''}")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    with open_project(args.project) as project:
        try:
            run = project.pipelines.run(args.name, input_path=args.input, progress=stderr_progress())
        except KeyboardInterrupt:
            print("mldesk: interrupted; the pipeline run is recorded as cancelled.", file=sys.stderr)
            raise
    code = exit_code(run)
    if args.json:
        print_json({**run.to_dict(), "promoted": run.promoted, "exit_code": code})
    else:
        _print_run(run)
    if code == EXIT_BAD_INPUT:
        print(f"mldesk: pipeline run {run.short_id} {run.status}: {run.outcome}", file=sys.stderr)
    return code


def _print_run(run) -> None:
    seconds = f" in {run.seconds:.1f} s" if run.seconds is not None else ""
    print(f"Pipeline run {run.short_id} of '{run.pipeline}' {run.status}{seconds}: {run.outcome}")
    for step in run.steps:
        took = f"{step.seconds:6.1f} s" if step.seconds is not None else " " * 8
        print(f"  {step.step:<9}{str(step.state):<10}{took}  {step.detail}")


def cmd_runs(args: argparse.Namespace) -> int:
    with open_project(args.project) as project:
        project.pipelines.get(args.name)   # an unknown name is an error, not an empty list
        runs = project.pipelines.runs(args.name, limit=args.limit)
    if args.json:
        print_json({"pipeline": args.name, "runs": [{**r.to_dict(), "promoted": r.promoted} for r in runs]})
        return EXIT_OK
    if not runs:
        print(f"'{args.name}' has not run yet — run it with: mldesk pipeline run {args.project} {args.name}")
        return EXIT_OK
    print(f"{'RUN':<10}{'STARTED (UTC)':<18}{'STATUS':<12}{'SECONDS':>8}  OUTCOME")
    for r in runs:
        took = f"{r.seconds:.1f}" if r.seconds is not None else "—"
        print(f"{r.short_id:<10}{r.started_at:%Y-%m-%d %H:%M}  {str(r.status):<12}{took:>8}  {r.outcome}")
    return EXIT_OK


def _no_action(args: argparse.Namespace) -> int:
    raise usage_error("name what to do: save, show, run, runs or list")


def add_commands(command) -> None:
    pipeline = command("pipeline", _no_action,
                       "save, show and run pipelines: import → check → drift → train → promote → export as one job")
    sub = pipeline.add_subparsers(dest="pipeline_command", metavar="ACTION")

    def action(name: str, handler, help_text: str) -> argparse.ArgumentParser:
        parser = sub.add_parser(name, help=help_text, description=help_text)
        parser.set_defaults(handler=handler)
        parser.add_argument("project", metavar="PROJECT")
        return parser

    save = action("save", cmd_save, "save a pipeline: from a model version's lineage, a template, or a TOML file")
    save.add_argument("name", type=non_empty, metavar="NAME")
    save.add_argument("--from", dest="source_version", metavar="MODEL@N",
                      help="write the pipeline that would reproduce this version (its file's settings, fixes, "
                           "training spec; it must beat the alias holder to take its alias)")
    save.add_argument("--template", choices=TEMPLATE_NAMES,
                      help="monthly-retrain (needs --target and --model) or score-and-watch (needs --model)")
    save.add_argument("--file", metavar="DEFINITION.toml", help="a definition `pipeline show --toml` wrote")
    save.add_argument("--input", metavar="FILE_OR_PATTERN",
                      help="where new files come from, e.g. /data/heart-*.csv (the newest match is read)")
    save.add_argument("--dataset", type=non_empty, help="with --template: the dataset new files become versions of")
    save.add_argument("--target", type=non_empty, help="with --template monthly-retrain: the column to predict")
    save.add_argument("--algorithm", default="logistic_regression", metavar="ALGO",
                      help="with --template monthly-retrain (default logistic_regression)")
    save.add_argument("--model", type=non_empty, metavar="MODEL", help="with --template: the registered model")
    save.add_argument("--alias", default="production", help="with --template: the alias (default production)")
    save.add_argument("--reason", help="why (kept in the audit trail)")
    add_json_flag(save)

    show = action("show", cmd_show, "show a pipeline's definition (or write it as TOML for review)")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--toml", action="store_true", help="print the definition as TOML (save it back with --file)")
    add_json_flag(show)

    run = action("run", cmd_run, "run a pipeline now; exit 0 done (promoted or not), 3 stopped by a gate or "
                                 "drift, 1 error")
    run.add_argument("name", metavar="NAME")
    run.add_argument("--input", metavar="FILE", help="the file to run on (default: the pipeline's source)")
    add_json_flag(run)

    runs = action("runs", cmd_runs, "list a pipeline's runs, newest first")
    runs.add_argument("name", metavar="NAME")
    runs.add_argument("--limit", type=int, default=50, metavar="N", help="runs shown (default 50)")
    add_json_flag(runs)

    listing = action("list", cmd_list, "list the project's pipelines and their last runs")
    add_json_flag(listing)
