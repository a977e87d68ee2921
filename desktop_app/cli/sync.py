"""`mldesk sync` and `mldesk clone`: team work through a shared folder (docs/sync.md)."""

from __future__ import annotations

import argparse

from desktop_app.cli.common import EXIT_OK, add_json_flag, open_project, print_json, stderr_progress, usage_error


def _print_lists(waiting, conflicts, strays) -> None:
    for item in waiting:
        print(f"WAITING: {item['message']}")
    for conflict in conflicts:
        print(f"CONFLICT: {conflict.sentence()}")
    for stray in strays:
        print(f"left alone: {stray}")


def cmd_sync(args: argparse.Namespace) -> int:
    if args.status and args.folder:
        raise usage_error("--status shows the linked folder; give no FOLDER with it")
    if args.status:
        return _status(args)
    from desktop_app.core.sync.idle import idle_sync

    report, conflicts = idle_sync(args.project, args.folder), []  # nothing to do: found without opening
    if report is None:
        with open_project(args.project) as project:
            report = project.sync.sync(args.folder, progress=stderr_progress())
            conflicts = project.sync.conflicts()
    if args.json:
        print_json(report.to_dict())
        return EXIT_OK
    print(f"Synced with {report.folder}: sent {report.published:,} change(s) and {report.objects_sent:,} file(s), "
          f"received {report.applied:,} change(s) and {report.objects_received:,} file(s).")
    for note in report.notes:
        print(f"note: {note}")
    _print_lists(report.waiting, conflicts, report.strays)
    return EXIT_OK


def _status(args: argparse.Namespace) -> int:
    with open_project(args.project) as project:
        status = project.sync.status()
        if args.json:
            print_json(status.to_dict())
            return EXIT_OK
        if status.folder is None:
            print(f"'{project.name}' is not linked to a shared folder; link it with: mldesk sync {args.project} FOLDER")
            return EXIT_OK
        when = f"{status.last_sync_at:%Y-%m-%d %H:%M} UTC" if status.last_sync_at else "never"
        print(f"Shared folder: {status.folder}   last sync: {when}   waiting to be sent: {status.pending:,} change(s)")
        _print_lists(status.waiting, status.conflicts, [])
    return EXIT_OK


def cmd_clone(args: argparse.Namespace) -> int:
    from desktop_app.core.project import Project

    with Project.clone(args.folder, args.project, progress=stderr_progress()) as project:
        report = project.sync.status()
        datasets, models = project.datasets.list(), project.registry.models()
        runs = project.runs.list()
        if args.json:
            print_json({"project": str(project.path), "name": project.name, "folder": report.folder,
                        "workstation": project.workstation_id, "datasets": len(datasets), "runs": len(runs),
                        "models": len(models), "waiting": report.waiting,
                        "conflicts": [c.to_dict() for c in report.conflicts]})
            return EXIT_OK
        print(f"Cloned '{project.name}' into {project.path}: {len(datasets)} dataset(s), {len(runs)} run(s), "
              f"{len(models)} model(s). Sync it with: mldesk sync {args.project}")
        _print_lists(report.waiting, report.conflicts, [])
    return EXIT_OK


def add_commands(command) -> None:
    sync = command("sync", cmd_sync, "share the project through a folder: send this workstation's changes, "
                                     "receive the team's")
    sync.add_argument("project", metavar="PROJECT")
    sync.add_argument("folder", nargs="?", metavar="FOLDER",
                      help="the shared folder (needed the first time; remembered after)")
    sync.add_argument("--status", action="store_true",
                      help="only show the linked folder, what waits to be sent or received, and conflicts")
    add_json_flag(sync)

    clone = command("clone", cmd_clone, "make a new local project from the team's shared folder")
    clone.add_argument("folder", metavar="FOLDER", help="the team's shared folder")
    clone.add_argument("project", metavar="PROJECT", help="the new project folder (on a local disk)")
    add_json_flag(clone)
